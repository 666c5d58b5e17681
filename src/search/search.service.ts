import { subsetResource } from '../fhir/subset.ts';
import { asEntryResource, RawResource, resourceJsonSql } from '../fhir/raw-json.ts';
import type { Queryable } from '../db/db.ts';
import { present } from '../directory/resource.store.ts';
import { badRequest, issue } from '../fhir/outcome.ts';
import type { Bundle, BundleEntry, Resource } from '../fhir/types.ts';
import { paramsOf, SD, SEARCH_PARAMETERS } from './search-parameters.ts';
import { communeCentroid, greatCircleKm } from './geo.ts';
import { parseSearch, type CriteriaSet, type FilterExpr, type IncludeDirective, type ParsedSearch, type SortKey } from './search.parse.ts';
import { compileCriteria, findNear, nearDistanceSql, nearSql, sortKeyJoin, sortKeySql, sortKeyType, SqlParams } from './search.sql.ts';

/**
 * FHIR search over the current versions: parse (search.parse.ts) → compile to SQL over the write-time index
 * (search.sql.ts) → one page query keyset-paged on the sort keys and the id, the total on the first page, then the
 * _include/_revinclude passes over sp_reference.
 */

export interface SearchRequest {
  resourceType: string;
  /** Query parameters in order, repeated names kept. */
  params: [string, string][];
  /** FHIR base URL used for fullUrl and links, e.g. http://host:8080/fhir */
  baseUrl: string;
  headers?: Record<string, string | undefined>;
}

export interface SearchParamInfo {
  name: string;
  type: 'token' | 'string' | 'date' | 'number' | 'quantity' | 'reference' | 'special' | 'uri' | 'composite';
  definition?: string;
  documentation?: string;
}

/** The search parameters of a type, as listed in the CapabilityStatement: exactly those the engine accepts. */
export function searchParamsFor(resourceType: string): SearchParamInfo[] {
  return [...paramsOf(resourceType).values()].filter((d) => !d.unlisted).map((d) => ({
    name: d.code,
    type: d.type,
    // `definition` is the canonical of a SearchParameter; `_has` (a FHIR search feature) and the production
    // server's `practitioner` chain have none, their documentation says what they are.
    ...(/\/SearchParameter\/[^#]+$/.test(d.url) ? { definition: d.url } : {}),
    ...(d.deviation || d.documentation ? { documentation: d.deviation ?? d.documentation } : {}),
  }));
}

/** Result parameters accepted on every search, for rest.searchParam of the CapabilityStatement. */
export const RESULT_PARAMETERS: { name: string; type: string; documentation: string }[] = [
  { name: '_count', type: 'number', documentation: 'Taille de page, 200 par défaut et au plus (RG_RECH_52)' },
  { name: '_sort', type: 'special', documentation: 'Clés séparées par des virgules, - pour décroissant ; paramètres string, token, date, number, quantity, chaînés (organization.x), _id, _lastUpdated, near' },
  { name: '_include', type: 'special', documentation: 'Type:paramètre[:TypeCible] ou * (toutes les références du type recherché), :iterate accepté' },
  { name: '_revinclude', type: 'special', documentation: 'Type:paramètre[:TypeCible] ou * (toutes les références vers le type recherché), :iterate accepté' },
  { name: '_summary', type: 'token', documentation: 'count : le nombre de résultats seul (total), sans entrées ; true : les éléments résumés (Σ) de R4 ; text : narration, id, meta et éléments obligatoires ; data : sans la narration (text) ; false : ressources complètes' },
  { name: '_elements', type: 'special', documentation: 'Éléments de premier niveau à renvoyer pour les résultats (match), séparés par des virgules ; ressources marquées SUBSETTED' },
  { name: '_format', type: 'token', documentation: 'json, application/json ou application/fhir+json (seul JSON est servi ; autre valeur : 406)' },
  { name: '_total', type: 'token', documentation: 'none, estimate ou accurate (défaut : total sur la première page, exact pour un critère, estimé au-delà de 1 000 pour plusieurs)' },
  { name: '_cursor', type: 'special', documentation: 'Curseur opaque des liens next ; ne pas construire' },
];

const referenceParams = () => SEARCH_PARAMETERS.filter((d) => d.type === 'reference');

/**
 * `_include` values accepted on a search of any type: every reference parameter. Those of the searched type
 * apply to the matches; those of other types to the included resources of that type (IG include tails).
 */
export function searchIncludesFor(resourceType: string): string[] {
  const all = referenceParams().map((d) => `${d.base}:${d.code}`);
  return ['*', ...all.filter((x) => x.startsWith(`${resourceType}:`)), ...all.filter((x) => !x.startsWith(`${resourceType}:`))];
}

/** `_revinclude` values whose reference can point to the searched type. */
export function searchRevIncludesFor(resourceType: string): string[] {
  const refs = referenceParams()
    .filter((d) => d.targets?.includes(resourceType))
    .map((d) => `${d.base}:${d.code}`);
  return refs.length ? ['*', ...refs] : [];
}

/** Upper bound of resources added by _include/_revinclude passes to one page. */
const MAX_INCLUDED = 5000;

/** The SQL of a search (page and count), as run: for EXPLAIN, the docs and SQL assertions in tests. */
export interface CompiledSearch {
  parsed: ParsedSearch;
  pageSql: string;
  params: unknown[];
  countSql: string;
  countParams: unknown[];
  cursor: { keys: unknown[]; id: string } | undefined;
  near: ReturnType<typeof findNear>;
  /** The driven form of the page (see drivenPage), tried first when it applies. */
  driven?: DrivenPage;
  /** Plan the general page and count with their values (see CUSTOM_PLAN): criteria on several sides. */
  customPlan: boolean;
  /** How the total of a full first page is counted (`auto` resolved: see ParsedSearch.totalMode). */
  totalMode: 'accurate' | 'estimate' | 'none';
}

/** The predicates every page and count starts with (`res_type = …`, `NOT deleted`), before the criteria's. */
const BASE_PREDICATES = 2;

export function compileSearch(req: SearchRequest): CompiledSearch {
  const lenient = /handling\s*=\s*lenient/i.test(req.headers?.prefer ?? '');
  const parsed = parseSearch(req.resourceType, req.params, lenient, req.baseUrl);
  const p = new SqlParams();
  const preds = [`r.res_type = ${p.add(req.resourceType)}`, 'NOT r.deleted', ...compileCriteria(parsed.root, 'r', p)];
  // One plain criterion: the matches are counted in the index table alone (its rows exist only for live
  // resources), without joining each one to the resource table.
  const indexed = singleCriterionIds(parsed, preds);
  const countSql = indexed
    ? `SELECT count(*)::int8 AS n FROM (SELECT DISTINCT ${indexed.t}.id ${indexed.rest} AND ${indexed.t}.res_type = $1) m`
    : (indexOnlyCount(preds) ?? `SELECT count(*)::int8 AS n FROM resource r WHERE ${preds.join(' AND ')}`);
  const countParams = [...p.values];
  // Default: exact when the count is one index range (or none): every single-criterion search of the demo's
  // structures; several criteria (chains, correlated groups, OR filters) could cost seconds at national scale (UC4
  // specialty 001, 15 112 matches: 1.9 s exact against 49 ms estimated), so they count up to COUNT_CAP exactly
  // and estimate above, flagged.
  const oneRange = preds.length <= BASE_PREDICATES + 1 && parsed.root.chains.length + parsed.root.reverse.length + parsed.root.filters.length === 0;
  const totalMode = parsed.totalMode === 'auto' ? (oneRange ? 'accurate' : 'estimate') : parsed.totalMode;
  const cursor = parsed.cursor !== undefined ? decodeCursor(parsed.cursor, parsed.sort) : undefined;
  const near = findNear(parsed.root);
  const pageSql = buildPageSql(req.resourceType, parsed, preds, p, cursor, near);
  const driven = drivenPage(req.resourceType, parsed, cursor, near);
  const sides = (s: CriteriaSet): number => s.criteria.length + s.chains.length + s.reverse.length + s.filters.length;
  const customPlan = sides(parsed.root) > 1;
  return { parsed, pageSql, params: p.values, countSql, countParams, cursor, near, customPlan, totalMode, ...(driven ? { driven } : {}) };
}

/** Result parameters a bulk export's `_typeFilter` may not carry (Bulk Data 2.0: criteria only). */
const NOT_IN_TYPE_FILTER = /^(_include|_revinclude|_sort|_count|_elements|_summary|_total|_contained|_containedType|_cursor)(:|$)/;

/**
 * The ids of every current match of a search's criteria, unordered and unpaged (`SELECT r.id FROM resource r
 * WHERE …`), for a bulk export's `_typeFilter`: the same parsing and criteria as a search, so the same 400s.
 */
export function matchingIdsSql(resourceType: string, params: [string, string][]): { sql: string; params: unknown[] } {
  const bad = params.find(([k]) => NOT_IN_TYPE_FILTER.test(k));
  if (bad) throw badRequest(`_typeFilter : le paramètre « ${bad[0]} » n'est pas un critère de sélection (seuls les critères de recherche sont admis)`, '_typeFilter');
  const parsed = parseSearch(resourceType, params, false);
  const p = new SqlParams();
  const preds = [`r.res_type = ${p.add(resourceType)}`, 'NOT r.deleted', ...compileCriteria(parsed.root, 'r', p)];
  return { sql: `SELECT r.id FROM resource r WHERE ${preds.join(' AND ')}`, params: p.values };
}

/**
 * How many matches of the driving criterion a driven page examines before giving up for the general plan: ten
 * per entry of the page (the driven form pays when at least one candidate in ten matches), at least 500.
 */
export const driverWindow = (limit: number) => Math.max(500, 10 * limit);

interface DrivenPage {
  sql: string;
  params: unknown[];
  /** Counts the driver rows in the window (with `windowParams`): the window was exhausted if it reaches `window`. */
  windowSql: string;
  windowParams: unknown[];
  window: number;
  /**
   * First page only: the driver's matches in all (`n`) and up to the last id of the page (`seen`), for the
   * estimate; run with `densityParams` followed by that id.
   */
  densitySql: string;
  densityParams: unknown[];
  /** First page only: the matches counted the driven way, at most COUNT_CAP + 1 (with `countParams`). */
  cappedCountSql: string;
  countParams: unknown[];
  /**
   * With a proximity criterion: counts the places within its radius, up to the window. Fewer places than the
   * window means the general plan, which starts from them, reads less than walking the driver's window (a
   * common specialty around a small town: 2 000 candidates probed for a dozen matches, 400 ms instead of 3).
   */
  nearProbe?: { sql: string; params: unknown[] };
}

/**
 * A page of a query with several criteria, one of them a plain token criterion on the resource itself
 * (`specialty=…&location.capacity-…`, `specialty=…&location.near-insee-code=…`), no sort: the driver's ids are
 * read in id order from the index table and each is checked against the other criteria until the page is
 * full, which stops after `_count + 1` matches when matches are dense (the general plan first collects and
 * sorts every match: 20 000 offers for a common specialty). At most `driverWindow` driver ids are examined;
 * when the page is not full by then, the caller falls back to the general plan, so the result is always the
 * same page. The planner cannot choose this itself: it has no statistics of the criteria's correlation.
 */
function drivenPage(resourceType: string, parsed: ParsedSearch, cursor: { id: string } | undefined, near: ReturnType<typeof findNear>): DrivenPage | undefined {
  if (parsed.sort.length > 0 || parsed.count === 0) return undefined;
  const set = hoistFilters(parsed.root);
  const k = set.criteria.findIndex((c) => isPlainToken(c));
  if (k < 0) return undefined;
  const rest: CriteriaSet = { ...set, criteria: set.criteria.filter((_, i) => i !== k) };
  if (rest.criteria.length + rest.chains.length + rest.reverse.length + rest.filters.length === 0) return undefined;
  const p = new SqlParams();
  const driver = compileCriteria({ resourceType, criteria: [set.criteria[k]!], chains: [], reverse: [], filters: [] }, 'r', p, 1000);
  const m = /^r\.id IN \(SELECT (t\d+)\.id (FROM sp_token \1 WHERE .*)\)$/s.exec(driver[0] ?? '');
  if (driver.length !== 1 || !m) return undefined;
  const [, t, from] = m as unknown as [string, string, string];
  // Parameters in the order of their use: driver, cursor, other criteria, then the page's own. The window,
  // density and count statements each run with the prefix they use.
  const driverParams = p.values.length;
  const after = cursor ? ` AND ${t}.id > ${p.add(cursor.id)}` : '';
  const windowParams = p.values.length;
  const others = compileCriteria(rest, 'd', p, 2000);
  // The other criteria may only look at the id (they are evaluated on the driver's rows, not on resource rows).
  if (others.some((x) => /\bd\.(?!id\b)\w+/.test(x))) return undefined;
  const checks = others.map(perCandidate).join(' AND ');
  const countParams = p.values.length;
  const limit = parsed.count + 1;
  const size = driverWindow(limit);
  const window = `SELECT ${t}.id ${from}${after} ORDER BY ${t}.id LIMIT ${size}`;
  const dist = near ? `, ${nearDistanceSql(resourceType, near, 'r', p)} AS dist` : '';
  const ids = `SELECT DISTINCT d.id FROM (${window}) d WHERE ${checks} ORDER BY d.id LIMIT ${limit}`;
  const sql = `SELECT r.id, ${resourceJsonSql('r')} AS json${dist} FROM resource r WHERE r.res_type = ${p.add(resourceType)} AND NOT r.deleted AND r.id = ANY (ARRAY(${ids})) ORDER BY r.id LIMIT ${limit}`;
  // Not DISTINCT: only the ratio n / seen matters, and an id seldom holds two of the driver's codes.
  const all = `SELECT ${t}.id ${from}`;
  return {
    sql,
    params: p.values,
    windowSql: `SELECT count(*)::int AS n FROM (${window}) w`,
    windowParams: p.values.slice(0, windowParams),
    window: size,
    densitySql: `SELECT count(*) FILTER (WHERE w.id <= $${driverParams + 1})::int AS seen, count(*)::int AS n FROM (${all}) w`,
    densityParams: p.values.slice(0, driverParams),
    // First page only (no cursor): the driver's and the other criteria's parameters are a prefix.
    cappedCountSql: `SELECT count(*)::int AS n FROM (SELECT DISTINCT d.id FROM (${all}) d WHERE ${checks} LIMIT ${COUNT_CAP + 1}) q`,
    countParams: p.values.slice(0, countParams),
    ...nearProbe(resourceType, near, size),
  };
}

/** The place-count probe of a driven page with a proximity criterion (see DrivenPage.nearProbe). */
function nearProbe(resourceType: string, near: ReturnType<typeof findNear>, window: number): { nearProbe: { sql: string; params: unknown[] } } | Record<string, never> {
  if (!near) return {};
  const p = new SqlParams();
  const sql = `SELECT count(*)::int AS n FROM (SELECT 1 FROM sp_geo g WHERE g.res_type = ${p.add(near.link?.targetType ?? resourceType)} AND g.code = ${p.add(near.code)} AND ${nearSql(near, 'g', p)} LIMIT ${window}) x`;
  return { nearProbe: { sql, params: p.values } };
}

/**
 * The same criteria with what `_filter` says in plain-parameter form moved to the top level, so that a driver
 * can be found in it: the leaves of a top-level AND (or a top-level leaf) that hold only criteria outside any
 * correlated group, and an OR whose branches are each one criterion on the same parameter (`(specialty eq A)
 * or (specialty eq B)` is `specialty=A,B`). Same matches: a top-level filter is AND-ed with the parameters,
 * and its AND-ed leaves are merged as parameters are.
 */
function hoistFilters(root: CriteriaSet): CriteriaSet {
  const out: CriteriaSet = { ...root, criteria: [...root.criteria], filters: [] };
  const plainLeaf = (f: FilterExpr): f is FilterExpr & { op: 'leaf' } =>
    f.op === 'leaf' && f.set.chains.length === 0 && f.set.reverse.length === 0 && f.set.filters.length === 0 && f.set.criteria.every((c) => !c.def.group);
  const asOneCriterion = (f: FilterExpr) => {
    if (f.op !== 'or') return undefined;
    const items = f.items;
    if (!items.every((x) => plainLeaf(x) && x.set.criteria.length === 1)) return undefined;
    const cs = items.map((x) => (x as FilterExpr & { op: 'leaf' }).set.criteria[0]!);
    const first = cs[0]!;
    if (!cs.every((c) => c.def === first.def && c.modifier === undefined && c.missing === undefined)) return undefined;
    return { ...first, values: cs.flatMap((c) => c.values) };
  };
  for (const f of root.filters) {
    const items = andItems(f);
    const kept: FilterExpr[] = [];
    for (const x of items) {
      const merged = asOneCriterion(x);
      if (merged) out.criteria.push(merged);
      else if (plainLeaf(x)) out.criteria.push(...x.set.criteria);
      else kept.push(x);
    }
    if (kept.length === 1) out.filters.push(kept[0]!);
    else if (kept.length > 1) out.filters.push({ op: 'and', items: kept });
  }
  return out;
}

/**
 * A membership `d.id IN (SELECT a.id FROM … WHERE …)` as a check of this one candidate (a correlated scalar
 * subquery, which the planner keeps as a per-row probe): as a semi-join it would rather hash the whole set of
 * the criterion (380 000 age ranges) for a window of a few thousand candidates of which it needs the first 51.
 */
function perCandidate(pred: string): string {
  const m = /^d\.id IN \(SELECT (\w+)\.id (FROM .+)\)$/s.exec(pred);
  if (!m || / UNION /.test(pred)) return pred;
  return `(SELECT 1 ${m[2]} AND ${m[1]}.id = d.id LIMIT 1) IS NOT NULL`;
}

/** The operands of nested ANDs, flattened (a filter that is not an AND is its own single operand). */
function andItems(f: FilterExpr): FilterExpr[] {
  return f.op === 'and' ? f.items.flatMap(andItems) : [f];
}

function isPlainToken(c: ParsedSearch['root']['criteria'][number]): boolean {
  if (c.def.group || c.def.type !== 'token' || c.def.code.startsWith('_id')) return false;
  return c.modifier === undefined || c.modifier === 'text';
}

/**
 * Runs a search. With `raw`, the entries' resources are RawResource texts (src/fhir/raw-json.ts), spliced into the
 * HTTP response without being parsed (matches in summary or `_elements` mode, and included places that carry a
 * distance, are parsed to be rewritten); without it, parsed resources.
 */
export async function search(db: Queryable, req: SearchRequest, opts: { raw?: boolean } = {}): Promise<Bundle> {
  const raw = opts.raw === true;
  const compiled = compileSearch(req);
  const { parsed, countSql, countParams, cursor, near } = compiled;
  await checkValueSets(db, parsed);
  const wantTotal = cursor === undefined && compiled.totalMode !== 'none';
  const page = parsed.count > 0 ? await runPage(db, compiled) : { rows: [] as PageRow[] };
  const rows = page.rows.slice(0, parsed.count);
  // The total is the page itself when the first page is not full; otherwise it needs a count.
  const complete = parsed.count > 0 && page.rows.length <= parsed.count;
  const driven = wantTotal && !complete && compiled.totalMode !== 'accurate' && page.driven ? await drivenTotal(db, compiled, page.rows) : undefined;
  const counted = !wantTotal
    ? undefined
    : complete
      ? { n: rows.length, estimated: false }
      : (driven ?? (await countMatches(db, compiled.totalMode === 'accurate' ? 'accurate' : 'estimate', countSql, countParams, COUNT_CAP, compiled.customPlan)));
  const total = counted?.n;
  if (counted?.estimated) {
    parsed.notes.push({ name: '_total', reason: `: total estimé (plus de ${COUNT_CAP} résultats) ; _total=accurate pour un décompte exact` });
  }

  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset' };
  if (total !== undefined) bundle.total = total;
  const path = `${req.baseUrl}/${req.resourceType}`;
  bundle.link = [{ relation: 'self', url: `${path}${toQuery(cursor !== undefined ? [...parsed.used, ['_cursor', parsed.cursor!]] : parsed.used)}` }];
  // Paging is forward-only (keyset cursor): `first` goes back to the start, there is no `previous`.
  if (cursor !== undefined) bundle.link.push({ relation: 'first', url: `${path}${toQuery(parsed.used)}` });
  if (page.rows.length > parsed.count && rows.length > 0) {
    const last = rows[rows.length - 1]!;
    const keys = parsed.sort.map((_, i) => last[`k${i}`] ?? null);
    bundle.link.push({ relation: 'next', url: `${path}${toQuery([...parsed.used, ['_cursor', encodeCursor(keys, last.id)]])}` });
  }
  const subset = parsed.elements !== undefined || parsed.summary !== undefined;
  const entries: BundleEntry[] = rows.map((r) => {
    const stored = new RawResource(req.resourceType, r.id, r.json);
    const e = entry(req.baseUrl, subset ? subsetResource(stored.parse(), parsed) : raw ? stored : stored.parse(), 'match');
    if (near && typeof r.dist === 'number') e.search!.extension = [distanceExtension(r.dist)];
    return e;
  });
  if (rows.length > 0 && parsed.includes.length > 0) {
    const included = await runIncludes(db, req.resourceType, rows.map((r) => ({ resourceType: req.resourceType, id: r.id })), parsed.includes);
    for (const r of included) {
      // A proximity search chained through location (`location.near…`): the included places carry their own
      // distance, as in the IG's example response (specifications_techniques_3, scenario 6).
      const place = near?.link && r.resourceType === 'Location' ? r.parse() : undefined;
      const e = entry(req.baseUrl, place ?? (raw ? r : r.parse()), 'include');
      const km = place ? locationDistanceKm(place, near!) : undefined;
      if (km !== undefined) e.search!.extension = [distanceExtension(km)];
      entries.push(e);
    }
  }
  if (parsed.ignored.length > 0 || parsed.notes.length > 0) entries.push(ignoredOutcome(parsed));
  // FHIR JSON has no empty arrays: an empty page has no `entry` at all.
  if (entries.length > 0) bundle.entry = entries;
  return bundle;
}

/** The page: driven when that applies and the window holds it (see drivenPage), otherwise the general plan. */
async function runPage(db: Queryable, c: CompiledSearch): Promise<{ rows: PageRow[]; driven?: boolean }> {
  const probe = c.driven?.nearProbe;
  const fewPlaces = probe && ((await db.query<{ n: number }>(probe.sql, probe.params)).rows[0]?.n ?? 0) < c.driven!.window;
  if (c.driven && !fewPlaces) {
    const page = await db.query<PageRow>(c.driven.sql, c.driven.params);
    if (page.rows.length > c.parsed.count) return { rows: page.rows, driven: true };
    const seen = (await db.query<{ n: number }>(c.driven.windowSql, c.driven.windowParams)).rows[0]?.n ?? 0;
    if (seen < c.driven.window) return { rows: page.rows, driven: true };
  }
  // The general plan depends on the values (which side is selective): planned with them every time.
  return db.query<PageRow>(c.pageSql, c.params, c.customPlan ? CUSTOM_PLAN : undefined);
}

/**
 * The total of a full driven first page whose matches are dense: the page found `_count + 1` matches among the
 * first `seen` ids of the driving criterion, which has `n` in all; the total is estimated as n × matches / seen
 * when that is well above COUNT_CAP (the exact count would check every candidate: 50 ms for a common specialty
 * with correlated capacity criteria). Undefined otherwise: the capped exact count decides.
 */
async function drivenTotal(db: Queryable, c: CompiledSearch, page: PageRow[]): Promise<{ n: number; estimated: boolean } | undefined> {
  if (!c.driven || c.cursor || page.length <= c.parsed.count) return undefined;
  const last = page[page.length - 1]!.id;
  const r = (await db.query<{ seen: number; n: number }>(c.driven.densitySql, [...c.driven.densityParams, last])).rows[0];
  if (!r || r.seen <= 0) return undefined;
  const estimate = Math.round((r.n * page.length) / r.seen);
  if (estimate > COUNT_CAP * (1 + 4 / Math.sqrt(page.length))) return { n: estimate, estimated: true };
  // Near or below the cap: count the driven way (the page showed the matches dense among the candidates, so
  // reaching COUNT_CAP + 1 takes about COUNT_CAP × seen / matches probes).
  const counted = (await db.query<{ n: number }>(c.driven.cappedCountSql, c.driven.countParams)).rows[0]?.n ?? 0;
  return counted <= COUNT_CAP ? { n: counted, estimated: false } : { n: Math.max(COUNT_CAP + 1, estimate), estimated: true };
}


/**
 * The general page and count of a query with criteria on several sides are planned with their values each time
 * (QueryOptions.customPlan; one criterion keeps its cached plan, replanning would double the cost of
 * `Location?identifier=…`): a generic plan
 * of `specialty=…&location.near-insee-code=…` read 20 000 offers where the custom one starts from the town's
 * places (400–750 ms instead of 6–19 ms). The driven statements keep their cached plans: their shape (walk the
 * driver in id order, probe each candidate) is what they are for, and custom plans of them were slower.
 */
const CUSTOM_PLAN = { customPlan: true } as const;

/** Above this many matches, the default total (and `_total=estimate`) is the planner's estimate. */
export const COUNT_CAP = 1000;

/**
 * The total of a first page that is full. `accurate`: `count(*)`. Otherwise the matches are counted up to
 * COUNT_CAP + 1 (`LIMIT` inside the count, so a broad query stops early): exact when there are at most
 * COUNT_CAP; above, the planner's row estimate of the match query, at least COUNT_CAP + 1 (FHIR lets the server
 * estimate unless the client asks `_total=accurate`; the bundle then says so in its outcome entry).
 */
export async function countMatches(db: Queryable, mode: 'accurate' | 'estimate', countSql: string, params: unknown[], cap = COUNT_CAP, customPlan = false): Promise<{ n: number; estimated: boolean }> {
  const opts = customPlan ? CUSTOM_PLAN : undefined;
  if (mode === 'accurate') return { n: (await db.query<{ n: number }>(countSql, params, opts)).rows[0]?.n ?? 0, estimated: false };
  const matchSql = countSql.replace(/^SELECT count\(\*\)::int8 AS n FROM /, 'SELECT 1 FROM ');
  const capped = (await db.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM (${matchSql} LIMIT ${cap + 1}) capped`, params, opts)).rows[0]?.n ?? 0;
  if (capped <= cap) return { n: capped, estimated: false };
  const plan = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${matchSql}`, params, opts);
  const raw = plan.rows[0]?.['QUERY PLAN'];
  const json = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan?: { 'Plan Rows'?: number } }[];
  const estimate = Math.round(json[0]?.Plan?.['Plan Rows'] ?? 0);
  return { n: Math.max(cap + 1, estimate), estimated: true };
}

type PageRow = { id: string; json: string; dist?: number | null } & Record<string, unknown>;

/**
 * The page query. Without _sort: the matches in id order, keyset on the primary key. With _sort: each key is a
 * scalar subquery (k0, k1…) sorted NULLS LAST, then the id as tie-breaker; the cursor holds the last row's
 * keys, so paging never skips nor repeats a row whose sort values did not change, at any depth.
 */
function buildPageSql(
  resourceType: string,
  parsed: ParsedSearch,
  preds: string[],
  p: SqlParams,
  cursor: { keys: unknown[]; id: string } | undefined,
  near: ReturnType<typeof findNear>,
): string {
  const limit = parsed.count + 1;
  const dist = near ? `, ${nearDistanceSql(resourceType, near, 'r', p)} AS dist` : '';
  if (parsed.sort.length === 0) {
    const ordered = orderedSingleCriterion(parsed, preds, limit, cursor, p);
    if (ordered) return `SELECT r.id, ${resourceJsonSql('r')} AS json${dist} FROM resource r WHERE ${ordered} ORDER BY r.id LIMIT ${limit}`;
    const after = cursor ? ` AND r.id > ${p.add(cursor.id)}` : '';
    // The page's ids first, from the index tables and the live-resource index alone; then the content of those
    // ids only. As one join, the planner fetched each candidate's row (its jsonb content) before the last
    // criterion dropped most of them: 266 offers read for 13 matches around a small town.
    const ids = `SELECT r.id FROM resource r WHERE ${preds.join(' AND ')}${after} ORDER BY r.id LIMIT ${limit}`;
    return `SELECT r.id, ${resourceJsonSql('r')} AS json${dist} FROM resource r WHERE r.res_type = ${p.add(resourceType)} AND r.id = ANY (ARRAY(${ids})) ORDER BY r.id LIMIT ${limit}`;
  }
  // A sort over every resource of the type joins each key's values aggregated in one pass; with criteria, the
  // matches are fewer and each gets its keys by a probe.
  const broad = preds.length === BASE_PREDICATES;
  const joins: string[] = [];
  const keys = parsed.sort.map((k, i) => {
    const joined = broad ? sortKeyJoin(resourceType, k, 'r', i, p) : undefined;
    if (joined) joins.push(joined.join);
    return { ...(joined ?? sortKeySql(resourceType, k, 'r', p, near)), desc: k.desc };
  });
  // Ids and sort keys of the matches first, the content of the page's rows only: reading and serialising the
  // content of every match before ORDER BY … LIMIT cost 4.5 s for `Organization?_sort=-_lastUpdated` over the
  // 142 k structures of the demo.
  // OFFSET 0 keeps the keys computed once per match: pulled up into the ORDER BY, each scalar subquery ran twice
  // (for `k IS NULL` and for `k`).
  const inner = `SELECT r.id${dist}${keys.map((k, i) => `, ${k.sql} AS k${i}`).join('')} FROM resource r ${joins.join(' ')} WHERE ${preds.join(' AND ')} OFFSET 0`;
  const order = [...keys.flatMap((k, i) => [`(q.k${i} IS NULL)`, `q.k${i} ${k.desc ? 'DESC' : 'ASC'}`]), 'q.id'].join(', ');
  let where = '';
  if (cursor) {
    // Lexicographic "after the cursor" over (k0 IS NULL, k0, k1 IS NULL, k1, …, id).
    const terms: string[] = [];
    const equal: string[] = [];
    keys.forEach((k, i) => {
      const v = cursor.keys[i];
      const col = `q.k${i}`;
      if (v === null || v === undefined) {
        equal.push(`${col} IS NULL`);
        return;
      }
      const val = `${p.add(v)}::${k.type}`;
      terms.push([...equal, `${col} IS NULL`].join(' AND '));
      terms.push([...equal, `${col} ${k.desc ? '<' : '>'} ${val}`].join(' AND '));
      equal.push(`${col} = ${val}`);
    });
    terms.push([...equal, `q.id > ${p.add(cursor.id)}`].join(' AND '));
    where = ` WHERE ${terms.map((x) => `(${x})`).join(' OR ')}`;
  }
  const page = `SELECT q.* FROM (${inner}) q${where} ORDER BY ${order} LIMIT ${limit}`;
  return `SELECT q.*, ${resourceJsonSql('r')} AS json FROM (${page}) q JOIN resource r ON r.res_type = ${p.add(resourceType)} AND r.id = q.id ORDER BY ${order}`;
}

/**
 * A page of a query with one plain token or string criterion and no sort (`specialty=…`, `address-postalcode=…`):
 * the ids are taken in order from the index table and limited before the join
 * (`r.id = ANY (ARRAY(SELECT DISTINCT t.id … ORDER BY t.id LIMIT n))`), instead of joining every match to sort
 * it (189 ms → ≈ 6 ms for a specialty with 5 000 offers at national scale). Exact because sp_* rows exist only
 * for the current version of live resources (the indexer removes a deleted resource's rows).
 */
function orderedSingleCriterion(parsed: ParsedSearch, preds: string[], limit: number, cursor: { id: string } | undefined, p: SqlParams): string | undefined {
  const ids = singleCriterionIds(parsed, preds);
  if (!ids) return undefined;
  const { t, rest } = ids;
  const after = cursor ? ` AND ${t}.id > ${p.add(cursor.id)}` : '';
  return `${preds[0]} AND ${preds[1]} AND r.id = ANY (ARRAY(SELECT DISTINCT ${t}.id ${rest}${after} ORDER BY ${t}.id LIMIT ${limit}))`;
}

/**
 * When the search is one plain token or string criterion (no chain, filter, group or modifier that needs the
 * resource row), the index-table subquery that selects its matches: `FROM sp_… tN WHERE …`, alias tN.
 */
function singleCriterionIds(parsed: ParsedSearch, preds: string[]): { t: string; rest: string } | undefined {
  const set = parsed.root;
  if (set.criteria.length !== 1 || set.chains.length || set.reverse.length || set.filters.length || preds.length !== 3) return undefined;
  const c = set.criteria[0]!;
  if (c.def.group || (c.def.type !== 'token' && c.def.type !== 'string') || c.def.code.startsWith('_id') || c.def.code === '_lastUpdated') return undefined;
  if (c.modifier !== undefined && c.modifier !== 'exact' && c.modifier !== 'contains' && c.modifier !== 'text') return undefined;
  const m = /^r\.id IN \(SELECT (t\d+)\.id (FROM sp_(?:token|string) \1 WHERE .*)\)$/s.exec(preds[2]!);
  if (!m) return undefined;
  return { t: m[1]!, rest: m[2]! };
}

/**
 * The count of a search with several criteria that all look at the id alone (memberships in index tables, `_id`),
 * one of them a top-level membership in the searched resources' own index rows: counted over that membership's
 * ids, each checked against the others, without reading the resource table (index rows exist only for the
 * current version of live resources). As a join on `resource`, each candidate cost a probe of the resource's
 * heap page for its `deleted` flag: 27 of the 40 ms of counting an OR of two specialties with an age range.
 * Undefined when a criterion needs a resource column (`_lastUpdated`…) or no membership can start the count.
 */
export function indexOnlyCount(preds: string[]): string | undefined {
  const conjuncts = preds.slice(2).flatMap(topLevelAnd);
  const k = conjuncts.findIndex(isOwnMembership);
  if (k < 0) return undefined;
  const rest = conjuncts.filter((_, i) => i !== k);
  if (rest.some((x) => /\br\.(?!id\b)\w+/.test(x))) return undefined;
  const ids = conjuncts[k]!.slice('r.id IN ('.length, -1);
  // $1 (the searched type, which the memberships restate) stays in the statement so its parameters keep their
  // numbers and types.
  return `SELECT count(*)::int8 AS n FROM (SELECT DISTINCT d.id FROM (${ids}) d) r WHERE ${['$1::text IS NOT NULL', ...rest].join(' AND ')}`;
}

/** Depth of parentheses after each character of a SQL text (quoted literals skipped). */
function depths(sql: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let quoted = false;
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    out.push(depth);
  }
  return out;
}

/** The parts of a SQL text between its occurrences of `sep` outside any parenthesis. */
function splitTopLevel(sql: string, sep: string): string[] {
  const d = depths(sql);
  const parts: string[] = [];
  let start = 0;
  for (let i = sql.indexOf(sep); i >= 0; i = sql.indexOf(sep, i + 1)) {
    if (d[i] !== 0) continue;
    parts.push(sql.slice(start, i));
    start = i + sep.length;
  }
  parts.push(sql.slice(start));
  return parts;
}

/** The operands of a predicate's top-level ANDs, outer parentheses removed (`(a AND (b AND c))` → a, b, c). */
function topLevelAnd(pred: string): string[] {
  let s = pred.trim();
  // Wrapped whole: the opening parenthesis closes at the last character only.
  while (s.startsWith('(') && depths(s).every((x, i, d) => x > 0 || i === d.length - 1)) s = s.slice(1, -1).trim();
  const parts = splitTopLevel(s, ' AND ');
  return parts.length > 1 ? parts.flatMap(topLevelAnd) : [s];
}

/**
 * `r.id IN (SELECT tN.id FROM sp_… tN WHERE … [UNION SELECT …])`: every branch selects the owner id of index rows
 * (not a reverse chain's target ids, which may name a deleted resource), and the list closes at the end.
 */
function isOwnMembership(pred: string): boolean {
  if (!pred.startsWith('r.id IN (') || !pred.endsWith(')')) return false;
  const inner = pred.slice('r.id IN ('.length, -1);
  if (depths(inner).some((x) => x < 0)) return false;
  return splitTopLevel(inner, ' UNION ').every((b) => /^SELECT (\w+)\.id FROM sp_\w+ \1 WHERE /.test(b));
}

const LOCATION_DISTANCE = 'http://hl7.org/fhir/StructureDefinition/location-distance';

function distanceExtension(km: number): { url: string; valueDistance: Record<string, unknown> } {
  return { url: LOCATION_DISTANCE, valueDistance: { value: Math.round(km * 1000) / 1000, unit: 'km', system: 'http://unitsofmeasure.org', code: 'km' } };
}

function entry(baseUrl: string, resource: Resource | RawResource, mode: 'match' | 'include'): BundleEntry {
  const body = resource instanceof RawResource ? asEntryResource(resource) : present(resource)!;
  return { fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}`, resource: body, search: { mode } };
}

function ignoredOutcome(parsed: ParsedSearch): BundleEntry {
  return {
    resource: {
      resourceType: 'OperationOutcome',
      issue: [
        ...parsed.ignored.map((x) =>
          issue('not-supported', `Paramètre ignoré (Prefer: handling=lenient) : « ${x.name} » — ${x.reason}`, { severity: 'warning', expression: x.name }),
        ),
        ...parsed.notes.map((x) => issue('informational', `Paramètre « ${x.name} » ${x.reason}`, { severity: 'warning', expression: x.name })),
      ],
    },
    search: { mode: 'outcome' },
  };
}

/** Great-circle distance of a Location to the near point: its position, else its commune's centroid (as indexed). */
function locationDistanceKm(r: Resource, near: { lat: number; lon: number }): number | undefined {
  const pos = r.position as { latitude?: unknown; longitude?: unknown } | undefined;
  if (pos && typeof pos.latitude === 'number' && typeof pos.longitude === 'number') return greatCircleKm(near, { lat: pos.latitude, lon: pos.longitude });
  const cog = (r.extension as { url?: string; valueCodeableConcept?: { coding?: { code?: string }[] } }[] | undefined)
    ?.find((x) => x.url === `${SD}ror-commune-cog`)
    ?.valueCodeableConcept?.coding?.[0]?.code;
  const c = cog ? communeCentroid(cog) : undefined;
  return c ? greatCircleKm(near, c) : undefined;
}

/** Every `:in` / `:not-in` value set of the query must be known: an unknown URL is a 400 naming the parameter. */
async function checkValueSets(db: Queryable, parsed: ParsedSearch): Promise<void> {
  const wanted = new Map<string, string>();
  const walkSet = (set: CriteriaSet) => {
    for (const c of set.criteria) for (const v of c.values) if (v.type === 'token' && v.v.kind === 'value-set') wanted.set(v.v.url, c.name);
    for (const x of set.chains) walkSet(x.set);
    for (const x of set.reverse) walkSet(x.set);
    for (const f of set.filters) walkFilter(f);
  };
  const walkFilter = (f: FilterExpr) => {
    if (f.op === 'leaf') walkSet(f.set);
    else if (f.op === 'not') walkFilter(f.item);
    else f.items.forEach(walkFilter);
  };
  walkSet(parsed.root);
  if (wanted.size === 0) return;
  const known = await db.query<{ url: string }>('SELECT url FROM value_set WHERE url = ANY($1::text[])', [[...wanted.keys()]]);
  const found = new Set(known.rows.map((r) => r.url));
  for (const [url, name] of wanted) if (!found.has(url)) throw badRequest(`Jeu de valeurs inconnu « ${url} » dans ${name}`, name);
}

/**
 * Applies _include and _revinclude. Directives run on the matches; `:iterate` ones, and those whose source
 * type is not the searched type (the IG's tails `_revinclude=PractitionerRole:service&_include=
 * PractitionerRole:practitioner`), also run on what was included, until nothing new comes in.
 */
async function runIncludes(db: Queryable, searchedType: string, matches: ResourceKey[], directives: IncludeDirective[]): Promise<RawResource[]> {
  const seen = new Set(matches.map((r) => `${r.resourceType}/${r.id}`));
  const out: RawResource[] = [];
  let frontier: ResourceKey[] = matches;
  for (let round = 0; frontier.length > 0 && round < 10; round++) {
    const applicable = round === 0 ? directives : directives.filter((d) => d.iterate || d.sourceType !== searchedType);
    const added: RawResource[] = [];
    const results = await Promise.all(applicable.map((d) => (d.reverse ? revIncludeOf(db, d, frontier) : includeOf(db, d, frontier))));
    for (const found of results) {
      for (const r of found) {
        const key = `${r.resourceType}/${r.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        added.push(r);
      }
    }
    if (out.length + added.length > MAX_INCLUDED) {
      throw badRequest(`Trop de ressources incluses (plus de ${MAX_INCLUDED}) : réduire _count ou les _include`, '_include');
    }
    out.push(...added);
    frontier = added;
  }
  return out;
}

type ResourceKey = { resourceType: string; id: string };
type StoredRow = { res_type: string; id: string; json: string };
const rawResources = (rows: StoredRow[]) => rows.map((r) => new RawResource(r.res_type, r.id, r.json));

async function includeOf(db: Queryable, d: IncludeDirective, from: ResourceKey[]): Promise<RawResource[]> {
  const ids = from.filter((r) => r.resourceType === d.sourceType).map((r) => r.id);
  if (ids.length === 0) return [];
  const res = await db.query<StoredRow>(
    `SELECT r.res_type, r.id, ${resourceJsonSql('r')} AS json FROM resource r
      WHERE NOT r.deleted AND (r.res_type, r.id) IN (
        SELECT s.target_type, s.target_id FROM sp_reference s
         WHERE s.res_type = $1 AND s.code = $2 AND s.id = ANY($3::text[])${d.targetType ? ' AND s.target_type = $4' : ''})
      ORDER BY r.res_type, r.id`,
    d.targetType ? [d.sourceType, d.def.code, ids, d.targetType] : [d.sourceType, d.def.code, ids],
  );
  return rawResources(res.rows);
}

async function revIncludeOf(db: Queryable, d: IncludeDirective, from: ResourceKey[]): Promise<RawResource[]> {
  const byType = new Map<string, string[]>();
  for (const r of from) {
    if (!d.def.targets?.includes(r.resourceType) || (d.targetType && d.targetType !== r.resourceType)) continue;
    byType.set(r.resourceType, [...(byType.get(r.resourceType) ?? []), r.id]);
  }
  const out: RawResource[] = [];
  for (const [type, ids] of byType) {
    const res = await db.query<StoredRow>(
      `SELECT r.res_type, r.id, ${resourceJsonSql('r')} AS json FROM resource r
        WHERE r.res_type = $1 AND NOT r.deleted AND r.id IN (
          SELECT s.id FROM sp_reference s WHERE s.res_type = $1 AND s.code = $2 AND s.target_type = $3 AND s.target_id = ANY($4::text[]))
        ORDER BY r.id`,
      [d.sourceType, d.def.code, type, ids],
    );
    out.push(...rawResources(res.rows));
  }
  return out;
}

/** Opaque paging cursor: the sort keys and id of the last entry of the page (base64url JSON). */
function encodeCursor(keys: unknown[], lastId: string): string {
  const k = keys.map((v) => (v instanceof Date ? v.toISOString() : v));
  return Buffer.from(JSON.stringify(k.length ? { k, id: lastId } : { id: lastId }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, sort: readonly SortKey[]): { keys: unknown[]; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown; id?: unknown };
    const keys = Array.isArray(v.k) ? v.k : [];
    // Each key must fit its sort key's SQL type: a forged cursor, or a next link replayed with another _sort, is a 400.
    const fits = (x: unknown, i: number) => {
      if (x === null) return true;
      switch (sortKeyType(sort[i]!)) {
        case 'text':
          return typeof x === 'string';
        case 'timestamptz':
          return typeof x === 'string' && /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(x) && !Number.isNaN(Date.parse(x));
        default:
          return typeof x === 'number' && Number.isFinite(x);
      }
    };
    if (typeof v.id === 'string' && keys.length === sort.length && keys.every(fits)) {
      return { keys, id: v.id };
    }
  } catch {
    /* reported below */
  }
  throw badRequest('Curseur de pagination invalide : utiliser le lien next tel quel (avec le même _sort)', '_cursor');
}

function toQuery(params: [string, string][]): string {
  if (params.length === 0) return '';
  return `?${params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

