import fhirpath from 'fhirpath';
import { withExtensionShortcut } from './fhirpath-shortcut.ts';
import r4model from 'fhirpath/fhir-context/r4/index.js';
import jsonpatch from 'fast-json-patch';
import { issue, OutcomeError } from './outcome.ts';
import type { Resource } from './types.ts';

/**
 * FHIRPath Patch (http://hl7.org/fhir/R4/fhirpatch.html) and JSON Patch (RFC 6902) applied to a resource.
 * Paths are evaluated by the fhirpath.js engine; the nodes it returns know their parent, property name and
 * index, which is where the change is made. Tolerates the spellings the national ROR examples use
 * (operation `type` as valueString, `add` without `name` on an `extension.where(url=…)` path, the value
 * carried as `part[].extension[]`).
 */

interface Part {
  name?: string;
  part?: Part[];
  [valueX: string]: unknown;
}

interface Operation {
  type: 'add' | 'insert' | 'delete' | 'replace' | 'move';
  path: string;
  name?: string;
  value?: unknown;
  index?: number;
  source?: number;
  destination?: number;
  expression: string;
}

type Node = {
  data: unknown;
  parentResNode: Node | null;
  propName?: string;
  index?: number | null;
  path?: string;
  fhirNodeDataType?: string;
};

const repeating = new Set<string>(Object.keys((r4model as unknown as { path2Repeating: Record<string, true> }).path2Repeating ?? {}));
const compiled = new Map<string, (r: unknown) => unknown[]>();

function evaluateNodes(resource: Resource, path: string, expression: string): Node[] {
  let fn = compiled.get(path);
  if (!fn) {
    try {
      fn = fhirpath.compile(withExtensionShortcut(path), r4model as never, { resolveInternalTypes: false } as never) as unknown as (r: unknown) => unknown[];
    } catch (e) {
      throw new OutcomeError(400, [issue('invalid', `Expression FHIRPath invalide « ${path} » : ${(e as Error).message}`, { expression })]);
    }
    if (compiled.size > 1000) compiled.clear();
    compiled.set(path, fn);
  }
  try {
    return fn(resource) as Node[];
  } catch (e) {
    throw new OutcomeError(400, [issue('invalid', `Impossible d'évaluer « ${path} » : ${(e as Error).message}`, { expression })]);
  }
}

export function isFhirPathPatch(body: unknown): boolean {
  return !!body && typeof body === 'object' && (body as Resource).resourceType === 'Parameters';
}

export function applyFhirPathPatch(resource: Resource, parameters: unknown): Resource {
  const ops = parseOperations(parameters);
  const doc = structuredClone(resource);
  for (const op of ops) applyOperation(doc, op);
  return doc;
}

export function applyJsonPatch(resource: Resource, patch: unknown): Resource {
  if (!Array.isArray(patch)) {
    throw new OutcomeError(400, [issue('invalid', 'Un JSON Patch doit être un tableau d\'opérations (RFC 6902)')]);
  }
  const error = jsonpatch.validate(patch as jsonpatch.Operation[], resource);
  if (error) {
    throw new OutcomeError(error.name === 'TEST_OPERATION_FAILED' ? 422 : 400, [
      issue('invalid', `JSON Patch : ${describeJsonPatchError(error)}`, { expression: `patch[${error.index ?? 0}]` }),
    ]);
  }
  return jsonpatch.applyPatch(structuredClone(resource), patch as jsonpatch.Operation[], false, true).newDocument as Resource;
}

function describeJsonPatchError(e: jsonpatch.JsonPatchError): string {
  const messages: Record<string, string> = {
    OPERATION_PATH_UNRESOLVABLE: 'le chemin ne désigne aucun élément existant',
    OPERATION_FROM_UNRESOLVABLE: 'le chemin source (from) ne désigne aucun élément',
    TEST_OPERATION_FAILED: 'l\'opération test a échoué',
    OPERATION_OP_INVALID: 'opération inconnue (add, remove, replace, move, copy, test)',
    OPERATION_PATH_INVALID: 'chemin invalide',
    OPERATION_VALUE_REQUIRED: 'valeur manquante',
  };
  return `${messages[e.name] ?? e.name} (opération ${e.index ?? 0}${e.operation && 'path' in e.operation ? `, path « ${e.operation.path} »` : ''})`;
}

function parseOperations(parameters: unknown): Operation[] {
  const p = parameters as { resourceType?: string; parameter?: Part[] };
  if (!p || p.resourceType !== 'Parameters' || !Array.isArray(p.parameter)) {
    throw new OutcomeError(400, [issue('invalid', 'Un FHIRPath Patch est une ressource Parameters avec des paramètres « operation »', { expression: 'Parameters' })]);
  }
  return p.parameter.map((param, i) => {
    const expression = `Parameters.parameter[${i}]`;
    if (param.name !== 'operation' || !Array.isArray(param.part)) {
      throw new OutcomeError(400, [issue('invalid', 'Chaque paramètre doit s\'appeler « operation » et porter des « part »', { expression })]);
    }
    const get = (name: string) => param.part!.find((x) => x.name === name);
    const type = primitive(get('type'));
    if (!['add', 'insert', 'delete', 'replace', 'move'].includes(String(type))) {
      throw new OutcomeError(400, [issue('invalid', `Type d'opération inconnu « ${String(type)} » (add, insert, delete, replace, move)`, { expression: `${expression}.part.where(name='type')` })]);
    }
    const path = primitive(get('path'));
    if (typeof path !== 'string' || !path.trim()) {
      throw new OutcomeError(400, [issue('required', 'L\'opération doit avoir un « path »', { expression: `${expression}.part.where(name='path')` })]);
    }
    const op: Operation = { type: type as Operation['type'], path: path.trim(), expression };
    const name = primitive(get('name'));
    if (typeof name === 'string') op.name = name;
    const valuePart = get('value');
    if (valuePart) op.value = partValue(valuePart);
    for (const k of ['index', 'source', 'destination'] as const) {
      const v = primitive(get(k));
      if (v !== undefined) {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new OutcomeError(400, [issue('invalid', `« ${k} » doit être un entier positif`, { expression })]);
        op[k] = n;
      }
    }
    if ((op.type === 'add' || op.type === 'insert' || op.type === 'replace') && op.value === undefined) {
      throw new OutcomeError(400, [issue('required', `L'opération ${op.type} exige une « value »`, { expression })]);
    }
    if (op.type === 'insert' && op.index === undefined) throw new OutcomeError(400, [issue('required', 'insert exige « index »', { expression })]);
    if (op.type === 'move' && (op.source === undefined || op.destination === undefined)) {
      throw new OutcomeError(400, [issue('required', 'move exige « source » et « destination »', { expression })]);
    }
    return op;
  });
}

/** The value of a part: its value[x], or an object built from its sub-parts. */
function partValue(part: Part): unknown {
  const direct = primitive(part, true);
  if (direct !== undefined) return direct;
  if (!Array.isArray(part.part)) return undefined;
  // National ROR spelling: value.part[] = [{ extension: [ <the Extension value> ] }]
  if (part.part.every((p) => p.name === undefined && Array.isArray(p.extension))) {
    const values = part.part.flatMap((p) => p.extension as unknown[]);
    return values.length === 1 ? values[0] : values;
  }
  const obj: Record<string, unknown> = {};
  for (const sub of part.part) {
    if (!sub.name) continue;
    const v = partValue(sub);
    if (v === undefined) continue;
    if (sub.name in obj) {
      const prev = obj[sub.name];
      obj[sub.name] = Array.isArray(prev) ? [...prev, v] : [prev, v];
    } else obj[sub.name] = v;
  }
  return obj;
}

function primitive(part: Part | undefined, anyType = false): unknown {
  if (!part) return undefined;
  for (const [k, v] of Object.entries(part)) {
    if (k.startsWith('value') && (anyType || v === null || typeof v !== 'object')) return v;
  }
  return undefined;
}

/**
 * 404 not-found for a path that selects nothing. Under an extension list (`….extension.where(url='…')…`), the
 * expression is that list alone, as the national server answers a `replace` of a capacity indicator the place
 * does not hold yet: bed-management clients send the `add` when they read exactly that expression
 * (patch-capacitaire/location.md). The full path is in the diagnostics.
 */
function notFoundOnPath(op: Operation): OutcomeError {
  const container = /^(.*?\.extension\.where\(\s*url\s*=\s*'[^']*'\s*\))/.exec(op.path)?.[1];
  return new OutcomeError(404, [
    issue('not-found', `Le chemin « ${op.path} » ne désigne aucun élément de la ressource (${op.type}) : aucun élément présent ne correspond`, {
      expression: container ?? op.path,
    }),
  ]);
}

function applyOperation(doc: Resource, op: Operation): void {
  switch (op.type) {
    case 'add': {
      let path = op.path;
      let name = op.name;
      if (name === undefined) {
        // `X.elem` or `X.elem.where(...)` without name: add to elem of X.
        const m = /^(.*)\.([A-Za-z][A-Za-z0-9]*)(\.where\(.*\))?$/s.exec(path);
        if (!m) throw new OutcomeError(400, [issue('required', 'add exige « name »', { expression: op.expression })]);
        path = m[1]!;
        name = m[2]!;
      }
      const containers = evaluateNodes(doc, path, op.expression);
      if (containers.length !== 1 || !isObject(containers[0]!.data)) {
        if (containers.length === 0) throw notFoundOnPath({ ...op, path });
        throw new OutcomeError(400, [issue('invalid', `add : « ${path} » doit désigner un seul élément (${containers.length} trouvés)`, { expression: op.expression })]);
      }
      const node = containers[0]!;
      const target = node.data as Record<string, unknown>;
      const existing = target[name];
      if (Array.isArray(existing)) existing.push(...(Array.isArray(op.value) ? op.value : [op.value]));
      else if (existing !== undefined) {
        throw new OutcomeError(400, [issue('invalid', `add : l'élément « ${name} » existe déjà et n'est pas répétable ; utilisez replace`, { expression: op.expression })]);
      } else if (isRepeating(node, name)) target[name] = Array.isArray(op.value) ? op.value : [op.value];
      else target[name] = op.value;
      return;
    }
    case 'insert': {
      const nodes = evaluateNodes(doc, op.path, op.expression);
      const list = listOf(doc, op, nodes);
      if (op.index! > list.length) throw new OutcomeError(400, [issue('invalid', `insert : index ${op.index} hors de la liste (${list.length} éléments)`, { expression: op.expression })]);
      list.splice(op.index!, 0, op.value);
      return;
    }
    case 'move': {
      const nodes = evaluateNodes(doc, op.path, op.expression);
      const list = listOf(doc, op, nodes);
      if (op.source! >= list.length || op.destination! >= list.length) {
        throw new OutcomeError(400, [issue('invalid', `move : index hors de la liste (${list.length} éléments)`, { expression: op.expression })]);
      }
      const [item] = list.splice(op.source!, 1);
      list.splice(op.destination!, 0, item);
      return;
    }
    case 'replace': {
      if (op.name !== undefined) {
        // National spelling: replace with `name` replaces the element `name` of `path` (a first-level attribute).
        const { target, name } = namedTarget(doc, op);
        if (target[name] === undefined) throw notFoundOnPath({ ...op, path: `${op.path}.${name}` });
        target[name] = Array.isArray(target[name]) && !Array.isArray(op.value) ? [op.value] : op.value;
        return;
      }
      const nodes = evaluateNodes(doc, op.path, op.expression);
      if (nodes.length === 0) throw notFoundOnPath(op);
      if (Array.isArray(op.value)) {
        // A list value replaces the whole list the path designates (`Organization.telecom` with [ContactPoint…]).
        const { parent, prop, index } = holder(nodes[0]!, op);
        const sameList = nodes.every((n) => { const h = holder(n, op); return h.parent === parent && h.prop === prop; });
        if (index !== null && sameList && (parent[prop] as unknown[]).length === nodes.length) {
          parent[prop] = op.value;
          return;
        }
      }
      if (nodes.length > 1) {
        throw new OutcomeError(400, [issue('multiple-matches', `replace : « ${op.path} » désigne ${nodes.length} éléments ; il doit en désigner un seul`, { expression: op.path })]);
      }
      const node = nodes[0]!;
      if (isExtension(node.data) && (op.value === null || typeof op.value !== 'object')) {
        // National spelling: a primitive replacing an extension (…extension.where(url='nbInService') → 3)
        // replaces that extension's value, keeping its value[x] type.
        const ext = node.data as Record<string, unknown>;
        const key = Object.keys(ext).find((k) => k.startsWith('value'));
        if (!key) throw new OutcomeError(400, [issue('invalid', `replace : l'extension « ${String(ext.url)} » n'a pas de valeur à remplacer`, { expression: op.path })]);
        ext[key] = op.value;
        return;
      }
      setNode(node, op.value, op);
      return;
    }
    case 'delete': {
      if (op.name !== undefined) {
        // National spelling: delete with `name` (and a `value`) removes from `path.name` the elements that match
        // the value (every element the value gives, e.g. the coding system and code); without a value, all of it.
        const { target, name } = namedTarget(doc, op);
        const current = target[name];
        if (current === undefined) return;
        if (op.value === undefined) {
          delete target[name];
          return;
        }
        if (!Array.isArray(current)) {
          if (matches(current, op.value)) delete target[name];
          return;
        }
        const kept = current.filter((item) => !matches(item, op.value));
        if (kept.length === 0) delete target[name];
        else target[name] = kept;
        return;
      }
      const nodes = evaluateNodes(doc, op.path, op.expression);
      if (nodes.length > 1) {
        throw new OutcomeError(400, [issue('multiple-matches', `delete : « ${op.path} » désigne ${nodes.length} éléments ; il doit en désigner un seul`, { expression: op.path })]);
      }
      if (nodes.length === 1) removeNode(nodes[0]!, op);
      return;
    }
  }
}

/** The single object `path` designates, and the `name` of its element an operation acts on. */
function namedTarget(doc: Resource, op: Operation): { target: Record<string, unknown>; name: string } {
  const containers = evaluateNodes(doc, op.path, op.expression);
  if (containers.length === 0) throw notFoundOnPath(op);
  if (containers.length !== 1 || !isObject(containers[0]!.data)) {
    throw new OutcomeError(400, [issue('invalid', `${op.type} : « ${op.path} » doit désigner un seul élément (${containers.length} trouvés)`, { expression: op.expression })]);
  }
  return { target: containers[0]!.data as Record<string, unknown>, name: op.name! };
}

/**
 * Whether `item` holds everything `pattern` gives: primitives equal, objects key by key, and each element of a
 * pattern list found in the item's list, an object pattern matching any element of a list (so a CodeableConcept
 * pattern with one coding matches a concept that has that coding among others); display texts are ignored.
 */
function matches(item: unknown, pattern: unknown, key?: string): boolean {
  if (key === 'display') return true;
  if (Array.isArray(pattern)) {
    const list = Array.isArray(item) ? item : [item];
    return pattern.every((p) => list.some((i) => matches(i, p)));
  }
  if (isObject(pattern)) {
    if (Array.isArray(item)) return item.some((i) => matches(i, pattern));
    if (!isObject(item)) return false;
    return Object.entries(pattern).every(([k, v]) => matches(item[k], v, k));
  }
  return item === pattern;
}

function isExtension(v: unknown): boolean {
  return isObject(v) && typeof v.url === 'string' && Object.keys(v).some((k) => k.startsWith('value'));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function isRepeating(node: Node, name: string): boolean {
  if (name === 'extension' || name === 'modifierExtension') return true;
  const type = node.parentResNode ? (node.fhirNodeDataType ?? node.path) : (node.data as Resource).resourceType;
  return !!type && repeating.has(`${type}.${name}`);
}

/** The parent object and property holding a node (the resource root has none). */
function holder(node: Node, op: Operation): { parent: Record<string, unknown>; prop: string; index: number | null } {
  const parent = node.parentResNode?.data;
  if (!isObject(parent) || !node.propName) {
    throw new OutcomeError(400, [issue('invalid', `« ${op.path} » désigne la ressource elle-même, qui ne peut être ${op.type === 'delete' ? 'supprimée' : 'remplacée'} par un patch`, { expression: op.expression })]);
  }
  // fhirpath.js names choice elements by their base name (value); find the actual JSON key.
  let prop = node.propName;
  if (!(prop in parent)) {
    const key = Object.keys(parent).find((k) => k.startsWith(prop) && /^[A-Z]/.test(k.slice(prop.length)));
    if (key) prop = key;
  }
  const index = typeof node.index === 'number' && Array.isArray(parent[prop]) ? node.index : null;
  return { parent, prop, index };
}

function setNode(node: Node, value: unknown, op: Operation): void {
  const { parent, prop, index } = holder(node, op);
  if (index !== null) (parent[prop] as unknown[])[index] = value;
  else parent[prop] = value;
}

function removeNode(node: Node, op: Operation): void {
  const { parent, prop, index } = holder(node, op);
  if (index !== null) {
    const list = parent[prop] as unknown[];
    list.splice(index, 1);
    if (list.length === 0) delete parent[prop];
  } else delete parent[prop];
}

function listOf(doc: Resource, op: Operation, nodes: Node[]): unknown[] {
  if (nodes.length === 0) throw notFoundOnPath(op);
  const { parent, prop } = holder(nodes[0]!, op);
  const list = parent[prop];
  if (!Array.isArray(list)) throw new OutcomeError(400, [issue('invalid', `${op.type} : « ${op.path} » n'est pas une liste`, { expression: op.expression })]);
  void doc;
  return list;
}
