import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * PGlite is single-process: two processes opening one data directory would corrupt it. Whoever opens it
 * holds `<dataDir>/ror.lock` (its pid); another live process is refused with a clear message, a lock left
 * by a dead process (kill -9) is taken over. `ror` commands reach a running server instead (docs/cli.md).
 */
export class DataDirBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `La base embarquée ${dataDir} est déjà ouverte par le processus ${pid} (PGlite n'accepte qu'un processus) : ` +
        'arrêtez-le, ou passez par le serveur qui la tient (docs/cli.md)',
    );
    this.name = 'DataDirBusyError';
  }
}

const lockPath = (dataDir: string) => join(dataDir, 'ror.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data directory's lock; returns its release. Throws DataDirBusyError when a live process holds it. */
export function lockDataDir(dataDir: string): () => void {
  const path = lockPath(dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        if (holder(path) === process.pid) rmSync(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = holder(path);
      if (pid !== undefined && pid !== process.pid && alive(pid)) throw new DataDirBusyError(dataDir, pid);
      // Stale (dead holder, unreadable) or our own: take it over.
      rmSync(path, { force: true });
    }
  }
  throw new Error(`Impossible de prendre le verrou ${path}`);
}

function holder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
