import { checkpoint, countPages, failRun, finishRun, massClosureWarning, openRun, sourceHash, type RunState as SharedRunState } from '../import-run.ts';
import { basename } from 'node:path';
import type { Queryable } from '../../db/db.ts';
import type { Actor, BatchResult, Directory } from '../../directory/directory.service.ts';
import type { Resource } from '../../fhir/types.ts';
import { closeStructure, egId, EXT, ejId, finessField, mergeFiness, toEg, toEj } from './finess.map.ts';
import {
  ImportAbort,
  parseGeo,
  parseManifest,
  parseStructureEt,
  readFinessRecords,
  type FinessEtablissement,
  type FinessGeo,
  type FinessManifest,
  type ReadStats,
  type RowIssue,
} from './finess.parse.ts';

export const FINESS_ACTOR: Actor = { id: 'import:finess' };

const ANALYZE_AFTER_IMPORT = `ANALYZE resource, resource_version, resource_identifier, resource_reference, finess_structure,
  sp_group, sp_token, sp_string, sp_date, sp_number, sp_reference, sp_geo`;

export interface ImportProgress {
  phase: 'scan' | 'load' | 'close';
  /** Lines (scan, load) or structures (close) done so far, and the total when known. */
  done: number;
  total?: number | undefined;
}

export interface ImportOptions {
  actor?: Actor;
  /** Compute what would change without writing anything. */
  dryRun?: boolean;
  /** Structures (EG lines) per transaction. */
  batchSize?: number;
  encoding?: FinessManifest['encoding'];
  onProgress?: (p: ImportProgress) => void;
  /** Largest number of row issues kept in the returned report (all are stored with the run). */
  maxIssues?: number;
  /** Name shown in the report (the CLI's file name when the server imports an uploaded copy). */
  fileName?: string;
  /** Close the missing structures even when they are more than MASS_CLOSURE allows (a partial file otherwise). */
  allowMassClosure?: boolean;
}

export interface ImportCounters {
  rowsRead: number;
  rowsRejected: number;
  created: number;
  updated: number;
  unchanged: number;
  closed: number;
  geolocated: number;
  /** Rejected lines whose FINESS number itself is unreadable: the structures missing from the file cannot
   * be told from them, so no structure is closed by this run. */
  unidentified: number;
}

export interface ImportReport {
  source: 'finess';
  file: string;
  sha256: string;
  encoding: FinessManifest['encoding'];
  fileDate: string;
  runId: number | null;
  dryRun: boolean;
  /** Line the run resumed after (a previous run of the same file stopped there), 0 for a fresh run. */
  resumedAfterLine: number;
  counters: ImportCounters;
  issueCount: number;
  /** Issues of severity `warning` among issueCount. */
  warningCount: number;
  issues: RowIssue[];
  durationMs: number;
}

type RunState = SharedRunState<ImportCounters>;

const emptyCounters = (): ImportCounters => ({ rowsRead: 0, rowsRejected: 0, created: 0, updated: 0, unchanged: 0, closed: 0, geolocated: 0, unidentified: 0 });
const FINESS_NUMBER = /^(?:\d{2}|2[AB])\d{7}$/;

/**
 * Imports a FINESS établissements file into the directory: EJ and EG Organizations, FINESS-owned fields
 * only (see finess.map.ts), in batches of one transaction each with the run's checkpoint. Bad lines are
 * reported and skipped; a bad header aborts before anything is written; a database failure aborts the
 * run (the current batch rolls back) and a re-run of the same file resumes after the last committed batch.
 * Structures known from earlier FINESS imports and absent from this file are closed at the file's date.
 */
export async function importFiness(directory: Directory, path: string, opts: ImportOptions = {}): Promise<ImportReport> {
  const started = Date.now();
  const actor = opts.actor ?? FINESS_ACTOR;
  const batchSize = opts.batchSize ?? 1000;
  const maxIssues = opts.maxIssues ?? 1000;
  const dryRun = !!opts.dryRun;
  const db = directory.db;
  const issues: RowIssue[] = [];
  let issueCount = 0;
  let warningCount = 0;
  const keepIssue = (i: RowIssue) => {
    issueCount++;
    if (i.severity === 'warning') warningCount++;
    if (issues.length < maxIssues) issues.push(i);
  };

  // Pass 1: manifest, geolocations (they follow every structure line), line count, hash.
  const stats: ReadStats = { bytes: 0 };
  let manifest: FinessManifest | undefined;
  const geos = new Map<string, FinessGeo>();
  const ejSiren = new Map<string, string>();
  const geoIssues: RowIssue[] = [];
  let totalLines = 0;
  for await (const rec of readFinessRecords(path, { encoding: opts.encoding, stats })) {
    if (!manifest) {
      manifest = parseManifest(rec, stats.encoding ?? 'utf-8');
      continue;
    }
    totalLines = rec.line;
    if (rec.fields[0] === 'structureet') {
      // The EJ's SIREN: from the SIRET of its first EG in the file, known before any batch is written.
      const ej = rec.fields[2] ?? '';
      const siret = rec.fields[22] ?? '';
      if (!ejSiren.has(ej) && /^\d{14}$/.test(siret) && FINESS_NUMBER.test(ej)) ejSiren.set((' ' + ej).slice(1), (' ' + siret.slice(0, 9)).slice(1));
    } else if (rec.fields[0] === 'geolocalisation') {
      const g = parseGeo(rec);
      if ('issues' in g) geoIssues.push(...g.issues);
      else geos.set(g.nofinesset, g.geo);
    }
    if (totalLines % 20000 === 0) opts.onProgress?.({ phase: 'scan', done: totalLines });
  }
  if (!manifest) throw new ImportAbort('Fichier FINESS vide', 'empty-file');
  const sha256 = stats.sha256!;
  const fileDate = manifest.date;
  const createdAt = new Date().toISOString();

  const run = dryRun ? { id: null, checkpoint: 0, counters: emptyCounters() } : await openRun<ImportCounters>(db, { source: 'finess', fileName: opts.fileName ?? basename(path), sha256, fileDate }, (saved) => ({ ...emptyCounters(), ...saved }));
  const counters = run.counters;
  const resumedAfterLine = run.checkpoint;
  for (const i of geoIssues) if (i.line > run.checkpoint) keepIssue(i);
  const seenInDryRun = new Set<string>();
  const writtenInDryRun = new Set<string>();
  // FINESS numbers earlier imports wrote: the others are expected new, prepared ahead (see prepareBatch).
  const known = new Set((await db.query<{ nofiness: string }>('SELECT nofiness FROM finess_structure')).rows.map((r) => r.nofiness));
  const ctx: RunContext = { directory, actor, run, dryRun, seenInDryRun, writtenInDryRun, keepIssue, geos, ejSiren, known, countedEjs: new Set(), createdAt };

  try {
    // Pass 2: structures, in batches.
    let batch: FinessEtablissement[] = [];
    let batchIssues: RowIssue[] = [];
    let batchRejected: string[] = [];
    let lastLine = run.checkpoint;
    const flush = async () => {
      // Pipelined: this batch is built, validated and indexed here while the previous one is written; one
      // transaction at a time, in file order, so checkpoints stay in order (a dry run stays sequential: it
      // counts each EJ once from what earlier batches saw).
      const line = lastLine;
      const b: Batch = { rows: batch, lastLine: line, parsing, rowIssues: batchIssues, rejected: batchRejected };
      batch = [];
      batchIssues = [];
      batchRejected = [];
      parsing = emptyParseCounts();
      const write = await prepareBatch(ctx, b);
      await inflight;
      inflight = write().then(() => opts.onProgress?.({ phase: 'load', done: line, total: totalLines }));
      // Awaited by the next flush or after the loop; this keeps a failure from counting as unhandled meanwhile.
      inflight.catch(() => undefined);
      if (dryRun) await inflight;
    };
    let inflight: Promise<void> = Promise.resolve();
    // Counts of the lines parsed since the last flush: they join the run's counters in the transaction of the
    // batch they belong to, so that a checkpoint never counts lines of a batch not yet written.
    let parsing = emptyParseCounts();
    // EG numbers of the accepted lines so far, file-wide: a later line describing one again is a duplicate,
    // whatever the batches (≈ 100 000 short strings for a national file).
    const described = new Set<string>();
    for await (const rec of readFinessRecords(path, { encoding: manifest.encoding })) {
      if (rec.line === 1) continue;
      if (rec.line <= run.checkpoint) {
        // Resumed run: the lines an earlier run committed still count for the duplicate rule.
        if (rec.fields[0] === 'structureet') {
          const parsed = parseStructureEt(rec);
          if (!('issues' in parsed)) described.add(parsed.row.nofinesset);
        }
        continue;
      }
      const kind = rec.fields[0];
      if (kind === 'geolocalisation') continue;
      if (kind !== 'structureet') {
        const i = { line: rec.line, column: 'type', code: 'unknown-record', message: `Type de ligne inconnu « ${(kind ?? '').slice(0, 40)} » (structureet ou geolocalisation attendu)` };
        batchIssues.push(i);
      } else {
        parsing.rowsRead++;
        const parsed = parseStructureEt(rec);
        if ('issues' in parsed) {
          parsing.rowsRejected++;
          batchIssues.push(...parsed.issues);
          // Still listed in FINESS: not to be closed. Unreadable number: closures are off for this run.
          const [, et = '', ej = ''] = rec.fields.map((f) => f.trim());
          if (FINESS_NUMBER.test(et)) batchRejected.push(et, ...(FINESS_NUMBER.test(ej) ? [ej] : []));
          else parsing.unidentified++;
        } else if (described.has(parsed.row.nofinesset)) {
          parsing.rowsRejected++;
          batchIssues.push({ line: rec.line, column: 'nofinesset', code: 'duplicate', message: `Établissement ${parsed.row.nofinesset} déjà décrit plus haut dans le fichier` });
        } else {
          described.add(parsed.row.nofinesset);
          batch.push(parsed.row);
        }
      }
      lastLine = rec.line;
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    await inflight;

    // Structures of earlier imports that this file no longer lists: closed.
    if (counters.unidentified > 0) {
      keepIssue({
        line: 0,
        code: 'closures-skipped',
        severity: 'warning',
        message: `${counters.unidentified} ligne(s) rejetée(s) sans numéro FINESS lisible : aucune structure absente du fichier n'a été fermée par cet import`,
      });
    } else {
      const held = opts.allowMassClosure
        ? undefined
        : massClosureWarning(await countPages(missingStructures(db, run, dryRun, seenInDryRun)), await openStructures(db), {
            code: 'closures-skipped',
            open: 'structures ouvertes',
            nothingDone: "Aucune structure n'a été fermée",
            verb: 'fermer',
          });
      if (held) keepIssue(held);
      else await closeMissing(directory, actor, run, fileDate, dryRun, seenInDryRun, opts.onProgress);
    }
    await finishRun(db, run);
    // Fresh statistics for the planner once many rows changed: PGlite has no autovacuum daemon, so without
    // this its tables would never be analysed (PostgreSQL would do it later on its own).
    if (!dryRun && counters.created + counters.updated + counters.closed >= 1000) await db.exec(ANALYZE_AFTER_IMPORT);
  } catch (e) {
    await failRun(db, run, e);
    throw e;
  }
  return {
    source: 'finess',
    file: opts.fileName ?? basename(path),
    sha256,
    encoding: manifest.encoding,
    fileDate,
    runId: run.id,
    dryRun,
    resumedAfterLine,
    counters,
    issueCount,
    warningCount,
    issues,
    durationMs: Date.now() - started,
  };
}


type ParseCounts = Pick<ImportCounters, 'rowsRead' | 'rowsRejected' | 'unidentified' | 'geolocated'>;

/** What every batch of one run shares. */
/** Structures prepared between two turns of the event loop (a few ms of work). */
const PREPARE_SLICE = 32;

interface RunContext {
  directory: Directory;
  actor: Actor;
  run: RunState;
  dryRun: boolean;
  seenInDryRun: Set<string>;
  /** Dry run: `Organization/<id>` of what earlier batches would have written (references to them hold). */
  writtenInDryRun: Set<string>;
  keepIssue: (i: RowIssue) => void;
  geos: Map<string, FinessGeo>;
  ejSiren: Map<string, string>;
  /** FINESS numbers written by earlier imports or prepared by earlier batches of this one. */
  known: Set<string>;
  /** EJs already counted by an earlier batch of this run: an EJ shared by EGs of several batches counts once as
   * unchanged (a new version written later still counts as updated). */
  countedEjs: Set<string>;
  createdAt: string;
}

/** One batch: its structure lines, the last file line it covers, and what parsing them found. */
interface Batch {
  rows: FinessEtablissement[];
  lastLine: number;
  parsing: ParseCounts;
  rowIssues: RowIssue[];
  rejected: string[];
}
const emptyParseCounts = (): ParseCounts => ({ rowsRead: 0, rowsRejected: 0, unidentified: 0, geolocated: 0 });

/**
 * Builds a batch's resources and does what needs no database for those expected new (validation, index rows);
 * returns the write itself, to run once the previous batch is written.
 */
async function prepareBatch(ctx: RunContext, batch: Batch): Promise<() => Promise<void>> {
  const { rows } = batch;
  const { geos, ejSiren, known, createdAt, dryRun, writtenInDryRun } = ctx;
  // EJs first in the batch (the EGs reference them), each once, SIREN from the first SIRET of its EGs.
  const ejs = new Map<string, string | undefined>();
  for (const r of rows) if (!ejs.has(r.nofinessej)) ejs.set(r.nofinessej, ejSiren.get(r.nofinessej));
  // An EJ number may also be an EG of the same batch (never in FINESS, but keep ids distinct).
  const egIds = new Set(rows.map((r) => egId(r.nofinesset)));
  const resources: (Resource & { id: string })[] = [];
  for (const [nofinessej, siren] of ejs) {
    // A dry run writes nothing: an EJ an earlier batch would have written would be counted again (the real run
    // finds it unchanged and counts it once).
    if (egIds.has(ejId(nofinessej)) || (dryRun && writtenInDryRun.has(`Organization/${ejId(nofinessej)}`))) continue;
    resources.push(toEj(nofinessej, siren, createdAt));
  }
  for (const r of rows) {
    const geo = geos.get(r.nofinesset);
    if (geo) batch.parsing.geolocated++;
    resources.push(toEg(r, geo, createdAt));
  }
  const fresh = resources.filter((r) => !known.has(r.id.slice('finess-'.length)));
  // In slices, yielding between them, so that the previous batch's transaction goes on meanwhile.
  for (let i = 0; i < fresh.length; i += PREPARE_SLICE) {
    ctx.directory.prepareCreates(fresh.slice(i, i + PREPARE_SLICE), mergeFiness);
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (const r of fresh) known.add(r.id.slice('finess-'.length));
  return () => writeBatch(ctx, batch, resources, [...ejs.keys()], egIds);
}

async function writeBatch(
  ctx: RunContext,
  batch: Batch,
  resources: (Resource & { id: string })[],
  ejs: string[],
  egIds: Set<string>,
): Promise<void> {
  const { directory, actor, run, dryRun, seenInDryRun, writtenInDryRun, keepIssue } = ctx;
  const { rows, lastLine, parsing, rowIssues, rejected } = batch;
  const counters = run.counters;
  // Fast path: a structure whose FINESS content hashes as last time, and whose resource is still the version
  // that import left, needs neither reading nor comparing (hand edits bump the version: then it is merged).
  const hashes = new Map(resources.map((r) => [r.id, sourceHash(r, EXT.creationDate)]));
  const known = await directory.db.query<{ resource_id: string; source_hash: string | null; version_id: number | null; cur: number }>(
    `SELECT f.resource_id, f.source_hash, f.version_id, r.version_id AS cur
       FROM finess_structure f JOIN resource r ON r.res_type = 'Organization' AND r.id = f.resource_id
      WHERE f.nofiness = ANY($1::text[]) AND NOT f.closed AND NOT r.deleted`,
    [resources.map((r) => r.id.slice('finess-'.length))],
  );
  const skipped = new Map<string, number>();
  for (const k of known.rows) if (k.source_hash === hashes.get(k.resource_id) && k.version_id === k.cur) skipped.set(k.resource_id, k.cur);
  const toWrite = resources.filter((r) => !skipped.has(r.id));
  const lineOf = new Map<string, number[]>();
  for (const r of rows) {
    lineOf.set(egId(r.nofinesset), [r.line]);
    const ej = lineOf.get(ejId(r.nofinessej)) ?? [];
    if (!egIds.has(ejId(r.nofinessej))) lineOf.set(ejId(r.nofinessej), [...ej, r.line]);
  }
  const isEj = (id: string) => !egIds.has(id);
  const builtById = new Map(resources.map((r) => [r.id, r]));
  const issuesOf = (results: BatchResult[]) => {
    const out: RowIssue[] = [];
    for (const res of results) {
      if (res.outcome !== 'invalid') continue;
      const built = builtById.get(res.id);
      for (const line of isEj(res.id) ? (lineOf.get(res.id) ?? []).slice(0, 1) : (lineOf.get(res.id) ?? [])) {
        for (const i of res.issues ?? []) {
          // The column is the FINESS field the element comes from; the FHIRPath stays in the message.
          const path = i.expression?.[0] ?? '';
          const field = path && built ? finessField(path, built) : undefined;
          out.push({ line, column: field ?? path, code: i.details?.coding?.[0]?.code ?? i.code, message: `${res.id} : ${i.diagnostics ?? ''}${field ? ` (${path})` : ''}` });
        }
      }
    }
    return out;
  };
  const count = (results: BatchResult[]) => {
    for (const k of Object.keys(parsing) as (keyof ParseCounts)[]) counters[k] += parsing[k];
    const once = (id: string) => !isEj(id) || !ctx.countedEjs.has(id);
    for (const id of skipped.keys()) if (once(id)) counters.unchanged++;
    for (const res of results) {
      if (res.outcome === 'invalid') {
        if (!isEj(res.id)) counters.rowsRejected++;
      } else if (res.outcome !== 'unchanged' || once(res.id)) counters[res.outcome]++;
    }
    for (const id of [...skipped.keys(), ...results.map((r) => r.id)]) if (isEj(id)) ctx.countedEjs.add(id);
  };
  // An EJ is created only for an EG line the file accepts: when validation rejects every EG of the batch that
  // lists a new EJ, the batch is written again without it and without the rejected resources, whose outcomes (and
  // issues) carry over. Rare (the first attempt rolls back); a later batch whose EG is accepted creates the EJ.
  const carried = new Map<string, BatchResult>();
  const withCarried = (results: BatchResult[]) => [...results, ...carried.values()];
  const orphanEjs = (results: BatchResult[]) => {
    const outcome = new Map(results.map((r) => [r.id, r.outcome]));
    const listed = new Set<string>();
    for (const r of rows) {
      const o = skipped.has(egId(r.nofinesset)) ? 'unchanged' : outcome.get(egId(r.nofinesset));
      if (o !== undefined && o !== 'invalid') listed.add(ejId(r.nofinessej));
    }
    return results.filter((r) => r.outcome === 'created' && isEj(r.id) && !listed.has(r.id));
  };
  const retryWithout = (orphans: BatchResult[], results: BatchResult[]) => {
    for (const r of results) if (r.outcome === 'invalid') carried.set(r.id, r);
    const drop = new Set([...orphans.map((r) => r.id), ...carried.keys()]);
    return toWrite.filter((r) => !drop.has(r.id));
  };
  let list = toWrite;
  if (dryRun) {
    let results: BatchResult[];
    for (;;) {
      results = withCarried(await directory.upsertBatch(actor, list, { onlyIfChanged: true, merge: mergeFiness, dryRun: true, writtenEarlierInDryRun: writtenInDryRun }));
      const orphans = orphanEjs(results);
      if (orphans.length === 0) break;
      list = retryWithout(orphans, results);
    }
    for (const r of results) if (r.outcome !== 'invalid') writtenInDryRun.add(`Organization/${r.id}`);
    for (const r of rows) seenInDryRun.add(r.nofinesset);
    for (const n of rejected) seenInDryRun.add(n);
    for (const nofinessej of ejs) seenInDryRun.add(nofinessej);
    count(results);
    for (const i of [...rowIssues, ...issuesOf(results)]) keepIssue(i);
    return;
  }
  const snapshot = { ...counters };
  const RETRY = new Error('retry without orphan EJs');
  for (;;) {
    let retry: BatchResult[] | undefined;
    try {
      await directory.upsertBatch(actor, list, {
        onlyIfChanged: true,
        merge: mergeFiness,
        alsoInTransaction: async (tx, written) => {
          const results = withCarried(written);
          const orphans = orphanEjs(results);
          if (orphans.length > 0) {
            list = retryWithout(orphans, results);
            retry = orphans;
            throw RETRY; // rolls this attempt back
          }
          const batchIssues = [...rowIssues, ...issuesOf(results)];
          count(results);
          const seen = [
            ...results
              .filter((r) => r.outcome !== 'invalid')
              .map((r) => ({ n: r.id.slice('finess-'.length), k: isEj(r.id) ? 'EJ' : 'EG', i: r.id, h: hashes.get(r.id), v: r.version?.versionId ?? r.versionId ?? null })),
            ...[...skipped].map(([id, v]) => ({ n: id.slice('finess-'.length), k: isEj(id) ? 'EJ' : 'EG', i: id, h: hashes.get(id), v })),
          ];
          if (seen.length) {
            await tx.query(
              `INSERT INTO finess_structure (nofiness, kind, resource_id, last_run, closed, source_hash, version_id)
               SELECT x.n, x.k, x.i, $2, false, x.h, x.v FROM jsonb_to_recordset($1::jsonb) AS x(n text, k text, i text, h text, v int)
               ON CONFLICT (nofiness) DO UPDATE SET kind = EXCLUDED.kind, resource_id = EXCLUDED.resource_id, last_run = EXCLUDED.last_run,
                 closed = false, source_hash = EXCLUDED.source_hash, version_id = EXCLUDED.version_id`,
              [JSON.stringify(seen), run.id],
            );
          }
          const stillListed = [...rejected, ...results.filter((r) => r.outcome === 'invalid').map((r) => r.id.slice('finess-'.length))];
          if (stillListed.length) {
            await tx.query(`UPDATE finess_structure SET last_run = $2 WHERE nofiness = ANY($1::text[]) AND last_run < $2`, [stillListed, run.id]);
          }
          await checkpoint(tx, run, lastLine, counters, batchIssues);
          for (const i of batchIssues) keepIssue(i);
        },
      });
    } catch (e) {
      // The transaction rolled back: so do the counters.
      Object.assign(counters, snapshot);
      if (e === RETRY && retry) continue;
      throw e;
    }
    break;
  }
  run.checkpoint = lastLine;
}

async function openStructures(db: Queryable): Promise<number> {
  return Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM finess_structure WHERE NOT closed`)).rows[0]!.n);
}

/**
 * The structures earlier runs left open that this run did not see, page by page: those it did not touch (a dry run
 * wrote nothing, so its pages are filtered on what it saw).
 */
async function* missingStructures(db: Queryable, run: RunState, dryRun: boolean, seenInDryRun: Set<string>): AsyncGenerator<{ nofiness: string; resource_id: string }[]> {
  let after = '';
  for (;;) {
    const page = await db.query<{ nofiness: string; resource_id: string }>(
      dryRun
        ? `SELECT nofiness, resource_id FROM finess_structure WHERE NOT closed AND nofiness > $1 ORDER BY nofiness LIMIT 1000`
        : `SELECT nofiness, resource_id FROM finess_structure WHERE NOT closed AND last_run < $2 AND nofiness > $1 ORDER BY nofiness LIMIT 1000`,
      dryRun ? [after] : [after, run.id],
    );
    if (page.rows.length === 0) return;
    after = page.rows[page.rows.length - 1]!.nofiness;
    const missing = dryRun ? page.rows.filter((r) => !seenInDryRun.has(r.nofiness)) : page.rows;
    if (missing.length > 0) yield missing;
  }
}

/** Closes (organization-period.end, closing type DEF) the structures earlier runs saw and this one did not. */
async function closeMissing(
  directory: Directory,
  actor: Actor,
  run: RunState,
  fileDate: string,
  dryRun: boolean,
  seenInDryRun: Set<string>,
  onProgress: ImportOptions['onProgress'],
): Promise<void> {
  let done = 0;
  for await (const missing of missingStructures(directory.db, run, dryRun, seenInDryRun)) {
    const current = await Promise.all(missing.map((m) => directory.read('Organization', m.resource_id)));
    const closed: (Resource & { id: string })[] = [];
    for (const c of current) if (c && !c.deleted && c.content) closed.push(closeStructure(c.content, fileDate));
    const results = await directory.upsertBatch(actor, closed, {
      onlyIfChanged: true,
      dryRun,
      alsoInTransaction: async (tx) => {
        await tx.query(`UPDATE finess_structure SET closed = true WHERE nofiness = ANY($1::text[])`, [missing.map((m) => m.nofiness)]);
      },
    });
    const n = results.filter((r) => r.outcome === 'updated').length;
    run.counters.closed += n;
    done += missing.length;
    onProgress?.({ phase: 'close', done });
  }
}
