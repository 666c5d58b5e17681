/**
 * Bulk export benchmark: a `$export` job on an existing database (the national search dataset kept by
 * `npm run bench -- search --db rorbench`, or any ROR database), timed from kick-off to manifest, then every file
 * of one type streamed and counted. Prints the snapshot time, resources per type, and the download rate.
 *
 *   npm run bench -- export [--db rorbench] [--query '_type=HealthcareService&includeAssociatedData=_myCompleteExtract'] [--download HealthcareService]
 */
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/db.ts';
import { parseExportRequest } from '../src/export/export.params.ts';
import { openRuntime } from '../src/server/runtime.ts';

function opt(args: string[], name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
}

export async function main(args: string[]): Promise<void> {
  const name = opt(args, 'db', 'rorbench');
  const query = opt(args, 'query', '_type=HealthcareService&includeAssociatedData=_myCompleteExtract');
  const download = opt(args, 'download', 'HealthcareService');
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const db = await openDatabase({ databaseUrl: base.replace(/\/[^/]*$/, `/${name}`), poolSize: 4 });
  // The server's wiring (migrations, directory, export service), without its HTTP side.
  const rt = await openRuntime(loadConfig({ LOG_LEVEL: 'silent', ROR_SEED: 'none' }), { db });
  const exports = rt.exports;
  const params = parseExportRequest([...new URLSearchParams(query)] as [string, string][]);
  const t0 = performance.now();
  const id = await exports.kickOff(`bench:$export?${query}`, params);
  await exports.idle();
  const job = (await exports.status(id))!;
  const snapshotMs = performance.now() - t0;
  if (job.status !== 'completed') throw new Error(`export ${job.status}: ${job.error}`);
  const manifest = await exports.manifest(job, 'bench:');
  const perType = new Map<string, number>();
  for (const o of manifest.output) perType.set(o.type, (perType.get(o.type) ?? 0) + o.count);
  console.log(`$export?${query} on ${name}: snapshot ${(snapshotMs / 1000).toFixed(1)} s, ${manifest.output.length} files`);
  for (const [type, n] of perType) console.log(`  ${type}: ${n}`);
  const files = manifest.output.filter((o) => o.type === download);
  const t1 = performance.now();
  let bytes = 0;
  let lines = 0;
  for (let part = 0; part < files.length; part++) {
    for await (const chunk of (await exports.file(job, download, part))!) {
      bytes += Buffer.byteLength(chunk);
      lines += chunk.split('\n').length - 1;
    }
  }
  const s = (performance.now() - t1) / 1000;
  console.log(`  download of ${download}: ${lines} resources, ${(bytes / 1e6).toFixed(0)} MB in ${s.toFixed(1)} s (${Math.round(lines / s)} resources/s, ${(bytes / 1e6 / s).toFixed(0)} MB/s), peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
  await exports.cancel(id);
  await rt.close();
}
