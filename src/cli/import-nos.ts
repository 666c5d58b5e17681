import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { ImportAbort } from '../imports/finess/finess.parse.ts';
import { importNos, nosFilesOf, type NosImportReport } from '../imports/nos/nos.import.ts';
import { findServer } from '../imports/server-link.ts';
import { openRuntime } from '../server/runtime.ts';
import { EXIT, failure, isDatabaseFailure } from './import.ts';

/**
 * `ror import nos DIR`: loads NOS ValueSet/CodeSystem JSON files into the terminology module (docs/imports.md).
 * Exit codes: 0 installed · 3 installed, some files rejected (see the report) · 4 aborted before anything was
 * installed (no directory, nothing importable, a package that would be inconsistent) · 5 database failure · 2 bad usage.
 */
export async function importNosCommand(config: Config, dir: string, opts: { dryRun?: boolean; json?: boolean; package?: string; direct?: boolean }): Promise<number> {
  const running = config.databaseUrl ? undefined : findServer(config.dataDir);
  if (running && opts.direct) {
    return failure('ror import nos', `--direct refusé, le serveur ${running.url} (pid ${running.pid}) tient la base embarquée ; sans --direct l'import passe par lui`, EXIT.usage, !!opts.json);
  }
  if (opts.package !== undefined && !/^[a-z0-9-]+$/.test(opts.package)) {
    return failure('ror import nos', '--package doit être fait de minuscules, chiffres et tirets', EXIT.usage, !!opts.json);
  }
  try {
    const report = running ? await viaServer(running, dir, opts) : await direct(config, dir, opts);
    process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : summary(report, running?.url));
    return report.issueCount > 0 ? EXIT.rejectedRows : EXIT.ok;
  } catch (e) {
    const code = e instanceof ImportAbort ? EXIT.aborted : isDatabaseFailure(e) ? EXIT.database : EXIT.error;
    failure('ror import nos', (e as Error).message, code, !!opts.json);
    return code;
  }
}

async function direct(config: Config, dir: string, opts: { dryRun?: boolean; package?: string }): Promise<NosImportReport> {
  const runtime = await openRuntime({ ...config, seed: 'none' });
  try {
    return await importNos(runtime.db, dir, { dryRun: !!opts.dryRun, ...(opts.package ? { packageName: opts.package } : {}) });
  } finally {
    await runtime.close();
  }
}

/** The running server holds the embedded database: the files go to it (JSON, NOS files are small). */
async function viaServer(server: { url: string; token: string }, dir: string, opts: { dryRun?: boolean; package?: string }): Promise<NosImportReport> {
  const files = nosFilesOf(dir).map((name) => ({ name, content: readFileSync(join(dir, name), 'utf8') }));
  const q = new URLSearchParams({ ...(opts.dryRun ? { dryRun: '1' } : {}), ...(opts.package ? { package: opts.package } : {}) });
  const res = await fetch(`${server.url}/admin/import/nos?${q}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ dir, files }),
  });
  const body = (await res.json().catch(() => ({}))) as { report?: NosImportReport; error?: string; code?: string };
  if (body.report) return body.report;
  if (res.status === 401 || !body.error) throw new Error(`le serveur ${server.url} a répondu ${res.status}`);
  if (body.code === 'database') throw Object.assign(new Error(body.error), { database: true });
  throw new ImportAbort(body.error, body.code ?? 'abort');
}

function summary(r: NosImportReport, via: string | undefined): string {
  const lines = [
    `${r.dryRun ? 'Simulation (--dry-run, rien n\'est installé) : ' : ''}import NOS de ${r.dir}${via ? ` via le serveur ${via}` : ''}`,
    `${r.files} fichier(s) JSON : ${r.valueSets} jeux de valeurs, ${r.codeSystems} systèmes de codes (${r.concepts} concepts), ${r.issueCount} fichier(s) rejeté(s)`,
    ...r.packages.map((p) => `  paquet ${p.package} (version ${p.release}) : ${OUTCOMES[p.outcome]} — ${p.valueSets.length} jeu(x) de valeurs, ${p.codeSystems.length} système(s) de codes`),
    ...r.issues.slice(0, 20).map((i) => `  ${i.file} [${i.code}] ${i.message}`),
    `Durée : ${(r.durationMs / 1000).toFixed(1)} s`,
  ];
  return `${lines.join('\n')}\n`;
}
const OUTCOMES = { installed: 'installé', updated: 'mis à jour', unchanged: 'inchangé', older: 'non installé (la base tient une version plus récente)', 'dry-run': 'à installer' } as const;
