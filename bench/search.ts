/**
 * Search benchmark: `npm run bench -- search [--pg] [--scale S] [--seconds N] [--explain FILE]`.
 * Generates the dataset of bench/search-data.ts (scale 1 = national: 95k EG, ≥400k offers and places,
 * ≥2M capacity indicators, ≥200k roles) into a fresh database (PGlite on disk, or a schema of the
 * PostgreSQL of DATABASE_URL with --pg) through the real write path, then runs the IG's UC1–UC4 query shapes
 * with 1 and 8 concurrent clients for N seconds each and prints p50/p95/p99 latency and throughput, then a
 * mixed workload. Calls the search engine in process (no HTTP): it measures the engine and the database.
 * With --explain FILE, writes the SQL and EXPLAIN ANALYZE of every shape to FILE (markdown).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Db } from '../src/db/db.ts';
import { compileSearch, search } from '../src/search/search.service.ts';
import { openRuntime } from '../src/server/runtime.ts';
import { FINESS_SYSTEM, generate, type Samples } from './search-data.ts';

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

async function runLoad(db: Db, shapes: Shape[], samples: Samples, clients: number, seconds: number): Promise<{ lat: number[]; n: number; rps: number }> {
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
      await search(db, { ...q, baseUrl: 'http://bench/fhir' });
      lat.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, (_, w) => worker(w)));
  const elapsed = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { lat, n: lat.length, rps: lat.length / elapsed };
}

export async function main(args: string[]): Promise<void> {
  const pg = args.includes('--pg');
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
  };
  const scale = Number(opt('--scale', '1'));
  const seconds = Number(opt('--seconds', '5'));
  const explainFile = args.includes('--explain') ? opt('--explain', 'docs/search-explain.md') : undefined;
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dataDir = pg ? undefined : mkdtempSync(join(tmpdir(), 'ror-bench-search-'));
  const schema = `bench_search_${process.pid}`;
  const db = await openDatabase(pg ? { databaseUrl: url, schema, poolSize: 10 } : { dataDir });
  const rt = await openRuntime(loadConfig({ LOG_LEVEL: 'silent', ROR_SEED: 'none' }), { db });
  const out = (s: string) => process.stdout.write(`${s}\n`);
  try {
    out(`Search benchmark on ${pg ? 'PostgreSQL' : 'PGlite (disk)'}, scale ${scale}`);
    const { counts, samples } = await generate(rt.directory, scale, (m) => out(`  … ${m}`));
    out(
      `generated in ${(counts.ms / 1000).toFixed(0)} s: ${counts.ej} EJ, ${counts.eg} EG, ${counts.healthcareService} HealthcareService, ` +
        `${counts.location} Location (${counts.indicators} capacity indicators), ${counts.practitionerRole} PractitionerRole, ` +
        `${counts.practitioner} Practitioner, ${counts.invalid} rejected`,
    );
    await db.exec('ANALYZE');
    const rand = (() => {
      let x = 42;
      return () => ((x = (x * 1103515245 + 12345) % 2147483648), x / 2147483648);
    })();
    if (explainFile) {
      const parts = [`# Search SQL and plans (generated by \`npm run bench -- search --explain\`)\n`, `Database: ${pg ? 'PostgreSQL' : 'PGlite'}, scale ${scale} (${counts.healthcareService} offers, ${counts.indicators} indicators).\n`];
      for (const shape of SHAPES) {
        const q = shape.make(samples, rand);
        const c = compileSearch({ ...q, baseUrl: 'http://bench/fhir' });
        const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${c.pageSql}`, c.params);
        parts.push(
          `## ${shape.name}\n\n\`${q.resourceType}?${q.params.map(([k, v]) => `${k}=${v}`).join('&')}\`\n\n` +
            `\`\`\`sql\n${c.pageSql}\n\`\`\`\n\nParameters: \`${JSON.stringify(c.params)}\`\n\n\`\`\`\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\`\n`,
        );
      }
      writeFileSync(explainFile, parts.join('\n'));
      out(`SQL and plans written to ${explainFile}`);
    }
    out('');
    out('| query shape | clients | searches | p50 ms | p95 ms | p99 ms | searches/s |');
    out('|---|---:|---:|---:|---:|---:|---:|');
    for (const shape of SHAPES) {
      for (const clients of [1, 8]) {
        const r = await runLoad(db, [shape], samples, clients, seconds);
        out(`| ${shape.name} | ${clients} | ${r.n} | ${percentile(r.lat, 50).toFixed(2)} | ${percentile(r.lat, 95).toFixed(2)} | ${percentile(r.lat, 99).toFixed(2)} | ${r.rps.toFixed(0)} |`);
      }
    }
    for (const clients of [1, 8]) {
      const r = await runLoad(db, SHAPES, samples, clients, seconds);
      out(`| **mixed (all shapes)** | ${clients} | ${r.n} | ${percentile(r.lat, 50).toFixed(2)} | ${percentile(r.lat, 95).toFixed(2)} | ${percentile(r.lat, 99).toFixed(2)} | ${r.rps.toFixed(0)} |`);
    }
  } finally {
    await rt.close().catch(() => undefined);
    if (pg) {
      const admin = await openDatabase({ databaseUrl: url });
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.close();
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
