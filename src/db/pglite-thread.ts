import { Worker } from 'node:worker_threads';
import type { PgliteBackend, PgliteOpenOptions } from './pglite-wire.ts';
import type { SerializedError, WorkerReply, WorkerRequest } from './pglite-worker.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * PGlite in a worker thread of its own, behind the `PgliteBackend` interface: each call is one message to
 * the worker and one reply. Errors come back with their own fields (SQLSTATE `code`, `detail`, `constraint`…)
 * so callers see the same errors as in-thread. The worker keeps the process alive only while a call is
 * pending, as a socket to a database server would.
 */
export async function openPgliteWorker(opts: PgliteOpenOptions): Promise<PgliteBackend> {
  const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), { workerData: opts });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = 1;
  let failed: Error | null = null;
  const settle = (reply: WorkerReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.ok) p.resolve(reply.value);
    else p.reject(deserializeError(reply.error));
  };
  const fail = (e: Error) => {
    failed = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  const ready = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject });
  });
  worker.on('message', settle);
  worker.on('error', (e) => fail(e));
  worker.on('exit', (code) => fail(new Error(`La base embarquée s'est arrêtée (worker, code ${code})`)));
  await ready;
  worker.unref();

  const call = <T>(req: DistributiveOmit<WorkerRequest, 'id'>): Promise<T> => {
    if (failed) return Promise.reject(failed);
    const id = next++;
    return new Promise<T>((resolve, reject) => {
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...req, id } as WorkerRequest);
    });
  };
  return {
    query: (sql, params, sync, customPlan) => call({ op: 'query', sql, params, sync, ...(customPlan ? { customPlan } : {}) }),
    simple: (sql, sync) => call({ op: 'simple', sql, sync }),
    exec: (sql) => call({ op: 'exec', sql }),
    dump: () => call({ op: 'dump' }),
    async close() {
      await call({ op: 'close' });
      await worker.terminate();
    },
  };
}

/**
 * Creates the embedded database in a new data directory (PGlite's initdb) in a worker thread that then exits.
 * initdb runs in a WebAssembly instance of its own, whose memory (≈ 300 MB) stays in the process until the
 * garbage collector happens to drop it. A worker's memory goes back to the system when it ends: opening a fresh
 * directory left 591–593 MB of RSS in the process, now 507–517 MB (docs/performance.md, session 9).
 */
export async function initPgliteDataDir(opts: PgliteOpenOptions): Promise<void> {
  const backend = await openPgliteWorker(opts);
  await backend.close();
}

function deserializeError(s: SerializedError): Error {
  const e = new Error(s.message);
  e.name = s.name;
  Object.assign(e, s.props);
  if (s.stack) e.stack = s.stack;
  return e;
}
