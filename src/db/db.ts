import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { lockDataDir } from './pglite-lock.ts';
import { initPgliteDataDir, openPgliteWorker } from './pglite-thread.ts';
import { INT8, NUMERIC, openPgliteBackend, type PgliteBackend } from './pglite-wire.ts';

/** The subset of a connection every store needs: one parameterised SQL statement at a time. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<{ rows: T[]; rowCount: number }>;
}

export interface QueryOptions {
  /**
   * Plan with this call's values every time instead of reusing a cached generic plan. For searches, whose best
   * plan depends on the values (a common specialty around a small town is read from the places' side): on
   * PostgreSQL a prepared statement switches to a generic plan after five executions, and that plan took
   * 400–750 ms where the custom one takes 6–19 ms (national dataset). PGlite likewise (the unnamed statement,
   * parsed again with the prepared one's parameter types).
   */
  customPlan?: boolean;
}

/** A database handle: PGlite (embedded) or PostgreSQL, same SQL dialect. */
export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn in one transaction: committed if fn resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** PGlite only: start from this dump (a data directory tarball), in memory when dataDir is absent. */
  loadDataDir?: Blob | undefined;
  /** PostgreSQL only: the schema to work in (tests use one schema each). */
  schema?: string | undefined;
  poolSize?: number | undefined;
  /** PGlite only: where the embedded backend runs (default: `ROR_PGLITE_THREAD`, else a worker thread). */
  pgliteThread?: PgliteThread | undefined;
}

/**
 * `worker`: PGlite runs in a worker thread of its own, so the database and the application use two cores;
 * `main`: in the calling thread (one thread for everything; slightly less latency per statement).
 */
export type PgliteThread = 'worker' | 'main';

export function pgliteThread(env: NodeJS.ProcessEnv = process.env): PgliteThread {
  const v = env.ROR_PGLITE_THREAD ?? 'worker';
  if (v !== 'worker' && v !== 'main') throw new Error(`ROR_PGLITE_THREAD: « ${v} » — attendu worker ou main`);
  return v;
}


export async function openDatabase(opts: OpenOptions): Promise<Db> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.schema, opts.poolSize ?? 10);
  return openPglite(opts.dataDir, opts.loadDataDir, opts.pgliteThread ?? pgliteThread());
}

async function openPostgres(url: string, schema: string | undefined, max: number): Promise<Db> {
  const types = {
    getTypeParser(oid: number, format?: string) {
      if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
      return pg.types.getTypeParser(oid, format as 'text');
    },
  };
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: types as pg.CustomTypesConfig,
    ...(schema ? { options: `-c search_path=${schema},public` } : {}),
  });
  pool.on('error', () => {
    /* idle client errors are reported on next use */
  });
  if (schema) {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  }
  const asResult = (r: pg.QueryResult) => ({ rows: r.rows, rowCount: r.rowCount ?? 0 });
  const named = new StatementNames();
  const run = (q: pg.Pool | pg.PoolClient, sql: string, params: readonly unknown[] | undefined, opts?: QueryOptions) => {
    // An unnamed statement is planned with its values; a named one may be given a generic plan.
    const name = params && params.length > 0 && !opts?.customPlan ? named.of(sql) : undefined;
    return q.query(name ? { name, text: sql, values: params as unknown[] } : { text: sql, values: params as unknown[] | undefined });
  };
  return {
    kind: 'postgres',
    async query(sql, params, opts) {
      return asResult(await run(pool, sql, params, opts));
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = { query: async (sql, params, opts) => asResult(await run(client, sql, params, opts)) };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * Names for the statements sent again and again (the write path's, the usual searches), so that each
 * connection parses and plans them once (node-postgres prepares a named statement on first use per
 * connection). A statement is named from its second use; at most MAX names, so that ever-new texts never
 * pile up prepared statements in the server.
 */
class StatementNames {
  private static readonly MAX = 500;
  private readonly seen = new Map<string, string | null>();
  private count = 0;

  of(sql: string): string | undefined {
    const known = this.seen.get(sql);
    if (known) return known;
    if (known === undefined) {
      if (this.seen.size < 20 * StatementNames.MAX) this.seen.set(sql, null);
      return undefined;
    }
    if (this.count >= StatementNames.MAX) return undefined;
    const name = `ror_${++this.count}_${createHash('sha1').update(sql).digest('hex').slice(0, 12)}`;
    this.seen.set(sql, name);
    return name;
  }
}

async function openPglite(dataDir: string | undefined, loadDataDir: Blob | undefined, thread: PgliteThread): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const unlock = dataDir ? lockDataDir(dataDir) : () => undefined;
  let backend: PgliteBackend;
  try {
    const opts = { dataDir, loadDataDir, settings: pgliteSettings() };
    if (dataDir && !loadDataDir && !existsSync(join(dataDir, 'PG_VERSION'))) await initPgliteDataDir(opts);
    backend = thread === 'worker' ? await openPgliteWorker(opts) : await openPgliteBackend(opts);
  } catch (e) {
    unlock();
    throw e;
  }
  // One lock for everything that talks to the embedded backend: a transaction holds it from BEGIN to
  // COMMIT, so a statement from outside can never run inside someone else's transaction.
  const lock = new Mutex();
  return {
    kind: 'pglite',
    query<T>(sql: string, params?: readonly unknown[], opts?: QueryOptions) {
      return lock.run(() => backend.query<T>(sql, params ?? [], true, opts?.customPlan));
    },
    transaction(fn) {
      return lock.run(async () => {
        await backend.simple('BEGIN', false);
        let open = true;
        const tx: Queryable = {
          query: <T>(sql: string, params?: readonly unknown[], opts?: QueryOptions) => {
            if (!open) throw new Error('Transaction is closed');
            return backend.query<T>(sql, params ?? [], false, opts?.customPlan);
          },
        };
        try {
          const result = await fn(tx);
          open = false;
          // COMMIT of a transaction in the aborted state answers ROLLBACK: nothing was written.
          if ((await backend.simple('COMMIT', true)) === 'ROLLBACK') throw new Error('La transaction a été annulée (une instruction a échoué)');
          return result;
        } catch (err) {
          if (open) {
            open = false;
            await backend.simple('ROLLBACK', true).catch(() => undefined);
          }
          throw err;
        }
      });
    },
    exec(sql) {
      return lock.run(() => backend.exec(sql));
    },
    close() {
      return lock.run(async () => {
        try {
          await backend.close();
        } finally {
          unlock();
        }
      });
    },
    // PGlite-only: used by the test harness to snapshot a migrated database.
    dump: () => lock.run(() => backend.dump()),
  } as Db & { dump: () => Promise<Blob> };
}

/**
 * Settings of the embedded backend, from `ROR_PGLITE_SETTINGS` (comma-separated `name=value`), e.g.
 * `shared_buffers=32MB` on a small machine: PGlite's 128 MB pool is WebAssembly memory that never shrinks.
 * Measured on the national FINESS import: 32 MB cuts the peak RSS by ≈ 110 MB (914 → 803 MB) and costs ≈ 10 %
 * of the time (60 → 66 s), so PGlite's default stays.
 */
export function pgliteSettings(env: NodeJS.ProcessEnv = process.env): string[] {
  const defaults: Record<string, string> = {};
  for (const kv of (env.ROR_PGLITE_SETTINGS ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^([a-z_]+)\s*=\s*(.+)$/.exec(kv);
    if (!m) throw new Error(`ROR_PGLITE_SETTINGS: « ${kv} » n'est pas de la forme nom=valeur`);
    defaults[m[1]!] = m[2]!;
  }
  return Object.entries(defaults).map(([k, v]) => `${k}=${v}`);
}

/** Serialises async critical sections (FIFO). */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/i.test(name)) throw new Error(`invalid identifier ${name}`);
  return `"${name}"`;
}
