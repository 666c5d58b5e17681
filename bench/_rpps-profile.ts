/**
 * Where an RPPS import's time goes: `node --import tsx [--cpu-prof] bench/_rpps-profile.ts [ROWS]` generates a
 * synthetic extract, imports it into a fresh PGlite directory, and prints the total time, the time spent inside
 * Directory.upsertBatch (the write path) and, of that, in the importer's own bookkeeping run in the same
 * transaction (rpps_resource, checkpoint, issues). Not a benchmark of record (bench/import.ts is).
 */
import { writeRppsFile } from '../scripts/rpps-generate.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/db.ts';
import { importRpps } from '../src/imports/rpps/rpps.import.ts';
import { openRuntime } from '../src/server/runtime.ts';
import { mkdtempSync } from 'node:fs';
const dir = mkdtempSync('/tmp/rpps-prof-');
await writeRppsFile(`${dir}/f.txt`, { rows: Number(process.argv[2] ?? 20000), seed: 1 });
const db = await openDatabase({ dataDir: `${dir}/db` });
const rt = await openRuntime(loadConfig({ LOG_LEVEL: 'silent', ROR_SEED: 'none' }), { db });
const orig = rt.directory.upsertBatch.bind(rt.directory);
let inUpsert = 0, inAlso = 0;
(rt.directory as any).upsertBatch = async (actor: any, res: any, o: any) => {
  const t0 = Date.now();
  const also = o.alsoInTransaction;
  const wrapped = also ? { ...o, alsoInTransaction: async (tx: any, r: any) => { const t1 = Date.now(); await also(tx, r); inAlso += Date.now() - t1; } } : o;
  try { return await orig(actor, res, wrapped); } finally { inUpsert += Date.now() - t0; }
};
const t = Date.now();
const r = await importRpps(rt.directory, `${dir}/f.txt`);
console.log(JSON.stringify({ totalMs: Date.now() - t, upsertBatchMs: inUpsert, ofWhichImportBookkeepingMs: inAlso, counters: r.counters, issues: r.issues.slice(0, 3) }));
await rt.close();
