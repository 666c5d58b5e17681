import type { SearchGroup, SearchParamDef } from './search-parameters.ts';
import { EARTH_RADIUS_KM } from './geo.ts';
import type { ChainLink, Criterion, CriteriaSet, FilterExpr, Prefix, SortKey, TokenValue, Value } from './search.parse.ts';
import { groupTokenKeys, normalizeText, POSTAL_PREFIX_CODE, POSTAL_PREFIX_LENGTHS, POSTAL_PREFIX_SYSTEM } from './search.values.ts';

/**
 * Compiles parsed criteria into SQL predicates over the sp_* index tables. Every criterion becomes a
 * semi-join on its table (`alias.id IN (SELECT id FROM sp_x WHERE res_type = … AND code = … AND <match>)`);
 * criteria of one correlated group (capacity indicator, equipment, price…) become one semi-join on sp_group
 * where each criterion must hold on the same instance (same grp); chained criteria sharing a chain become
 * one semi-join through sp_reference onto a subquery on the target type (so location.* criteria describe
 * the same Location, and capacity criteria the same indicator of it). Values are always bound parameters.
 */

export class SqlParams {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    return `$${this.values.push(v)}`;
  }
}

const TABLE = { token: 'sp_token', string: 'sp_string', date: 'sp_date', number: 'sp_number', quantity: 'sp_number', reference: 'sp_reference', special: 'sp_geo' } as const;

type Ctx = { p: SqlParams; n: number };

/** The predicates (AND-ed) that a resource row `alias` of `set.resourceType` must satisfy. */
export function compileCriteria(set: CriteriaSet, alias: string, p: SqlParams, aliasStart = 0): string[] {
  return compileSet(set, alias, { p, n: aliasStart });
}

function compileSet(given: CriteriaSet, alias: string, ctx: Ctx): string[] {
  const set = withFilterLeaves(given);
  const preds: string[] = [];
  const groups = new Map<string, { group: SearchGroup; criteria: Criterion[] }>();
  for (const c of set.criteria) {
    const g = c.def.group;
    if (!g) {
      preds.push(compileCriterion(set.resourceType, c, alias, ctx));
      continue;
    }
    let entry = groups.get(g.code);
    if (!entry) groups.set(g.code, (entry = { group: g, criteria: [] }));
    entry.criteria.push(c);
  }
  for (const { group, criteria } of groups.values()) {
    // Only absences (`:missing=true`, `:not`, `:not-in`, and presences `:missing=false`) in the group: nothing
    // to correlate, so FHIR's resource-level meaning — a place without any equipment is `equipment-type:missing=
    // true`, an EG without any price matches `price-type:not=…`. With a positive criterion beside them, they
    // constrain the same instance (a capacity record with status 01 and no gender).
    if (criteria.every((c) => c.modifier === 'missing' || c.modifier === 'not' || c.modifier === 'not-in')) {
      for (const c of criteria) preds.push(compileCriterion(set.resourceType, c, alias, ctx));
      continue;
    }
    const g = `g${++ctx.n}`;
    // Plain token criteria are tested on the instance's token keys (GIN): one key → containment, several (OR) → overlap.
    const all: string[] = [];
    const inner: string[] = [];
    for (const c of criteria) {
      const keys = groupKeysOf(c);
      const numbers = keys ? undefined : groupNumbersSql(c, g, ctx);
      if (numbers) inner.push(numbers);
      else if (!keys) inner.push(groupedCriterion(c, g, ctx));
      else if (keys.length === 1) all.push(keys[0]!);
      else inner.unshift(`${g}.toks && ${ctx.p.add(keys)}::text[]`);
    }
    if (all.length > 0) inner.unshift(`${g}.toks @> ${ctx.p.add(all)}::text[]`);
    preds.push(
      `${alias}.id IN (SELECT ${g}.id FROM sp_group ${g} WHERE ${g}.res_type = ${ctx.p.add(set.resourceType)} AND ${g}.grp_code = ${ctx.p.add(group.code)} AND ${inner.join(' AND ')})`,
    );
  }
  for (const chain of set.chains) preds.push(compileChain(set.resourceType, chain.link, chain.set, alias, ctx));
  for (const rev of set.reverse) preds.push(compileReverse(set.resourceType, rev.def, rev.set, alias, ctx));
  for (const f of set.filters) preds.push(compileFilter(set.resourceType, f, alias, ctx));
  return preds;
}

/**
 * A `_filter` tree. An OR becomes `id IN (branch UNION branch …)`, each branch a query of its own, so that
 * every branch is planned with its own index scans (an OR of semi-joins would be planned as hashed subplans
 * over whole index ranges).
 */
function compileFilter(resourceType: string, f: FilterExpr, alias: string, ctx: Ctx): string {
  switch (f.op) {
    case 'and': {
      // AND-ed leaves are merged into one criteria set, so that they correlate like plain parameters do
      // (`location.capacity-status eq 02 and location.nb-capacity gt 0`: the same Location, the same indicator).
      const leaves = f.items.filter((x) => x.op === 'leaf');
      const merged: CriteriaSet = { resourceType, criteria: [], chains: [], reverse: [], filters: [] };
      for (const leaf of leaves) if (leaf.op === 'leaf') mergeInto(merged, leaf.set);
      const parts = [
        ...(leaves.length ? [compileFilter(resourceType, { op: 'leaf', set: merged }, alias, ctx)] : []),
        ...f.items.filter((x) => x.op !== 'leaf').map((x) => compileFilter(resourceType, x, alias, ctx)),
      ];
      return `(${parts.join(' AND ')})`;
    }
    case 'or': {
      const branches = f.items.map((x) => {
        const y = `y${++ctx.n}`;
        if (x.op === 'leaf') {
          const preds = compileSet(x.set, y, ctx);
          const direct = indexOnlyIds(preds, y);
          if (direct) return direct;
          return `SELECT ${y}.id FROM resource ${y} WHERE ${y}.res_type = ${ctx.p.add(resourceType)} AND NOT ${y}.deleted AND ${preds.length ? `(${preds.join(' AND ')})` : 'true'}`;
        }
        return `SELECT ${y}.id FROM resource ${y} WHERE ${y}.res_type = ${ctx.p.add(resourceType)} AND NOT ${y}.deleted AND ${compileFilter(resourceType, x, y, ctx)}`;
      });
      return `${alias}.id IN (${branches.join(' UNION ')})`;
    }
    case 'not':
      return `NOT coalesce(${compileFilter(resourceType, f.item, alias, ctx)}, false)`;
    case 'leaf': {
      const preds = compileSet(f.set, alias, ctx);
      return preds.length ? `(${preds.join(' AND ')})` : 'true';
    }
    default:
      return 'false';
  }
}

/**
 * A `_filter` is AND-ed with the other parameters: the leaves it AND-s at its top are merged into the set itself,
 * so that `_filter=capacity-status eq 02&nb-capacity=gt0` (or two `_filter`s) correlate on one indicator exactly as
 * `capacity-status=02&nb-capacity=gt0` and `_filter=capacity-status eq 02 and nb-capacity gt 0` do. The other
 * items (OR, NOT) stay filters.
 */
function withFilterLeaves(set: CriteriaSet): CriteriaSet {
  if (!set.filters.some((f) => f.op === 'leaf' || (f.op === 'and' && f.items.some((x) => x.op === 'leaf')))) return set;
  const out: CriteriaSet = { ...set, criteria: [...set.criteria], chains: set.chains.map(copyChain), reverse: set.reverse.map(copyReverse), filters: [] };
  const pending = [...set.filters];
  while (pending.length > 0) {
    const f = pending.shift()!;
    if (f.op === 'leaf') {
      pending.push(...f.set.filters);
      mergeInto(out, { ...copySet(f.set), filters: [] });
    } else if (f.op === 'and') pending.push(...f.items);
    else out.filters.push(f);
  }
  return out;
}

const copySet = (s: CriteriaSet): CriteriaSet => ({ ...s, criteria: [...s.criteria], chains: s.chains.map(copyChain), reverse: s.reverse.map(copyReverse), filters: [...s.filters] });
const copyChain = (c: CriteriaSet['chains'][number]): CriteriaSet['chains'][number] => ({ ...c, set: copySet(c.set) });
const copyReverse = (r: CriteriaSet['reverse'][number]): CriteriaSet['reverse'][number] => ({ ...r, set: copySet(r.set) });

function mergeInto(into: CriteriaSet, from: CriteriaSet): void {
  into.criteria.push(...from.criteria);
  into.filters.push(...from.filters);
  for (const c of from.chains) {
    const same = into.chains.find((x) => x.link.def === c.link.def && x.link.targetType === c.link.targetType && x.link.above === c.link.above);
    if (same) mergeInto(same.set, c.set);
    else into.chains.push({ link: c.link, set: { ...c.set, criteria: [...c.set.criteria], chains: [...c.set.chains], reverse: [...c.set.reverse], filters: [...c.set.filters] } });
  }
  for (const r of from.reverse) {
    const same = into.reverse.find((x) => x.def === r.def);
    if (same) mergeInto(same.set, r.set);
    else into.reverse.push({ def: r.def, set: { ...r.set, criteria: [...r.set.criteria], chains: [...r.set.chains], reverse: [...r.set.reverse], filters: [...r.set.filters] } });
  }
}

/** `_has:Source:param:…`: some current Source resource referencing the row through `param` matches the criteria. */
function compileReverse(resourceType: string, def: SearchParamDef, source: CriteriaSet, alias: string, ctx: Ctx): string {
  const s = `s${++ctx.n}`;
  const x = `x${++ctx.n}`;
  const sourcePreds = compileSet(source, x, ctx);
  const st = ctx.p.add(source.resourceType);
  const sources = indexOnlyIds(sourcePreds, x) ?? `SELECT ${x}.id FROM resource ${x} WHERE ${x}.res_type = ${st} AND NOT ${x}.deleted${sourcePreds.map((q) => ` AND ${q}`).join('')}`;
  return `${alias}.id IN (SELECT ${s}.target_id FROM sp_reference ${s} WHERE ${s}.res_type = ${st} AND ${s}.code = ${ctx.p.add(def.code)} AND ${s}.target_type = ${ctx.p.add(resourceType)} AND ${s}.id IN (${sources}))`;
}

/**
 * The ids of the live resources satisfying `preds` (predicates on rows `x` of the resource table), taken from
 * the index tables alone when every predicate is an index-table membership (`x.id IN (SELECT t.id FROM sp_…)`):
 * index rows exist only for the current version of live resources, so joining the resource table (one more
 * index probe per candidate) adds nothing. Undefined when another form is involved (negation, _id, dates
 * of the resource row, no criterion at all).
 */
function indexOnlyIds(preds: string[], x: string): string | undefined {
  if (preds.length === 0) return undefined;
  const member = new RegExp(`^${x}\\.id IN \\(SELECT (\\w+)\\.id FROM (sp_\\w+) \\1 WHERE (.*)\\)$`, 's');
  const otherUse = new RegExp(`\\b${x}\\.(?!id\\b)`);
  if (!preds.every((q) => member.test(q) && !otherUse.test(q))) return undefined;
  const [, t, table, where] = member.exec(preds[0]!) as unknown as [string, string, string, string];
  const rest = preds.slice(1).map((q) => ` AND ${q.replace(new RegExp(`\\b${x}\\.id\\b`, 'g'), `${t}.id`)}`);
  return `SELECT ${t}.id FROM ${table} ${t} WHERE (${where})${rest.join('')}`;
}

function compileChain(resourceType: string, link: ChainLink, target: CriteriaSet, alias: string, ctx: Ctx): string {
  const s = `s${++ctx.n}`;
  const x = `x${++ctx.n}`;
  const targetPreds = compileSet(target, x, ctx);
  const tt = ctx.p.add(link.targetType);
  const head = `${alias}.id IN (SELECT ${s}.id FROM sp_reference ${s} WHERE ${s}.res_type = ${ctx.p.add(resourceType)} AND ${s}.code = ${ctx.p.add(link.def.code)} AND ${s}.target_type = ${tt}`;
  const direct = link.above ? undefined : indexOnlyIds(targetPreds, x);
  if (direct) return `${head} AND ${s}.target_id IN (${direct}))`;
  let targets = `SELECT ${x}.id FROM resource ${x} WHERE ${x}.res_type = ${tt} AND NOT ${x}.deleted${targetPreds.map((q) => ` AND ${q}`).join('')}`;
  if (link.above) targets = descendants(targets, link.targetType, ctx);
  return `${head} AND ${s}.target_id IN (${targets}))`;
}

/** The given roots and everything below them through `partof` (organisation EJ → EG → OI, or Location). */
function descendants(rootsSql: string, type: string, ctx: Ctx): string {
  const d = `d${++ctx.n}`;
  const h = `h${++ctx.n}`;
  const t = ctx.p.add(type);
  // Ids compare in the "C" collation of the key columns (migration 0100): the roots are cast to it, as a
  // recursive CTE's column keeps one collation.
  return `WITH RECURSIVE ${d}(id) AS (SELECT x.id COLLATE "C" FROM (${rootsSql}) x(id) UNION SELECT ${h}.id FROM sp_reference ${h} JOIN ${d} ON ${h}.target_id = ${d}.id WHERE ${h}.res_type = ${t} AND ${h}.code = 'partof' AND ${h}.target_type = ${t}) SELECT id FROM ${d}`;
}

function compileCriterion(resourceType: string, c: Criterion, alias: string, ctx: Ctx): string {
  const { p } = ctx;
  // Every resource has an id and a meta.lastUpdated: `:missing=true` matches none, `:missing=false` all.
  if ((c.def.code === '_id' || c.def.code === '_lastUpdated') && c.modifier === 'missing') return c.missing ? 'false' : 'true';
  if (c.def.code === '_id') {
    const ids = c.values.map((v) => (v.type === 'token' && v.v.kind === 'code' ? (v.v.code ?? '') : ''));
    return `${c.modifier === 'not' ? 'NOT ' : ''}${alias}.id = ANY(${p.add(ids)}::text[])`;
  }
  if (c.def.code === '_lastUpdated') {
    return or(c.values.map((v) => (v.type === 'date' ? pointDateSql(v.prefix, v.lo, v.hi, `${alias}.last_updated`, p) : 'false')));
  }
  const prefixes = postalPrefixValues(c);
  if (prefixes) {
    // A department (2 or 3 characters) as a postal-code prefix: its token rows, read in id order (see the indexer).
    const t = `t${++ctx.n}`;
    const values = prefixes.length === 1 ? `${t}.value = ${p.add(prefixes[0])}` : `${t}.value = ANY(${p.add(prefixes)}::text[])`;
    return `${alias}.id IN (SELECT ${t}.id FROM sp_token ${t} WHERE ${t}.res_type = ${p.add(resourceType)} AND ${t}.code = ${p.add(POSTAL_PREFIX_CODE)} AND ${t}.system = ${p.add(POSTAL_PREFIX_SYSTEM)} AND ${values})`;
  }
  const table = TABLE[c.def.type as keyof typeof TABLE];
  const t = `t${++ctx.n}`;
  const base = `FROM ${table} ${t} WHERE ${t}.res_type = ${p.add(resourceType)} AND ${t}.code = ${p.add(c.def.indexedAs ?? c.def.code)}`;
  if (c.modifier === 'missing') return `${c.missing ? 'NOT ' : ''}EXISTS (SELECT 1 ${base} AND ${t}.id = ${alias}.id)`;
  const match = or(tokenCodeLists(c, t, ctx) ?? c.values.map((v) => valueSql(c, v, t, ctx)));
  return `${alias}.id ${c.modifier === 'not' || c.modifier === 'not-in' ? 'NOT IN' : 'IN'} (SELECT ${t}.id ${base} AND ${match})`;
}

/**
 * `address-postalcode=92` (starts with, no modifier) where every value is 2 or 3 characters: the folded values,
 * matched on the postal codes' prefix tokens (migration 0110) instead of a range of sp_string that must be read
 * whole and sorted to page in id order (8 815 places for the Hauts-de-Seine).
 */
function postalPrefixValues(c: Criterion): string[] | undefined {
  if (c.def.code !== 'address-postalcode' || c.def.type !== 'string' || c.modifier !== undefined || c.values.length === 0) return undefined;
  const out: string[] = [];
  for (const v of c.values) {
    if (v.type !== 'string') return undefined;
    const folded = normalizeText(v.v);
    if (folded.length < POSTAL_PREFIX_LENGTHS[0]! || folded.length > POSTAL_PREFIX_LENGTHS[POSTAL_PREFIX_LENGTHS.length - 1]!) return undefined;
    out.push(folded);
  }
  return out;
}

/**
 * Several plain codes of a token criterion (`specialty=A,B`, or `_filter` ORs of one parameter) as one
 * `value = ANY(…)` per system: an index range per system, where an OR of (system, value) pairs is read as a
 * filter over every row of the code (143 000 rows for two specialties at national scale).
 */
function tokenCodeLists(c: Criterion, t: string, ctx: Ctx): string[] | undefined {
  if (c.def.type !== 'token' || c.values.length < 2) return undefined;
  if (c.modifier !== undefined && c.modifier !== 'not') return undefined;
  const bySystem = new Map<string | null | undefined, string[]>();
  for (const v of c.values) {
    if (v.type !== 'token' || v.v.kind !== 'code' || v.v.code === undefined) return undefined;
    const list = bySystem.get(v.v.system) ?? [];
    list.push(v.v.code);
    bySystem.set(v.v.system, list);
  }
  return [...bySystem].map(([system, codes]) => {
    const values = codes.length === 1 ? `${t}.value = ${ctx.p.add(codes[0])}` : `${t}.value = ANY(${ctx.p.add(codes)}::text[])`;
    if (system === undefined) return `(${values})`;
    return `(${system === null ? `${t}.system IS NULL` : `${t}.system = ${ctx.p.add(system)}`} AND ${values})`;
  });
}

/** The sp_group.toks keys a token criterion is one of (OR), or undefined when it needs its semi-join. */
function groupKeysOf(c: Criterion): string[] | undefined {
  if (c.def.type !== 'token' || c.modifier !== undefined) return undefined;
  const keys: string[] = [];
  for (const v of c.values) {
    if (v.type !== 'token' || v.v.kind !== 'code' || v.v.code === undefined) return undefined;
    const code = c.def.indexedAs ?? c.def.code;
    const [any, withSystem] = groupTokenKeys(code, v.v.system ?? null, v.v.code);
    keys.push(v.v.system === undefined ? any! : withSystem!);
  }
  return keys;
}

/**
 * A plain number criterion on a group instance, tested on the instance's own numbers (`sp_group.nums`, migration
 * 0090) instead of a semi-join into sp_number; undefined when it needs sp_number (a modifier, a unit or system).
 */
function groupNumbersSql(c: Criterion, g: string, ctx: Ctx): string | undefined {
  if ((c.def.type !== 'number' && c.def.type !== 'quantity') || c.modifier !== undefined) return undefined;
  const parts: string[] = [];
  for (const v of c.values) {
    if (v.type !== 'number' || v.system || v.unit) return undefined;
    parts.push(numberSql(v.prefix, v.value, v.decimals, 'n.x::numeric', ctx.p));
  }
  const code = ctx.p.add(c.def.indexedAs ?? c.def.code);
  return `EXISTS (SELECT 1 FROM jsonb_array_elements_text(${g}.nums -> ${code}::text) AS n(x) WHERE ${or(parts)})`;
}

/** A criterion on a group instance `g` (sp_group row): the value must sit in the same instance. */
function groupedCriterion(c: Criterion, g: string, ctx: Ctx): string {
  const table = TABLE[c.def.type as keyof typeof TABLE];
  const t = `t${++ctx.n}`;
  const base = `SELECT 1 FROM ${table} ${t} WHERE ${t}.res_type = ${g}.res_type AND ${t}.id = ${g}.id AND ${t}.grp = ${g}.grp AND ${t}.code = ${ctx.p.add(c.def.indexedAs ?? c.def.code)}`;
  if (c.modifier === 'missing') return `${c.missing ? 'NOT ' : ''}EXISTS (${base})`;
  const match = or(c.values.map((v) => valueSql(c, v, t, ctx)));
  return `${c.modifier === 'not' || c.modifier === 'not-in' ? 'NOT ' : ''}EXISTS (${base} AND ${match})`;
}

function valueSql(c: Criterion, v: Value, t: string, ctx: Ctx): string {
  const { p } = ctx;
  switch (v.type) {
    case 'token':
      return tokenSql(v.v, t, p);
    case 'string': {
      if (c.modifier === 'exact') return `${t}.raw = ${p.add(v.v)}`;
      if (c.def.code === '_content') return `${t}.norm LIKE ${p.add(`%${likeEscape(normalizeText(v.v))}%`)}`;
      const folded = likeEscape(normalizeText(v.v));
      return `${t}.norm LIKE ${p.add(c.modifier === 'contains' ? `%${folded}%` : c.modifier === 'ends' ? `%${folded}` : `${folded}%`)}`;
    }
    case 'date':
      return intervalDateSql(v.prefix, v.lo, v.hi, `${t}.lo`, `${t}.hi`, p);
    case 'number': {
      const parts = [numberSql(v.prefix, v.value, v.decimals, `${t}.value`, p)];
      if (v.system) parts.push(`${t}.system = ${p.add(v.system)}`);
      if (v.unit) parts.push(`${t}.unit = ${p.add(v.unit)}`);
      return `(${parts.join(' AND ')})`;
    }
    case 'reference': {
      if (v.foreign) return 'false';
      if (c.modifier === 'above' || c.modifier === 'below') {
        const type = v.targetType ?? c.def.targets?.[0] ?? 'Organization';
        const roots = `SELECT ${p.add(v.id)}::text`;
        return `(${t}.target_type = ${p.add(type)} AND ${t}.target_id IN (${descendants(roots, type, ctx)}))`;
      }
      const typeSql = v.targetType ? ` AND ${t}.target_type = ${p.add(v.targetType)}` : '';
      return `(${t}.target_id = ${p.add(v.id)}${typeSql})`;
    }
    case 'near':
      return nearSql(v, t, p);
    default:
      return 'false';
  }
}

/** Great-circle distance in km (haversine) from sp_geo row `t` to a point. */
export function distanceSql(t: string, lat: number, lon: number, p: SqlParams): string {
  const la = `${p.add(lat)}::float8`;
  const lo = `${p.add(lon)}::float8`;
  return `(2 * ${EARTH_RADIUS_KM} * asin(least(1, sqrt(power(sin(radians(${t}.lat - ${la}) / 2), 2) + cos(radians(${la})) * cos(radians(${t}.lat)) * power(sin(radians(${t}.lon - ${lo}) / 2), 2)))))`;
}

/** Within `km` of the point: a bounding box on (lat, lon) served by the index, then the exact distance. */
export function nearSql(v: { lat: number; lon: number; km: number }, t: string, p: SqlParams): string {
  const dLat = (v.km / EARTH_RADIUS_KM) * (180 / Math.PI);
  const cos = Math.cos((v.lat * Math.PI) / 180);
  const dLon = cos > 1e-6 ? Math.min(180, dLat / cos) : 180;
  const box =
    `${t}.lat BETWEEN ${p.add(v.lat - dLat)}::float8 AND ${p.add(v.lat + dLat)}::float8` +
    (dLon < 180 && Math.abs(v.lon) + dLon <= 180 ? ` AND ${t}.lon BETWEEN ${p.add(v.lon - dLon)}::float8 AND ${p.add(v.lon + dLon)}::float8` : '');
  return `(${box} AND ${distanceSql(t, v.lat, v.lon, p)} <= ${p.add(v.km)}::float8)`;
}

/** The point of the first near / near-insee-code criterion, on the searched type or behind a chain of it. */
export function findNear(set: CriteriaSet): { lat: number; lon: number; km: number; code: string; link?: ChainLink } | undefined {
  const own = (s: CriteriaSet) => {
    for (const c of s.criteria) {
      const v = c.values.find((x) => x.type === 'near');
      if (v?.type === 'near') return { lat: v.lat, lon: v.lon, km: v.km, code: c.def.indexedAs ?? c.def.code };
    }
    return undefined;
  };
  const v = own(set);
  if (v) return v;
  for (const chain of set.chains) {
    const w = own(chain.set);
    if (w && !chain.link.above) return { ...w, link: chain.link };
  }
  return undefined;
}

/** Scalar SQL giving the distance (km) of row `alias` to the near point: its own position, or its nearest linked Location's. */
export function nearDistanceSql(resourceType: string, near: { lat: number; lon: number; link?: ChainLink }, alias: string, p: SqlParams): string {
  if (!near.link) {
    return `(SELECT min(${distanceSql('gd', near.lat, near.lon, p)}) FROM sp_geo gd WHERE gd.res_type = ${alias}.res_type AND gd.id = ${alias}.id AND gd.code = 'near')`;
  }
  return `(SELECT min(${distanceSql('gd', near.lat, near.lon, p)}) FROM sp_reference gs JOIN sp_geo gd ON gd.res_type = gs.target_type AND gd.id = gs.target_id AND gd.code = 'near'
     WHERE gs.res_type = ${p.add(resourceType)} AND gs.id = ${alias}.id AND gs.code = ${p.add(near.link.def.code)} AND gs.target_type = ${p.add(near.link.targetType)})`;
}

/** The SQL type of a sort key, to cast cursor values back. */
export type SortSqlType = 'text' | 'numeric' | 'timestamptz' | 'float8';

/** SQL type of a `_sort` key's values (and of the cursor's keys). */
export function sortKeyType(key: SortKey): SortSqlType {
  switch (key.kind) {
    case 'lastUpdated':
      return 'timestamptz';
    case 'near':
      return 'float8';
    case 'param': {
      const t = key.def!.type;
      return t === 'string' || t === 'token' ? 'text' : t === 'date' ? 'timestamptz' : 'numeric';
    }
    default:
      return 'text';
  }
}

/**
 * A `_sort` key on a parameter of the searched type itself, as a join on its values aggregated per resource
 * (`LEFT JOIN (SELECT id, min(norm) … GROUP BY id)`): for a sort over every resource of a type, one pass over the
 * index rows instead of a probe per resource (`Organization?_sort=name` over the 142 k structures of the demo:
 * 213–235 ms against 930–1 050 ms). Undefined for the other keys.
 */
export function sortKeyJoin(resourceType: string, key: SortKey, alias: string, n: number, p: SqlParams): { join: string; sql: string; type: SortSqlType } | undefined {
  if (key.kind !== 'param' || key.link) return undefined;
  const { table, value } = paramSortValue(key);
  const s = `s${n}`;
  return {
    join: `LEFT JOIN (SELECT k.id, ${value} AS v FROM ${table} k WHERE k.res_type = ${p.add(resourceType)} AND k.code = ${p.add(key.def!.code)} GROUP BY k.id) ${s} ON ${s}.id = ${alias}.id`,
    sql: `${s}.v`,
    type: sortKeyType(key),
  };
}

/** Where a parameter sort key's values are (index table, alias k) and their aggregate: smallest ascending, largest descending. */
function paramSortValue(key: SortKey): { table: string; value: string } {
  const def = key.def!;
  const col = def.type === 'string' ? 'k.norm' : def.type === 'token' ? 'k.value' : def.type === 'date' ? (key.desc ? 'k.hi' : 'k.lo') : 'k.value';
  return { table: TABLE[def.type as keyof typeof TABLE], value: `${key.desc ? 'max' : 'min'}(${col})` };
}

/** Scalar SQL of one `_sort` key for row `alias`: several values → the smallest ascending, the largest descending. */
export function sortKeySql(resourceType: string, key: SortKey, alias: string, p: SqlParams, near?: { lat: number; lon: number; link?: ChainLink }): { sql: string; type: SortSqlType } {
  switch (key.kind) {
    case 'id':
      return { sql: `${alias}.id`, type: 'text' };
    case 'lastUpdated':
      return { sql: `${alias}.last_updated`, type: 'timestamptz' };
    case 'near':
      if (!near) return { sql: 'NULL::float8', type: 'float8' };
      return { sql: nearDistanceSql(resourceType, near, alias, p), type: 'float8' };
    case 'param': {
      const def = key.def!;
      const type = sortKeyType(key);
      const { table, value } = paramSortValue(key);
      if (!key.link) {
        return { sql: `(SELECT ${value} FROM ${table} k WHERE k.res_type = ${alias}.res_type AND k.id = ${alias}.id AND k.code = ${p.add(def.code)})`, type };
      }
      return {
        sql: `(SELECT ${value} FROM sp_reference ks JOIN ${table} k ON k.res_type = ks.target_type AND k.id = ks.target_id AND k.code = ${p.add(def.code)}
          WHERE ks.res_type = ${p.add(resourceType)} AND ks.id = ${alias}.id AND ks.code = ${p.add(key.link.def.code)} AND ks.target_type = ${p.add(key.link.targetType)})`,
        type,
      };
    }
    default:
      return { sql: 'NULL', type: 'text' };
  }
}

function tokenSql(v: TokenValue, t: string, p: SqlParams): string {
  switch (v.kind) {
    case 'code': {
      const parts: string[] = [];
      if (v.system === null) parts.push(`${t}.system IS NULL`);
      else if (v.system !== undefined) parts.push(`${t}.system = ${p.add(v.system)}`);
      if (v.code !== undefined) parts.push(`${t}.value = ${p.add(v.code)}`);
      return `(${parts.join(' AND ')})`;
    }
    case 'text': {
      const folded = likeEscape(normalizeText(v.text));
      return `(${t}.text_norm LIKE ${p.add(`${folded}%`)} OR ${t}.text_norm LIKE ${p.add(`% ${folded}%`)})`;
    }
    case 'of-type': {
      const sys = v.typeSystem === null ? '' : ` AND ${t}.type_system = ${p.add(v.typeSystem)}`;
      return `(${t}.value = ${p.add(v.value)} AND ${t}.type_code = ${p.add(v.typeCode)}${sys})`;
    }
    case 'value-set': {
      // Member of the value set (terminology tables): an include of the token's code system (or of the code
      // system it is an alias of) taking all its codes, or listing this code. A token without system is a
      // member when its code is listed under any system of the value set.
      const vs = p.add(v.url);
      const sys = `coalesce((SELECT a.url FROM code_system_alias a WHERE a.alias_url = ${t}.system), ${t}.system)`;
      return `EXISTS (SELECT 1 FROM value_set_include vi WHERE vi.value_set = ${vs} AND (${t}.system IS NULL OR vi.system = ${sys})
        AND (CASE WHEN vi.all_codes THEN EXISTS (SELECT 1 FROM concept vc WHERE vc.system = vi.system AND vc.code = ${t}.value)
             ELSE EXISTS (SELECT 1 FROM value_set_member vm WHERE vm.value_set = vi.value_set AND vm.ord = vi.ord AND vm.code = ${t}.value) END))`;
    }
    default:
      return 'false';
  }
}

/** Number with implicit precision: eq 5 means [4.5, 5.5), eq 5.0 means [4.95, 5.05). */
function numberSql(prefix: Prefix, value: number, decimals: number, col: string, p: SqlParams): string {
  const half = 0.5 * 10 ** -decimals;
  switch (prefix) {
    case 'eq':
      return `(${col} >= ${p.add(value - half)} AND ${col} < ${p.add(value + half)})`;
    case 'ne':
      return `(${col} < ${p.add(value - half)} OR ${col} >= ${p.add(value + half)})`;
    case 'gt':
    case 'sa':
      return `${col} > ${p.add(value)}`;
    case 'lt':
    case 'eb':
      return `${col} < ${p.add(value)}`;
    case 'ge':
      return `${col} >= ${p.add(value)}`;
    case 'le':
      return `${col} <= ${p.add(value)}`;
    case 'ap': {
      const d = Math.max(Math.abs(value) * 0.1, half);
      return `(${col} >= ${p.add(value - d)} AND ${col} <= ${p.add(value + d)})`;
    }
    default:
      return 'false';
  }
}

/** The widening of `ap` on dates: 10 % of the distance to now, at least one day. */
function approxDelta(lo: Date): number {
  return Math.max(Math.abs(Date.now() - lo.getTime()) * 0.1, 86_400_000);
}

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: FHIR's range of years, which PostgreSQL also takes. */
const MIN_INSTANT = -62_135_596_800_000;
const MAX_INSTANT = 253_402_300_799_999;

/** A bound of an `ap` range, widened by `delta` and kept within FHIR's years (`ap0001` widens below year 1). */
function widened(d: Date, delta: number): string {
  return new Date(Math.min(MAX_INSTANT, Math.max(MIN_INSTANT, d.getTime() + delta))).toISOString();
}


/** Date criterion on an instant column (_lastUpdated). */
function pointDateSql(prefix: Prefix, lo: Date, hi: Date, col: string, p: SqlParams): string {
  const L = () => `${p.add(widened(lo, 0))}::timestamptz`;
  const H = () => `${p.add(widened(hi, 0))}::timestamptz`;
  switch (prefix) {
    case 'eq':
    case 'po':
      return `(${col} >= ${L()} AND ${col} < ${H()})`;
    case 'ne':
      return `(${col} < ${L()} OR ${col} >= ${H()})`;
    case 'gt':
    case 'sa':
      return `${col} >= ${H()}`;
    case 'lt':
    case 'eb':
      return `${col} < ${L()}`;
    case 'ge':
      return `${col} >= ${L()}`;
    case 'le':
      return `${col} < ${H()}`;
    case 'ap': {
      const d = approxDelta(lo);
      return `(${col} >= ${p.add(widened(lo, -d))}::timestamptz AND ${col} < ${p.add(widened(hi, d))}::timestamptz)`;
    }
    default:
      return 'false';
  }
}

/**
 * Date criterion on indexed intervals [lo, hi) with open (NULL) bounds, per FHIR R4 §3.1.1.4 (search value
 * range [L, H)): eq = contained in [L, H); gt/lt = extends after H / before L; ge/le = extends at or after
 * L / before H; sa/eb = starts after H / ends before L; ap = overlaps [L, H) widened.
 */
function intervalDateSql(prefix: Prefix, lo: Date, hi: Date, loCol: string, hiCol: string, p: SqlParams): string {
  const L = () => `${p.add(widened(lo, 0))}::timestamptz`;
  const H = () => `${p.add(widened(hi, 0))}::timestamptz`;
  const eq = () => `(${loCol} >= ${L()} AND ${hiCol} <= ${H()})`;
  switch (prefix) {
    case 'eq':
      return eq();
    case 'ne':
      return `NOT coalesce(${eq()}, false)`;
    case 'gt':
      return `(${hiCol} IS NULL OR ${hiCol} > ${H()})`;
    case 'lt':
      return `(${loCol} IS NULL OR ${loCol} < ${L()})`;
    case 'ge':
      return `(${hiCol} IS NULL OR ${hiCol} > ${L()})`;
    case 'le':
      return `(${loCol} IS NULL OR ${loCol} < ${H()})`;
    case 'sa':
      return `${loCol} >= ${H()}`;
    case 'eb':
      return `${hiCol} <= ${L()}`;
    case 'po':
      // The indexed period overlaps [L, H).
      return `((${loCol} IS NULL OR ${loCol} < ${H()}) AND (${hiCol} IS NULL OR ${hiCol} > ${L()}))`;
    case 'ap': {
      const d = approxDelta(lo);
      return `((${loCol} IS NULL OR ${loCol} < ${p.add(widened(hi, d))}::timestamptz) AND (${hiCol} IS NULL OR ${hiCol} > ${p.add(widened(lo, -d))}::timestamptz))`;
    }
    default:
      return 'false';
  }
}

function or(parts: string[]): string {
  return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}

