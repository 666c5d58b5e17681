import { badRequest, OutcomeError } from '../fhir/outcome.ts';
import { findParam } from './search-parameters.ts';

/** A parsed `_filter`: each leaf holds what the caller built from one `name=value` (its criteria). */
export type FilterExpr<Leaf> = { op: 'and' | 'or'; items: FilterExpr<Leaf>[] } | { op: 'not'; item: FilterExpr<Leaf> } | { op: 'leaf'; set: Leaf };

/**
 * The `_filter` parameter (FHIR R4 search filter): `param op value` leaves combined with `and`, `or`,
 * `not(…)` and parentheses; `and` binds tighter than `or`. Each leaf is translated into the equivalent query
 * parameter and parsed by the same code, so chains (`organization.type eq …`, `organization:above._lastUpdated
 * ge …`) and modifiers in the path (`name:exact eq "X"`) work in filters too:
 *
 * | type | operators |
 * |---|---|
 * | string | `eq` / `sw` (starts with, accents and case ignored: the string parameter's own matching, which the ROR documentation relies on for department prefixes, `address-postalcode eq "22"`), `co` (contains), `ew` (ends with), `ne` (not `eq`) |
 * | token | `eq`, `ne` (= `:not`), `in` / `ni` (value set, = `:in` / `:not-in`), `ss` / `sb` (subsumption: the NOS code systems are flat, so a code subsumes only itself: = `eq`) |
 * | date, number, quantity | `eq ne gt lt ge le sa eb ap` (the search prefixes), `po` (dates: the period overlaps the value's) |
 * | reference | `eq`, `re` (references the given `Type/id` or URL), `ne` (not `eq`) |
 * | any | `pr true|false` (= `:missing=false|true`) |
 *
 * The IG's spellings `_content=cardio` (= for eq) and `organization._lastUpdated:above` (modifier after the
 * chain) are accepted, and so is the ROR documentation's value-list shorthand `(_id eq 140 or 141)` /
 * `(address-postalcode eq "22" or "29")`: a bare value after `or`/`and` repeats the previous comparison (same
 * parameter, same operator) with that value.
 */

type Tok = { kind: 'lp' | 'rp' | 'word' | 'string'; text: string; pos: number };

const OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le', 'ap', 'sa', 'eb', 'pr', 'po', 'ss', 'sb', 'in', 'ni', 're']);
const PREFIX_OPS = new Set(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'ap', 'sa', 'eb']);

export function parseFilter<Leaf>(resourceType: string, text: string, leaf: (name: string, value: string) => Leaf): FilterExpr<Leaf> {
  // An unencoded `+` of a time-zone offset arrives as a space (form decoding), as in plain date parameters.
  const toks = tokenize(text.replace(/(\dT\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:\d{2})(?=$|[\s)])/g, '$1+$2'));
  let i = 0;
  const fail = (why: string): OutcomeError => badRequest(`_filter invalide : ${why} (dans « ${text} »)`, '_filter');
  const peek = () => toks[i];
  const word = (w: string) => peek()?.kind === 'word' && peek()!.text.toLowerCase() === w;

  const parseOr = (): FilterExpr<Leaf> => {
    const items = [parseAnd()];
    while (word('or')) {
      i++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0]! : { op: 'or', items };
  };
  const parseAnd = (): FilterExpr<Leaf> => {
    const items = [parseUnary()];
    while (word('and')) {
      i++;
      items.push(parseUnary());
    }
    return items.length === 1 ? items[0]! : { op: 'and', items };
  };
  const parseUnary = (): FilterExpr<Leaf> => {
    const t = peek();
    if (!t) throw fail('expression incomplète');
    if (word('not') && toks[i + 1]?.kind === 'lp') {
      i++;
      return { op: 'not', item: parseUnary() };
    }
    if (t.kind === 'lp') {
      i++;
      const e = parseOr();
      if (peek()?.kind !== 'rp') throw fail(`parenthèse fermante attendue en position ${peek()?.pos ?? text.length}`);
      i++;
      return e;
    }
    return parseLeaf();
  };
  // The last comparison read: the national documentation writes `specialty eq A or B` and
  // `location.address-postalcode eq "60000" or "76620"`, a bare value standing for the same comparison.
  let previous: { name: string; op: string } | undefined;
  /** One comparison: the criterion it stands for, negated for `ne` on strings and references. */
  const one = (name: string, op: string, v: string): FilterExpr<Leaf> => {
    const q = toQueryParam(resourceType, name, op, v, fail);
    const e: FilterExpr<Leaf> = { op: 'leaf', set: leaf(q.name, q.value) };
    return q.negate ? { op: 'not', item: e } : e;
  };
  const parseLeaf = (): FilterExpr<Leaf> => {
    const path = peek();
    const next = toks[i + 1];
    const bareValue =
      previous !== undefined &&
      (path?.kind === 'string' ||
        (path?.kind === 'word' && !path.text.includes('=') && (!next || next.kind === 'rp' || (next.kind === 'word' && ['or', 'and'].includes(next.text.toLowerCase())))));
    if (bareValue) {
      i++;
      return one(previous!.name, previous!.op, path!.text);
    }
    if (path?.kind !== 'word') throw fail(`paramètre attendu en position ${path?.pos ?? text.length}`);
    i++;
    let name = path.text;
    let op: string;
    let value: string;
    const eqAt = name.indexOf('=');
    if (eqAt > 0) {
      // IG spelling: `_content=cardio`.
      op = 'eq';
      value = name.slice(eqAt + 1);
      name = name.slice(0, eqAt);
      if (value === '') {
        const v = peek();
        if (!v || (v.kind !== 'word' && v.kind !== 'string')) throw fail(`valeur attendue après « ${name}= »`);
        value = v.text;
        i++;
      }
    } else {
      const o = peek();
      if (o?.kind !== 'word' || !OPS.has(o.text.toLowerCase())) throw fail(`opérateur attendu après « ${name} » (eq, ne, co, sw, ew, gt, lt, ge, le, sa, eb, ap, po, pr, ss, sb, in, ni, re)`);
      op = o.text.toLowerCase();
      i++;
      const v = peek();
      if (!v || (v.kind !== 'word' && v.kind !== 'string')) throw fail(`valeur attendue après « ${name} ${op} »`);
      value = v.text;
      i++;
    }
    previous = { name, op };
    return one(name, op, value);
  };

  const expr = parseOr();
  if (i < toks.length) throw fail(`élément inattendu « ${toks[i]!.text} » en position ${toks[i]!.pos}`);
  return expr;
}

function toQueryParam(resourceType: string, name: string, op: string, value: string, fail: (why: string) => OutcomeError): { name: string; value: string; negate?: boolean } {
  const type = leafType(resourceType, name);
  // A modifier already written in the path (`name:exact eq "X"`) is kept, with the value as written.
  const hasModifier = /:[a-z-]+$/.test(name.split('.').pop() ?? '') && !name.endsWith(':above') && !name.endsWith(':below');
  if (op === 'pr') {
    if (value !== 'true' && value !== 'false') throw fail(`pr attend true ou false (reçu « ${value} »)`);
    return { name: `${name}:missing`, value: value === 'true' ? 'false' : 'true' };
  }
  if (hasModifier) {
    if (op === 'eq') return { name, value };
    if (op === 'ne') return { name, value, negate: true };
    throw fail(`opérateur « ${op} » impossible avec un modificateur dans le chemin « ${name} » (eq, ne)`);
  }
  switch (type) {
    case 'date':
      if (op === 'po') return { name, value: `po${value}` };
    // falls through
    case 'number':
    case 'quantity':
      if (!PREFIX_OPS.has(op)) break;
      return { name, value: `${op}${value}` };
    case 'string':
      if (op === 'eq' || op === 'sw') return { name, value };
      if (op === 'ne') return { name, value, negate: true };
      if (op === 'co') return { name: `${name}:contains`, value };
      if (op === 'ew') return { name: `${name}:ends`, value };
      break;
    case 'token':
      if (op === 'eq' || op === 'ss' || op === 'sb') return { name, value };
      if (op === 'ne') return { name: `${name}:not`, value };
      if (op === 'in') return { name: `${name}:in`, value };
      if (op === 'ni') return { name: `${name}:not-in`, value };
      break;
    case 'reference':
      if (op === 'eq' || op === 're') return { name, value };
      if (op === 'ne') return { name, value, negate: true };
      break;
    default:
      break;
  }
  if (!type && !hasModifier) throw fail(`paramètre inconnu « ${name} » pour ${resourceType}`);
  throw fail(`opérateur « ${op} » non pris en charge pour « ${name} »${type ? ` (type ${type})` : ''}`);
}

/** The type of the parameter at the end of a (possibly chained) path, or undefined when unknown (reported later). */
function leafType(resourceType: string, name: string): string | undefined {
  let type = resourceType;
  const parts = name.split('.');
  for (const [k, part] of parts.entries()) {
    const code = part.split(':')[0]!;
    const def = findParam(type, code);
    if (!def) return undefined;
    if (k === parts.length - 1) return def.type;
    if (def.type !== 'reference' || !def.targets?.length) return undefined;
    const mod = part.split(':')[1];
    type = mod && mod !== 'above' ? mod : def.targets[0]!;
  }
  return undefined;
}

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')') {
      out.push({ kind: ch === '(' ? 'lp' : 'rp', text: ch, pos: i });
      i++;
    } else if (ch === '"') {
      const start = i++;
      let s = '';
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        s += text[i++];
      }
      if (i >= text.length) throw badRequest(`_filter invalide : chaîne non terminée en position ${start}`, '_filter');
      i++;
      out.push({ kind: 'string', text: s, pos: start });
    } else {
      const start = i;
      while (i < text.length && !/[\s()"]/.test(text[i]!)) i++;
      out.push({ kind: 'word', text: text.slice(start, i), pos: start });
    }
  }
  return out;
}
