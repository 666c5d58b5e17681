/**
 * Worker-thread side of the embedded database: owns the PGlite instance and answers the requests of
 * `openPgliteWorker` (`pglite-thread.ts`) one at a time, in arrival order. Running PGlite here lets the database use
 * the second core while the main thread serves HTTP, validates and indexes.
 *
 * Loaded through `pglite-worker.mjs`, which registers the TypeScript loader first.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openPgliteBackend, type PgliteBackend, type PgliteOpenOptions } from './pglite-wire.ts';

export type WorkerRequest =
  | { id: number; op: 'query'; sql: string; params: readonly unknown[]; sync: boolean; customPlan?: boolean }
  | { id: number; op: 'simple'; sql: string; sync: boolean }
  | { id: number; op: 'exec'; sql: string }
  | { id: number; op: 'dump' }
  | { id: number; op: 'close' };

export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError };

/** An error as it crosses threads: structured clone keeps only name, message and stack of an Error. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string | undefined;
  props: Record<string, unknown>;
}

export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), props: {} };
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (v === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof v)) props[k] = v;
  return { name: e.name, message: e.message, stack: e.stack, props };
}

async function serve(port: NonNullable<typeof parentPort>, opts: PgliteOpenOptions): Promise<void> {
  let backend: PgliteBackend;
  try {
    backend = await openPgliteBackend(opts);
  } catch (e) {
    port.postMessage({ id: 0, ok: false, error: serializeError(e) } satisfies WorkerReply);
    return;
  }
  port.postMessage({ id: 0, ok: true, value: null } satisfies WorkerReply);
  // Requests are answered strictly in order: the main thread's lock already serialises them, this chain
  // keeps the guarantee even if it did not.
  let chain: Promise<unknown> = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    chain = chain.then(async () => {
      try {
        let value: unknown = null;
        switch (req.op) {
          case 'query':
            value = await backend.query(req.sql, req.params, req.sync, req.customPlan);
            break;
          case 'simple':
            value = await backend.simple(req.sql, req.sync);
            break;
          case 'exec':
            await backend.exec(req.sql);
            break;
          case 'dump':
            value = await backend.dump();
            break;
          case 'close':
            await backend.close();
            break;
        }
        port.postMessage({ id: req.id, ok: true, value } satisfies WorkerReply);
        if (req.op === 'close') port.close();
      } catch (e) {
        port.postMessage({ id: req.id, ok: false, error: serializeError(e) } satisfies WorkerReply);
      }
    });
  });
}

if (parentPort) void serve(parentPort, workerData as PgliteOpenOptions);
