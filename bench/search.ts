/**
 * Search benchmark:
 * `npm run bench -- search [--pg] [--db NAME] [--bulk] [--scale S] [--seconds N] [--http] [--only a,b] [--explain FILE]`.
 * Generates the dataset of bench/search-data.ts (scale 1 = national: 95k EG, ≥400k offers and places,
 * ≥2M capacity indicators, ≥200k roles) into a fresh database (PGlite on disk, or a schema of the
 * PostgreSQL of DATABASE_URL with --pg), then runs the IG's UC1–UC4 query shapes with 1 and 8 concurrent
 * clients for N seconds each and prints p50/p95/p99 latency and throughput, then a mixed workload.
 *
 * - Loading: through the real write path (Directory.upsertBatch) by default; `--bulk` loads set-based
 *   (bench/search-data.ts bulkSink: the store's batch write with the server's indexers, no validation) and,
 *   on PostgreSQL, drops the secondary indexes of the large tables during the load and rebuilds them after.
 * - `--db NAME` (PostgreSQL): keep the dataset in database NAME (created if needed) and reuse it on later
 *   runs when it holds the same scale (`bench_meta` table), instead of a throwaway schema.
 * - In process by default (the search engine called directly: engine + database); `--http` also runs every
 *   shape through a real `ror serve` child process on the same database (HTTP, JSON serialisation, Fastify).
 * - With --explain FILE, writes the SQL and EXPLAIN ANALYZE of every shape to FILE (markdown).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Db } from '../src/db/db.ts';
import { migrate } from '../src/db/migrate.ts';
import { communeCentroid } from '../src/search/geo.ts';
import { indexFingerprint } from '../src/search/search.indexer.ts';
import { compileSearch, search } from '../src/search/search.service.ts';
import { openRuntime } from '../src/server/runtime.ts';
import { bulkSink, directorySink, FINESS_SYSTEM, generate, type GeneratedCounts, type Samples } from './search-data.ts';

const R211 = 'https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle';
const NOS = (t: string) => `https://mos.esante.gouv.fr/NOS/TRE_${t}/FHIR/TRE-${t}`;
const TAIL: [string, string][] = [
  ['_include', 'HealthcareService:organization'],
  ['_include:iterate', 'Organization:partof'],
  ['_include', 'HealthcareService:location'],
  ['_revinclude', 'PractitionerRole:service'],
  ['_include', 'PractitionerRole:practitioner'],
];

interface Shape {
  name: string;
  /** true: a single resource type, no include (target p50 ≤ 3 ms, p99 ≤ 30 ms); false: include tail (p50 ≤ 15 ms). */
  single: boolean;
  make(s: Samples, r: () => number): { resourceType: string; params: [string, string][] };
}

const pick = <T>(xs: T[], r: () => number): T => xs[Math.floor(r() * xs.length)]!;

const SHAPES: Shape[] = [
  { name: 'UC1 Location?identifier', single: true, make: (s, r) => ({ resourceType: 'Location', params: [['identifier', pick(s.locIdentifiers, r)]] }) },
  {
    name: 'UC1 Location?identifier&_revinclude=HealthcareService:location',
    single: false,
    make: (s, r) => ({ resourceType: 'Location', params: [['identifier', pick(s.locIdentifiers, r)], ['_revinclude', 'HealthcareService:location']] }),
  },
  {
    name: 'UC1 Location?address-postalcode=<dept>&_count=50',
    single: true,
    make: (s, r) => ({ resourceType: 'Location', params: [['address-postalcode', pick(s.departments, r)], ['_count', '50']] }),
  },
  {
    name: 'UC2 HealthcareService?identifier + include tail',
    single: false,
    make: (s, r) => ({ resourceType: 'HealthcareService', params: [['identifier', pick(s.hsIdentifiers, r)], ...TAIL] }),
  },
  {
    name: 'UC2 HealthcareService?organization:above.identifier=<EJ> + tail',
    single: false,
    make: (s, r) => ({ resourceType: 'HealthcareService', params: [['organization:above.identifier', `${FINESS_SYSTEM}|${pick(s.ejFiness, r)}`], ['_count', '50'], ...TAIL] }),
  },
  {
    name: 'UC3 HealthcareService?specialty',
    single: true,
    make: (s, r) => ({ resourceType: 'HealthcareService', params: [['specialty', `${R211}|${pick(s.specialties, r)}`], ['_count', '50']] }),
  },
  {
    name: 'UC3 specialty&location.near-insee-code=COG|15|km',
    single: true,
    make: (s, r) => ({ resourceType: 'HealthcareService', params: [['specialty', `${R211}|${pick(s.specialties, r)}`], ['location.near-insee-code', `${pick(s.cogs, r)}|15|km`]] }),
  },
  {
    name: 'UC3 _filter OR + age range',
    single: true,
    make: (s, r) => ({
      resourceType: 'HealthcareService',
      params: [['_filter', `((specialty eq ${R211}|${pick(s.specialties, r)}) or (specialty eq ${R211}|${pick(s.specialties, r)})) and (age-range-low le 35 and age-range-high ge 35)`], ['_count', '50']],
    }),
  },
  {
    name: 'UC4 available female bed (correlated, chained) + _include location',
    single: false,
    make: (s, r) => ({
      resourceType: 'HealthcareService',
      params: [
        ['specialty', `${R211}|${pick(s.specialties, r)}`],
        ['location.capacity-type', `${NOS('R329-NatureCapacite')}|01`],
        ['location.gender-capacity-available', `${NOS('R332-GenreCapacite')}|01`],
        ['location.temporality-capacity', `${NOS('R331-TemporaliteCapacite')}|01`],
        ['location.capacity-status', `${NOS('R330-TypeStatutCapacite')}|02`],
        ['location.nb-capacity', 'gt0'],
        ['_include', 'HealthcareService:location'],
      ],
    }),
  },
];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

type Runner = (q: { resourceType: string; params: [string, string][] }) => Promise<void>;

const inProcess = (db: Db): Runner => async (q) => {
  await search(db, { ...q, baseUrl: 'http://bench/fhir' }, { raw: true });
};

const overHttp = (base: string): Runner => async (q) => {
  const qs = q.params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const res = await fetch(`${base}/fhir/${q.resourceType}?${qs}`, { headers: { accept: 'application/fhir+json' } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`HTTP ${res.status} on ${q.resourceType}?${qs}: ${body.slice(0, 300)}`);
};

async function runLoad(run: Runner, shapes: Shape[], samples: Samples, clients: number, seconds: number): Promise<{ lat: number[]; n: number; rps: number }> {
  const lat: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  let seed = 1;
  const worker = async (w: number) => {
    let x = (w + 1) * 7919 + seed++;
    const r = () => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x / 2147483648;
    };
    while (performance.now() < deadline) {
      const shape = pick(shapes, r);
      const q = shape.make(samples, r);
      const t0 = performance.now();
      await run(q);
      lat.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, (_, w) => worker(w)));
  const elapsed = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { lat, n: lat.length, rps: lat.length / elapsed };
}

/** Secondary (non-constraint) indexes of the tables a bulk load fills, to drop before and rebuild after. */
async function secondaryIndexes(db: Db): Promise<{ name: string; def: string }[]> {
  const r = await db.query<{ indexname: string; indexdef: string }>(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i
      WHERE i.schemaname = current_schema()
        AND (i.tablename LIKE 'sp\\_%' OR i.tablename IN ('resource_identifier', 'resource_reference', 'resource_version'))
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  );
  return r.rows.map((x) => ({ name: x.indexname, def: x.indexdef }));
}

/**
 * The secondary index definitions of a freshly migrated schema (for `--finish` after a parallel load, whose
 * parts do not know what was dropped).
 */
async function indexDefinitions(url: string): Promise<{ name: string; def: string }[]> {
  const schema = `bench_defs_${process.pid}`;
  const tmp = await openDatabase({ databaseUrl: url, schema, poolSize: 2 });
  try {
    await migrate(tmp);
    return (await secondaryIndexes(tmp)).map((x) => ({ name: x.name, def: x.def.replace(` ON ${schema}.`, ' ON ') }));
  } finally {
    await tmp.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await tmp.close();
  }
}

async function load(db: Db, pg: boolean, bulk: boolean, scale: number, out: (s: string) => void): Promise<{ counts: GeneratedCounts; samples: Samples }> {
  if (!bulk) {
    const rt = await openRuntime(loadConfig({ LOG_LEVEL: 'silent', ROR_SEED: 'none' }), { db });
    return generate(directorySink(rt.directory), scale, (m) => out(`  … ${m}`));
  }
  await migrate(db);
  const dropped = pg ? await secondaryIndexes(db) : [];
  for (const ix of dropped) await db.query(`DROP INDEX ${ix.name}`);
  const sink = bulkSink(db);
  const res = await generate(sink, scale, (m) => out(`  … ${m}`));
  await sink.drain();
  const t0 = Date.now();
  for (const ix of dropped) await db.query(ix.def);
  if (dropped.length) out(`  … ${dropped.length} indexes rebuilt in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  res.counts.ms += Date.now() - t0;
  await recordIndexFingerprint(db);
  return res;
}

/**
 * The bulk load's rows were written by this indexer: record its fingerprint, as ensureSearchIndex does, so that a
 * server started on the dataset (--http) does not rebuild the whole index at start-up.
 */
async function recordIndexFingerprint(db: Db): Promise<void> {
  await db.query(
    `INSERT INTO sp_index_state (name, fingerprint) VALUES ('search', $1) ON CONFLICT (name) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, indexed_at = now()`,
    [indexFingerprint()],
  );
}

/** A real `ror serve` on the benchmark's PostgreSQL database, for the HTTP variant. */
async function startServer(databaseUrl: string, port: number): Promise<{ url: string; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ror-bench-http-'));
  const child = spawn(process.execPath, ['bin/ror.js', 'serve'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ROR_DATA_DIR: dataDir, ROR_SEED: 'none', LOG_LEVEL: 'error', DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error('server did not start within 600 s');
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function main(args: string[]): Promise<void> {
  const pg = args.includes('--pg') || args.includes('--db');
  const bulk = args.includes('--bulk');
  const http = args.includes('--http');
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
  };
  const scale = Number(opt('--scale', '1'));
  const seconds = Number(opt('--seconds', '5'));
  const only = args.includes('--only') ? opt('--only', '').split(',') : undefined;
  const shapes = only ? SHAPES.filter((s, i) => only.some((o) => o === String(i + 1) || s.name.includes(o))) : SHAPES;
  const explainFile = args.includes('--explain') ? opt('--explain', 'docs/search-explain.md') : undefined;
  const keepDb = args.includes('--db') ? opt('--db', 'rorbench') : undefined;
  // Parallel bulk load into --db: `--part k/K` in K processes (each writes its share of the batches, then
  // exits), then `--finish` (rebuilds the secondary indexes, VACUUM ANALYZE, records the dataset), then runs.
  const partArg = args.includes('--part') ? /^(\d+)\/(\d+)$/.exec(opt('--part', '')) : undefined;
  const part = partArg ? { k: Number(partArg[1]), of: Number(partArg[2]) } : undefined;
  const finish = args.includes('--finish');
  let url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  if (keepDb) {
    if (!/^[a-z_][a-z0-9_]*$/.test(keepDb)) throw new Error('--db: a lower-case database name');
    const admin = await openDatabase({ databaseUrl: url });
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [keepDb]);
    if (exists.rows.length === 0) await admin.query(`CREATE DATABASE ${keepDb}`);
    await admin.close();
    const u = new URL(url);
    u.pathname = `/${keepDb}`;
    url = u.toString();
  }
  const dataDir = pg ? undefined : mkdtempSync(join(tmpdir(), 'ror-bench-search-'));
  const schema = keepDb ? undefined : `bench_search_${process.pid}`;
  const db = await openDatabase(pg ? { databaseUrl: url, ...(schema ? { schema } : {}), poolSize: 10 } : { dataDir });
  const out = (s: string) => process.stdout.write(`${s}\n`);
  let server: { url: string; stop(): Promise<void> } | undefined;
  try {
    out(`Search benchmark on ${pg ? `PostgreSQL${keepDb ? ` (database ${keepDb})` : ''}` : 'PGlite (disk)'}, scale ${scale}`);
    let loaded: { counts: GeneratedCounts; samples: Samples } | undefined;
    if (keepDb && part) {
      await migrate(db);
      if ((await secondaryIndexes(db)).length > 0) throw new Error('--part: drop the secondary indexes first (run one --bulk load and stop it, or --finish rebuilds them)');
      const sink = bulkSink(db, part);
      const { counts } = await generate(sink, scale, (m) => out(`  … part ${part.k}/${part.of}: ${m}`));
      await sink.drain();
      out(`part ${part.k}/${part.of} done in ${(counts.ms / 1000).toFixed(0)} s`);
      return;
    }
    if (keepDb && finish) {
      const t0 = Date.now();
      const defs = await indexDefinitions(url);
      const have = new Set((await secondaryIndexes(db)).map((x) => x.name));
      for (const ix of defs) {
        if (have.has(ix.name)) continue;
        const t1 = Date.now();
        await db.transaction(async (tx) => {
          await tx.query("SET LOCAL maintenance_work_mem = '1GB'");
          await tx.query(ix.def);
        });
        out(`  … ${ix.name} in ${((Date.now() - t1) / 1000).toFixed(0)} s`);
      }
      out(`${defs.length} indexes rebuilt in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      await db.exec('VACUUM ANALYZE');
      const { counts, samples } = await generate(async () => 0, scale);
      counts.ms = Date.now() - t0;
      // A load stopped before its end (`--part` processes interrupted): keep the samples that were loaded, and
      // report what the database holds.
      const present = async (type: string, values: string[]) => {
        const r = await db.query<{ value: string }>('SELECT DISTINCT value FROM resource_identifier WHERE res_type = $1 AND value = ANY($2::text[])', [type, values]);
        const there = new Set(r.rows.map((x) => x.value));
        return values.filter((v) => there.has(v));
      };
      samples.hsIdentifiers = await present('HealthcareService', samples.hsIdentifiers);
      samples.locIdentifiers = await present('Location', samples.locIdentifiers);
      samples.ejFiness = await present('Organization', samples.ejFiness);
      const q = async (sql: string) => (await db.query<{ n: number }>(sql)).rows[0]!.n;
      counts.ej = await q("SELECT count(*)::int AS n FROM resource WHERE res_type = 'Organization' AND id LIKE 'ej-%'");
      counts.eg = await q("SELECT count(*)::int AS n FROM resource WHERE res_type = 'Organization' AND id LIKE 'eg-%'");
      counts.healthcareService = await q("SELECT count(*)::int AS n FROM resource WHERE res_type = 'HealthcareService'");
      counts.location = await q("SELECT count(*)::int AS n FROM resource WHERE res_type = 'Location'");
      counts.indicators = await q("SELECT count(*)::int AS n FROM sp_group WHERE grp_code = 'capacity'");
      counts.practitionerRole = await q("SELECT count(*)::int AS n FROM resource WHERE res_type = 'PractitionerRole'");
      counts.practitioner = await q("SELECT count(*)::int AS n FROM resource WHERE res_type = 'Practitioner'");
      await db.query('CREATE TABLE IF NOT EXISTS bench_meta (scale float8 PRIMARY KEY, counts jsonb NOT NULL, samples jsonb NOT NULL)');
      await db.query('INSERT INTO bench_meta (scale, counts, samples) VALUES ($1, $2, $3) ON CONFLICT (scale) DO NOTHING', [scale, JSON.stringify(counts), JSON.stringify(samples)]);
      await recordIndexFingerprint(db);
      const n = await db.query<{ t: string; n: number }>('SELECT res_type AS t, count(*)::int AS n FROM resource GROUP BY 1 ORDER BY 1');
      out(`loaded: ${n.rows.map((r) => `${r.n} ${r.t}`).join(', ')}`);
    }
    if (keepDb) {
      await db.query('CREATE TABLE IF NOT EXISTS bench_meta (scale float8 PRIMARY KEY, counts jsonb NOT NULL, samples jsonb NOT NULL)');
      const prev = await db.query<{ counts: GeneratedCounts; samples: Samples }>('SELECT counts, samples FROM bench_meta WHERE scale = $1', [scale]);
      if (prev.rows[0]) {
        loaded = prev.rows[0];
        await migrate(db);
        out(`reusing the dataset of database ${keepDb}`);
      } else {
        const any = await db.query("SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'resource'");
        if (any.rows.length > 0) throw new Error(`database ${keepDb} holds another dataset: drop it first`);
      }
    }
    if (!loaded) {
      loaded = await load(db, pg, bulk, scale, out);
      if (pg) await db.exec('VACUUM ANALYZE');
      else await db.exec('ANALYZE');
      if (keepDb) await db.query('INSERT INTO bench_meta (scale, counts, samples) VALUES ($1, $2, $3)', [scale, JSON.stringify(loaded.counts), JSON.stringify(loaded.samples)]);
    }
    const { counts, samples } = loaded;
    // near-insee-code needs a commune with a reference point (overseas collectivities have none: 400).
    samples.cogs = samples.cogs.filter((c) => communeCentroid(c));
    out(
      `generated in ${(counts.ms / 1000).toFixed(0)} s${bulk ? ' (bulk)' : ''}: ${counts.ej} EJ, ${counts.eg} EG, ${counts.healthcareService} HealthcareService, ` +
        `${counts.location} Location (${counts.indicators} capacity indicators), ${counts.practitionerRole} PractitionerRole, ` +
        `${counts.practitioner} Practitioner, ${counts.invalid} rejected`,
    );
    const rand = (() => {
      let x = 42;
      return () => ((x = (x * 1103515245 + 12345) % 2147483648), x / 2147483648);
    })();
    if (explainFile) {
      const parts = [`# Search SQL and plans (generated by \`npm run bench -- search --explain\`)\n`, `Database: ${pg ? 'PostgreSQL' : 'PGlite'}, scale ${scale} (${counts.healthcareService} offers, ${counts.indicators} indicators).\n`];
      for (const shape of shapes) {
        const q = shape.make(samples, rand);
        const c = compileSearch({ ...q, baseUrl: 'http://bench/fhir' });
        await search(db, { ...q, baseUrl: 'http://bench/fhir' });
        const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${c.pageSql}`, c.params);
        const countPlan = c.countSql ? await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${c.countSql}`, c.countParams) : undefined;
        const drivenPlan = c.driven ? await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${c.driven.sql}`, c.driven.params) : undefined;
        parts.push(
          `## ${shape.name}\n\n\`${q.resourceType}?${q.params.map(([k, v]) => `${k}=${v}`).join('&')}\`\n\n` +
            (c.driven && drivenPlan
              ? `Driven page, tried first (search.service.ts drivenPage; the general plan below runs when its window of ${c.driven.window} candidates does not fill the page):\n\n\`\`\`sql\n${c.driven.sql}\n\`\`\`\n\n\`\`\`\n${drivenPlan.rows.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\`\n\nGeneral page:\n\n`
              : '') +
            `\`\`\`sql\n${c.pageSql}\n\`\`\`\n\nParameters: \`${JSON.stringify(c.params)}\`\n\n\`\`\`\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\`\n` +
            (countPlan ? `\nTotal (when the first page is full):\n\n\`\`\`sql\n${c.countSql}\n\`\`\`\n\n\`\`\`\n${countPlan.rows.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\`\n` : ''),
        );
      }
      writeFileSync(explainFile, parts.join('\n'));
      out(`SQL and plans written to ${explainFile}`);
    }
    const runners: [string, Runner][] = [['in process', inProcess(db)]];
    if (http) {
      if (!keepDb) throw new Error('--http needs --db NAME: the server opens the same PostgreSQL database (a PGlite cannot be shared)');
      server = await startServer(url, 18000 + (process.pid % 1000));
      runners.push(['HTTP', overHttp(server.url)]);
    }
    for (const [label, run] of runners) {
      out('');
      out(`${label}:`);
      out('');
      out('| query shape | clients | searches | p50 ms | p95 ms | p99 ms | searches/s |');
      out('|---|---:|---:|---:|---:|---:|---:|');
      for (const shape of shapes) {
        for (const clients of [1, 8]) {
          const r = await runLoad(run, [shape], samples, clients, seconds);
          out(`| ${shape.name} | ${clients} | ${r.n} | ${percentile(r.lat, 50).toFixed(2)} | ${percentile(r.lat, 95).toFixed(2)} | ${percentile(r.lat, 99).toFixed(2)} | ${r.rps.toFixed(0)} |`);
        }
      }
      for (const clients of [1, 8]) {
        const r = await runLoad(run, shapes, samples, clients, seconds);
        out(`| **mixed (all shapes)** | ${clients} | ${r.n} | ${percentile(r.lat, 50).toFixed(2)} | ${percentile(r.lat, 95).toFixed(2)} | ${percentile(r.lat, 99).toFixed(2)} | ${r.rps.toFixed(0)} |`);
      }
    }
  } finally {
    await server?.stop().catch(() => undefined);
    await db.close().catch(() => undefined);
    if (pg && schema) {
      const admin = await openDatabase({ databaseUrl: url });
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.close();
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
