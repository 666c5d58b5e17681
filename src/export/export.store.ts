/**
 * SQL of bulk exports: jobs (`export_job`) and their snapshots (`export_item`, migration 0120).
 *
 * A job's snapshot is taken by set-based statements that read the directory's current versions (`resource`) and
 * references (`resource_reference`) straight into `export_item`, in one REPEATABLE READ transaction: every row
 * is the version current at one instant, whatever is written meanwhile, and a national export (hundreds of
 * thousands of ids) never travels through JavaScript. The contents are read later, per file, through the
 * directory (Directory.versionTexts).
 */
import type { Db, Queryable } from '../db/db.ts';
import { matchingIdsSql } from '../search/search.service.ts';
import type { ExportParams } from './export.params.ts';

export type ExportStatus = 'accepted' | 'in-progress' | 'completed' | 'failed';

export interface ExportJob {
  id: string;
  status: ExportStatus;
  request: string;
  params: ExportParams;
  createdAt: string;
  transactionTime: string | null;
  finishedAt: string | null;
  error: string | null;
}

/** A runner that has not shown it is alive for this long has died: another instance takes its job again. */
export const STALE_AFTER_SECONDS = 120;
/** Completed and failed jobs, with their files, are kept this long (the manifest's `Expires`). */
export const KEEP_HOURS = 24;

const ts = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const JOB_COLUMNS = `id, status, request, params, ${ts('created_at')} AS created_at, ${ts('transaction_time')} AS transaction_time, ${ts('finished_at')} AS finished_at, error`;

interface JobRow {
  id: string;
  status: ExportStatus;
  request: string;
  params: ExportParams | string;
  created_at: string;
  transaction_time: string | null;
  finished_at: string | null;
  error: string | null;
}

function toJob(r: JobRow): ExportJob {
  return {
    id: r.id,
    status: r.status,
    request: r.request,
    params: typeof r.params === 'string' ? (JSON.parse(r.params) as ExportParams) : r.params,
    createdAt: r.created_at,
    transactionTime: r.transaction_time,
    finishedAt: r.finished_at,
    error: r.error,
  };
}

export const exportStore = {
  async insert(db: Queryable, id: string, request: string, params: ExportParams): Promise<void> {
    await db.query(`INSERT INTO export_job (id, status, request, params) VALUES ($1, 'accepted', $2, $3::jsonb)`, [id, request, JSON.stringify(params)]);
  },

  async get(db: Queryable, id: string): Promise<ExportJob | null> {
    const r = await db.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM export_job WHERE id = $1`, [id]);
    return r.rows[0] ? toJob(r.rows[0]) : null;
  },

  /** Deletes a job and its snapshot (a client's DELETE on the status URL, or expiry). */
  async remove(db: Queryable, id: string): Promise<boolean> {
    const r = await db.query<{ id: string }>('DELETE FROM export_job WHERE id = $1 RETURNING id', [id]);
    return r.rows.length > 0;
  },

  /** Forgets the jobs that ended more than KEEP_HOURS ago. */
  async expire(db: Queryable): Promise<void> {
    await db.query(`DELETE FROM export_job WHERE finished_at < now() - interval '${KEEP_HOURS} hours'`);
  },

  /**
   * Takes the oldest job waiting, or one whose runner stopped showing it was alive, for `worker`; null when
   * there is none. Two instances never take the same job (row lock, SKIP LOCKED).
   */
  async claim(db: Queryable, worker: string): Promise<ExportJob | null> {
    const r = await db.query<JobRow>(
      `UPDATE export_job SET status = 'in-progress', worker = $1, heartbeat = now()
        WHERE id = (SELECT id FROM export_job
                     WHERE status = 'accepted' OR (status = 'in-progress' AND heartbeat < now() - interval '${STALE_AFTER_SECONDS} seconds')
                     ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING ${JOB_COLUMNS}`,
      [worker],
    );
    return r.rows[0] ? toJob(r.rows[0]) : null;
  },

  /**
   * Takes the snapshot of a job and marks it completed, in one REPEATABLE READ transaction (a crash leaves the
   * job in progress with no rows; it is taken again once stale). `transaction_time` is the transaction's start,
   * the instant every exported version was current at.
   */
  async snapshot(db: Db, job: ExportJob): Promise<void> {
    await db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      // A job cancelled (deleted) meanwhile has nothing left to complete.
      const alive = await tx.query<{ id: string }>(`SELECT id FROM export_job WHERE id = $1 AND status = 'in-progress' FOR UPDATE`, [job.id]);
      if (alive.rows.length === 0) return;
      await tx.query('DELETE FROM export_item WHERE job_id = $1', [job.id]);
      const { types, since, typeFilters, associated } = job.params;
      for (const type of types) await selectType(tx, job.id, type, since, typeFilters[type]);
      if (associated && types.includes('HealthcareService')) await selectAssociated(tx, job.id);
      await tx.query(`UPDATE export_job SET status = 'completed', transaction_time = now(), finished_at = clock_timestamp(), heartbeat = NULL WHERE id = $1`, [job.id]);
    });
  },

  async fail(db: Queryable, id: string, message: string): Promise<void> {
    await db.query(`UPDATE export_job SET status = 'failed', error = $2, finished_at = now(), heartbeat = NULL WHERE id = $1 AND status = 'in-progress'`, [id, message]);
  },

  /** Resources per type in a completed job's snapshot, present ones or deleted ones. */
  async counts(db: Queryable, id: string, deleted = false): Promise<Map<string, number>> {
    const r = await db.query<{ res_type: string; n: string | number }>('SELECT res_type, count(*) AS n FROM export_item WHERE job_id = $1 AND deleted = $2 GROUP BY res_type', [id, deleted]);
    return new Map(r.rows.map((x) => [x.res_type, Number(x.n)]));
  },

  /**
   * The first id of a file: files split each type's snapshot, in id order, every `size` resources; file `part`
   * starts at the (part × size)-th id. Null past the end.
   */
  async partStart(db: Queryable, id: string, type: string, part: number, size: number, deleted = false): Promise<string | null> {
    const r = await db.query<{ id: string }>('SELECT id FROM export_item WHERE job_id = $1 AND res_type = $2 AND deleted = $4 ORDER BY id OFFSET $3 LIMIT 1', [id, type, part * size, deleted]);
    return r.rows[0]?.id ?? null;
  },

  /** Up to `limit` snapshot rows of a type from `from` (inclusive) on, in id order (present ones, or deleted ones). */
  async items(db: Queryable, id: string, type: string, from: string, limit: number, deleted = false): Promise<{ id: string; versionId: number }[]> {
    const r = await db.query<{ id: string; version_id: number }>(
      'SELECT id, version_id FROM export_item WHERE job_id = $1 AND res_type = $2 AND deleted = $5 AND id >= $3 ORDER BY id LIMIT $4',
      [id, type, from, limit, deleted],
    );
    return r.rows.map((x) => ({ id: x.id, versionId: x.version_id }));
  },
};

/** The current versions of one type (changed after `since`; matching one of the filters when there are some). */
async function selectType(tx: Queryable, jobId: string, type: string, since: string | undefined, filters: [string, string][][] | undefined): Promise<void> {
  const matches = (filters ?? []).map((f) => matchingIdsSql(type, f));
  // Each filter's parameters are renumbered after the statement's own ($1 job, $2 type, $3 since).
  const params: unknown[] = [jobId, type, since ?? null];
  const subqueries = matches.map((m) => {
    const offset = params.length;
    params.push(...m.params);
    return m.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
  });
  const filter = subqueries.length > 0 ? ` AND r.id IN (${subqueries.join(' UNION ')})` : '';
  await tx.query(
    `INSERT INTO export_item (job_id, res_type, id, version_id)
     SELECT $1, r.res_type, r.id, r.version_id FROM resource r
      WHERE r.res_type = $2 AND NOT r.deleted AND ($3::timestamptz IS NULL OR r.last_updated > $3::timestamptz)${filter}
     ON CONFLICT DO NOTHING`,
    params,
  );
  // With _since, what was deleted since then (a deleted resource no longer matches any _typeFilter: all are listed).
  if (since) {
    await tx.query(
      `INSERT INTO export_item (job_id, res_type, id, version_id, deleted)
       SELECT $1, r.res_type, r.id, r.version_id, true FROM resource r WHERE r.res_type = $2 AND r.deleted AND r.last_updated > $3::timestamptz
       ON CONFLICT DO NOTHING`,
      [jobId, type, since],
    );
  }
}

/**
 * `includeAssociatedData=_myCompleteExtract`: with the exported offers, the complete related set a consumer
 * needs to use them (the synchronous dump's include tail, digest §4 UC2): the organisations providing them and
 * every organisation above those (partOf), their places, the practitioner roles attached to them and those roles'
 * practitioners — whatever their own last update (with `_since`, the set of a changed offer comes whole).
 */
async function selectAssociated(tx: Queryable, jobId: string): Promise<void> {
  const insertCurrent = (type: string, ids: string) =>
    tx.query(
      `INSERT INTO export_item (job_id, res_type, id, version_id)
       SELECT $1, r.res_type, r.id, r.version_id FROM resource r WHERE r.res_type = '${type}' AND NOT r.deleted AND r.id IN (${ids})
       ON CONFLICT DO NOTHING`,
      [jobId],
    );
  const offers = `SELECT e.id FROM export_item e WHERE e.job_id = $1 AND e.res_type = 'HealthcareService'`;
  const targets = (from: string, sources: string, path: string, to: string) =>
    `SELECT x.target_id FROM resource_reference x WHERE x.res_type = '${from}' AND x.path = '${path}' AND x.target_type = '${to}' AND x.id IN (${sources})`;
  await insertCurrent(
    'Organization',
    `WITH RECURSIVE up(id) AS (${targets('HealthcareService', offers, 'HealthcareService.providedBy', 'Organization')}
       UNION SELECT p.target_id FROM resource_reference p JOIN up ON p.id = up.id
        WHERE p.res_type = 'Organization' AND p.path = 'Organization.partOf' AND p.target_type = 'Organization')
     SELECT id FROM up`,
  );
  await insertCurrent('Location', targets('HealthcareService', offers, 'HealthcareService.location', 'Location'));
  await insertCurrent(
    'PractitionerRole',
    `SELECT x.id FROM resource_reference x WHERE x.res_type = 'PractitionerRole' AND x.path = 'PractitionerRole.healthcareService' AND x.target_type = 'HealthcareService' AND x.target_id IN (${offers})`,
  );
  const roles = `SELECT e.id FROM export_item e WHERE e.job_id = $1 AND e.res_type = 'PractitionerRole'`;
  await insertCurrent('Practitioner', targets('PractitionerRole', roles, 'PractitionerRole.practitioner', 'Practitioner'));
}
