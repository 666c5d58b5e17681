import type { Queryable } from '../db/db.ts';
import { resourceJsonSql } from '../fhir/raw-json.ts';
import type { Resource } from '../fhir/types.ts';

/** A stored version of a resource: content is null for a deletion. */
export interface StoredVersion {
  resourceType: string;
  id: string;
  versionId: number;
  seq: number;
  lastUpdated: string;
  deleted: boolean;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  content: Resource | null;
}

export interface CurrentRow {
  versionId: number;
  deleted: boolean;
  content: Resource | null;
  lastUpdated: string;
}

/** One resource whose derived rows must be refreshed; `resource` is null when it was deleted. */
export interface IndexItem {
  resourceType: string;
  id: string;
  resource: Resource | null;
  /** First version of the resource: it has no derived rows yet, so there is nothing to delete. */
  isNew?: boolean;
  /** The object the writer passed in (same content but meta), as given to `Indexer.prepare`. */
  source?: Resource;
  /**
   * Content of the version being replaced, when the writer read it (updates, patches): an indexer may then
   * rewrite only the tables whose rows change (a capacity patch changes a few numbers and dates, not the
   * tokens, strings and references of the place). Absent: every derived row is rewritten.
   */
  previous?: Resource;
}

/**
 * Maintains derived rows (identifiers, references, search indexes) of the current versions of resources,
 * in the same statement as the write. Takes a batch (a single write passes one item) and answers SQL: the
 * data-modifying CTEs that drop the rows of previous versions and insert the new ones, so that a whole batch
 * of writes is one or two statements whatever the number of indexers (each statement is a round trip to
 * PostgreSQL and costs ~150 µs on PGlite whatever its size).
 */
export interface Indexer {
  /**
   * CTEs (`name AS (…)`, names starting with `prefix`) deleting the rows of the items that had a previous
   * version, and inserting the rows of the new ones. The deletes run in a statement before the inserts' (an
   * insert in the same statement would still see the rows being deleted and trip unique indexes): their
   * parameters are appended to `params.deletes`, the inserts' to `params.inserts` ($n placeholders).
   */
  plan(items: readonly IndexItem[], params: { deletes: unknown[]; inserts: unknown[] }, prefix: string): { deletes: string[]; inserts: string[] };
  /**
   * Optional: derive the rows of a resource about to be written, before the transaction opens, so CPU work
   * overlaps another batch's database work; the indexer then finds them through `IndexItem.source`.
   */
  prepare?: (resource: Resource, id: string) => void;
}

/** Runs indexers on a batch outside a write (reindexing): their deletes, then their inserts. */
export async function runIndexers(tx: Queryable, indexers: readonly Indexer[], items: readonly IndexItem[]): Promise<void> {
  const params = { deletes: [] as unknown[], inserts: [] as unknown[] };
  const deletes: string[] = [];
  const inserts: string[] = [];
  indexers.forEach((ix, n) => {
    const p = ix.plan(items, params, `x${n}_`);
    deletes.push(...p.deletes);
    inserts.push(...p.inserts);
  });
  if (deletes.length > 0) await tx.query(`WITH ${deletes.join(',\n')} SELECT 1`, params.deletes);
  if (inserts.length > 0) await tx.query(`WITH ${inserts.join(',\n')} SELECT 1`, params.inserts);
}

/** Resource types whose business identifiers are unique (migration 0080). */
export const UNIQUE_IDENTIFIER_TYPES: ReadonlySet<string> = new Set(['HealthcareService', 'Location', 'Practitioner', 'PractitionerRole']);
/** SQLSTATE of a unique violation (resource_identifier_unique, when two writes race past the check). */
export const UNIQUE_VIOLATION = '23505';

/** SQLSTATE raised by ror_assert (migration 0050) when a referenced resource is missing. */
export const ASSERTION_FAILED = 'RORRF';

const TS = `to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const tsSql = (col: string) => TS.replace('%s', col);

/** Stands for meta.lastUpdated in the JSON text of a content until SQL overlays the clock (same length as the timestamp). */
const TS_PLACEHOLDER = '0000-00-00T00:00:00.000Z';
/** Separates the content texts of a batch in one parameter: JSON text never holds a raw control character. */
const RECORD_SEPARATOR = '\u001e';
const RECORD_SEPARATOR_RE = /\u001e/;

/**
 * SQL predicate: row `alias` is one of these resources. One `res_type = … AND id = ANY(…)` per type, which
 * the (res_type, id, …) indexes serve; a join on jsonb_to_recordset (estimated at 100 rows) was planned as a
 * hash join over a sequential scan of the whole table. Appends its parameters to `params`.
 */
export function keyPredicate(alias: string, keys: readonly { resourceType: string; id: string }[], params: unknown[]): string {
  const byType = new Map<string, Set<string>>();
  for (const k of keys) {
    let ids = byType.get(k.resourceType);
    if (!ids) byType.set(k.resourceType, (ids = new Set()));
    ids.add(k.id);
  }
  const parts = [...byType.keys()].sort().map((t) => {
    const tp = params.push(t);
    const ip = params.push([...byType.get(t)!]);
    return `(${alias}.res_type = $${tp} AND ${alias}.id = ANY($${ip}::text[]))`;
  });
  return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

/**
 * The database side of the directory: versioned resource rows. It trusts its input (validation happened
 * at the edge) and is only ever called inside a transaction of the write path.
 */
export const resourceStore = {
  /** Locks and returns the current rows of many resources at once (key `Type/id`), for batch writes. */
  async lockCurrentBatch(tx: Queryable, keys: readonly { resourceType: string; id: string }[]): Promise<Map<string, CurrentRow>> {
    const out = new Map<string, CurrentRow>();
    if (keys.length === 0) return out;
    const params: unknown[] = [];
    const r = await tx.query<{ res_type: string; id: string; version_id: number; deleted: boolean; content: Resource | null; lu: string }>(
      `SELECT r.res_type, r.id, r.version_id, r.deleted, r.content, ${tsSql('r.last_updated')} AS lu
         FROM resource r WHERE ${keyPredicate('r', keys, params)} FOR UPDATE OF r`,
      params,
    );
    for (const row of r.rows) {
      out.set(`${row.res_type}/${row.id}`, { versionId: row.version_id, deleted: row.deleted, content: row.content, lastUpdated: row.lu });
    }
    return out;
  },

  /**
   * Writes new versions of many resources with set-based SQL inside the caller's transaction: the derived
   * rows of previous versions are deleted in one statement, then the current rows, the history and the
   * derived rows of the new versions are written in one more. Keys must be distinct within a batch.
   */
  async writeVersions(tx: Queryable, args: WriteArgs): Promise<StoredVersion[]> {
    if (args.items.length === 0) return [];
    const w = buildWrite(args);
    if (w.deletes) await tx.query(w.deletes.sql, w.deletes.params);
    return w.finish((await tx.query<{ n: number; seq: number; ts: string }>(w.sql, w.params)).rows);
  },

  /**
   * First versions of new resources, written by a single statement with no transaction around it (one round
   * trip): the same statement checks that every resource in `references` exists and is not deleted, locking
   * them against a concurrent delete, and aborts whole with SQLSTATE `ASSERTION_FAILED` if one is missing.
   */
  async createNew(db: Queryable, args: WriteArgs & { references: readonly { resourceType: string; id: string }[] }): Promise<StoredVersion[]> {
    if (args.items.length === 0) return [];
    if (args.items.some((i) => i.versionId !== 1 || !i.resource)) throw new Error('createNew: first versions of resources only');
    const w = buildWrite(args, args.references);
    if (w.deletes) throw new Error('createNew: first versions have no derived rows to delete');
    return w.finish((await db.query<{ n: number; seq: number; ts: string }>(w.sql, w.params)).rows);
  },

  async readCurrent(db: Queryable, resourceType: string, id: string): Promise<CurrentRow | null> {
    const r = await db.query<{ version_id: number; deleted: boolean; content: Resource | null; lu: string }>(
      `SELECT version_id, deleted, content, ${tsSql('last_updated')} AS lu FROM resource WHERE res_type = $1 AND id = $2`,
      [resourceType, id],
    );
    const row = r.rows[0];
    return row ? { versionId: row.version_id, deleted: row.deleted, content: present(row.content), lastUpdated: row.lu } : null;
  },

  async readVersion(db: Queryable, resourceType: string, id: string, versionId: number): Promise<StoredVersion | null> {
    const r = await db.query<VersionRow>(`${VERSION_SELECT} WHERE res_type = $1 AND id = $2 AND version_id = $3`, [
      resourceType,
      id,
      versionId,
    ]);
    return r.rows[0] ? toVersion(r.rows[0]) : null;
  },

  /**
   * The stored JSON text of given versions of one type (`resourceType` first, as search pages send it), in id
   * order; a version that does not exist is left out.
   */
  async versionTexts(db: Queryable, resourceType: string, keys: readonly { id: string; versionId: number }[]): Promise<{ id: string; json: string }[]> {
    if (keys.length === 0) return [];
    const r = await db.query<{ id: string; json: string }>(
      `SELECT v.id, ${resourceJsonSql('v')} AS json FROM resource_version v
         JOIN unnest($2::text[], $3::int[]) AS k(id, version_id) ON v.id = k.id AND v.version_id = k.version_id
        WHERE v.res_type = $1 AND v.content IS NOT NULL ORDER BY v.id`,
      [resourceType, keys.map((k) => k.id), keys.map((k) => k.versionId)],
    );
    return r.rows;
  },

  /**
   * Versions newest first, keyset-paged on the change sequence: `beforeSeq` is the cursor of the next page.
   * Filters: one resource, one type, or the whole server; `since` is inclusive.
   */
  async history(
    db: Queryable,
    q: { resourceType?: string; id?: string; since?: string; at?: { lo: string; hi: string }; beforeSeq?: number; limit: number },
  ): Promise<{ versions: StoredVersion[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.resourceType) where.push(`res_type = $${params.push(q.resourceType)}`);
    if (q.id) where.push(`id = $${params.push(q.id)}`);
    if (q.since) where.push(`last_updated >= $${params.push(q.since)}::timestamptz`);
    if (q.at) {
      // `_at`: the versions current at some point of [lo, hi): written before hi, and not replaced by lo.
      where.push(`last_updated < $${params.push(q.at.hi)}::timestamptz`);
      where.push(
        `NOT EXISTS (SELECT 1 FROM resource_version nv WHERE nv.res_type = resource_version.res_type AND nv.id = resource_version.id AND nv.version_id = resource_version.version_id + 1 AND nv.last_updated <= $${params.push(q.at.lo)}::timestamptz)`,
      );
    }
    const countWhere = where.length ? `WHERE ${where.join(' AND ')}` : '';
    if (q.beforeSeq !== undefined) where.push(`seq < $${params.push(q.beforeSeq)}`);
    const pageWhere = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const countParams = params.slice(0, q.beforeSeq !== undefined ? params.length - 1 : params.length);
    const [page, count] = await Promise.all([
      db.query<VersionRow>(`${VERSION_SELECT} ${pageWhere} ORDER BY seq DESC LIMIT ${Math.max(0, Math.floor(q.limit))}`, params),
      db.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM resource_version ${countWhere}`, countParams),
    ]);
    return { versions: page.rows.map(toVersion), total: count.rows[0]?.n ?? 0 };
  },

  /** Current resources of a type holding an identifier (value, optionally restricted to a system); at most 101. */
  async findByIdentifier(db: Queryable, resourceType: string, value: string, system?: string): Promise<string[]> {
    const r = await db.query<{ id: string }>(
      system === undefined
        ? 'SELECT DISTINCT id FROM resource_identifier WHERE res_type = $1 AND value = $2 LIMIT 101'
        : 'SELECT DISTINCT id FROM resource_identifier WHERE res_type = $1 AND value = $2 AND system IS NOT DISTINCT FROM $3 LIMIT 101',
      system === undefined ? [resourceType, value] : [resourceType, value, system === '' ? null : system],
    );
    return r.rows.map((x) => x.id);
  },

  /** Which of these references point to existing, non-deleted resources (locked against concurrent delete). */
  async existing(tx: Queryable, refs: { resourceType: string; id: string }[]): Promise<Set<string>> {
    if (refs.length === 0) return new Set();
    const params: unknown[] = [];
    const r = await tx.query<{ res_type: string; id: string }>(
      `SELECT r.res_type, r.id FROM resource r WHERE ${keyPredicate('r', refs, params)} AND NOT r.deleted FOR KEY SHARE OF r`,
      params,
    );
    return new Set(r.rows.map((x) => `${x.res_type}/${x.id}`));
  },

  /**
   * Holders of business identifiers among current resources: for each item (index `n`), the other resources of
   * its type holding the same system and value. Only types in UNIQUE_IDENTIFIER_TYPES are asked about.
   */
  async identifierHolders(db: Queryable, items: readonly { n: number; resourceType: string; id: string; system: string | null; value: string }[]): Promise<{ n: number; id: string }[]> {
    if (items.length === 0) return [];
    const r = await db.query<{ n: number; id: string }>(
      `SELECT x.n, ri.id FROM jsonb_to_recordset($1::jsonb) AS x(n int, t text, i text, s text, v text)
         JOIN resource_identifier ri ON ri.res_type = x.t AND ri.value = x.v AND coalesce(ri.system, '') = coalesce(x.s, '') AND ri.id <> x.i`,
      [JSON.stringify(items.map((i) => ({ n: i.n, t: i.resourceType, i: i.id, s: i.system, v: i.value })))],
    );
    return r.rows;
  },

  /** Current resources that reference the given one (blocks deletion). */
  async referrers(db: Queryable, resourceType: string, id: string, limit = 5): Promise<string[]> {
    const r = await db.query<{ res_type: string; id: string }>(
      `SELECT DISTINCT res_type, id FROM resource_reference WHERE target_type = $1 AND target_id = $2 LIMIT ${limit}`,
      [resourceType, id],
    );
    return r.rows.map((x) => `${x.res_type}/${x.id}`);
  },
};

interface WriteArgs {
  actor: string;
  items: readonly { resourceType: string; id: string; versionId: number; method: StoredVersion['method']; resource: Resource | null; actor?: string; previous?: Resource | null }[];
  indexers: readonly Indexer[];
}

/**
 * The SQL of a batch write: an optional statement deleting derived rows of previous versions, then one
 * statement writing the current rows, the history and the indexers' rows, optionally asserting that a set of
 * referenced resources exists (locked FOR KEY SHARE). `finish` turns the stamps it returns into versions.
 */
function buildWrite(
  args: WriteArgs,
  references?: readonly { resourceType: string; id: string }[],
): { deletes?: { sql: string; params: unknown[] }; sql: string; params: unknown[]; finish(rows: { n: number; seq: number; ts: string }[]): StoredVersion[] } {
  // Contents get meta.versionId here, meta.lastUpdated and seq from the database in the same statement: the
  // JSON text of each content carries a placeholder of the timestamp's length at a known offset, which SQL
  // overlays with the clock (cheaper than jsonb_set on every row), and the texts travel as one parameter.
  const contents = args.items.map((item) => {
    if (!item.resource) return null;
    const { meta } = item.resource;
    const { versionId: _v, lastUpdated: _l, ...otherMeta } = meta ?? {};
    return {
      resourceType: item.resourceType,
      id: item.id,
      meta: { versionId: String(item.versionId), lastUpdated: TS_PLACEHOLDER, ...otherMeta },
      ...stripKeys(item.resource, ['resourceType', 'id', 'meta']),
    } as Resource;
  });
  const texts: string[] = [];
  const rows = JSON.stringify(
    args.items.map((item, k) => {
      const content = contents[k];
      let p = 0;
      if (content) {
        const text = JSON.stringify(content);
        // Offset (1-based) of the placeholder: right after the fixed prefix of resourceType, id and versionId.
        p = text.indexOf(TS_PLACEHOLDER) + 1;
        if (RECORD_SEPARATOR_RE.test(text) || p <= 0) throw new Error(`writeVersions: unexpected content text for ${item.resourceType}/${item.id}`);
        texts.push(text);
      } else texts.push('');
      return { n: k, t: item.resourceType, i: item.id, v: item.versionId, m: item.method, a: item.actor ?? args.actor, p };
    }),
  );
  // Index rows are derived from the contents as stored; meta.lastUpdated is only known to SQL (no parameter
  // is indexed on it), and meta.versionId is already final.
  const items: IndexItem[] = args.items.map((item, k) => ({
    resourceType: item.resourceType,
    id: item.id,
    resource: contents[k] ?? null,
    isNew: item.versionId === 1,
    ...(item.resource ? { source: item.resource } : {}),
    ...(item.previous ? { previous: item.previous } : {}),
  }));
  const params: unknown[] = [rows, texts.join(RECORD_SEPARATOR)];
  const deleteParams: unknown[] = [];
  const deletes: string[] = [];
  const inserts: string[] = [];
  args.indexers.forEach((ix, n) => {
    const p = ix.plan(items, { deletes: deleteParams, inserts: params }, `x${n}_`);
    deletes.push(...p.deletes);
    inserts.push(...p.inserts);
  });
  let guard = '';
  const refs = references ? dedupeKeys(references) : [];
  if (refs.length > 0) {
    const pred = keyPredicate('r', refs, params);
    const expected = params.push(refs.length);
    inserts.unshift(
      `refs AS (SELECT count(*) AS n FROM (SELECT 1 FROM resource r WHERE ${pred} AND NOT r.deleted FOR KEY SHARE OF r) s)`,
    );
    guard = `WHERE ror_assert((SELECT n FROM refs) = $${expected}, 'reference-not-found')`;
  }
  const sql = `WITH now AS (SELECT ${tsSql('clock_timestamp()')} AS ts),
       c AS (SELECT c.n - 1 AS n, c.c FROM string_to_table($2::text, E'\\x1e') WITH ORDINALITY AS c(c, n)),
       ${inserts.map((i) => `${i},\n`).join('')}x AS (
         SELECT x.n, x.t, x.i, x.v, x.m, x.a, nextval('resource_seq') AS seq, now.ts,
                CASE WHEN x.p = 0 THEN NULL ELSE overlay(c.c PLACING now.ts FROM x.p FOR ${TS_PLACEHOLDER.length})::jsonb END AS c
           FROM jsonb_to_recordset($1::jsonb) AS x(n int, t text, i text, v int, m text, a text, p int) LEFT JOIN c ON c.n = x.n, now
          ${guard}
          ORDER BY x.n
       ),
       cur AS (
         INSERT INTO resource (res_type, id, version_id, seq, last_updated, deleted, content)
         SELECT t, i, v, seq, ts::timestamptz, c IS NULL, c FROM x
         ON CONFLICT (res_type, id) DO UPDATE
           SET version_id = EXCLUDED.version_id, seq = EXCLUDED.seq, last_updated = EXCLUDED.last_updated,
               deleted = EXCLUDED.deleted, content = EXCLUDED.content
       ),
       h AS (
         INSERT INTO resource_version (res_type, id, version_id, seq, last_updated, method, actor, content)
         SELECT t, i, v, seq, ts::timestamptz, m, a, c FROM x
       )
       SELECT n, seq, ts FROM x ORDER BY n`;
  return {
    ...(deletes.length > 0 ? { deletes: { sql: `WITH ${deletes.join(',\n')} SELECT 1`, params: deleteParams } } : {}),
    sql,
    params,
    finish(stamped) {
      return args.items.map((item, k) => {
        const { seq, ts } = stamped[k]!;
        const content = contents[k] ?? null;
        if (content) content.meta!.lastUpdated = ts;
        return { resourceType: item.resourceType, id: item.id, versionId: item.versionId, seq, lastUpdated: ts, deleted: content === null, method: item.method, content };
      });
    },
  };
}

/** Distinct `Type/id` keys, in first-seen order. */
export function dedupeKeys<T extends { resourceType: string; id: string }>(keys: readonly T[]): { resourceType: string; id: string }[] {
  const seen = new Map<string, { resourceType: string; id: string }>();
  for (const k of keys) seen.set(`${k.resourceType}/${k.id}`, { resourceType: k.resourceType, id: k.id });
  return [...seen.values()];
}

type VersionRow = {
  res_type: string;
  id: string;
  version_id: number;
  seq: number;
  lu: string;
  method: StoredVersion['method'];
  content: Resource | null;
};
const VERSION_SELECT = `SELECT res_type, id, version_id, seq, ${tsSql('last_updated')} AS lu, method, content FROM resource_version`;

function toVersion(r: VersionRow): StoredVersion {
  return {
    resourceType: r.res_type,
    id: r.id,
    versionId: r.version_id,
    seq: r.seq,
    lastUpdated: r.lu,
    deleted: r.content === null,
    method: r.method,
    content: present(r.content),
  };
}

/** jsonb does not keep key order: put resourceType, id and meta first again, as FHIR JSON is read. */
export function present(r: Resource | null): Resource | null {
  if (!r) return r;
  const { resourceType, id, meta, ...rest } = r;
  return { resourceType, ...(id !== undefined ? { id } : {}), ...(meta !== undefined ? { meta } : {}), ...rest };
}

function stripKeys(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!keys.includes(k)) out[k] = v;
  return out;
}

/** Indexer of business identifiers and literal references, needed by the core itself. */
export const coreIndexer: Indexer = {
  plan(items, params, prefix) {
    const deletes: string[] = [];
    const inserts: string[] = [];
    if (items.length === 0) return { deletes, inserts };
    const identifiers: { rt: string; id: string; s: string | null; v: string; t: string | null }[] = [];
    const refs: { rt: string; id: string; p: string; t: string; i: string }[] = [];
    // A new version with the same identifiers and references as the one it replaces keeps its rows.
    const same = (item: IndexItem) =>
      !!item.resource &&
      !!item.previous &&
      JSON.stringify(extractIdentifiers(item.resource)) === JSON.stringify(extractIdentifiers(item.previous)) &&
      JSON.stringify(extractReferences(item.resource)) === JSON.stringify(extractReferences(item.previous));
    const changed = items.filter((x) => !same(x));
    const old = changed.filter((x) => !x.isNew);
    for (const item of changed) {
      if (!item.resource) continue;
      // The same identifier twice in one resource is one row (business identifiers are unique per type).
      const seen = new Set<string>();
      for (const i of extractIdentifiers(item.resource)) {
        const key = `${i.s ?? ''}|${i.v}`;
        if (seen.has(key)) continue;
        seen.add(key);
        identifiers.push({ rt: item.resourceType, id: item.id, ...i });
      }
      for (const r of extractReferences(item.resource)) refs.push({ rt: item.resourceType, id: item.id, p: r.path, t: r.resourceType, i: r.id });
    }
    if (old.length > 0) {
      const where = keyPredicate('d', old, params.deletes);
      deletes.push(`${prefix}d1 AS (DELETE FROM resource_identifier d WHERE ${where})`, `${prefix}d2 AS (DELETE FROM resource_reference d WHERE ${where})`);
    }
    if (identifiers.length > 0) {
      const k = params.inserts.push(JSON.stringify(identifiers));
      inserts.push(
        `${prefix}i1 AS (INSERT INTO resource_identifier (res_type, id, system, value, type_code)
          SELECT x.rt, x.id, x.s, x.v, x.t FROM jsonb_to_recordset($${k}::jsonb) AS x(rt text, id text, s text, v text, t text))`,
      );
    }
    if (refs.length > 0) {
      const k = params.inserts.push(JSON.stringify(refs));
      inserts.push(
        `${prefix}i2 AS (INSERT INTO resource_reference (res_type, id, path, target_type, target_id)
          SELECT x.rt, x.id, x.p, x.t, x.i FROM jsonb_to_recordset($${k}::jsonb) AS x(rt text, id text, p text, t text, i text))`,
      );
    }
    return { deletes, inserts };
  },
};

export function extractIdentifiers(resource: Resource): { s: string | null; v: string; t: string | null }[] {
  const ids = resource.identifier;
  const list = Array.isArray(ids) ? ids : ids && typeof ids === 'object' ? [ids] : [];
  const out: { s: string | null; v: string; t: string | null }[] = [];
  for (const i of list as { system?: string; value?: string; type?: { coding?: { code?: string }[] } }[]) {
    if (i && typeof i.value === 'string') out.push({ s: i.system ?? null, v: i.value, t: i.type?.coding?.[0]?.code ?? null });
  }
  return out;
}

/**
 * Every literal relative reference `Type/id` in the resource, with the element path it sits at
 * (`path` without indexes, as indexed; `expression` with them, as reported in errors).
 */
export function extractReferences(resource: Resource): { path: string; expression: string; resourceType: string; id: string }[] {
  const out: { path: string; expression: string; resourceType: string; id: string }[] = [];
  const walk = (node: unknown, path: string, expression: string) => {
    if (!node || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if (typeof obj.reference === 'string') {
      const m = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(obj.reference);
      if (m) out.push({ path, expression, resourceType: m[1]!, id: m[2]! });
    }
    for (const [k, v] of Object.entries(obj)) {
      if (k === 'reference' || v === null || typeof v !== 'object') continue;
      if (Array.isArray(v)) v.forEach((item, i) => walk(item, `${path}.${k}`, `${expression}.${k}[${i}]`));
      else walk(v, `${path}.${k}`, `${expression}.${k}`);
    }
  };
  walk(resource, resource.resourceType, resource.resourceType);
  return out;
}
