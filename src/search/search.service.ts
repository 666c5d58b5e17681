import type { Queryable } from '../db/db.ts';
import { present } from '../directory/resource.store.ts';
import { badRequest, issue } from '../fhir/outcome.ts';
import type { Bundle, BundleEntry, Resource } from '../fhir/types.ts';
import { paramsOf, SD, SEARCH_PARAMETERS } from './search-parameters.ts';
import { communeCentroid, greatCircleKm } from './geo.ts';
import { parseSearch, type CriteriaSet, type FilterExpr, type IncludeDirective, type ParsedSearch } from './search.parse.ts';
import { compileCriteria, findNear, nearDistanceSql, sortKeySql, SqlParams } from './search.sql.ts';

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
  return [...paramsOf(resourceType).values()].map((d) => ({
    name: d.code,
    type: d.type,
    definition: d.url,
    ...(d.deviation || d.documentation ? { documentation: d.deviation ?? d.documentation } : {}),
  }));
}

/** Result parameters accepted on every search, for rest.searchParam of the CapabilityStatement. */
export const RESULT_PARAMETERS: { name: string; type: string; documentation: string }[] = [
  { name: '_count', type: 'number', documentation: 'Taille de page, 200 par défaut et au plus (RG_RECH_52)' },
  { name: '_sort', type: 'special', documentation: 'Clés séparées par des virgules, - pour décroissant ; paramètres string, token, date, number, quantity, chaînés (organization.x), _id, _lastUpdated, near' },
  { name: '_include', type: 'special', documentation: 'Type:paramètre[:TypeCible] ou * (toutes les références du type recherché), :iterate accepté' },
  { name: '_revinclude', type: 'special', documentation: 'Type:paramètre[:TypeCible] ou * (toutes les références vers le type recherché), :iterate accepté' },
  { name: '_summary', type: 'token', documentation: 'count : le nombre de résultats seul (total), sans entrées ; data : sans la narration (text) ; false : ressources complètes' },
  { name: '_elements', type: 'special', documentation: 'Éléments de premier niveau à renvoyer pour les résultats (match), séparés par des virgules ; ressources marquées SUBSETTED' },
  { name: '_format', type: 'token', documentation: 'json, application/json ou application/fhir+json (seul JSON est servi ; autre valeur : 406)' },
  { name: '_total', type: 'token', documentation: 'none, estimate ou accurate (défaut : total sur la première page)' },
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
}

export function compileSearch(req: SearchRequest): CompiledSearch {
  const lenient = /handling\s*=\s*lenient/i.test(req.headers?.prefer ?? '');
  const parsed = parseSearch(req.resourceType, req.params, lenient);
  const p = new SqlParams();
  const preds = [`r.res_type = ${p.add(req.resourceType)}`, 'NOT r.deleted', ...compileCriteria(parsed.root, 'r', p)];
  // One plain criterion: the matches are counted in the index table alone (its rows exist only for live
  // resources), without joining each one to the resource table.
  const indexed = singleCriterionIds(parsed, preds);
  const countSql = indexed ? `SELECT count(*)::int8 AS n FROM (SELECT DISTINCT ${indexed.t}.id ${indexed.rest} AND ${indexed.t}.res_type = $1) m` : `SELECT count(*)::int8 AS n FROM resource r WHERE ${preds.join(' AND ')}`;
  const countParams = [...p.values];
  const cursor = parsed.cursor !== undefined ? decodeCursor(parsed.cursor, parsed.sort.length) : undefined;
  const near = findNear(parsed.root);
  const pageSql = buildPageSql(req.resourceType, parsed, preds, p, cursor, near);
  return { parsed, pageSql, params: p.values, countSql, countParams, cursor, near };
}

export async function search(db: Queryable, req: SearchRequest): Promise<Bundle> {
  const { parsed, pageSql, params, countSql, countParams, cursor, near } = compileSearch(req);
  await checkValueSets(db, parsed);
  const wantTotal = cursor === undefined && parsed.totalMode !== 'none';
  const page = parsed.count > 0 ? await db.query<PageRow>(pageSql, params) : { rows: [] as PageRow[] };
  const rows = page.rows.slice(0, parsed.count);
  // The total is the page itself when the first page is not full; otherwise it needs a count.
  const complete = parsed.count > 0 && page.rows.length <= parsed.count;
  const counted = !wantTotal ? undefined : complete ? { n: rows.length, estimated: false } : await countMatches(db, parsed.totalMode === 'accurate' ? 'accurate' : 'estimate', countSql, countParams);
  const total = counted?.n;
  if (counted?.estimated) {
    parsed.notes.push({ name: '_total', reason: `: total estimé (plus de ${COUNT_CAP} résultats) ; _total=accurate pour un décompte exact` });
  }

  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset' };
  if (total !== undefined) bundle.total = total;
  const path = `${req.baseUrl}/${req.resourceType}`;
  bundle.link = [{ relation: 'self', url: `${path}${toQuery(cursor !== undefined ? [...parsed.used, ['_cursor', parsed.cursor!]] : parsed.used)}` }];
  if (page.rows.length > parsed.count && rows.length > 0) {
    const last = rows[rows.length - 1]!;
    const keys = parsed.sort.map((_, i) => last[`k${i}`] ?? null);
    bundle.link.push({ relation: 'next', url: `${path}${toQuery([...parsed.used, ['_cursor', encodeCursor(keys, last.id)]])}` });
  }
  const entries: BundleEntry[] = rows.map((r) => {
    const e = entry(req.baseUrl, subset(r.content, parsed), 'match');
    if (near && typeof r.dist === 'number') e.search!.extension = [distanceExtension(r.dist)];
    return e;
  });
  if (rows.length > 0 && parsed.includes.length > 0) {
    const included = await runIncludes(db, req.resourceType, rows.map((r) => r.content), parsed.includes);
    for (const r of included) {
      const e = entry(req.baseUrl, r, 'include');
      // A proximity search chained through location (`location.near…`): the included places carry their own
      // distance, as in the IG's example response (specifications_techniques_3, scenario 6).
      if (near?.link && r.resourceType === 'Location') {
        const km = locationDistanceKm(r, near);
        if (km !== undefined) e.search!.extension = [distanceExtension(km)];
      }
      entries.push(e);
    }
  }
  if (parsed.ignored.length > 0 || parsed.notes.length > 0) entries.push(ignoredOutcome(parsed));
  bundle.entry = entries;
  return bundle;
}

/** Above this many matches, the default total (and `_total=estimate`) is the planner's estimate. */
export const COUNT_CAP = 1000;

/**
 * The total of a first page that is full. `accurate`: `count(*)`. Otherwise the matches are counted up to
 * COUNT_CAP + 1 (`LIMIT` inside the count, so a broad query stops early): exact when there are at most
 * COUNT_CAP; above, the planner's row estimate of the match query, at least COUNT_CAP + 1 (FHIR lets the server
 * estimate unless the client asks `_total=accurate`; the bundle then says so in its outcome entry).
 */
export async function countMatches(db: Queryable, mode: 'accurate' | 'estimate', countSql: string, params: unknown[], cap = COUNT_CAP): Promise<{ n: number; estimated: boolean }> {
  if (mode === 'accurate') return { n: (await db.query<{ n: number }>(countSql, params)).rows[0]?.n ?? 0, estimated: false };
  const matchSql = countSql.replace(/^SELECT count\(\*\)::int8 AS n FROM /, 'SELECT 1 FROM ');
  const capped = (await db.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM (${matchSql} LIMIT ${cap + 1}) capped`, params)).rows[0]?.n ?? 0;
  if (capped <= cap) return { n: capped, estimated: false };
  const plan = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${matchSql}`, params);
  const raw = plan.rows[0]?.['QUERY PLAN'];
  const json = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan?: { 'Plan Rows'?: number } }[];
  const estimate = Math.round(json[0]?.Plan?.['Plan Rows'] ?? 0);
  return { n: Math.max(cap + 1, estimate), estimated: true };
}

type PageRow = { id: string; content: Resource; dist?: number | null } & Record<string, unknown>;

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
    if (ordered) return `SELECT r.id, r.content${dist} FROM resource r WHERE ${ordered} ORDER BY r.id LIMIT ${limit}`;
    const after = cursor ? ` AND r.id > ${p.add(cursor.id)}` : '';
    return `SELECT r.id, r.content${dist} FROM resource r WHERE ${preds.join(' AND ')}${after} ORDER BY r.id LIMIT ${limit}`;
  }
  const keys = parsed.sort.map((k) => ({ ...sortKeySql(resourceType, k, 'r', p, near), desc: k.desc }));
  const inner = `SELECT r.id, r.content${dist}${keys.map((k, i) => `, ${k.sql} AS k${i}`).join('')} FROM resource r WHERE ${preds.join(' AND ')}`;
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
  return `SELECT q.* FROM (${inner}) q${where} ORDER BY ${order} LIMIT ${limit}`;
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

const LOCATION_DISTANCE = 'http://hl7.org/fhir/StructureDefinition/location-distance';

function distanceExtension(km: number): { url: string; valueDistance: Record<string, unknown> } {
  return { url: LOCATION_DISTANCE, valueDistance: { value: Math.round(km * 1000) / 1000, unit: 'km', system: 'http://unitsofmeasure.org', code: 'km' } };
}

function entry(baseUrl: string, resource: Resource, mode: 'match' | 'include'): BundleEntry {
  return { fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}`, resource: present(resource)!, search: { mode } };
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

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'Resource encoded in summary mode' };

/** `_elements` (listed top-level elements, plus resourceType, id, meta) and `_summary=data` (no narrative) on a match. */
function subset(r: Resource, parsed: ParsedSearch): Resource {
  if (!parsed.elements && !parsed.summaryData) return r;
  const keep = parsed.elements ? new Set(['resourceType', 'id', 'meta', ...parsed.elements]) : undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (keep ? keep.has(k) || keep.has(`${k.replace(/[A-Z].*$/, '')}[x]`) : k !== 'text') out[k] = v;
  }
  const meta = (out.meta ?? {}) as { tag?: unknown[] };
  out.meta = { ...meta, tag: [...(meta.tag ?? []), SUBSETTED] };
  return out as Resource;
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
async function runIncludes(db: Queryable, searchedType: string, matches: Resource[], directives: IncludeDirective[]): Promise<Resource[]> {
  const seen = new Set(matches.map((r) => `${r.resourceType}/${r.id}`));
  const out: Resource[] = [];
  let frontier = matches;
  for (let round = 0; frontier.length > 0 && round < 10; round++) {
    const applicable = round === 0 ? directives : directives.filter((d) => d.iterate || d.sourceType !== searchedType);
    const added: Resource[] = [];
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

async function includeOf(db: Queryable, d: IncludeDirective, from: Resource[]): Promise<Resource[]> {
  const ids = from.filter((r) => r.resourceType === d.sourceType).map((r) => r.id!);
  if (ids.length === 0) return [];
  const res = await db.query<{ content: Resource }>(
    `SELECT r.content FROM resource r
      WHERE NOT r.deleted AND (r.res_type, r.id) IN (
        SELECT s.target_type, s.target_id FROM sp_reference s
         WHERE s.res_type = $1 AND s.code = $2 AND s.id = ANY($3::text[])${d.targetType ? ' AND s.target_type = $4' : ''})
      ORDER BY r.res_type, r.id`,
    d.targetType ? [d.sourceType, d.def.code, ids, d.targetType] : [d.sourceType, d.def.code, ids],
  );
  return res.rows.map((r) => r.content);
}

async function revIncludeOf(db: Queryable, d: IncludeDirective, from: Resource[]): Promise<Resource[]> {
  const byType = new Map<string, string[]>();
  for (const r of from) {
    if (!d.def.targets?.includes(r.resourceType) || (d.targetType && d.targetType !== r.resourceType)) continue;
    byType.set(r.resourceType, [...(byType.get(r.resourceType) ?? []), r.id!]);
  }
  const out: Resource[] = [];
  for (const [type, ids] of byType) {
    const res = await db.query<{ content: Resource }>(
      `SELECT r.content FROM resource r
        WHERE r.res_type = $1 AND NOT r.deleted AND r.id IN (
          SELECT s.id FROM sp_reference s WHERE s.res_type = $1 AND s.code = $2 AND s.target_type = $3 AND s.target_id = ANY($4::text[]))
        ORDER BY r.id`,
      [d.sourceType, d.def.code, type, ids],
    );
    out.push(...res.rows.map((r) => r.content));
  }
  return out;
}

/** Opaque paging cursor: the sort keys and id of the last entry of the page (base64url JSON). */
function encodeCursor(keys: unknown[], lastId: string): string {
  const k = keys.map((v) => (v instanceof Date ? v.toISOString() : v));
  return Buffer.from(JSON.stringify(k.length ? { k, id: lastId } : { id: lastId }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, nKeys: number): { keys: unknown[]; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown; id?: unknown };
    const keys = Array.isArray(v.k) ? v.k : [];
    if (typeof v.id === 'string' && keys.length === nKeys && keys.every((x) => x === null || typeof x === 'string' || typeof x === 'number')) {
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

