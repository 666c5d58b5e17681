import { badRequest, OutcomeError } from '../fhir/outcome.ts';
import { findParam } from './search-parameters.ts';

/** A parsed `_filter`: each leaf holds what the caller built from one `name=value` (its criteria). */
export type FilterExpr<Leaf> = { op: 'and' | 'or'; items: FilterExpr<Leaf>[] } | { op: 'not'; item: FilterExpr<Leaf> } | { op: 'leaf'; set: Leaf };

/**
 * The `_filter` parameter (FHIR R4 search filter): `param op value` leaves combined with `and`, `or`,
 * `not(…)` and parentheses; `and` binds tighter than `or`. Each leaf is translated into the equivalent query
 * parameter (`specialty eq S|C` → `specialty=S|C`, `age-range-low le 35` → `age-range-low=le35`,
 * `name co cardio` → `name:contains=cardio`, `x pr true` → `x:missing=false`) and parsed by the same code,
 * so chains (`organization.type eq …`, `organization:above._lastUpdated ge …`) work in filters too. The IG's
 * spellings `_content=cardio` (= for eq) and `organization._lastUpdated:above` (modifier after the chain) are
 * accepted, and so is the national documentation's `specialty eq A or B` (a bare value after `or`/`and` repeats
 * the previous comparison with that value).
 */

type Tok = { kind: 'lp' | 'rp' | 'word' | 'string'; text: string; pos: number };

const OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le', 'ap', 'sa', 'eb', 'pr', 'po', 'ss', 'sb', 'in', 'ni', 're']);
const PREFIX_OPS = new Set(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'ap', 'sa', 'eb']);

export function parseFilter<Leaf>(resourceType: string, text: string, leaf: (name: string, value: string) => Leaf): FilterExpr<Leaf> {
  const toks = tokenize(text);
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
  const parseLeaf = (): FilterExpr<Leaf> => {
    const path = peek();
    const next = toks[i + 1];
    const bareValue =
      previous !== undefined &&
      (path?.kind === 'string' ||
        (path?.kind === 'word' && !path.text.includes('=') && (!next || next.kind === 'rp' || (next.kind === 'word' && ['or', 'and'].includes(next.text.toLowerCase())))));
    if (bareValue) {
      i++;
      const [paramName, paramValue] = toQueryParam(resourceType, previous!.name, previous!.op, path!.text, fail);
      return { op: 'leaf', set: leaf(paramName, paramValue) };
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
      if (o?.kind !== 'word' || !OPS.has(o.text.toLowerCase())) throw fail(`opérateur attendu après « ${name} » (eq, ne, co, sw, gt, lt, ge, le, sa, eb, ap, pr)`);
      op = o.text.toLowerCase();
      i++;
      const v = peek();
      if (!v || (v.kind !== 'word' && v.kind !== 'string')) throw fail(`valeur attendue après « ${name} ${op} »`);
      value = v.text;
      i++;
    }
    previous = { name, op };
    const [paramName, paramValue] = toQueryParam(resourceType, name, op, value, fail);
    return { op: 'leaf', set: leaf(paramName, paramValue) };
  };

  const expr = parseOr();
  if (i < toks.length) throw fail(`élément inattendu « ${toks[i]!.text} » en position ${toks[i]!.pos}`);
  return expr;
}

function toQueryParam(resourceType: string, name: string, op: string, value: string, fail: (why: string) => OutcomeError): [string, string] {
  const type = leafType(resourceType, name);
  if (op === 'pr') {
    if (value !== 'true' && value !== 'false') throw fail(`pr attend true ou false (reçu « ${value} »)`);
    return [`${name}:missing`, value === 'true' ? 'false' : 'true'];
  }
  switch (type) {
    case 'date':
    case 'number':
    case 'quantity':
      if (!PREFIX_OPS.has(op)) break;
      return [name, `${op}${value}`];
    case 'string':
      if (op === 'eq' && name.endsWith('_content')) return [name, value];
      if (op === 'eq') return [`${name}:exact`, value];
      if (op === 'sw') return [name, value];
      if (op === 'co') return [`${name}:contains`, value];
      break;
    case 'token':
      if (op === 'eq') return [name, value];
      if (op === 'ne') return [`${name}:not`, value];
      break;
    case 'reference':
      if (op === 'eq') return [name, value];
      break;
    default:
      break;
  }
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
