import { createHash } from 'node:crypto';
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';
import type { Queryable } from '../db/db.ts';
import { keyPredicate, runIndexers, type Indexer, type IndexItem } from '../directory/resource.store.ts';
import type { Resource } from '../fhir/types.ts';
import { paramsOf, SEARCH_PARAMETERS, type SearchGroup, type SearchParamDef } from './search-parameters.ts';
import { communeCentroid } from './geo.ts';
import { compileDirect } from './fhirpath-direct.ts';
import { withExtensionShortcut } from '../fhir/fhirpath-shortcut.ts';

export { withExtensionShortcut };
import { dateInterval, groupTokenKeys, normalizeText, POSTAL_PREFIX_CODE, POSTAL_PREFIX_LENGTHS, POSTAL_PREFIX_SYSTEM } from './search.values.ts';

/**
 * Write-time search indexing: evaluates the FHIRPath expression of every search parameter of the resource's
 * type (fhirpath.js, compiled once) and rewrites the resource's rows of the sp_* tables, in the caller's
 * transaction. Set-based: one DELETE per table for the whole batch, one INSERT per table.
 */

type Compiled = (resource: unknown) => unknown[];

interface TypePlan {
  /** Parameters evaluated on the resource. */
  plain: { def: SearchParamDef; fn: Compiled; guard: Guard }[];
  /** Correlated groups: context evaluated on the resource, parameters on each instance. */
  groups: { group: SearchGroup; fn: Compiled; guard: Guard; params: { def: SearchParamDef; fn: Compiled; guard: Guard }[] }[];
}

/**
 * What a resource must contain for an expression to yield anything: its first element, and every
 * `url='…'` it filters on. Checking this on the resource (and its JSON text) is much cheaper than running
 * fhirpath.js, and most parameters of a type do not apply to a given resource. Only built for expressions
 * without unions or `or`, where the requirement is certain; otherwise the expression always runs.
 */
interface Guard {
  element?: string;
  urls: string[];
}

function guardOf(expression: string, resourceType: string): Guard {
  if (/\||\bor\b|\biif\b|\bnot\(|\bempty\(|\bexists\(|\$this|%/.test(expression)) return { urls: [] };
  const first = new RegExp(`^${resourceType}\\.([a-zA-Z]+)\\b`).exec(expression.trim())?.[1];
  const urls = [...expression.matchAll(/url\s*=\s*'([^']+)'/g)].map((m) => m[1]!);
  return { ...(first ? { element: first } : {}), urls };
}

function passes(guard: Guard, resource: Resource, text: () => string, enabled = true): boolean {
  if (!enabled) return true;
  if (guard.element && !(guard.element in resource) && !Object.keys(resource).some((k) => k.startsWith(guard.element!) || k === `_${guard.element}`)) {
    return false;
  }
  if (guard.urls.length === 0) return true;
  const json = text();
  return guard.urls.every((u) => json.includes(`"${u}"`));
}

const plans = new Map<string, TypePlan>();

/** fhirpath.js for every expression (`ROR_FHIRPATH=engine`), instead of direct navigation where it applies. */
const ENGINE_ONLY = process.env.ROR_FHIRPATH === 'engine';

function compile(expression: string, base?: string): Compiled {
  const e = withExtensionShortcut(expression);
  const direct = ENGINE_ONLY ? null : compileDirect(e, base);
  if (direct) return direct;
  return compileEngine(e, base);
}

/** The expression through fhirpath.js (exported for the tests comparing it with direct navigation). */
export function compileEngine(expression: string, base?: string): Compiled {
  const fn = fhirpath.compile(base ? { base, expression } : expression, r4model) as (r: unknown) => unknown[];
  return (r) => fn(r);
}

function planFor(resourceType: string): TypePlan {
  let plan = plans.get(resourceType);
  if (plan) return plan;
  plan = { plain: [], groups: [] };
  for (const def of paramsOf(resourceType).values()) {
    if (!def.expression) continue;
    if (!def.group) {
      plan.plain.push({ def, fn: compile(def.expression), guard: guardOf(def.expression, resourceType) });
      continue;
    }
    let g = plan.groups.find((x) => x.group.code === def.group!.code);
    if (!g) plan.groups.push((g = { group: def.group, fn: compile(def.group.context), guard: guardOf(def.group.context, resourceType), params: [] }));
    g.params.push({ def, fn: compile(def.expression, 'Extension'), guard: guardOf(def.expression, 'Extension') });
  }
  plans.set(resourceType, plan);
  return plan;
}

export interface IndexRows {
  group: { rt: string; id: string; gc: string; g: number; tk: string[]; nm: Record<string, number[]> | null }[];
  token: { rt: string; id: string; c: string; g: number; s: string | null; v: string | null; t: string | null; ts: string | null; tc: string | null }[];
  string: { rt: string; id: string; c: string; g: number; n: string; r: string }[];
  date: { rt: string; id: string; c: string; g: number; lo: string | null; hi: string | null }[];
  number: { rt: string; id: string; c: string; g: number; v: number; s: string | null; u: string | null }[];
  reference: { rt: string; id: string; c: string; g: number; tt: string; ti: string }[];
  geo: { rt: string; id: string; c: string; g: number; lat: number; lon: number }[];
}

/** The index rows of one resource (pure; exported for unit tests). */
export function indexRowsOf(resource: Resource, id: string, rows: IndexRows = emptyRows(), opts: { guards?: boolean } = {}): IndexRows {
  const rt = resource.resourceType;
  const plan = planFor(rt);
  const geoBefore = rows.geo.length;
  let json: string | undefined;
  const text = () => (json ??= JSON.stringify(resource));
  for (const { def, fn, guard } of plan.plain) if (passes(guard, resource, text, opts.guards !== false)) addValues(rows, rt, id, def, 0, fn(resource));
  if (rt === 'Location' && rows.geo.length === geoBefore) {
    // No position: the Location sits at the centroid of its commune (ror-commune-cog), for near searches.
    const cog = rows.token.find((x) => x.id === id && x.rt === rt && x.c === 'commune-cog' && x.v)?.v;
    const c = cog ? communeCentroid(cog) : undefined;
    if (c) rows.geo.push({ rt, id, c: 'near', g: 0, lat: c.lat, lon: c.lon });
  }
  for (const g of plan.groups) {
    if (!passes(g.guard, resource, text, opts.guards !== false)) continue;
    const instances = g.fn(resource);
    instances.forEach((instance, i) => {
      const start = rows.token.length;
      const startNumbers = rows.number.length;
      let instanceJson: string | undefined;
      const instanceText = () => (instanceJson ??= JSON.stringify(instance));
      for (const { def, fn, guard } of g.params) {
        if (passes(guard, instance as Resource, instanceText, opts.guards !== false)) addValues(rows, rt, id, def, i + 1, fn(instance));
      }
      let nm: Record<string, number[]> | null = null;
      for (const n of rows.number.slice(startNumbers)) ((nm ??= {})[n.c] ??= []).push(n.v);
      if (nm) for (const values of Object.values(nm)) values.sort((a, b) => a - b);
      rows.group.push({ rt, id, gc: g.group.code, g: i + 1, tk: rows.token.slice(start).flatMap((t) => (t.v === null ? [] : groupTokenKeys(t.c, t.s, t.v))), nm });
    });
  }
  return rows;
}

export function emptyRows(): IndexRows {
  return { group: [], token: [], string: [], date: [], number: [], reference: [], geo: [] };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function addValues(rows: IndexRows, rt: string, id: string, def: SearchParamDef, g: number, values: unknown[]): void {
  const c = def.code;
  for (const v of values) {
    switch (def.type) {
      case 'token':
        for (const t of tokensOf(v)) rows.token.push({ rt, id, c, g, ...t });
        break;
      case 'string':
        for (const s of stringsOf(v)) {
          const n = normalizeText(s);
          rows.string.push({ rt, id, c, g, n, r: s });
          if (c === 'address-postalcode') {
            for (const len of POSTAL_PREFIX_LENGTHS) {
              if (n.length >= len) rows.token.push({ rt, id, c: POSTAL_PREFIX_CODE, g, s: POSTAL_PREFIX_SYSTEM, v: n.slice(0, len), t: null, ts: null, tc: null });
            }
          }
        }
        break;
      case 'date': {
        const d = intervalOf(v);
        if (d) rows.date.push({ rt, id, c, g, ...d });
        break;
      }
      case 'number':
      case 'quantity': {
        const q = quantityOf(v);
        if (q) rows.number.push({ rt, id, c, g, ...q });
        break;
      }
      case 'reference': {
        const ref = isObj(v) ? str(v.reference) : null;
        const m = ref ? /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/.*)?$/.exec(ref) : null;
        if (m) rows.reference.push({ rt, id, c, g, tt: m[1]!, ti: m[2]! });
        // A reference by business identifier (`focus.identifier`, as the IG's Task example): for `:identifier`.
        if (isObj(v) && isObj(v.identifier)) for (const t of tokensOf(v.identifier)) rows.token.push({ rt, id, c: `${c}:identifier`, g, ...t });
        break;
      }
      case 'special':
        if (c === 'near' && isObj(v) && typeof v.latitude === 'number' && typeof v.longitude === 'number') {
          if (Math.abs(v.latitude) <= 90 && Math.abs(v.longitude) <= 180) rows.geo.push({ rt, id, c, g, lat: v.latitude, lon: v.longitude });
        }
        break;
      default:
        break;
    }
  }
}

type Tok = { s: string | null; v: string | null; t: string | null; ts: string | null; tc: string | null };

function tokensOf(v: unknown): Tok[] {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return [{ s: null, v: String(v), t: null, ts: null, tc: null }];
  if (!isObj(v)) return [];
  const fold = (x: unknown) => (typeof x === 'string' ? normalizeText(x) : null);
  if (Array.isArray(v.coding) || typeof v.text === 'string') {
    // CodeableConcept: one token per coding; the concept text is searchable with :text.
    const codings = (Array.isArray(v.coding) ? v.coding : []).filter(isObj);
    const out: Tok[] = codings.map((cd) => ({ s: str(cd.system), v: str(cd.code), t: fold(cd.display) ?? fold(v.text), ts: null, tc: null }));
    if (typeof v.text === 'string') out.push({ s: null, v: null, t: fold(v.text), ts: null, tc: null });
    return out;
  }
  if ('code' in v) return [{ s: str(v.system), v: str(v.code), t: fold(v.display), ts: null, tc: null }];
  if ('value' in v && typeof v.value === 'string') {
    // Identifier (or ContactPoint): one row per identifier type coding, for :of-type.
    const type = isObj(v.type) && Array.isArray(v.type.coding) ? v.type.coding.filter(isObj) : [];
    const base = { s: str(v.system), v: v.value, t: isObj(v.type) ? fold(v.type.text) : null };
    if (type.length === 0) return [{ ...base, ts: null, tc: null }];
    return type.map((cd) => ({ ...base, ts: str(cd.system), tc: str(cd.code) }));
  }
  return [];
}

function stringsOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (!isObj(v)) return [];
  // HumanName, Address: every string part.
  const out: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (k === 'use' || k === 'type' || k === 'extension') continue;
    if (typeof x === 'string') out.push(x);
    else if (Array.isArray(x)) for (const y of x) if (typeof y === 'string') out.push(y);
  }
  return out;
}

function intervalOf(v: unknown): { lo: string | null; hi: string | null } | null {
  if (typeof v === 'string') {
    const d = dateInterval(v);
    return d ? { lo: d.lo.toISOString(), hi: d.hi.toISOString() } : null;
  }
  if (isObj(v) && ('start' in v || 'end' in v)) {
    const s = typeof v.start === 'string' ? dateInterval(v.start) : null;
    const e = typeof v.end === 'string' ? dateInterval(v.end) : null;
    if (!s && !e) return null;
    return { lo: s ? s.lo.toISOString() : null, hi: e ? e.hi.toISOString() : null };
  }
  return null;
}

function quantityOf(v: unknown): { v: number; s: string | null; u: string | null } | null {
  if (typeof v === 'number' && Number.isFinite(v)) return { v, s: null, u: null };
  if (isObj(v) && typeof v.value === 'number') return { v: v.value, s: str(v.system), u: str(v.code) ?? str(v.unit) };
  return null;
}

/** The sp_* table of each kind of index row. */
const TABLE_OF: Record<keyof IndexRows, string> = {
  group: 'sp_group',
  token: 'sp_token',
  string: 'sp_string',
  date: 'sp_date',
  number: 'sp_number',
  reference: 'sp_reference',
  geo: 'sp_geo',
};

/**
 * The search indexer wired into the directory's write path: data-modifying CTEs that the write statement
 * carries (see Indexer), one DELETE per table for the items that had a previous version, one INSERT per
 * table of the new rows.
 */
export const searchIndexer: Indexer = {
  plan(items, params, prefix) {
    const deletes: string[] = [];
    const inserts: string[] = [];
    if (items.length === 0) return { deletes, inserts };
    // Per table, the items whose rows change: all of them, except a new version read against the one it
    // replaces (IndexItem.previous), whose unchanged tables are left alone.
    const rows = emptyRows();
    const changedIn = new Map<keyof IndexRows, IndexItem[]>(INSERTS.map(([key]) => [key, []]));
    for (const item of items) {
      const mine = item.resource ? rowsOfItem(item) : emptyRows();
      const before = item.previous && item.resource ? indexRowsOf(item.previous, item.id) : undefined;
      for (const [key] of INSERTS) {
        if (before && JSON.stringify(before[key]) === JSON.stringify(mine[key])) continue;
        changedIn.get(key)!.push(item);
        (rows[key] as unknown[]).push(...mine[key]);
      }
    }
    INSERTS.forEach(([key, sql], n) => {
      const old = changedIn.get(key)!.filter((x) => !x.isNew);
      if (old.length > 0) deletes.push(`${prefix}d${n} AS (DELETE FROM ${TABLE_OF[key]} d WHERE ${keyPredicate('d', old, params.deletes)})`);
      if (rows[key].length === 0) return;
      const k = params.inserts.push(JSON.stringify(rows[key]));
      inserts.push(`${prefix}i${n} AS (${sql.replace('$1', `$${k}`)})`);
    });
    return { deletes, inserts };
  },
  prepare(resource, id) {
    prepared.set(resource, { id, rows: indexRowsOf(resource, id) });
  },
};

/** The rows of one item: derived ahead (Indexer.prepare) when they were, else now. */
function rowsOfItem(item: IndexItem): IndexRows {
  const ready = item.source ? prepared.get(item.source) : undefined;
  return ready && ready.id === item.id ? ready.rows : indexRowsOf(item.resource!, item.id);
}

/** Rows derived before the write transaction (see Indexer.prepare), by the writer's resource object. */
const prepared = new WeakMap<Resource, { id: string; rows: IndexRows }>();


const INSERTS: [keyof IndexRows, string][] = [
  ['group', `INSERT INTO sp_group (res_type, id, grp_code, grp, toks, nums) SELECT rt, id, gc, g, tk, nm FROM jsonb_to_recordset($1::jsonb) AS x(rt text, id text, gc text, g int, tk text[], nm jsonb)`],
  [
    'token',
    `INSERT INTO sp_token (res_type, id, code, grp, system, value, text_norm, type_system, type_code)
     SELECT rt, id, c, g, s, v, t, ts, tc FROM jsonb_to_recordset($1::jsonb) AS x(rt text, id text, c text, g int, s text, v text, t text, ts text, tc text)`,
  ],
  ['string', `INSERT INTO sp_string (res_type, id, code, grp, norm, raw) SELECT rt, id, c, g, n, r FROM jsonb_to_recordset($1::jsonb) AS x(rt text, id text, c text, g int, n text, r text)`],
  [
    'date',
    `INSERT INTO sp_date (res_type, id, code, grp, lo, hi) SELECT rt, id, c, g, lo::timestamptz, hi::timestamptz FROM jsonb_to_recordset($1::jsonb) AS x(rt text, id text, c text, g int, lo text, hi text)`,
  ],
  [
    'number',
    `INSERT INTO sp_number (res_type, id, code, grp, value, system, unit) SELECT rt, id, c, g, v, s, u FROM jsonb_to_recordset($1::jsonb) AS x(rt text, id text, c text, g int, v numeric, s text, u text)`,
  ],
  [
    'reference',
    `INSERT INTO sp_reference (res_type, id, code, grp, target_type, target_id) SELECT rt, id, c, g, tt, ti FROM jsonb_to_recordset($1::jsonb) AS x(rt text, id text, c text, g int, tt text, ti text)`,
  ],
  [
    'geo',
    `INSERT INTO sp_geo (res_type, id, code, grp, lat, lon) SELECT rt, id, c, g, lat, lon FROM jsonb_to_recordset($1::jsonb) AS x(rt text, id text, c text, g int, lat float8, lon float8)`,
  ],
];

/** Bump when the indexing code changes in a way the definitions do not show (value extraction, tables). */
const INDEXER_VERSION = 3;

/** A digest of what the index is built from: the definitions of the indexed parameters and the indexer version (aliases reading another parameter's rows index nothing of their own). */
export function indexFingerprint(): string {
  const defs = SEARCH_PARAMETERS.filter((d) => d.expression).map((d) => [d.base, d.code, d.type, d.expression ?? '', d.group?.context ?? '', d.indexedAs ?? '']);
  return createHash('sha256').update(JSON.stringify([INDEXER_VERSION, defs])).digest('hex').slice(0, 32);
}

/** Advisory lock key of the search index rebuild (migrations: 727274, terminology: 727275). */
const REBUILD_LOCK = 727276;

/**
 * Called at start-up after migrations: when the definitions changed since the index was built (or it never
 * was, e.g. resources written before the search index existed), rebuilds it, in batches of `batchSize`
 * resources. Each batch is a transaction under an advisory lock that reads and advances the rebuild's cursor
 * (sp_index_state.target, after_type, after_id): instances starting together share the batches, one cut short
 * resumes where it stopped, and the fingerprint is recorded with the last batch. Returns the resources this
 * call reindexed; `progress` hears the running total after each batch.
 */
export async function ensureSearchIndex(
  db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> } & Queryable,
  opts: { batchSize?: number; progress?: (done: number) => void } = {},
): Promise<number> {
  const fingerprint = indexFingerprint();
  const batchSize = opts.batchSize ?? 500;
  const state = await db.query<{ fingerprint: string }>(`SELECT fingerprint FROM sp_index_state WHERE name = 'search'`);
  if (state.rows[0]?.fingerprint === fingerprint) return 0;
  let done = 0;
  for (;;) {
    const batch = await db.transaction(async (tx): Promise<{ count: number; finished: boolean }> => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [REBUILD_LOCK]);
      const { rows } = await tx.query<{ fingerprint: string; target: string | null; after_type: string | null; after_id: string | null }>(
        `SELECT fingerprint, target, after_type, after_id FROM sp_index_state WHERE name = 'search'`,
      );
      const st = rows[0];
      if (st?.fingerprint === fingerprint) return { count: 0, finished: true }; // another instance finished it
      // A rebuild toward other definitions (an instance of another version) starts over.
      const after = st?.target === fingerprint ? { t: st.after_type ?? '', i: st.after_id ?? '' } : { t: '', i: '' };
      const page = await tx.query<{ res_type: string; id: string; content: Resource | null }>(
        `SELECT res_type, id, content FROM resource WHERE (res_type, id) > ($1, $2) AND NOT deleted ORDER BY res_type, id LIMIT ${batchSize}`,
        [after.t, after.i],
      );
      if (page.rows.length > 0) {
        await runIndexers(tx, [searchIndexer], page.rows.map((r) => ({ resourceType: r.res_type, id: r.id, resource: r.content })));
      }
      const last = page.rows[page.rows.length - 1];
      const finished = page.rows.length < batchSize;
      await tx.query(
        `INSERT INTO sp_index_state (name, fingerprint, target, after_type, after_id) VALUES ('search', $1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, target = EXCLUDED.target, after_type = EXCLUDED.after_type,
           after_id = EXCLUDED.after_id, indexed_at = now()`,
        finished ? [fingerprint, null, null, null] : [st?.fingerprint ?? '', fingerprint, last!.res_type, last!.id],
      );
      return { count: page.rows.length, finished };
    });
    done += batch.count;
    if (batch.count > 0) opts.progress?.(done);
    if (batch.finished) return done;
  }
}
