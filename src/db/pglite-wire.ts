/**
 * The embedded backend as one object: PGlite with the ROR extensions and settings, spoken to through the
 * extended query protocol directly. It runs either in the calling thread or in a worker thread of its own
 * (`pglite-worker.ts`), behind the same interface; `db.ts` serialises access and maps it onto `Db`.
 */
export interface PgliteBackend {
  /**
   * One parameterised statement; `sync` flushes the data directory to disk afterwards; `customPlan` plans it with
   * these values (an unnamed statement) instead of the prepared one's cached plan.
   */
  query<T>(sql: string, params: readonly unknown[], sync: boolean, customPlan?: boolean): Promise<{ rows: T[]; rowCount: number }>;
  /** A statement without parameters (simple protocol); returns the command tag of the last result. */
  simple(sql: string, sync: boolean): Promise<string>;
  /** A script of several statements (migrations). */
  exec(sql: string): Promise<void>;
  dump(): Promise<Blob>;
  close(): Promise<void>;
}

export interface PgliteOpenOptions {
  dataDir?: string | undefined;
  loadDataDir?: Blob | undefined;
  settings: string[];
}

export const INT8 = 20;
export const NUMERIC = 1700;

/** Opens PGlite in the calling thread. */
export async function openPgliteBackend(opts: PgliteOpenOptions): Promise<PgliteBackend> {
  const { PGlite, protocol, parse } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { unaccent } = await import('@electric-sql/pglite/contrib/unaccent');
  const { cube } = await import('@electric-sql/pglite/contrib/cube');
  const { earthdistance } = await import('@electric-sql/pglite/contrib/earthdistance');
  const db = await PGlite.create({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
    extensions: { pg_trgm, unaccent, cube, earthdistance },
    postgresqlconf: opts.settings,
    parsers: { [INT8]: (v: string) => Number(v), [NUMERIC]: (v: string) => Number(v) },
  });
  const wire = new PgliteWire(db, protocol.serialize, parse);
  return {
    async query<T>(sql: string, params: readonly unknown[], sync: boolean, customPlan?: boolean) {
      const r = await wire.query<T>(sql, params, customPlan);
      if (sync) await db.syncToFs();
      return r;
    },
    async simple(sql, sync) {
      const tag = await wire.simple(sql);
      if (sync) await db.syncToFs();
      return tag;
    },
    async exec(sql) {
      await db.exec(sql);
    },
    dump: () => db.dumpDataDir('none'),
    close: () => db.close(),
  };
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
export class PgliteWire {
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

  async query<T>(sql: string, params: readonly unknown[] = [], customPlan = false): Promise<{ rows: T[]; rowCount: number }> {
    const st = await this.prepared(sql);
    const values = params.map((v, i) => this.value(v, st.types[i]));
    // A custom plan: the statement parsed again as the unnamed one, with the parameter types learnt when it was
    // prepared, and planned with these values.
    const parse = customPlan ? [this.serialize.parse({ name: '', text: sql, types: st.types })] : [];
    const r = await this.db.execProtocol(
      concat([...parse, this.serialize.bind({ statement: customPlan ? '' : st.name, values }), this.serialize.describe({ type: 'P' }), this.serialize.execute({}), this.serialize.sync()]),
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

