/**
 * Bulk export (`$export`, FHIR Bulk Data Access 2.0.0), the asynchronous full extract the ROR documentation
 * recommends over the synchronous dump (digest §4 UC2): kick-off → 202 with a status URL; the job runs in the
 * background; the status URL answers 202 while it runs, then the manifest (200) listing NDJSON files.
 *
 * Nothing lives in a process: jobs, snapshots and files are rows of the database (export.store.ts), so any
 * instance behind a load balancer answers any status or file request, and the runner of each instance takes the
 * jobs waiting (or abandoned by a dead instance) from the database.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/db.ts';
import { exportStore, KEEP_HOURS, type ExportJob } from './export.store.ts';
import type { ExportParams } from './export.params.ts';

/** Resources per NDJSON file. */
export const FILE_SIZE = 50_000;
/** Rows read from the database at a time while a file streams. */
const CHUNK = 500;

/** What the directory gives an export: the stored JSON text of given versions (Directory.versionTexts). */
export interface VersionReader {
  versionTexts(resourceType: string, keys: readonly { id: string; versionId: number }[]): Promise<{ id: string; json: string }[]>;
}

export interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: { type: string; url: string; count: number }[];
  /** With `_since`: what was deleted since then, as transaction Bundles of DELETE entries (Bulk Data 2.0). */
  deleted?: { type: 'Bundle'; url: string; count: number }[];
  error: { type: string; url: string }[];
}

export class ExportService {
  private readonly worker = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly reader: VersionReader,
    private readonly opts: { pollMs?: number; fileSize?: number } = {},
  ) {}

  /** Resources per file (FILE_SIZE unless told). */
  private get fileSize(): number {
    return this.opts.fileSize ?? FILE_SIZE;
  }

  /** Accepts a job (already parsed and checked) and wakes this instance's runner. */
  async kickOff(request: string, params: ExportParams): Promise<string> {
    const id = randomUUID();
    await exportStore.insert(this.db, id, request, params);
    this.wake();
    return id;
  }

  status(id: string): Promise<ExportJob | null> {
    return exportStore.get(this.db, id);
  }

  cancel(id: string): Promise<boolean> {
    return exportStore.remove(this.db, id);
  }

  /** The manifest of a completed job; file URLs under `fileBase` (`…/$export-file/{job}`). */
  async manifest(job: ExportJob, fileBase: string): Promise<Manifest> {
    const files = async (deleted: boolean) => {
      const counts = await exportStore.counts(this.db, job.id, deleted);
      const out: { type: string; url: string; count: number }[] = [];
      for (const type of [...counts.keys()].sort()) {
        const n = counts.get(type)!;
        for (let part = 0; part * this.fileSize < n; part++) {
          out.push({ type: deleted ? 'Bundle' : type, url: `${fileBase}/${type}${deleted ? '-deleted' : ''}-${part + 1}.ndjson`, count: Math.min(this.fileSize, n - part * this.fileSize) });
        }
      }
      return out;
    };
    const manifest: Manifest = { transactionTime: job.transactionTime!, request: job.request, requiresAccessToken: false, output: await files(false), error: [] };
    if (job.params.since) manifest.deleted = (await files(true)) as Manifest['deleted'];
    return manifest;
  }

  /** When a finished job's files stop being served (HTTP `Expires`). */
  expiresAt(job: ExportJob): Date {
    return new Date(Date.parse(job.finishedAt ?? job.createdAt) + KEEP_HOURS * 3600_000);
  }

  /**
   * The lines of one NDJSON file (`part` from 0), one resource per line as stored; undefined when the job has no
   * such file.
   */
  async file(job: ExportJob, type: string, part: number, deleted = false): Promise<AsyncGenerator<string> | undefined> {
    const size = this.fileSize;
    const start = await exportStore.partStart(this.db, job.id, type, part, size, deleted);
    if (start === null) return undefined;
    const { db, reader } = this;
    // A deleted resource: one transaction Bundle with its DELETE entry per line (Bulk Data 2.0 `deleted`).
    const deletion = (id: string) => `${JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'DELETE', url: `${type}/${id}` } }] })}\n`;
    return (async function* lines() {
      let from = start;
      let left = size;
      while (left > 0) {
        const items = await exportStore.items(db, job.id, type, from, Math.min(CHUNK, left) + 1, deleted);
        const batch = items.slice(0, Math.min(CHUNK, left));
        if (batch.length === 0) return;
        if (deleted) yield batch.map((x) => deletion(x.id)).join('');
        else yield (await reader.versionTexts(type, batch)).map((t) => `${t.json}\n`).join('');
        left -= batch.length;
        if (items.length <= batch.length) return;
        from = items[batch.length]!.id;
      }
    })();
  }

  /** Starts this instance's runner: it takes waiting jobs now and every `pollMs` (2 s). */
  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.opts.pollMs ?? 2000);
    this.timer.unref();
    this.wake();
  }

  /** Stops the runner and waits for the job in hand (its transaction) to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Runs the jobs waiting, one at a time; a call while it runs does nothing more. */
  wake(): void {
    if (this.running || this.stopped) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Waits until no job is waiting or running on this instance (tests, `ror` commands). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      await exportStore.expire(this.db);
      for (let job = await exportStore.claim(this.db, this.worker); job && !this.stopped; job = await exportStore.claim(this.db, this.worker)) {
        try {
          await exportStore.snapshot(this.db, job);
        } catch (e) {
          await exportStore.fail(this.db, job.id, (e as Error).message);
        }
      }
    } catch {
      // The database is unreachable (shutting down, failover): the next poll tries again.
    }
  }
}
