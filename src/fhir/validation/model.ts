import { createRequire } from 'node:module';

/**
 * The FHIR R4 structure model, read from the model tables shipped with the `fhirpath` package
 * (fhir-context/r4): element path → type, which paths repeat, choice elements, content references and
 * the type hierarchy. Nothing here is hand-typed, so the base checks follow the R4 definitions exactly.
 */

type TypeInfo = string | { code: 'Reference' | 'canonical'; refType?: string[] };

const require = createRequire(import.meta.url);
const dir = 'fhirpath/fhir-context/r4/';
const path2Type = require(`${dir}path2Type.json`) as Record<string, TypeInfo>;
const path2Repeating = new Set(require(`${dir}path2Repeating.json`) as string[]);
const choiceTypePaths = require(`${dir}choiceTypePaths.json`) as Record<string, string[]>;
const pathsDefinedElsewhere = require(`${dir}pathsDefinedElsewhere.json`) as Record<string, string>;
const type2Parent = require(`${dir}type2Parent.json`) as Record<string, string>;

/** What the model says about one JSON property of an element. */
export interface ElementInfo {
  /** Path of the definition (e.g. `HealthcareService.availableTime`): context for the children. */
  path: string;
  /** FHIR type code: `string`, `CodeableConcept`, `BackboneElement`, `Reference`, `Resource`… */
  type: string;
  repeats: boolean;
  /** Target resource types of a Reference (`Resource` = any). */
  refTypes?: string[];
  /** For a choice element (`valueString`): its base name (`value`). */
  choiceBase?: string;
}

const cache = new Map<string, ElementInfo | null>();

/** Resolves a property of an element of type (or backbone path) `context`, climbing the type hierarchy. */
export function elementInfo(context: string, name: string): ElementInfo | undefined {
  const key = `${context}|${name}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const found = resolve(context, name);
  cache.set(key, found ?? null);
  return found;
}

function resolve(context: string, name: string): ElementInfo | undefined {
  let ctx: string | undefined = pathsDefinedElsewhere[context] ?? context;
  while (ctx) {
    const path = `${ctx}.${name}`;
    const t = path2Type[path];
    if (t !== undefined) {
      const info: ElementInfo =
        typeof t === 'string'
          ? { path: pathsDefinedElsewhere[path] ?? path, type: t, repeats: path2Repeating.has(path) }
          : { path, type: t.code, repeats: path2Repeating.has(path) };
      // An empty target list (Extension.valueReference) means any resource type.
      if (typeof t !== 'string' && t.code === 'Reference' && t.refType?.length) info.refTypes = t.refType;
      const base = choiceBaseOf(ctx, name);
      if (base) info.choiceBase = base;
      return info;
    }
    const elsewhere = pathsDefinedElsewhere[path];
    if (elsewhere) return { path: elsewhere, type: 'BackboneElement', repeats: path2Repeating.has(path) };
    ctx = type2Parent[ctx];
  }
  return undefined;
}

function choiceBaseOf(ctx: string, name: string): string | undefined {
  for (const [base, types] of choiceBasesOf(ctx)) {
    if (name.startsWith(base) && types.some((t) => `${base}${t}` === name)) return base;
  }
  return undefined;
}

const choiceCache = new Map<string, [string, string[]][]>();
/** Choice elements (`value[x]`) declared directly on a context: base name and allowed type suffixes. */
export function choiceBasesOf(context: string): [string, string[]][] {
  let list = choiceCache.get(context);
  if (!list) {
    list = [];
    for (const [path, types] of Object.entries(choiceTypePaths)) {
      const dot = path.lastIndexOf('.');
      if (path.slice(0, dot) === context) list.push([path.slice(dot + 1), types]);
    }
    choiceCache.set(context, list);
  }
  return list;
}

/** Whether a type name is a resource type of R4 (so that `contained` items can be walked). */
export function isR4ResourceType(name: string): boolean {
  let t: string | undefined = name;
  while (t) {
    if (t === 'Resource') return name !== 'Resource';
    t = type2Parent[t];
  }
  return false;
}

/** True when elements of `type` have children defined at `path` (backbone elements) rather than by type. */
export function hasOwnChildren(type: string): boolean {
  return type === 'BackboneElement' || type === 'Element';
}

export const PRIMITIVE_TYPES = new Set([
  'boolean', 'integer', 'positiveInt', 'unsignedInt', 'decimal', 'string', 'markdown', 'code', 'id', 'uri',
  'url', 'canonical', 'oid', 'uuid', 'base64Binary', 'date', 'dateTime', 'instant', 'time', 'xhtml',
  'System.String', 'System.Boolean', 'System.Integer', 'System.Decimal', 'System.Date', 'System.DateTime', 'System.Time',
]);
