import { createHash } from 'node:crypto';
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
  const named = new StatementNames();
  const run = (q: pg.Pool | pg.PoolClient, sql: string, params: readonly unknown[] | undefined) => {
    const name = params && params.length > 0 ? named.of(sql) : undefined;
    return q.query(name ? { name, text: sql, values: params as unknown[] } : { text: sql, values: params as unknown[] | undefined });
  };
  return {
    kind: 'postgres',
    async query(sql, params) {
      return asResult(await run(pool, sql, params));
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = { query: async (sql, params) => asResult(await run(client, sql, params)) };
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

async function openPglite(dataDir: string | undefined, loadDataDir: Blob | undefined): Promise<Db> {
  const { PGlite, protocol, parse } = await import('@electric-sql/pglite');
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
      postgresqlconf: pgliteSettings(),
      parsers: { [INT8]: (v: string) => Number(v), [NUMERIC]: (v: string) => Number(v) },
    });
  } catch (e) {
    unlock();
    throw e;
  }
  const wire = new PgliteWire(db, protocol.serialize, parse);
  // One lock for everything that talks to the embedded backend: a transaction holds it from BEGIN to
  // COMMIT, so a statement from outside can never run inside someone else's transaction.
  const lock = new Mutex();
  return {
    kind: 'pglite',
    query<T>(sql: string, params?: readonly unknown[]) {
      return lock.run(async () => {
        const r = await wire.query<T>(sql, params);
        await db.syncToFs();
        return r;
      });
    },
    transaction(fn) {
      return lock.run(async () => {
        await wire.simple('BEGIN');
        let open = true;
        const tx: Queryable = {
          query: <T>(sql: string, params?: readonly unknown[]) => {
            if (!open) throw new Error('Transaction is closed');
            return wire.query<T>(sql, params);
          },
        };
        try {
          const result = await fn(tx);
          open = false;
          // COMMIT of a transaction in the aborted state answers ROLLBACK: nothing was written.
          if ((await wire.simple('COMMIT')) === 'ROLLBACK') throw new Error('La transaction a été annulée (une instruction a échoué)');
          return result;
        } catch (err) {
          if (open) {
            open = false;
            await wire.simple('ROLLBACK').catch(() => undefined);
          }
          throw err;
        } finally {
          await db.syncToFs();
        }
      });
    },
    exec(sql) {
      return lock.run(async () => {
        await db.exec(sql);
      });
    },
    close() {
      return lock.run(async () => {
        try {
          await db.close();
        } finally {
          unlock();
        }
      });
    },
    // PGlite-only: used by the test harness to snapshot a migrated database.
    dump: () => lock.run(() => db.dumpDataDir('none')),
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

type PGliteInstance = import('@electric-sql/pglite').PGlite;
type Serialize = typeof import('@electric-sql/pglite').protocol.serialize;
type ParseModule = typeof import('@electric-sql/pglite').parse;

const TEXT = 25;
const VARCHAR = 1043;
const BPCHAR = 1042;
const JSON_OID = 114;
const JSONB = 3802;

/**
 * The extended query protocol spoken to the embedded backend directly, one call into WebAssembly per
 * statement: PGlite's `query()` makes five (parse, describe, bind, describe, execute), re-parses and re-plans
 * the statement every time and measures each string parameter character by character in JavaScript. Here,
 * statements are prepared once (named, kept in an LRU cache) and their parameter types remembered; text and
 * JSON parameters travel in binary format (their UTF-8 bytes, encoded natively), other values through
 * PGlite's own serializers, exactly as `query()` would send them. Callers serialise access (see the lock).
 */
class PgliteWire {
  private readonly statements = new Map<string, { name: string; types: number[] }>();
  private readonly toClose: string[] = [];
  private counter = 0;
  private static readonly MAX_STATEMENTS = 256;

  constructor(
    private readonly db: PGliteInstance,
    private readonly serialize: Serialize,
    private readonly parse: ParseModule,
  ) {}

  /** A statement without parameters, simple protocol; returns the command tag of the last result. */
  async simple(sql: string): Promise<string> {
    const r = await this.db.execProtocol(this.serialize.query(sql), { syncToFs: false });
    const done = r.messages.filter((m) => m.name === 'commandComplete') as unknown as { text: string }[];
    return done[done.length - 1]?.text ?? '';
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<{ rows: T[]; rowCount: number }> {
    const st = await this.prepared(sql);
    const values = params.map((v, i) => this.value(v, st.types[i]));
    const r = await this.db.execProtocol(
      concat([this.serialize.bind({ statement: st.name, values }), this.serialize.describe({ type: 'P' }), this.serialize.execute({}), this.serialize.sync()]),
      { syncToFs: false },
    );
    const results = this.parse.parseResults(r.messages, this.db.parsers);
    const last = results[results.length - 1] as { rows: T[]; affectedRows?: number } | undefined;
    return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? last?.rows.length ?? 0 };
  }

  private async prepared(sql: string): Promise<{ name: string; types: number[] }> {
    const hit = this.statements.get(sql);
    if (hit) {
      // LRU: most recently used last.
      this.statements.delete(sql);
      this.statements.set(sql, hit);
      return hit;
    }
    const name = `ror_${++this.counter}`;
    const closing = this.toClose.splice(0).map((n) => this.serialize.close({ type: 'S', name: n }));
    const r = await this.db.execProtocol(
      concat([...closing, this.serialize.parse({ name, text: sql }), this.serialize.describe({ type: 'S', name }), this.serialize.sync()]),
      { syncToFs: false },
    );
    const st = { name, types: this.parse.parseDescribeStatementResults(r.messages) };
    this.statements.set(sql, st);
    if (this.statements.size > PgliteWire.MAX_STATEMENTS) {
      const [oldest, old] = this.statements.entries().next().value as [string, { name: string }];
      this.statements.delete(oldest);
      this.toClose.push(old.name);
    }
    return st;
  }

  private value(v: unknown, type: number | undefined): string | Uint8Array | null {
    if (v === null || v === undefined) return null;
    if (type === JSONB) {
      // jsonb binary format: version 1, then the JSON text.
      const s = typeof v === 'string' ? v : JSON.stringify(v);
      const b = Buffer.allocUnsafe(Buffer.byteLength(s) + 1);
      b[0] = 1;
      b.write(s, 1);
      return b;
    }
    if (typeof v === 'string' && (type === TEXT || type === VARCHAR || type === BPCHAR || type === JSON_OID)) return Buffer.from(v, 'utf8');
    if (type === JSON_OID) return Buffer.from(JSON.stringify(v), 'utf8');
    const serializer = type === undefined ? undefined : this.db.serializers[type];
    return serializer ? (serializer(v) as string) : String(v);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.byteLength;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/i.test(name)) throw new Error(`invalid identifier ${name}`);
  return `"${name}"`;
}
