/**
 * Import benchmark: `npm run bench -- import [finess] [FILE] [--pg] [--batch N]` or
 * `npm run bench -- import rpps [--rows 500000,1000000,2000000] [--seed S] [--pg] [--batch N] [--again]`.
 *
 * FINESS: imports the national FINESS (rebuilt etalab file, ≈95k EG + their EJ) into an empty database through the
 * real write path (Directory with the runtime's validator and indexers), then re-imports it (nothing must
 * change), and prints time, throughput and the peak RSS sampled every 100 ms.
 * Default file: data/finess/finess-etalab-20210108.csv.br (the shipped demo file).
 *
 * RPPS: for each size, writes a synthetic extract (scripts/rpps-generate.ts) to a temporary file, imports it into an
 * empty database (a fresh one per size), and prints time, lines/s, resources written/s and the peak RSS of the
 * import (the curve asked by issue #4); `--again` re-imports the same file (nothing must change).
 * `--no-db`: the importer's own pipeline only (read, decode, parse, validate lines, map to the four resources,
 * hash them), without the write path: what the importer costs by itself, and that its memory stays flat.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRppsFile } from '../scripts/rpps-generate.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/db.ts';
import { importFiness } from '../src/imports/finess/finess.import.ts';
import { importRpps } from '../src/imports/rpps/rpps.import.ts';
import { activityOf, toCabinet, toPractitioner, toRole, toService } from '../src/imports/rpps/rpps.map.ts';
import { parseHeader, parseRow, readRppsLines } from '../src/imports/rpps/rpps.parse.ts';
import { createHash } from 'node:crypto';
import { openRuntime } from '../src/server/runtime.ts';

const mb = (n: number) => `${Math.round(n / 1048576)} MB`;

function peakSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return {
    reset: () => (peak = process.memoryUsage().rss),
    get peak() {
      return Math.max(peak, process.memoryUsage().rss);
    },
    stop: () => clearInterval(timer),
  };
}

async function openBench(pg: boolean) {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dataDir = pg ? undefined : mkdtempSync(join(tmpdir(), 'ror-bench-import-'));
  const schema = `bench_import_${process.pid}_${Date.now() % 100000}`;
  const db = await openDatabase(pg ? { databaseUrl: url, schema, poolSize: 4 } : { dataDir });
  const rt = await openRuntime(loadConfig({ LOG_LEVEL: 'silent', ROR_SEED: 'none' }), { db });
  return {
    rt,
    async close() {
      if (pg) await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await rt.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function main(args: string[]): Promise<void> {
  const pg = args.includes('--pg');
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const batchSize = Number(opt('--batch') ?? 1000);
  if (args[0] === 'rpps') return benchRpps(pg, batchSize, opt('--rows'), Number(opt('--seed') ?? 1), args.includes('--again'), args.includes('--no-db'));
  const file = args.find((a, i) => !a.startsWith('--') && a !== 'finess' && args[i - 1] !== '--batch') ?? 'data/finess/finess-etalab-20210108.csv.br';
  const { rt, close } = await openBench(pg);
  const sampler = peakSampler();
  try {
    process.stdout.write(`FINESS import of ${file} on ${pg ? 'PostgreSQL' : 'PGlite (disk)'}, batches of ${batchSize}\n`);
    for (const pass of ['first import (empty database)', 'second import (same file)']) {
      sampler.reset();
      const r = await importFiness(rt.directory, file, { batchSize });
      const c = r.counters;
      const written = c.created + c.updated;
      process.stdout.write(
        `${pass}: ${(r.durationMs / 1000).toFixed(1)} s, ${c.rowsRead} rows (${Math.round(c.rowsRead / (r.durationMs / 1000))} rows/s), ` +
          `created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, closed ${c.closed}, rejected ${c.rowsRejected}, ` +
          `${Math.round((written + c.unchanged) / (r.durationMs / 1000))} resources/s, peak RSS ${mb(sampler.peak)}\n`,
      );
    }
  } finally {
    sampler.stop();
    await close();
  }
}

/** The importer's pipeline without the database: lines read and parsed, resources built and hashed. */
async function pipelineOnly(file: string): Promise<{ lines: number; resources: number; ms: number }> {
  const started = Date.now();
  const reader = readRppsLines(file);
  const first = await reader.next();
  const layout = parseHeader(first.done ? undefined : first.value);
  let lines = 0;
  let resources = 0;
  const createdAt = new Date().toISOString();
  for await (const rec of { [Symbol.asyncIterator]: () => reader }) {
    lines++;
    const p = parseRow(rec, layout);
    if (!('row' in p)) continue;
    const built = [toPractitioner(p.row, createdAt), toCabinet(p.row, createdAt)];
    const activity = activityOf(p.row);
    if (activity) {
      built.push(toService(p.row, activity, undefined, createdAt));
      if (p.row.sfType) built.push(toRole(p.row, activity, createdAt));
    }
    for (const r of built) createHash('sha1').update(JSON.stringify(r)).digest('base64url');
    resources += built.length;
  }
  return { lines, resources, ms: Date.now() - started };
}

async function benchRpps(pg: boolean, batchSize: number, rowsArg: string | undefined, seed: number, again: boolean, noDb: boolean): Promise<void> {
  const sizes = (rowsArg ?? '500000,1000000,2000000').split(',').map(Number);
  const tmp = mkdtempSync(join(tmpdir(), 'ror-bench-rpps-'));
  const sampler = peakSampler();
  process.stdout.write(
    noDb
      ? `RPPS importer pipeline without database (read, parse, validate, map, hash), seed ${seed}\n`
      : `RPPS import of synthetic extracts on ${pg ? 'PostgreSQL' : 'PGlite (disk)'}, batches of ${batchSize} lines, seed ${seed}\n`,
  );
  try {
    for (const rows of sizes) {
      const file = join(tmp, `PS_LibreAcces_Personne_activite_20260601${String(rows).slice(0, 4)}.txt`);
      const g = Date.now();
      await writeRppsFile(file, { rows, seed });
      process.stdout.write(`${rows} lines: file ${mb(statSync(file).size)} generated in ${((Date.now() - g) / 1000).toFixed(1)} s\n`);
      if (noDb) {
        sampler.reset();
        const r = await pipelineOnly(file);
        process.stdout.write(`  pipeline: ${(r.ms / 1000).toFixed(1)} s, ${Math.round(r.lines / (r.ms / 1000))} lines/s, ${r.resources} resources built (before de-duplication), peak RSS ${mb(sampler.peak)}\n`);
        rmSync(file, { force: true });
        continue;
      }
      const { rt, close } = await openBench(pg);
      try {
        for (const pass of again ? ['first import (empty database)', 'second import (same file)'] : ['first import (empty database)']) {
          sampler.reset();
          const rssBefore = process.memoryUsage().rss;
          const r = await importRpps(rt.directory, file, { batchSize });
          const c = r.counters;
          const secs = r.durationMs / 1000;
          const b = c.byType;
          process.stdout.write(
            `  ${pass}: ${secs.toFixed(1)} s, ${Math.round(c.rowsRead / secs)} lines/s (${c.rowsRead - c.rowsSkipped} in scope), ` +
              `created ${c.created} (practitioners ${b.Practitioner.created}, cabinets ${b.Organization.created}, offers ${b.HealthcareService.created}, roles ${b.PractitionerRole.created}), ` +
              `updated ${c.updated}, unchanged ${c.unchanged}, ended ${c.ended}, rejected ${c.rowsRejected}, ${Math.round((c.created + c.updated) / secs)} resources written/s, ` +
              `RSS ${mb(rssBefore)} before, peak ${mb(sampler.peak)}\n`,
          );
        }
      } finally {
        await close();
        rmSync(file, { force: true });
      }
    }
  } finally {
    sampler.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}
