import { mkdirSync } from 'node:fs';
import pg from 'pg';
import { lockDataDir } from './pglite-lock.ts';

/** The subset of a connection every store needs: one parameterised SQL statement at a time. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: T[]; rowCount: number }>;
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
}

const INT8 = 20;
const NUMERIC = 1700;

export async function openDatabase(opts: OpenOptions): Promise<Db> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.schema, opts.poolSize ?? 10);
  return openPglite(opts.dataDir, opts.loadDataDir);
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
  return {
    kind: 'postgres',
    async query(sql, params) {
      return asResult(await pool.query(sql, params as unknown[]));
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = { query: async (sql, params) => asResult(await client.query(sql, params as unknown[])) };
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

async function openPglite(dataDir: string | undefined, loadDataDir: Blob | undefined): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { unaccent } = await import('@electric-sql/pglite/contrib/unaccent');
  const { cube } = await import('@electric-sql/pglite/contrib/cube');
  const { earthdistance } = await import('@electric-sql/pglite/contrib/earthdistance');
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const unlock = dataDir ? lockDataDir(dataDir) : () => undefined;
  let db: InstanceType<typeof PGlite>;
  try {
    db = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      ...(loadDataDir ? { loadDataDir } : {}),
      extensions: { pg_trgm, unaccent, cube, earthdistance },
      parsers: { [INT8]: (v: string) => Number(v), [NUMERIC]: (v: string) => Number(v) },
    });
  } catch (e) {
    unlock();
    throw e;
  }
  const asResult = <T>(r: { rows: T[]; affectedRows?: number }) => ({ rows: r.rows, rowCount: r.affectedRows ?? r.rows.length });
  return {
    kind: 'pglite',
    async query<T>(sql: string, params?: readonly unknown[]) {
      return asResult(await db.query<T>(sql, params as unknown[]));
    },
    async transaction(fn) {
      return db.transaction(async (t) => fn({ query: async <T>(sql: string, params?: readonly unknown[]) => asResult(await t.query<T>(sql, params as unknown[])) }));
    },
    async exec(sql) {
      await db.exec(sql);
    },
    async close() {
      try {
        await db.close();
      } finally {
        unlock();
      }
    },
    // PGlite-only: used by the test harness to snapshot a migrated database.
    dump: () => db.dumpDataDir('none'),
  } as Db & { dump: () => Promise<Blob> };
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/i.test(name)) throw new Error(`invalid identifier ${name}`);
  return `"${name}"`;
}
