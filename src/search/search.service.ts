import type { Queryable } from '../db/db.ts';
import { badRequest, issue, OutcomeError } from '../fhir/outcome.ts';
import type { Bundle, Resource } from '../fhir/types.ts';
import { present } from '../directory/resource.store.ts';

/**
 * FHIR search over the current versions. This first version supports `_id`, `identifier`, `_lastUpdated`,
 * `_count` and cursor paging; the full IG search engine replaces it behind the same functions.
 */

export interface SearchRequest {
  resourceType: string;
  /** Query parameters in order, repeated names kept. */
  params: [string, string][];
  /** FHIR base URL used for fullUrl and links, e.g. http://host:8080/fhir */
  baseUrl: string;
}

export interface SearchParamInfo {
  name: string;
  type: 'token' | 'string' | 'date' | 'number' | 'quantity' | 'reference' | 'special' | 'uri' | 'composite';
  definition?: string;
  documentation?: string;
}

const COMMON: SearchParamInfo[] = [
  { name: '_id', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id' },
  { name: '_lastUpdated', type: 'date', definition: 'http://hl7.org/fhir/SearchParameter/Resource-lastUpdated' },
  { name: 'identifier', type: 'token', documentation: 'Identifiant métier (system|value, |value ou value)' },
];

export function searchParamsFor(_resourceType: string): SearchParamInfo[] {
  return COMMON;
}

const DEFAULT_COUNT = 200;
const MAX_COUNT = 200;
const RESULT_PARAMS = new Set(['_count', '_cursor', '_format', '_pretty', '_total']);

export async function search(db: Queryable, req: SearchRequest): Promise<Bundle> {
  const where: string[] = ['r.res_type = $1', 'NOT r.deleted'];
  const params: unknown[] = [req.resourceType];
  let count = DEFAULT_COUNT;
  let cursor: { lu: string; seq: number } | undefined;
  for (const [name, value] of req.params) {
    if (name === '_count') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw badRequest(`_count doit être un entier positif (reçu « ${value} »)`, '_count');
      count = Math.min(n, MAX_COUNT);
    } else if (name === '_cursor') {
      const m = /^(\d+)$/.exec(value);
      if (!m) throw badRequest('Curseur de pagination invalide', '_cursor');
      cursor = { lu: '', seq: Number(m[1]) };
    } else if (RESULT_PARAMS.has(name)) {
      continue;
    } else if (name === '_id') {
      where.push(`r.id = ANY($${params.push(value.split(','))}::text[])`);
    } else if (name === 'identifier') {
      const ors = value.split(',').map((v) => {
        const bar = v.indexOf('|');
        if (bar < 0) return `(i.value = $${params.push(v)})`;
        const system = v.slice(0, bar);
        const code = v.slice(bar + 1);
        if (system === '') return `(i.system IS NULL AND i.value = $${params.push(code)})`;
        if (code === '') return `(i.system = $${params.push(system)})`;
        return `(i.system = $${params.push(system)} AND i.value = $${params.push(code)})`;
      });
      where.push(`EXISTS (SELECT 1 FROM resource_identifier i WHERE i.res_type = r.res_type AND i.id = r.id AND (${ors.join(' OR ')}))`);
    } else if (name === '_lastUpdated') {
      const m = /^(eq|ne|gt|lt|ge|le|sa|eb)?(\d{4}(-\d{2}(-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?)?)?)$/.exec(value);
      if (!m) throw badRequest(`Valeur de date invalide pour _lastUpdated : « ${value} »`, '_lastUpdated');
      const [lo, hi] = dateRange(m[2]!);
      const p = m[1] ?? 'eq';
      const lop = `$${params.push(lo)}::timestamptz`;
      const hip = `$${params.push(hi)}::timestamptz`;
      const sql: Record<string, string> = {
        eq: `r.last_updated >= ${lop} AND r.last_updated < ${hip}`,
        ne: `(r.last_updated < ${lop} OR r.last_updated >= ${hip})`,
        gt: `r.last_updated >= ${hip}`,
        sa: `r.last_updated >= ${hip}`,
        lt: `r.last_updated < ${lop}`,
        eb: `r.last_updated < ${lop}`,
        ge: `r.last_updated >= ${lop}`,
        le: `r.last_updated < ${hip}`,
      };
      where.push(sql[p]!);
    } else {
      throw new OutcomeError(400, [issue('not-supported', `Paramètre de recherche inconnu pour ${req.resourceType} : « ${name} »`, { expression: name })]);
    }
  }
  const countSql = `SELECT count(*)::int8 AS n FROM resource r WHERE ${where.join(' AND ')}`;
  const countParams = [...params];
  if (cursor) where.push(`r.seq > $${params.push(cursor.seq)}`);
  const pageSql = `SELECT r.seq, r.content FROM resource r WHERE ${where.join(' AND ')} ORDER BY r.seq LIMIT ${count + 1}`;
  const [page, total] = await Promise.all([
    db.query<{ seq: number; content: Resource }>(pageSql, params),
    cursor ? Promise.resolve(undefined) : db.query<{ n: number }>(countSql, countParams),
  ]);
  const rows = page.rows.slice(0, count);
  const self = `${req.baseUrl}/${req.resourceType}${toQuery(req.params)}`;
  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset' };
  if (total) bundle.total = total.rows[0]?.n ?? 0;
  bundle.link = [{ relation: 'self', url: self }];
  if (page.rows.length > count && rows.length > 0) {
    const next = req.params.filter(([k]) => k !== '_cursor');
    next.push(['_cursor', String(rows[rows.length - 1]!.seq)]);
    bundle.link.push({ relation: 'next', url: `${req.baseUrl}/${req.resourceType}${toQuery(next)}` });
  }
  bundle.entry = rows.map((r) => ({
    fullUrl: `${req.baseUrl}/${req.resourceType}/${r.content.id}`,
    resource: present(r.content)!,
    search: { mode: 'match' },
  }));
  return bundle;
}

function toQuery(params: [string, string][]): string {
  if (params.length === 0) return '';
  return `?${params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

/** A partial date as a half-open UTC range [lo, hi). */
function dateRange(v: string): [string, string] {
  if (/T/.test(v)) {
    const d = new Date(/Z|[+-]\d{2}:\d{2}$/.test(v) ? v : `${v}Z`);
    const secondsGiven = /T\d{2}:\d{2}:\d{2}/.test(v);
    const step = secondsGiven ? (/\.\d+/.test(v) ? 1 : 1000) : 60000;
    return [d.toISOString(), new Date(d.getTime() + step).toISOString()];
  }
  const [y, m, d] = v.split('-').map(Number) as [number, number?, number?];
  const lo = new Date(Date.UTC(y, (m ?? 1) - 1, d ?? 1));
  const hi = d !== undefined ? new Date(Date.UTC(y, m! - 1, d + 1)) : m !== undefined ? new Date(Date.UTC(y, m, 1)) : new Date(Date.UTC(y + 1, 0, 1));
  return [lo.toISOString(), hi.toISOString()];
}
