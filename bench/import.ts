/**
 * Import benchmark: `npm run bench -- import [finess FILE] [--pg] [--batch N]`.
 * Imports the national FINESS (rebuilt etalab file, ≈95k EG + their EJ) into an empty database through the
 * real write path (Directory with the runtime's validator and indexers), then re-imports it (nothing must
 * change), and prints time, throughput and the peak RSS sampled every 100 ms.
 * Default file: data/finess/finess-etalab-20210108.csv.br (the shipped demo file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/db.ts';
import { importFiness } from '../src/imports/finess/finess.import.ts';
import { openRuntime } from '../src/server/runtime.ts';

export async function main(args: string[]): Promise<void> {
  const pg = args.includes('--pg');
  const batchAt = args.indexOf('--batch');
  const batchSize = batchAt >= 0 ? Number(args[batchAt + 1]) : 1000;
  const file = args.find((a, i) => !a.startsWith('--') && a !== 'finess' && args[i - 1] !== '--batch') ?? 'data/finess/finess-etalab-20210108.csv.br';
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dataDir = pg ? undefined : mkdtempSync(join(tmpdir(), 'ror-bench-import-'));
  const schema = `bench_import_${process.pid}`;
  const db = await openDatabase(pg ? { databaseUrl: url, schema, poolSize: 4 } : { dataDir });
  const rt = await openRuntime(loadConfig({ LOG_LEVEL: 'silent', ROR_SEED: 'none' }), { db });
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  try {
    const mb = (n: number) => `${Math.round(n / 1048576)} MB`;
    process.stdout.write(`FINESS import of ${file} on ${pg ? 'PostgreSQL' : 'PGlite (disk)'}, batches of ${batchSize}\n`);
    for (const pass of ['first import (empty database)', 'second import (same file)']) {
      peak = process.memoryUsage().rss;
      const r = await importFiness(rt.directory, file, { batchSize });
      const c = r.counters;
      const written = c.created + c.updated;
      process.stdout.write(
        `${pass}: ${(r.durationMs / 1000).toFixed(1)} s, ${c.rowsRead} rows (${Math.round(c.rowsRead / (r.durationMs / 1000))} rows/s), ` +
          `created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, closed ${c.closed}, rejected ${c.rowsRejected}, ` +
          `${Math.round((written + c.unchanged) / (r.durationMs / 1000))} resources/s, peak RSS ${mb(peak)}\n`,
      );
    }
  } finally {
    clearInterval(sampler);
    if (pg) await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await rt.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
