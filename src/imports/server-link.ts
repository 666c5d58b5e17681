import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * PGlite is single-process: while the server holds the embedded database, `ror import` goes through it.
 * The server writes `<dataDir>/server.json` (its URL and pid) and `<dataDir>/admin-token` (random, mode
 * 0600: only the owner of the data directory can read it); the CLI reads both and calls the admin route.
 */
export interface ServerLink {
  url: string;
  pid: number;
  token: string;
}

const infoPath = (dataDir: string) => join(dataDir, 'server.json');
const tokenPath = (dataDir: string) => join(dataDir, 'admin-token');

export function publishServer(dataDir: string, url: string): { token: string; unpublish: () => void } {
  const token = randomBytes(32).toString('base64url');
  writeFileSync(tokenPath(dataDir), token, { mode: 0o600 });
  chmodSync(tokenPath(dataDir), 0o600);
  writeFileSync(infoPath(dataDir), JSON.stringify({ url, pid: process.pid }, null, 2));
  return {
    token,
    unpublish: () => {
      for (const p of [infoPath(dataDir), tokenPath(dataDir)]) rmSync(p, { force: true });
    },
  };
}

/** The running server of this data directory, if any (its process still alive). */
export function findServer(dataDir: string): ServerLink | undefined {
  if (!existsSync(infoPath(dataDir)) || !existsSync(tokenPath(dataDir))) return undefined;
  try {
    const info = JSON.parse(readFileSync(infoPath(dataDir), 'utf8')) as { url: string; pid: number };
    process.kill(info.pid, 0);
    return { url: info.url, pid: info.pid, token: readFileSync(tokenPath(dataDir), 'utf8').trim() };
  } catch {
    return undefined;
  }
}

export function sameToken(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
