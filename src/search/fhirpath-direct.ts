/**
 * Plain property navigation for the simple FHIRPath expressions most search parameters use
 * (`HealthcareService.specialty`, `Location.extension('url').value`, `Practitioner.name.family | …given`,
 * `notAvailable.where(id='x').during`, `…extension.value.ofType(string)`), evaluated directly on the JSON
 * instead of through fhirpath.js's tree of typed nodes, which made ~20 % of a write's CPU. Any expression
 * outside this subset answers null and keeps fhirpath.js; the indexer tests check that both give the same
 * values on every example resource (search.indexer.test.ts).
 *
 * Semantics kept from FHIRPath on FHIR JSON: each step maps over the collection and flattens arrays;
 * `value` on an element without a `value` key is the choice element `value[x]`; `extension('u')` keeps the
 * extensions of that url; `ofType(T)` keeps the choice values of type T.
 */

type Item = { v: unknown; type?: string };
type Step = (items: Item[]) => Item[] | null;

const STEP = /^([A-Za-z][A-Za-z0-9_]*)(?:\((.*)\))?$/s;

/** The compiled path, or null when the expression is outside the subset (the caller keeps fhirpath.js). */
export function compileDirect(expression: string, base?: string): ((resource: unknown) => unknown[]) | null {
  const parts = splitTopLevel(expression, '|');
  if (!parts) return null;
  const paths: Step[][] = [];
  for (const part of parts) {
    const steps = splitTopLevel(part.trim(), '.');
    if (!steps || steps.length === 0) return null;
    const compiled: Step[] = [];
    let rootType: string | undefined;
    if (!base) {
      rootType = steps.shift();
      if (!rootType || !/^[A-Z][A-Za-z]+$/.test(rootType)) return null;
    }
    for (const s of steps) {
      const step = compileStep(s.trim());
      if (!step) return null;
      compiled.push(step);
    }
    const root = rootType;
    paths.push([(items) => (root ? items.filter((i) => isObj(i.v) && i.v.resourceType === root) : items), ...compiled]);
  }
  return (resource) => {
    const out: unknown[] = [];
    for (const path of paths) {
      let items: Item[] | null = [{ v: resource }];
      for (const step of path) {
        items = step(items);
        if (!items || items.length === 0) break;
      }
      if (items) for (const i of items) out.push(i.v);
    }
    return out;
  };
}

function compileStep(s: string): Step | null {
  const m = STEP.exec(s);
  if (!m) return null;
  const [, name, args] = m as unknown as [string, string, string | undefined];
  if (args === undefined) return name === 'value' ? choiceValue : child(name);
  if (name === 'extension') {
    const url = quoted(args);
    return url === null ? null : (items) => children(items, 'extension').filter((i) => isObj(i.v) && i.v.url === url);
  }
  if (name === 'where') {
    const w = /^\s*(id|url)\s*=\s*'([^'\\]*)'\s*$/.exec(args);
    if (!w) return null;
    const [, key, value] = w as unknown as [string, string, string];
    return (items) => items.filter((i) => isObj(i.v) && i.v[key] === value);
  }
  if (name === 'ofType') {
    const t = args.trim();
    if (!/^[A-Za-z]+$/.test(t)) return null;
    return (items) => (items.every((i) => i.type !== undefined) ? items.filter((i) => i.type === t) : null);
  }
  return null;
}

const child =
  (name: string): Step =>
  (items) =>
    children(items, name);

function children(items: Item[], name: string): Item[] {
  const out: Item[] = [];
  for (const i of items) {
    if (!isObj(i.v)) continue;
    push(out, i.v[name]);
  }
  return out;
}

/** `value`: the element itself when present (Quantity.value, Identifier.value…), else the choice value[x]. */
const choiceValue: Step = (items) => {
  const out: Item[] = [];
  for (const i of items) {
    if (!isObj(i.v)) continue;
    if ('value' in i.v) {
      push(out, i.v.value);
      continue;
    }
    for (const k of Object.keys(i.v)) {
      if (k.length > 5 && k.startsWith('value') && k.charCodeAt(5) >= 65 && k.charCodeAt(5) <= 90) {
        const type = k.slice(5);
        // FHIR primitive types are lower-case in FHIRPath (valueString → string), complex ones keep their name.
        push(out, i.v[k], PRIMITIVES.has(type) ? type[0]!.toLowerCase() + type.slice(1) : type);
      }
    }
  }
  return out;
};

const PRIMITIVES = new Set([
  'Base64Binary', 'Boolean', 'Canonical', 'Code', 'Date', 'DateTime', 'Decimal', 'Id', 'Instant', 'Integer', 'Markdown', 'Oid',
  'PositiveInt', 'String', 'Time', 'UnsignedInt', 'Uri', 'Url', 'Uuid',
]);

function push(out: Item[], v: unknown, type?: string): void {
  if (v === undefined || v === null) return;
  if (Array.isArray(v)) {
    for (const x of v) if (x !== undefined && x !== null) out.push(type ? { v: x, type } : { v: x });
  } else out.push(type ? { v, type } : { v });
}

function quoted(args: string): string | null {
  const m = /^\s*'([^'\\]*)'\s*$/.exec(args);
  return m ? m[1]! : null;
}

/** Splits on `sep` outside quotes and parentheses; null when quotes or parentheses do not balance. */
function splitTopLevel(s: string, sep: string): string[] | null {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') return null;
      if (c === "'") quote = false;
    } else if (c === "'") quote = true;
    else if (c === '(') depth++;
    else if (c === ')') {
      if (--depth < 0) return null;
    } else if (c === sep && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  if (quote || depth !== 0) return null;
  out.push(s.slice(start));
  return out;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
