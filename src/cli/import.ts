import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type { Config } from '../config.ts';
import { importFiness, type ImportProgress, type ImportReport as FinessReport } from '../imports/finess/finess.import.ts';
import { ImportAbort } from '../imports/finess/finess.parse.ts';
import { importRpps, type RppsImportReport } from '../imports/rpps/rpps.import.ts';
import { findServer } from '../imports/server-link.ts';
import { openRuntime } from '../server/runtime.ts';

/** A file source of `ror import`: same options, exit codes, progress bar, server routing for each. */
export type FileSource = 'finess' | 'rpps';
type ImportReport = FinessReport | RppsImportReport;

/**
 * `ror import finess FILE`, `ror import rpps FILE`. Exit codes (docs/imports.md):
 *   0 imported, no rejected row · 3 imported, some rows rejected (see the report) · 4 aborted before any
 *   write: unreadable file, bad header · 5 aborted by a database failure (the batch rolled back; re-run the
 *   same file to resume) · 2 bad usage · 1 unexpected error.
 */
export const EXIT = { ok: 0, error: 1, usage: 2, rejectedRows: 3, aborted: 4, database: 5 } as const;

export interface ImportCliOptions {
  dryRun?: boolean;
  json?: boolean;
  batch?: string;
  encoding?: string;
  /** Close or end what the file no longer lists even beyond MASS_CLOSURE (a partial file otherwise). */
  allowMassClosure?: boolean;
  /** Open the database directly (refused while a server holds the embedded database). */
  direct?: boolean;
}

export async function importFinessCommand(config: Config, file: string, opts: ImportCliOptions): Promise<number> {
  return importFileCommand(config, 'finess', file, opts);
}

export async function importFileCommand(config: Config, source: FileSource, file: string, opts: ImportCliOptions): Promise<number> {
  const cmd = `ror import ${source}`;
  const fail = (message: string, code: number) => failure(cmd, message, code, !!opts.json);
  if (!existsSync(file)) return fail(`fichier introuvable « ${file} »`, EXIT.aborted);
  if (!statSync(file).isFile()) return fail(`« ${file} » n'est pas un fichier`, EXIT.aborted);
  const encoding = opts.encoding === undefined ? undefined : opts.encoding === 'latin1' ? 'windows-1252' : opts.encoding === 'utf-8' || opts.encoding === 'utf8' ? 'utf-8' : null;
  if (encoding === null) return fail('--encoding doit valoir utf-8 ou latin1', EXIT.usage);
  const batchSize = opts.batch ? Number(opts.batch) : undefined;
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10000)) return fail('--batch doit être un entier entre 1 et 10000', EXIT.usage);
  const bar = progressBar(process.env.ROR_PROGRESS === '1' || (!opts.json && process.stderr.isTTY === true));
  const running = config.databaseUrl ? undefined : findServer(config.dataDir);
  if (running && opts.direct) return fail(`--direct refusé, le serveur ${running.url} (pid ${running.pid}) tient la base embarquée ; sans --direct l'import passe par lui`, EXIT.usage);
  const server = running;
  try {
    const report = server
      ? await viaServer(server, source, file, { dryRun: !!opts.dryRun, allowMassClosure: !!opts.allowMassClosure, batchSize, encoding, onProgress: bar.update })
      : await direct(config, source, file, { dryRun: !!opts.dryRun, allowMassClosure: !!opts.allowMassClosure, batchSize, encoding, onProgress: bar.update });
    bar.done();
    process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : summary(report, server?.url));
    return report.counters.rowsRejected > 0 || report.issueCount > (report.warningCount ?? 0) ? EXIT.rejectedRows : EXIT.ok;
  } catch (e) {
    bar.done();
    const code = e instanceof ImportAbort || (e as { code?: string }).code === 'abort' ? EXIT.aborted : e instanceof DatabaseError || isDatabaseFailure(e) ? EXIT.database : EXIT.error;
    return failure(cmd, (e as Error).message, code, !!opts.json, code === EXIT.database ? ' (relancez la même commande pour reprendre)' : '');
  }
}

interface RunOptions {
  dryRun: boolean;
  allowMassClosure: boolean;
  batchSize: number | undefined;
  encoding: 'utf-8' | 'windows-1252' | undefined;
  onProgress: (p: ImportProgress) => void;
}

class DatabaseError extends Error {}

/** Node's codes of a database that cannot be reached (refused, unknown host, timeout, connection lost). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE']);

/**
 * A failure of the database (exit 5: re-run the same command): a PostgreSQL error (SQLSTATE, 5 characters) or a
 * database that cannot be reached (also when Node tried several addresses: an AggregateError of them).
 */
export function isDatabaseFailure(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (/^[0-9A-Z]{5}$/.test(code) || UNREACHABLE.has(code))) return true;
  if ((e as { database?: unknown } | null)?.database === true) return true;
  const errors = (e as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every(isDatabaseFailure);
}

/**
 * Every abort of an import command ends here: the message on stderr and, with `--json`, the same
 * `{"error","exitCode"}` object on stdout (a script reading stdout always gets JSON).
 */
export function failure(cmd: string, message: string, code: number, json: boolean, hint = ''): number {
  if (json) process.stdout.write(`${JSON.stringify({ error: message, exitCode: code })}\n`);
  process.stderr.write(`${cmd} : ${message}${hint}\n`);
  return code;
}

async function direct(
  config: Config,
  source: FileSource,
  file: string,
  opts: RunOptions,
): Promise<ImportReport> {
  const runtime = await openRuntime({ ...config, seed: 'none' });
  try {
    const run = source === 'finess' ? importFiness : importRpps;
    return await run(runtime.directory, file, {
      dryRun: opts.dryRun,
      allowMassClosure: opts.allowMassClosure,
      onProgress: opts.onProgress,
      ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
      ...(opts.encoding ? { encoding: opts.encoding } : {}),
    });
  } finally {
    await runtime.close();
  }
}

/** Streams the file to the running server and reads its NDJSON answer (progress lines, then the report). */
async function viaServer(
  server: { url: string; token: string },
  source: FileSource,
  file: string,
  opts: RunOptions,
): Promise<ImportReport> {
  const q = new URLSearchParams({
    name: basename(file),
    ...(opts.dryRun ? { dryRun: '1' } : {}),
    ...(opts.allowMassClosure ? { allowMassClosure: '1' } : {}),
    ...(opts.batchSize ? { batch: String(opts.batchSize) } : {}),
    ...(opts.encoding ? { encoding: opts.encoding } : {}),
  });
  const res = await fetch(`${server.url}/admin/import/${source}?${q}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/octet-stream' },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  if (!res.ok || !res.body) throw new Error(`le serveur ${server.url} a répondu ${res.status} ${await res.text()}`);
  let buffered = '';
  let report: ImportReport | undefined;
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const msg = JSON.parse(buffered.slice(0, nl)) as { progress?: ImportProgress; report?: ImportReport; error?: string; code?: string };
      buffered = buffered.slice(nl + 1);
      if (msg.progress) opts.onProgress(msg.progress);
      if (msg.report) report = msg.report;
      if (msg.error) throw msg.code === 'database' ? new DatabaseError(msg.error) : new ImportAbort(msg.error, msg.code ?? 'abort');
    }
  }
  if (!report) throw new DatabaseError(`le serveur ${server.url} a interrompu l'import sans rapport`);
  return report;
}

function summary(r: ImportReport, via: string | undefined): string {
  const lines = [...(r.source === 'rpps' ? rppsHead(r, via) : finessHead(r, via)), ...issueLines(r)];
  return `${lines.filter((l) => l !== undefined).join('\n')}\n`;
}

function finessHead(r: FinessReport, via: string | undefined): (string | undefined)[] {
  const c = r.counters;
  return [
    `${r.dryRun ? 'Simulation (--dry-run, rien n\'est écrit) : ' : ''}import FINESS de ${r.file} (extraction du ${r.fileDate}, ${r.encoding})${via ? ` via le serveur ${via}` : ''}`,
    r.resumedAfterLine ? `Reprise après la ligne ${r.resumedAfterLine} (import précédent interrompu)` : undefined,
    `${c.rowsRead} lignes structureet lues, ${c.rowsRejected} rejetées ; structures : ${c.created} créées, ${c.updated} modifiées, ${c.unchanged} inchangées, ${c.closed} fermées ; ${c.geolocated} géolocalisées`,
    duration(r),
  ];
}

function rppsHead(r: RppsImportReport, via: string | undefined): (string | undefined)[] {
  const c = r.counters;
  const t = (k: keyof RppsImportReport['counters']['byType'], label: string) => {
    const o = c.byType[k];
    return `${label} ${o.created}/${o.updated}/${o.unchanged}/${o.ended}`;
  };
  return [
    `${r.dryRun ? 'Simulation (--dry-run, rien n\'est écrit) : ' : ''}import RPPS de ${r.file} (extraction du ${r.fileDate}, ${r.encoding})${via ? ` via le serveur ${via}` : ''}`,
    r.resumedAfterLine ? `Reprise après la ligne ${r.resumedAfterLine} (import précédent interrompu)` : undefined,
    `${c.rowsRead} lignes d'activité lues : ${c.rowsSkipped} hors périmètre (autre profession ou exercice non libéral), ${c.rowsRejected} rejetées ; ${c.rolesWithoutSavoirFaire} sans savoir-faire (sans situation opérationnelle), ${c.rolesWithoutActivity ?? 0} de médecin sans spécialité ordinale (ni offre ni situation)`,
    `Ressources : ${c.created} créées, ${c.updated} modifiées, ${c.unchanged} inchangées, ${c.ended} terminées (créées/modifiées/inchangées/terminées : ${t('Practitioner', 'professionnels')}, ${t('Organization', 'cabinets')}, ${t('HealthcareService', 'offres')}, ${t('PractitionerRole', 'situations')})`,
    duration(r),
  ];
}

const duration = (r: ImportReport) => `Durée : ${(r.durationMs / 1000).toFixed(1)} s${r.runId !== null ? ` (import n° ${r.runId})` : ''}`;
const issueLines = (r: ImportReport) => [
  ...r.issues.slice(0, 20).map((i) => `  ${i.severity === 'warning' ? 'avertissement, ' : ''}ligne ${i.line}${i.column ? `, ${i.column}` : ''} [${i.code}] ${i.message}`),
  r.issueCount > 20 ? `  … ${r.issueCount - 20} autres anomalies (--json pour tout voir)` : undefined,
];

/** A one-line progress bar on stderr (terminal only): phase, lines, lines/s, ETA. */
function progressBar(enabled: boolean) {
  const started = Date.now();
  let shown = false;
  return {
    update(p: ImportProgress) {
      if (!enabled) return;
      const secs = (Date.now() - started) / 1000;
      const rate = p.done / Math.max(secs, 0.001);
      let text: string;
      if (p.phase === 'load' && p.total) {
        const frac = Math.min(1, p.done / p.total);
        const width = 30;
        const eta = rate > 0 ? (p.total - p.done) / rate : 0;
        text = `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '-')}] ${Math.round(frac * 100)}% ${p.done}/${p.total} lignes · ${Math.round(rate)} l/s · reste ${Math.ceil(eta)} s`;
      } else text = p.phase === 'scan' ? `lecture du fichier… ${p.done} lignes` : `fermeture des ressources absentes du fichier… ${p.done}`;
      process.stderr.write(`\r${text.padEnd(90)}`);
      shown = true;
    },
    done() {
      if (shown) process.stderr.write('\n');
      shown = false;
    },
  };
}
