import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROR_NODE_FLAGS } from '../setup/cli.ts';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

/** Starts the real `ror serve` process, as `npm start` does, and checks it serves within 20 s. */
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

async function databaseEnv(): Promise<Record<string, string>> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const dir = mkdtempSync(join(tmpdir(), 'ror-serve-test-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    return { ROR_DATA_DIR: dir, DATABASE_URL: '' };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP SCHEMA ${schema} CASCADE`);
    await c.end();
  });
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema},public`);
  return { DATABASE_URL: u.toString() };
}

describe('ror serve', () => {
  it('serves /health and /fhir/metadata within 20 s, and stops on SIGTERM', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const env = { ...process.env, ...(await databaseEnv()), PORT: String(port), ROR_SEED: 'none', LOG_LEVEL: 'error' };
    const started = Date.now();
    const child = spawn(process.execPath, [...ROR_NODE_FLAGS, 'bin/ror.js', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      let healthy = false;
      while (Date.now() - started < 20_000 && child.exitCode === null) {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/health`);
          if (r.ok) {
            healthy = true;
            break;
          }
        } catch {
          /* not listening yet */
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(healthy, output).toBe(true);
      const meta = await fetch(`http://127.0.0.1:${port}/fhir/metadata`);
      expect(meta.status).toBe(200);
      expect(meta.headers.get('content-type')).toContain('application/fhir+json');
      expect((await meta.json()).resourceType).toBe('CapabilityStatement');
    } finally {
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (c) => r(c))));
      expect(code).toBe(0);
    }
  }, 40_000);

  it('ror --help lists the commands', async () => {
    const child = spawn(process.execPath, ['bin/ror.js', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect(out).toContain('serve');
    expect(out).toContain('migrate');
  });
});
