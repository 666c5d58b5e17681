import { createHash } from 'node:crypto';
import { checkpoint, countPages, failRun, finishRun, massClosureWarning, openRun, sourceHash, type RunState as SharedRunState } from '../import-run.ts';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createBrotliDecompress, createGunzip } from 'node:zlib';
import type { Queryable } from '../../db/db.ts';
import type { Actor, BatchResult, Directory } from '../../directory/directory.service.ts';
import type { Resource } from '../../fhir/types.ts';
import { EXT } from '../finess/finess.map.ts';
import { ImportAbort, type ParsedLine, type ReadStats, type RowIssue } from '../finess/finess.parse.ts';
import { COL, RPPS_COLUMNS } from './rpps.format.ts';
import { activityFor, endResource, mergeRpps, practitionerId, roleId, rppsColumn, toCabinet, toPractitioner, toRole, toService, type RppsResource } from './rpps.map.ts';
import { parseHeader, parseRow, readableIdNat, readRppsLines, type RppsEncoding, type RppsRow } from './rpps.parse.ts';

export const RPPS_ACTOR: Actor = { id: 'import:rpps' };

export interface RppsProgress {
  phase: 'scan' | 'load' | 'close';
  done: number;
  total?: number | undefined;
}

export interface RppsImportOptions {
  actor?: Actor;
  dryRun?: boolean;
  /** Activity lines in the ROR's scope per transaction (each gives up to 4 resources). */
  batchSize?: number;
  encoding?: RppsEncoding;
  onProgress?: (p: RppsProgress) => void;
  maxIssues?: number;
  fileName?: string;
  /** End the missing resources even when they are more than MASS_CLOSURE allows (a partial file otherwise). */
  allowMassClosure?: boolean;
  /** Date at which resources missing from this file end (default: the date in the file name, else today). */
  fileDate?: string;
}

type ResourceType = 'Practitioner' | 'Organization' | 'HealthcareService' | 'PractitionerRole';
const TYPES: ResourceType[] = ['PractitionerRole', 'HealthcareService', 'Organization', 'Practitioner'];
interface Outcomes {
  created: number;
  updated: number;
  unchanged: number;
  ended: number;
}

export interface RppsCounters extends Outcomes {
  /** Activity lines read (the header aside). */
  rowsRead: number;
  /** Well-formed lines outside the ROR's scope: another profession, or a salaried/volunteer activity. */
  rowsSkipped: number;
  rowsRejected: number;
  /** Lines in scope without savoir-faire: the ROR requires a type de savoir-faire on a PractitionerRole
   * (specialty[expertiseType] 1..1), so their practitioner, cabinet and offer are imported but no role. */
  rolesWithoutSavoirFaire: number;
  /** Médecin lines whose savoir-faire is no spécialité ordinale the offer can follow (a compétence, a capacité…, or
   * a spécialité without activity: reported as `unmapped-specialty`): practitioner and cabinet imported, no offer
   * nor role. */
  rolesWithoutActivity: number;
  /** Rejected lines whose person identifier itself is unreadable: no resource is ended by this run. */
  unidentified: number;
  byType: Record<ResourceType, Outcomes>;
}

export interface RppsImportReport {
  source: 'rpps';
  file: string;
  sha256: string;
  encoding: RppsEncoding;
  fileDate: string;
  runId: number | null;
  dryRun: boolean;
  resumedAfterLine: number;
  counters: RppsCounters;
  issueCount: number;
  /** Issues of severity `warning` among issueCount. */
  warningCount: number;
  issues: RowIssue[];
  durationMs: number;
}

type RunState = SharedRunState<RppsCounters>;

const outcomes = (): Outcomes => ({ created: 0, updated: 0, unchanged: 0, ended: 0 });
const emptyCounters = (): RppsCounters => ({
  rowsRead: 0,
  rowsSkipped: 0,
  rowsRejected: 0,
  rolesWithoutSavoirFaire: 0,
  rolesWithoutActivity: 0,
  unidentified: 0,
  ...outcomes(),
  byType: { Practitioner: outcomes(), Organization: outcomes(), HealthcareService: outcomes(), PractitionerRole: outcomes() },
});

/** `…_202401150830.txt` → 2024-01-15 (the extracts are named after their extraction time). */
export function dateFromFileName(name: string): string | undefined {
  const m = /(?:^|[_-])(20\d{2})(\d{2})(\d{2})(?:\d{4,6})?(?:[._-]|$)/.exec(basename(name));
  if (!m) return undefined;
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  return date.getUTCDate() === Number(d) && date.getUTCMonth() === Number(mo) - 1 ? `${y}-${mo}-${d}` : undefined;
}

/**
 * SHA-256, number of lines and encoding of the (decompressed) file: the whole file is checked as UTF-8, so a
 * Latin-1 byte far down the file is known before anything is written (the decoder alone sniffs the first MB).
 */
async function scan(path: string, onProgress?: (p: RppsProgress) => void): Promise<{ sha256: string; lines: number; utf8: boolean }> {
  const hash = createHash('sha256');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let isUtf8 = true;
  let lines = 0;
  let last = -1;
  const source = createReadStream(path, { highWaterMark: 1 << 20 });
  const stream = path.endsWith('.gz') ? source.pipe(createGunzip()) : path.endsWith('.br') ? source.pipe(createBrotliDecompress()) : source;
  source.on('error', (e) => stream.destroy(e));
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      if (isUtf8) {
        try {
          utf8.decode(chunk, { stream: true });
        } catch {
          isUtf8 = false;
        }
      }
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
      last = chunk[chunk.length - 1] ?? last;
      if (lines % 100000 < 200) onProgress?.({ phase: 'scan', done: lines });
    }
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT' || (e as { code?: string }).code === 'EACCES') throw new ImportAbort(`Fichier illisible : ${(e as Error).message}`, 'unreadable');
    throw new ImportAbort(`Fichier compressé illisible : ${(e as Error).message}`, 'bad-compression');
  }
  if (last !== -1 && last !== 10) lines++;
  if (isUtf8) {
    try {
      utf8.decode();
    } catch {
      isUtf8 = false;
    }
  }
  return { sha256: hash.digest('hex'), lines, utf8: isUtf8 };
}

/**
 * Imports an RPPS extract: Practitioner, cabinet Organization, its HealthcareService and PractitionerRole for
 * the activity lines of the 11 liberal professions in mode libéral (rpps.map.ts), in batches of one
 * transaction each with the run's checkpoint. Bad lines are reported and skipped; a bad header aborts before
 * anything is written; a database failure aborts the run (the current batch rolls back) and a re-run of the
 * same file resumes after the last committed batch. Resources of earlier RPPS imports that this file no longer
 * lists are ended (active false; PractitionerRole.period.end and the cabinet's organization-period end at the
 * file's date).
 */
export async function importRpps(directory: Directory, path: string, opts: RppsImportOptions = {}): Promise<RppsImportReport> {
  const started = Date.now();
  const actor = opts.actor ?? RPPS_ACTOR;
  const batchSize = opts.batchSize ?? 1000;
  const maxIssues = opts.maxIssues ?? 1000;
  const dryRun = !!opts.dryRun;
  const db = directory.db;
  const fileName = opts.fileName ?? basename(path);
  const fileDate = opts.fileDate ?? dateFromFileName(fileName) ?? new Date().toISOString().slice(0, 10);
  const issues: RowIssue[] = [];
  let issueCount = 0;
  let warningCount = 0;
  const keepIssue = (i: RowIssue) => {
    issueCount++;
    if (i.severity === 'warning') warningCount++;
    if (issues.length < maxIssues) issues.push(i);
  };

  const { sha256, lines: totalLines, utf8 } = await scan(path, opts.onProgress);
  const stats: ReadStats = { bytes: 0 };
  const reader = readRppsLines(path, { encoding: opts.encoding ?? (utf8 ? 'utf-8' : 'windows-1252'), stats });
  const first = await reader.next();
  const layout = parseHeader(first.done ? undefined : first.value);
  const encoding = stats.encoding ?? 'utf-8';
  const createdAt = new Date().toISOString();
  const run = dryRun ? { id: null, checkpoint: 0, counters: emptyCounters() } : await openRun<RppsCounters>(db, { source: 'rpps', fileName, sha256, fileDate }, (saved) => {
          const base = emptyCounters();
          return saved ? { ...base, ...saved, byType: { ...base.byType, ...(saved.byType ?? {}) } } : base;
        });
  const counters = run.counters;
  const resumedAfterLine = run.checkpoint;
  const dry: DryRunState = { seen: new Set(), written: new Set(), stillListed: new Set() };

  try {
    let batch: RppsRow[] = [];
    let batchIssues: RowIssue[] = [];
    let stillListed: string[] = [];
    let parsing = emptyParseCounts();
    let lastLine = run.checkpoint;
    // Pipelined like the FINESS import: batch n + 1 is built (resources, validation, index rows) while batch n's
    // transaction runs; one transaction at a time, in file order, each carrying its own lines' counts and
    // checkpoint, so crash-resume is unchanged. A dry run stays sequential.
    let inflight: Promise<void> = Promise.resolve();
    let prepareAhead = !dryRun && (await db.query('SELECT 1 FROM rpps_resource LIMIT 1')).rows.length === 0;
    const flush = async () => {
      const b: RppsBatch = { rows: batch, issues: batchIssues, stillListed, parsing, lastLine };
      batch = [];
      batchIssues = [];
      stillListed = [];
      parsing = emptyParseCounts();
      const prepared = await prepareRppsBatch(directory, b, createdAt, prepareAhead, rolesDescribed);
      await inflight;
      const write = writeBatch(directory, actor, prepared, run, dryRun, dry, keepIssue).then((created) => {
        // Prepare ahead while the batches are mostly new resources (a first import); not for re-imports.
        prepareAhead = !dryRun && created;
        opts.onProgress?.({ phase: 'load', done: b.lastLine, total: totalLines });
      });
      write.catch(() => undefined);
      inflight = write;
      if (dryRun) await write;
    };
    // The PractitionerRole of every accepted line so far, file-wide, with its line: a later line giving the same
    // one is a duplicate whatever the batches (one short id per role: ≈ 20 MB for a 2M-line extract).
    const rolesDescribed = new Map<string, number>();
    for await (const rec of { [Symbol.asyncIterator]: () => reader }) {
      if (rec.line <= run.checkpoint) {
        // Resumed run: the lines an earlier run committed still count for the duplicate rule.
        const parsed = parseRow(rec, layout);
        if ('row' in parsed) {
          const role = roleIdOf(parsed.row);
          if (role && !rolesDescribed.has(role)) rolesDescribed.set(role, rec.line);
        }
        continue;
      }
      parsing.rowsRead++;
      const parsed = parseRow(rec, layout);
      if ('skip' in parsed) parsing.rowsSkipped++;
      else if ('issues' in parsed) {
        parsing.rowsRejected++;
        batchIssues.push(...parsed.issues);
        // Still listed in RPPS: the person's resources are not to be ended. Unreadable: no ending this run.
        const idNat = readableIdNat(rec.fields, layout);
        if (idNat) stillListed.push(idNat);
        else parsing.unidentified++;
      } else batch.push(parsed.row);
      lastLine = rec.line;
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    await inflight;

    if (counters.unidentified > 0) {
      keepIssue({
        line: 0,
        code: 'endings-skipped',
        severity: 'warning',
        message: `${counters.unidentified} ligne(s) rejetée(s) sans identifiant PP lisible : aucune ressource absente du fichier n'a été terminée par cet import`,
      });
    } else {
      let missing = 0;
      for (const type of TYPES) missing += await countPages(missingResources(db, type, run, dryRun, dry));
      const held = opts.allowMassClosure
        ? undefined
        : massClosureWarning(missing, await runningResources(db), {
            code: 'endings-skipped',
            open: 'ressources en cours',
            nothingDone: "Aucune ressource n'a été terminée",
            verb: 'terminer',
          });
      if (held) keepIssue(held);
      else await endMissing(directory, actor, run, fileDate, dryRun, dry, opts.onProgress);
    }
    await finishRun(db, run);
  } catch (e) {
    await failRun(db, run, e);
    throw e;
  }
  return { source: 'rpps', file: fileName, sha256, encoding, fileDate, runId: run.id, dryRun, resumedAfterLine, counters, issueCount, warningCount, issues, durationMs: Date.now() - started };
}



const keyOf = (r: { resourceType: string; id: string }) => `${r.resourceType}/${r.id}`;

/**
 * What a dry run remembers, since it writes nothing: the resources its lines gave (`Type/id`), those of them earlier
 * batches would have written (later references to them hold, and the real run finds them there), and the persons
 * of rejected lines with a readable identifier (their Practitioner and roles stay listed). Memory grows with the file.
 */
interface DryRunState {
  seen: Set<string>;
  written: Set<string>;
  stillListed: Set<string>;
}
/** The Practitioner id a PractitionerRole id begins with (rpps.map.ts roleId). */
const personOfRole = (roleId: string) => /^(rpps-[0-9A-Z]+)-/.exec(roleId)?.[1];

/** Counts of the parsing of a batch's lines: they join the run's counters in the batch's own transaction. */
interface ParseCounts {
  rowsRead: number;
  rowsSkipped: number;
  rowsRejected: number;
  unidentified: number;
  rolesWithoutSavoirFaire: number;
  rolesWithoutActivity: number;
}
const emptyParseCounts = (): ParseCounts => ({ rowsRead: 0, rowsSkipped: 0, rowsRejected: 0, unidentified: 0, rolesWithoutSavoirFaire: 0, rolesWithoutActivity: 0 });

interface RppsBatch {
  rows: RppsRow[];
  issues: RowIssue[];
  stillListed: string[];
  parsing: ParseCounts;
  lastLine: number;
}

/** The id of the PractitionerRole a line gives, if any (as prepareRppsBatch builds it). */
function roleIdOf(row: RppsRow): string | undefined {
  return activityFor(row).activity && row.sfType ? roleId(row) : undefined;
}

/** Resources prepared between two turns of the event loop (≈ 5 ms of work). */
const PREPARE_SLICE = 32;

interface PreparedBatch {
  b: RppsBatch;
  resources: RppsResource[];
  lineOf: Map<string, number>;
  rowIssues: RowIssue[];
  hashes: Map<string, string>;
}

/**
 * A batch's resources, built from its lines (no database): each once, with the line that first describes it,
 * their RPPS content hashes, and — when the batch is expected to create them — their validation and index rows
 * prepared now (`Directory.prepareCreates`), outside the previous batch's transaction.
 */
async function prepareRppsBatch(directory: Directory, b: RppsBatch, createdAt: string, ahead: boolean, rolesDescribed: Map<string, number>): Promise<PreparedBatch> {
  const counts = b.parsing;
  const built = new Map<string, RppsResource>();
  const lineOf = new Map<string, number>();
  const rowIssues = [...b.issues];
  const add = (r: RppsResource, line: number) => {
    const k = keyOf(r);
    if (!built.has(k)) {
      built.set(k, r);
      lineOf.set(k, line);
    }
  };
  for (const row of b.rows) {
    const cabinet = toCabinet(row, createdAt);
    add(toPractitioner(row, createdAt), row.line);
    add(cabinet, row.line);
    const { activity, why } = activityFor(row);
    if (!activity) {
      if (why === 'no-savoir-faire') counts.rolesWithoutSavoirFaire++;
      else counts.rolesWithoutActivity++;
      if (why === 'unmapped-specialty') {
        rowIssues.push({
          line: row.line,
          column: RPPS_COLUMNS[COL.sfCode],
          code: 'unmapped-specialty',
          severity: 'warning',
          message: `Spécialité ordinale « ${row.sfCode} » sans activité opérationnelle connue (rpps.format.ts SPECIALTY_ACTIVITY) : professionnel et cabinet importés, pas d'offre ni de situation opérationnelle`,
        });
      }
      continue;
    }
    add(toService(row, activity, built.get(keyOf(cabinet))?.name as string | undefined, createdAt), row.line);
    if (!row.sfType) {
      counts.rolesWithoutSavoirFaire++;
      continue;
    }
    const role = toRole(row, activity, createdAt);
    const earlier = rolesDescribed.get(role.id);
    if (earlier !== undefined) {
      counts.rowsRejected++;
      rowIssues.push({ line: row.line, code: 'duplicate', message: `Activité déjà décrite ligne ${earlier} (même personne, structure, profession et savoir-faire)` });
      continue;
    }
    rolesDescribed.set(role.id, row.line);
    add(role, row.line);
  }
  const resources = [...built.values()];
  const hashes = new Map(resources.map((r) => [keyOf(r), sourceHash(r, EXT.creationDate)]));
  // In slices, yielding between them: the previous batch's transaction goes on statement by statement meanwhile
  // (one synchronous block would hold each of its round trips until the whole batch is prepared).
  if (ahead) {
    for (let i = 0; i < resources.length; i += PREPARE_SLICE) {
      directory.prepareCreates(resources.slice(i, i + PREPARE_SLICE), mergeRpps);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return { b, resources, lineOf, rowIssues, hashes };
}

/**
 * Writes a prepared batch in one transaction (with the run's checkpoint and counters); answers whether most of
 * what it wrote was new (the next batch is then prepared ahead).
 */
async function writeBatch(
  directory: Directory,
  actor: Actor,
  prepared: PreparedBatch,
  run: RunState,
  dryRun: boolean,
  dry: DryRunState,
  keepIssue: (i: RowIssue) => void,
): Promise<boolean> {
  const { b, resources, lineOf, rowIssues, hashes } = prepared;
  const lastLine = b.lastLine;
  const counters = run.counters;
  const addParsing = () => {
    for (const k of Object.keys(b.parsing) as (keyof ParseCounts)[]) counters[k] += b.parsing[k];
  };
  const known = resources.length
    ? await directory.db.query<{ res_type: string; resource_id: string; source_hash: string | null; version_id: number | null; last_run: number; cur: number }>(
        `SELECT f.res_type, f.resource_id, f.source_hash, f.version_id, f.last_run, r.version_id AS cur
           FROM unnest($1::text[], $2::text[]) AS k(t, i)
           JOIN rpps_resource f ON f.res_type = k.t AND f.resource_id = k.i
           JOIN resource r ON r.res_type = f.res_type AND r.id = f.resource_id
          WHERE NOT f.ended AND NOT r.deleted`,
        [resources.map((r) => r.resourceType), resources.map((r) => r.id)],
      )
    : { rows: [] };
  // Fast path: same RPPS content as last imported and the resource still at the version that import left.
  const skipped = new Map<string, number>();
  const seenThisRun = new Set<string>();
  for (const k of known.rows) {
    const key = `${k.res_type}/${k.resource_id}`;
    // Already counted by an earlier batch of this run (a dry run remembers what its batches saw).
    if (dryRun ? dry.seen.has(key) : run.id !== null && Number(k.last_run) === run.id) seenThisRun.add(key);
    if (k.source_hash === hashes.get(key) && k.version_id === k.cur) skipped.set(key, k.cur);
  }
  const toWrite = resources.filter((r) => !skipped.has(keyOf(r)) && !(dryRun && dry.written.has(keyOf(r))));
  const count = (results: BatchResult[]) => {
    for (const key of skipped.keys()) {
      if (seenThisRun.has(key)) continue;
      counters.unchanged++;
      counters.byType[key.slice(0, key.indexOf('/')) as ResourceType].unchanged++;
    }
    for (const res of results) {
      if (res.outcome === 'invalid') continue;
      if (res.outcome === 'unchanged' && seenThisRun.has(keyOf(res))) continue;
      counters[res.outcome]++;
      counters.byType[res.resourceType as ResourceType][res.outcome]++;
    }
  };
  const builtByKey = new Map(resources.map((r) => [keyOf(r), r]));
  const issuesOf = (results: BatchResult[]) => {
    const out: RowIssue[] = [];
    for (const res of results) {
      if (res.outcome !== 'invalid') continue;
      const built = builtByKey.get(keyOf(res));
      for (const i of res.issues ?? []) {
        // The column is the RPPS column the element comes from; the FHIRPath stays in the message.
        const path = i.expression?.[0] ?? '';
        const column = path && built ? rppsColumn(path, built) : undefined;
        out.push({ line: lineOf.get(keyOf(res)) ?? 0, column: column ?? path, code: i.details?.coding?.[0]?.code ?? i.code, message: `${keyOf(res)} : ${i.diagnostics ?? ''}${column ? ` (${path})` : ''}` });
      }
    }
    return out;
  };
  const rejectedLines = (results: BatchResult[]) => new Set(results.filter((r) => r.outcome === 'invalid').map((r) => lineOf.get(keyOf(r)))).size;

  if (dryRun) {
    const results = toWrite.length ? await directory.upsertBatch(actor, toWrite, { onlyIfChanged: true, merge: mergeRpps, dryRun: true, writtenEarlierInDryRun: dry.written }) : [];
    for (const r of results) if (r.outcome !== 'invalid') dry.written.add(keyOf(r));
    for (const r of resources) dry.seen.add(keyOf(r));
    for (const id of b.stillListed) dry.stillListed.add(practitionerId(id));
    addParsing();
    count(results);
    counters.rowsRejected += rejectedLines(results);
    for (const i of [...rowIssues, ...issuesOf(results)].sort((x, y) => x.line - y.line)) keepIssue(i);
    return false;
  }
  const snapshot = structuredClone(counters);
  const commit = async (tx: Queryable, results: BatchResult[]) => {
    const batchIssues = [...rowIssues, ...issuesOf(results)].sort((x, y) => x.line - y.line);
    addParsing();
    count(results);
    counters.rowsRejected += rejectedLines(results);
    const seen = [
      ...results.filter((r) => r.outcome !== 'invalid').map((r) => ({ t: r.resourceType, i: r.id, h: hashes.get(keyOf(r)), v: r.version?.versionId ?? r.versionId ?? null })),
      ...[...skipped].map(([key, v]) => ({ t: key.slice(0, key.indexOf('/')), i: key.slice(key.indexOf('/') + 1), h: hashes.get(key), v })),
    ];
    if (seen.length) {
      await tx.query(
        `INSERT INTO rpps_resource (res_type, resource_id, last_run, ended, source_hash, version_id)
         SELECT x.t, x.i, $2, false, x.h, x.v FROM jsonb_to_recordset($1::jsonb) AS x(t text, i text, h text, v int)
         ON CONFLICT (res_type, resource_id) DO UPDATE SET last_run = EXCLUDED.last_run, ended = false,
           source_hash = EXCLUDED.source_hash, version_id = EXCLUDED.version_id`,
        [JSON.stringify(seen), run.id],
      );
    }
    // Resources of rejected lines and invalid resources are still listed by RPPS: not to be ended.
    const invalid = results.filter((r) => r.outcome === 'invalid');
    if (invalid.length) {
      await tx.query(
        `UPDATE rpps_resource f SET last_run = $3 FROM unnest($1::text[], $2::text[]) AS k(t, i)
          WHERE f.res_type = k.t AND f.resource_id = k.i AND f.last_run < $3`,
        [invalid.map((r) => r.resourceType), invalid.map((r) => r.id), run.id],
      );
    }
    if (b.stillListed.length) {
      const ids = b.stillListed.map(practitionerId);
      await tx.query(
        `UPDATE rpps_resource SET last_run = $2
          WHERE last_run < $2 AND ((res_type = 'Practitioner' AND resource_id = ANY($1::text[]))
             OR (res_type = 'PractitionerRole' AND substring(resource_id from '^(rpps-[0-9A-Z]+)-') = ANY($1::text[])))`,
        [ids, run.id],
      );
    }
    await checkpoint(tx, run, lastLine, counters, batchIssues);
    for (const i of batchIssues) keepIssue(i);
  };
  let created = 0;
  try {
    if (toWrite.length) {
      const results = await directory.upsertBatch(actor, toWrite, { onlyIfChanged: true, merge: mergeRpps, alsoInTransaction: commit });
      created = results.filter((r) => r.outcome === 'created').length;
    } else await directory.db.transaction((tx) => commit(tx, []));
  } catch (e) {
    // The transaction rolled back: so do the counters.
    Object.assign(counters, snapshot);
    throw e;
  }
  run.checkpoint = lastLine;
  return created * 2 > resources.length;
}

async function runningResources(db: Queryable): Promise<number> {
  return Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM rpps_resource WHERE NOT ended`)).rows[0]!.n);
}

/**
 * The resources of a type earlier runs left running that this run did not see, page by page (a dry run wrote
 * nothing, so its pages are filtered on what it saw).
 */
async function* missingResources(db: Queryable, type: ResourceType, run: RunState, dryRun: boolean, dry: DryRunState): AsyncGenerator<{ resource_id: string }[]> {
  let after = '';
  for (;;) {
    const page = await db.query<{ resource_id: string }>(
      dryRun
        ? `SELECT resource_id FROM rpps_resource WHERE res_type = $1 AND NOT ended AND resource_id > $2 ORDER BY resource_id LIMIT 500`
        : `SELECT resource_id FROM rpps_resource WHERE res_type = $1 AND NOT ended AND last_run < $3 AND resource_id > $2 ORDER BY resource_id LIMIT 500`,
      dryRun ? [type, after] : [type, after, run.id],
    );
    if (page.rows.length === 0) return;
    after = page.rows[page.rows.length - 1]!.resource_id;
    const missing = dryRun ? page.rows.filter((r) => !dry.seen.has(`${type}/${r.resource_id}`) && !dryStillListed(dry, type, r.resource_id)) : page.rows;
    if (missing.length > 0) yield missing;
  }
}

/** A rejected line of the dry run named this Practitioner, or the person of this PractitionerRole (as the real run's stillListed). */
function dryStillListed(dry: DryRunState, type: ResourceType, id: string): boolean {
  if (type === 'Practitioner') return dry.stillListed.has(id);
  if (type !== 'PractitionerRole') return false;
  const person = personOfRole(id);
  return person !== undefined && dry.stillListed.has(person);
}

/** Resources of earlier RPPS imports that this file no longer lists: ended (roles first, people last). */
async function endMissing(
  directory: Directory,
  actor: Actor,
  run: RunState,
  fileDate: string,
  dryRun: boolean,
  dry: DryRunState,
  onProgress: RppsImportOptions['onProgress'],
): Promise<void> {
  let done = 0;
  for (const type of TYPES) {
    for await (const missing of missingResources(directory.db, type, run, dryRun, dry)) {
      const current = await Promise.all(missing.map((m) => directory.read(type, m.resource_id)));
      const ended: RppsResource[] = [];
      for (const c of current) if (c && !c.deleted && c.content) ended.push(endResource(c.content, fileDate));
      const results = await directory.upsertBatch(actor, ended, {
        onlyIfChanged: true,
        dryRun,
        alsoInTransaction: async (tx, res) => {
          await tx.query(
            `UPDATE rpps_resource f SET ended = true, version_id = x.v FROM jsonb_to_recordset($2::jsonb) AS x(i text, v int)
              WHERE f.res_type = $1 AND f.resource_id = x.i`,
            [type, JSON.stringify(missing.map((m) => ({ i: m.resource_id, v: res.find((r) => r.id === m.resource_id)?.version?.versionId ?? null })))],
          );
          const n = res.filter((r) => r.outcome === 'updated').length;
          run.counters.ended += n;
          run.counters.byType[type].ended += n;
          await tx.query(`UPDATE import_run SET counters = $2::jsonb WHERE id = $1`, [run.id, JSON.stringify(run.counters)]);
        },
      });
      if (dryRun) {
        const n = results.filter((r) => r.outcome === 'updated').length;
        run.counters.ended += n;
        run.counters.byType[type].ended += n;
      }
      done += missing.length;
      onProgress?.({ phase: 'close', done });
    }
  }
}
