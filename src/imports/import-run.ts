import { createHash } from 'node:crypto';
import type { Queryable } from '../db/db.ts';
import type { Resource } from '../fhir/types.ts';

/**
 * The state of one file import in the database (migration 0010): the run (source, file hash, status,
 * checkpoint line, counters) and its row issues. Shared by every importer so that resume after a crash,
 * checkpoints and reports work the same way for FINESS and RPPS.
 */
export interface RunState<C> {
  /** null for a dry run: nothing is recorded. */
  id: number | null;
  /** Last line whose batch was committed: a resumed run skips up to it. */
  checkpoint: number;
  counters: C;
}

export interface RunIssue {
  line: number;
  column?: string | undefined;
  code: string;
  message: string;
}

/**
 * A new run, or the unfinished run of the same source and file (same SHA-256) to resume after its checkpoint;
 * `restore` rebuilds the counters from those saved (missing keys filled from a fresh set).
 */
export async function openRun<C>(
  db: Queryable,
  run: { source: string; fileName: string; sha256: string; fileDate: string },
  restore: (saved: Partial<C> | null) => C,
): Promise<RunState<C>> {
  const prev = await db.query<{ id: number; checkpoint: number; counters: Partial<C> }>(
    `SELECT id, checkpoint, counters FROM import_run WHERE source = $1 AND file_sha256 = $2 AND status IN ('running', 'failed') AND NOT dry_run
      ORDER BY id DESC LIMIT 1`,
    [run.source, run.sha256],
  );
  const p = prev.rows[0];
  if (p) {
    await db.query(`UPDATE import_run SET status = 'running', error = NULL, finished_at = NULL WHERE id = $1`, [p.id]);
    return { id: Number(p.id), checkpoint: Number(p.checkpoint), counters: restore(p.counters) };
  }
  const r = await db.query<{ id: number }>(
    `INSERT INTO import_run (source, file_name, file_sha256, file_date, status) VALUES ($1, $2, $3, $4, 'running') RETURNING id`,
    [run.source, run.fileName, run.sha256, run.fileDate],
  );
  return { id: Number(r.rows[0]!.id), checkpoint: 0, counters: restore(null) };
}

/** Records a committed batch in its transaction: its row issues, the checkpoint line and the counters. */
export async function checkpoint<C>(tx: Queryable, run: RunState<C>, lastLine: number, counters: C, issues: readonly RunIssue[]): Promise<void> {
  const runId = run.id;
  if (runId === null) return;
  if (issues.length) {
    await tx.query(
      `INSERT INTO import_issue (run_id, line, col, code, message)
       SELECT $2, x.l, x.c, x.k, x.m FROM jsonb_to_recordset($1::jsonb) AS x(l int8, c text, k text, m text)`,
      [JSON.stringify(issues.map((i) => ({ l: i.line, c: i.column ?? null, k: i.code, m: i.message }))), runId],
    );
  }
  await tx.query(`UPDATE import_run SET checkpoint = $2, counters = $3::jsonb WHERE id = $1`, [runId, lastLine, JSON.stringify(counters)]);
}

export async function finishRun<C>(db: Queryable, run: RunState<C>): Promise<void> {
  if (run.id === null) return;
  await db.query(`UPDATE import_run SET status = 'done', finished_at = now(), counters = $2::jsonb WHERE id = $1`, [run.id, JSON.stringify(run.counters)]);
}

/** Marks the run failed (best effort: the database may be what failed); a later run of the same file resumes it. */
export async function failRun<C>(db: Queryable, run: RunState<C>, error: unknown): Promise<void> {
  if (run.id === null) return;
  await db
    .query(`UPDATE import_run SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`, [run.id, String((error as Error).message).slice(0, 2000)])
    .catch(() => undefined);
}

/** Hash of the source-owned content of a built resource, the extension at `ignoredExtensionUrl` (creation date) aside. */
export function sourceHash(r: Resource, ignoredExtensionUrl: string): string {
  const extension = ((r.extension ?? []) as { url: string }[]).filter((e) => e.url !== ignoredExtensionUrl);
  return createHash('sha1').update(JSON.stringify({ ...r, extension })).digest('base64url');
}

/**
 * Guard against a truncated or partial file: a national extract lists nearly every structure it listed the day
 * before (FINESS closes a few hundred a month), so a run that would close or end more than this share of what
 * earlier runs left open, and more than `min` of them, closes nothing unless the operator says so
 * (`--allow-mass-closure`). Without it, an excerpt or a download cut short would close the whole directory.
 */
export const MASS_CLOSURE = { share: 0.1, min: 100 } as const;

/** The number of items in pages (of missing structures or resources). */
export async function countPages(pages: AsyncIterable<readonly unknown[]>): Promise<number> {
  let n = 0;
  for await (const page of pages) n += page.length;
  return n;
}

/**
 * The warning of a run whose closures the guard holds back, or undefined when they may go ahead.
 * `words`: what is open and what would not be done, in the report's French.
 */
export function massClosureWarning(
  missing: number,
  open: number,
  words: { code: string; open: string; nothingDone: string; verb: string },
): { line: number; code: string; severity: 'warning'; message: string } | undefined {
  if (missing <= MASS_CLOSURE.min || missing <= MASS_CLOSURE.share * open) return undefined;
  return {
    line: 0,
    code: words.code,
    severity: 'warning',
    message:
      `le fichier ne liste pas ${missing} des ${open} ${words.open} des imports précédents (plus de ${MASS_CLOSURE.share * 100} %) : ` +
      `extrait partiel ou fichier tronqué ? ${words.nothingDone} ; relancer avec --allow-mass-closure pour les ${words.verb}`,
  };
}
