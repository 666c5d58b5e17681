import { issue, type IssueCode, type IssueSeverity, type OperationOutcomeIssue } from '../outcome.ts';
import { checkPrimitive } from './primitives.ts';
import { isInR4Binding, R4_REQUIRED_CODES } from './r4-codes.ts';
import { elementInfo, hasOwnChildren, isR4ResourceType, PRIMITIVE_TYPES, type ElementInfo } from './model.ts';
import { SD, type ElementRule, type ExtensionRule, type Profile, type SliceRule } from './profile.ts';
import type { CodeChecker } from './validate.ts';

/**
 * The validation engine: a plain traversal of the JSON, first against the R4 model (unknown elements,
 * arrays vs single values, primitive formats, reference targets), then against a ROR profile table
 * (cardinalities, slices, extensions, bindings). Every issue carries a FHIRPath expression with indexes.
 */

/** Stable rule codes of validation issues (details.coding, catalogue in docs/validation.md). */
export const VALIDATION_RULES = [
  'unknown-element',
  'datatype',
  'cardinality',
  'reference-format',
  'reference-type',
  'unknown-extension',
  'extension-value',
  'binding',
  'value-set-unknown',
  'slice-unmatched',
  'fixed-value',
  'invariant',
] as const;
export type ValidationRule = (typeof VALIDATION_RULES)[number];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Base cardinalities the R4 model tables do not carry (min 1 elements of the types we store). */
const BASE_REQUIRED: Record<string, string[]> = {
  Extension: ['url'],
  Task: ['status', 'intent'],
  'Task.input': ['type'],
  'Task.output': ['type'],
  Narrative: ['status', 'div'],
};

export class Run {
  readonly issues: OperationOutcomeIssue[] = [];
  constructor(
    readonly codes: CodeChecker,
    readonly knownRorExtensions: ReadonlySet<string>,
  ) {}

  add(code: IssueCode, rule: ValidationRule, diagnostics: string, expression: string, severity: IssueSeverity = 'error'): void {
    this.issues.push(issue(code, diagnostics, { expression, rule, severity }));
  }

  // ---- Base R4 structure -------------------------------------------------------------------------------

  resource(res: Obj, expr: string): void {
    const rt = res.resourceType;
    if (typeof rt !== 'string' || !isR4ResourceType(rt)) {
      this.add('structure', 'unknown-element', `Type de ressource inconnu : ${String(rt)}`, `${expr}.resourceType`);
      return;
    }
    this.object(res, rt, expr, true);
  }

  private object(obj: Obj, context: string, expr: string, isResource = false): void {
    const keys = Object.keys(obj);
    if (keys.length === 0) this.add('structure', 'datatype', `${expr} est vide : un élément doit avoir une valeur ou des enfants`, expr);
    const choices = new Map<string, string>();
    for (const key of keys) {
      if (isResource && key === 'resourceType') continue;
      const v = obj[key];
      const childExpr = `${expr}.${key}`;
      if (key.startsWith('_')) {
        this.primitiveElement(context, key.slice(1), v, childExpr);
        continue;
      }
      const info = elementInfo(context, key);
      if (!info) {
        this.add('structure', 'unknown-element', `Élément inconnu « ${key} » : il n'existe pas dans ${context} (FHIR R4)`, childExpr);
        continue;
      }
      if (info.choiceBase) {
        const other = choices.get(info.choiceBase);
        if (other) {
          this.add('structure', 'datatype', `${expr} porte à la fois ${other} et ${key} : ${info.choiceBase}[x] n'admet qu'un seul type`, childExpr);
        } else choices.set(info.choiceBase, key);
      }
      if (key === 'modifierExtension' && Array.isArray(v) && v.length > 0) {
        // The ROR IG defines no modifier extension; one this server does not understand changes the meaning
        // of the data, so it must not be stored as if it were understood (FHIR R4, Extensibility).
        this.add('not-supported', 'unknown-extension', `${childExpr} : aucune extension modificatrice n'est définie par le guide ROR ; ce serveur ne peut pas l'interpréter et refuse la ressource`, childExpr);
      }
      if (v === null) {
        this.add('structure', 'datatype', `${childExpr} vaut null : omettez l'élément plutôt`, childExpr);
      } else if (info.repeats) {
        if (!Array.isArray(v)) {
          this.add('structure', 'datatype', `${childExpr} doit être un tableau JSON (élément répétable 0..*)`, childExpr);
        } else if (v.length === 0) {
          this.add('structure', 'datatype', `${childExpr} est un tableau vide : omettez l'élément plutôt`, childExpr);
        } else {
          v.forEach((item, i) => this.value(item, info, `${childExpr}[${i}]`));
        }
      } else if (Array.isArray(v)) {
        this.add('structure', 'datatype', `${childExpr} ne doit pas être un tableau JSON (élément non répétable, au plus 1)`, childExpr);
      } else {
        this.value(v, info, childExpr);
      }
    }
    for (const req of BASE_REQUIRED[context] ?? []) {
      if (obj[req] === undefined) this.add('required', 'cardinality', `${expr}.${req} est obligatoire (FHIR R4)`, `${expr}.${req}`);
    }
    if (context === 'Extension') this.extensionShape(obj, expr);
  }

  /** `_given`, `_status`: the id/extensions of a primitive element. */
  private primitiveElement(context: string, name: string, v: unknown, expr: string): void {
    const info = elementInfo(context, name);
    if (!info || !PRIMITIVE_TYPES.has(info.type)) {
      this.add('structure', 'unknown-element', `Élément inconnu « _${name} » : ${name} n'est pas un élément primitif de ${context}`, expr);
      return;
    }
    const items = info.repeats ? (Array.isArray(v) ? v : null) : Array.isArray(v) ? null : [v];
    if (!items) {
      this.add('structure', 'datatype', `${expr} doit ${info.repeats ? '' : 'ne pas '}être un tableau JSON`, expr);
      return;
    }
    items.forEach((item, i) => {
      const e = info.repeats ? `${expr}[${i}]` : expr;
      if (item === null && info.repeats) return;
      if (!isObj(item)) this.add('structure', 'datatype', `${e} doit être un objet JSON`, e);
      else this.object(item, 'Element', e);
    });
  }

  private value(v: unknown, info: ElementInfo, expr: string): void {
    if (PRIMITIVE_TYPES.has(info.type)) {
      const type = primitiveTypeOf(info);
      const problem = checkPrimitive(type, v);
      if (problem) this.add('value', 'datatype', `${expr} (${type}) : la valeur ${problem}`, expr);
      else if (type === 'code') this.r4Binding(v as string, info.path, expr);
      return;
    }
    if (!isObj(v)) {
      this.add('structure', 'datatype', `${expr} doit être un objet JSON (type ${info.type})`, expr);
      return;
    }
    if (info.type === 'Resource') {
      this.resource(v, expr);
      return;
    }
    this.object(v, hasOwnChildren(info.type) ? info.path : info.type, expr);
    if (info.type === 'Reference') this.referenceTarget(v, info.refTypes, expr);
  }

  /** Required binding of the R4 base definition on a `code` element (r4-codes.ts): Task.status, ContactPoint.system… */
  private r4Binding(code: string, path: string, expr: string): void {
    const binding = R4_REQUIRED_CODES[path];
    if (!binding || isInR4Binding(binding, code)) return;
    const allowed = binding.expected ? `attendu : ${binding.expected}` : `codes admis : ${binding.codes!.join(', ')}`;
    this.add('code-invalid', 'binding', `Le code « ${code} » n'appartient pas au jeu de valeurs ${binding.name} (${binding.valueSet}), liaison obligatoire de FHIR R4 pour ${path} ; ${allowed}`, expr);
  }

  private extensionShape(ext: Obj, expr: string): void {
    const hasValue = Object.keys(ext).some((k) => k.startsWith('value'));
    const hasSub = Array.isArray(ext.extension) && ext.extension.length > 0;
    if (hasValue === hasSub) {
      this.add('invariant', 'extension-value', `${expr} doit porter soit une valeur value[x], soit des sous-extensions, et pas les deux (ext-1)`, expr);
    }
    const url = ext.url;
    if (typeof url === 'string' && url.startsWith(SD) && !this.knownRorExtensions.has(url)) {
      this.add('structure', 'unknown-extension', `Extension ROR inconnue « ${url} » : elle n'est définie par aucun profil du guide ROR 0.7.0`, expr);
    }
  }

  /** A Reference's literal target must be well formed and of an allowed type. */
  referenceTarget(ref: Obj, allowed: readonly string[] | undefined, expr: string): void {
    // A transaction rewrites its urn:uuid references to the entries they name before validation: one left here
    // (a single write, a batch entry) designates nothing and never will.
    if (typeof ref.reference === 'string' && /^urn:(uuid|oid):/.test(ref.reference)) {
      this.add('value', 'reference-format', `La référence « ${ref.reference} » ne désigne aucune ressource : une référence urn:uuid ne se résout que dans une transaction, vers le fullUrl d'une de ses entrées`, `${expr}.reference`);
      return;
    }
    if (!allowed || allowed.includes('Resource')) return;
    const target = typeof ref.reference === 'string' ? referenceType(ref.reference) : undefined;
    if (target === null) {
      this.add('value', 'reference-format', `La référence « ${String(ref.reference)} » est mal formée (attendu : Type/id)`, `${expr}.reference`);
      return;
    }
    for (const t of [target, typeof ref.type === 'string' ? ref.type : undefined]) {
      if (t && !allowed.includes(t)) {
        this.add('value', 'reference-type', `${expr} doit désigner une ressource ${allowed.join(' ou ')}, pas un(e) ${t}`, expr);
        return;
      }
    }
  }

  // ---- ROR profile ----------------------------------------------------------------------------------------

  profile(res: Obj, profile: Profile): void {
    this.item(res, profile.root, profile.resourceType);
  }

  private element(value: unknown, rule: ElementRule, expr: string, label = expr): void {
    const isArray = Array.isArray(value);
    const items: unknown[] = value === undefined ? [] : isArray ? (value as unknown[]) : [value];
    if (rule.min !== undefined && items.length < rule.min) {
      this.add('required', 'cardinality', `${label} est obligatoire (cardinalité ${rule.min}..${rule.max ?? '*'} dans le profil ROR)`, expr);
    }
    if (rule.max !== undefined && items.length > rule.max) {
      this.add('structure', 'cardinality', `${label} admet au plus ${rule.max} valeur(s) dans le profil ROR, ${items.length} reçue(s)`, isArray ? `${expr}[${rule.max}]` : expr);
    }
    const at = (i: number) => (isArray ? `${expr}[${i}]` : expr);
    if (rule.slices) this.slices(items, rule.slices, expr, at, rule.otherItemsExpected === true);
    items.forEach((item, i) => this.item(item, rule, at(i)));
  }

  private item(item: unknown, rule: ElementRule, expr: string): void {
    if (rule.fixed !== undefined && item !== rule.fixed) {
      this.add('value', 'fixed-value', `${expr} doit valoir « ${String(rule.fixed)} » (valeur imposée par le profil ROR), reçu « ${String(item)} »`, expr);
    }
    if (rule.codes && typeof item === 'string' && !rule.codes.includes(item)) {
      this.add('code-invalid', 'binding', `Le code « ${item} » n'est pas admis ici ; valeurs admises : ${rule.codes.join(', ')}`, expr);
    }
    if (rule.binding) this.binding(item, rule.binding, expr);
    if (rule.check) {
      for (const p of rule.check(item)) {
        const code = p.code ?? 'invariant';
        this.add(code, code === 'required' ? 'cardinality' : 'invariant', p.diagnostics, p.path ? `${expr}.${p.path}` : expr);
      }
    }
    if (!isObj(item)) return;
    if (rule.refTypes) this.referenceTarget(item, rule.refTypes, expr);
    if (rule.extensions) this.extensions(item.extension, rule.extensions, `${expr}.extension`, false);
    if (rule.children) {
      for (const [name, child] of Object.entries(rule.children)) this.element(item[name], child, `${expr}.${name}`);
    }
  }

  private slices(items: unknown[], slices: SliceRule[], expr: string, at: (i: number) => string, othersExpected: boolean): void {
    const hits = new Map<SliceRule, number[]>();
    items.forEach((item, i) => {
      const slice = slices.find((s) => this.matches(s, item));
      if (!slice) {
        if (isObj(item) && !othersExpected) {
          this.add('informational', 'slice-unmatched', `${at(i)} ne correspond à aucune tranche connue du profil ROR (${slices.map((s) => s.name).join(', ')}) : accepté sans contrôle de code`, at(i), 'warning');
        }
        return;
      }
      const list = hits.get(slice) ?? [];
      list.push(i);
      hits.set(slice, list);
    });
    for (const slice of slices) {
      const found = hits.get(slice) ?? [];
      if (slice.min !== undefined && found.length < slice.min) {
        this.add('required', 'cardinality', `${expr} : la tranche « ${slice.name} » est obligatoire (cardinalité ${slice.min}..${slice.max ?? '*'})${sliceHint(slice)}`, expr);
      }
      if (slice.max !== undefined && found.length > slice.max) {
        this.add('structure', 'cardinality', `${expr} : la tranche « ${slice.name} » admet au plus ${slice.max} valeur(s), ${found.length} reçue(s)`, at(found[slice.max]!));
      }
      for (const i of found) {
        const { min: _min, max: _max, ...itemRule } = slice;
        this.item(items[i], itemRule, at(i));
      }
    }
  }

  private matches(slice: SliceRule, item: unknown): boolean {
    if (!isObj(item)) return false;
    const codings = codingsOf(item);
    if (slice.systems && !codings.some((c) => typeof c.system === 'string' && inSliceSystems(slice, c.system))) return false;
    if (slice.typeCode) {
      const t = slice.typeCode;
      const typeCodings = isObj(item.type) ? codingsOf(item.type) : [];
      if (!typeCodings.some((c) => c.code === t.code && (t.system === undefined || c.system === t.system))) return false;
    }
    if (slice.byBinding) {
      if (!slice.binding) return false;
      if (!codings.some((c) => typeof c.code === 'string' && this.codes.isInValueSet(slice.binding!, str(c.system), c.code) === true)) return false;
    }
    if (slice.where && !slice.where(item)) return false;
    return !!(slice.systems || slice.typeCode || slice.byBinding || slice.where);
  }

  private extensions(value: unknown, rules: ExtensionRule[], expr: string, complex: boolean, parent?: string): void {
    const list = Array.isArray(value) ? value : [];
    const seen = new Map<ExtensionRule, number[]>();
    list.forEach((ext, i) => {
      if (!isObj(ext) || typeof ext.url !== 'string') return; // reported by the base checks
      const rule = rules.find((r) => r.url === ext.url);
      const at = `${expr}[${i}]`;
      if (!rule) {
        if (complex) {
          this.add('structure', 'unknown-extension', `Sous-extension « ${ext.url} » inconnue dans l'extension ${parent ?? ''} : sous-extensions admises : ${rules.map((r) => short(r.url)).join(', ')}`, at);
        } else if (ext.url.startsWith(SD)) {
          this.add('structure', 'unknown-extension', `L'extension ROR « ${short(ext.url)} » n'est pas admise à cet endroit (${expr})`, at);
        }
        return;
      }
      const idx = seen.get(rule) ?? [];
      idx.push(i);
      seen.set(rule, idx);
      this.extension(ext, rule, at);
    });
    for (const rule of rules) {
      const idx = seen.get(rule) ?? [];
      const where = `${expr}.where(url='${rule.url}')`;
      if (rule.min !== undefined && idx.length < rule.min) {
        this.add('required', 'cardinality', `L'extension « ${short(rule.url)} » est obligatoire ici (cardinalité ${rule.min}..${rule.max ?? '*'})`, where);
      }
      if (rule.max !== undefined && idx.length > rule.max) {
        this.add(
          'structure',
          'cardinality',
          rule.max === 0
            ? `L'extension « ${short(rule.url)} » est interdite ici`
            : `L'extension « ${short(rule.url)} » admet au plus ${rule.max} occurrence(s) ici, ${idx.length} reçue(s)`,
          `${expr}[${idx[rule.max]!}]`,
        );
      }
    }
  }

  private extension(ext: Obj, rule: ExtensionRule, expr: string): void {
    const name = short(rule.url);
    const valueKeys = Object.keys(ext).filter((k) => k.startsWith('value'));
    if (rule.extensions) {
      // With sub-extensions present, the base check (ext-1) already reports the value.
      if (valueKeys.length > 0 && !(Array.isArray(ext.extension) && ext.extension.length > 0)) {
        this.add('structure', 'extension-value', `L'extension complexe « ${name} » ne porte pas de valeur ${valueKeys[0]} mais des sous-extensions`, `${expr}.${valueKeys[0]}`);
      }
      this.extensions(ext.extension, rule.extensions, `${expr}.extension`, true, name);
      return;
    }
    if (!rule.value) return;
    const types = Array.isArray(rule.value.type) ? rule.value.type : [rule.value.type];
    const expected = types.map((t) => `value${t[0]!.toUpperCase()}${t.slice(1)}`);
    const key = expected.find((k) => ext[k] !== undefined);
    if (!key) {
      const got = valueKeys[0];
      this.add(
        got ? 'value' : 'required',
        'extension-value',
        got
          ? `L'extension « ${name} » doit porter ${expected.join(' ou ')}, pas ${got}`
          : `L'extension « ${name} » doit porter une valeur ${expected.join(' ou ')}`,
        got ? `${expr}.${got}` : expr,
      );
      return;
    }
    if (Array.isArray(ext.extension) && ext.extension.length > 0) {
      this.add('structure', 'extension-value', `L'extension simple « ${name} » ne doit pas avoir de sous-extensions`, `${expr}.extension`);
    }
    if (rule.value.rule) this.item(ext[key], rule.value.rule, `${expr}.${key}`);
  }

  /** Required binding: a code, Coding or CodeableConcept must be in the value set (NOS JDV). */
  private binding(item: unknown, vs: string, expr: string): void {
    const entries: { system: string | undefined; code: string; expr: string }[] = [];
    let malformed = false;
    // A malformed code is reported by the datatype check; its membership is not asked.
    const wellFormed = (code: unknown): code is string => typeof code === 'string' && checkPrimitive('code', code) === undefined;
    if (typeof item === 'string') {
      if (!wellFormed(item)) return;
      entries.push({ system: undefined, code: item, expr });
    }
    else if (isObj(item)) {
      const isCC = 'coding' in item || 'text' in item;
      const codings = isCC ? (Array.isArray(item.coding) ? item.coding : []) : [item];
      codings.forEach((c, j) => {
        if (isObj(c) && typeof c.code === 'string' && !wellFormed(c.code)) malformed = true;
        if (isObj(c) && wellFormed(c.code)) entries.push({ system: str(c.system), code: c.code, expr: isCC ? `${expr}.coding[${j}]` : expr });
      });
    } else return;
    if (malformed && entries.length === 0) return;
    if (entries.length === 0) {
      this.add('required', 'binding', `${expr} doit comporter un code du jeu de valeurs ${vsName(vs)} (liaison obligatoire)`, expr);
      return;
    }
    let unknown = false;
    let firstBad: (typeof entries)[number] | undefined;
    for (const e of entries) {
      const r = this.codes.isInValueSet(vs, e.system, e.code);
      if (r === true) return;
      if (r === undefined) unknown = true;
      else firstBad ??= e;
    }
    if (firstBad) {
      const hint = firstBad.system?.includes('/NOS/JDV_')
        ? " ; le système d'un code est l'URL de la terminologie de référence (TRE_…), pas celle du jeu de valeurs (JDV_…)"
        : '';
      this.add(
        'code-invalid',
        'binding',
        `Le code « ${firstBad.code} »${firstBad.system ? ` (système ${firstBad.system})` : ''} n'appartient pas au jeu de valeurs ${vsName(vs)}${hint}`,
        firstBad.expr,
      );
    } else if (unknown) {
      this.add('informational', 'value-set-unknown', `Le jeu de valeurs ${vsName(vs)} n'est pas chargé sur ce serveur : code « ${entries[0]!.code} » accepté sans contrôle`, expr, 'warning');
    }
  }
}

function primitiveTypeOf(info: ElementInfo): string {
  if (info.path === 'Extension.url') return 'uri';
  const dot = info.path.indexOf('.');
  if (info.path.slice(dot) === '.id' && dot === info.path.lastIndexOf('.') && isR4ResourceType(info.path.slice(0, dot))) return 'id';
  return info.type;
}

/** Resource type named by a literal reference; undefined for contained/urn references, null when malformed. */
export function referenceType(ref: string): string | undefined | null {
  if (ref.startsWith('#') || ref.startsWith('urn:')) return undefined;
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/.exec(ref);
  return m ? m[1]! : null;
}

/**
 * Slice discriminator on `coding.system`: one of the slice's TRE systems, or the URL of the slice's bound
 * JDV (with or without a trailing `/`), which the terminology accepts as an alias of its TRE systems
 * (docs/terminology.md, tolerance 1). Whether the code is in the value set is then the binding's question.
 */
function inSliceSystems(slice: SliceRule, system: string): boolean {
  if (slice.systems!.includes(system)) return true;
  return slice.binding !== undefined && system.replace(/\/$/, '') === slice.binding;
}

/** The codings of a CodeableConcept, or a Coding itself (meta.tag items). */
function codingsOf(item: Obj): Obj[] {
  if (Array.isArray(item.coding)) return item.coding.filter(isObj);
  return !('coding' in item) && !('text' in item) && ('system' in item || 'code' in item) ? [item] : [];
}
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const short = (url: string) => url.slice(url.lastIndexOf('/') + 1);
/** `JDV_J17-ActiviteOperationnelle-ROR` out of a NOS value set URL. */
export function vsName(url: string): string {
  const m = /\/NOS\/([^/]+)\//.exec(url);
  return m ? m[1]! : short(url);
}
function sliceHint(slice: SliceRule): string {
  if (slice.systems) return ` : attendu un code du système ${slice.systems[0]}`;
  if (slice.typeCode) return ` : attendu un élément de type « ${slice.typeCode.code} »`;
  return '';
}
