import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ror } from '../setup/cli.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/db.ts';
import { DataDirBusyError } from '../../src/db/pglite-lock.ts';
import { startServer } from '../../src/server/main.ts';

/** `ror migrate` and a second `ror serve` while a server holds the embedded database (docs/cli.md). */
const tmp = mkdtempSync(join(tmpdir(), 'ror-migrate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));


describe.skipIf(!!process.env.DATABASE_URL)('ror commands on the embedded database while the server runs', () => {
  it('ror migrate goes through the server; a second process cannot open the directory', async () => {
    const dir = join(tmp, 'a');
    const env = { ROR_DATA_DIR: dir };
    // Without a server: the command opens the directory itself and applies every migration.
    const first = await ror(['migrate'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Migrations appliquées : 0001-create-resources/);
    expect(existsSync(join(dir, 'ror.lock'))).toBe(false);

    const server = await startServer(loadConfig({ ROR_DATA_DIR: dir, PORT: '0', ROR_SEED: 'none', LOG_LEVEL: 'silent' }));
    try {
      expect(Number(readFileSync(join(dir, 'ror.lock'), 'utf8'))).toBe(process.pid);
      const routed = await ror(['migrate'], env);
      expect(routed.code, routed.stderr).toBe(0);
      expect(routed.stdout).toMatch(new RegExp(`^Base à jour \\(par le serveur ${server.url.replace(/[.]/g, '\\.')}\\) \\(\\d+ migrations\\)`));

      const second = await ror(['serve'], { ...env, PORT: '0' });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`est déjà ouverte par le processus ${process.pid}`);
      // The server still answers: nothing was opened behind its back.
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      // The admin route wants the server's token.
      expect((await fetch(`${server.url}/admin/migrate`, { method: 'POST' })).status).toBe(401);
    } finally {
      await server.stop();
    }
    expect(existsSync(join(dir, 'ror.lock'))).toBe(false);
    const after = await ror(['migrate'], env);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toMatch(/^Base à jour \(\d+ migrations\)/);
  }, 120_000);

  it('takes over the lock of a process that died, and refuses a live holder', async () => {
    const dir = join(tmp, 'b');
    const dead = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((r) => dead.on('exit', () => r(dead.pid!)));
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ror.lock'), String(deadPid));
    const db = await openDatabase({ dataDir: dir });
    expect(Number(readFileSync(join(dir, 'ror.lock'), 'utf8'))).toBe(process.pid);
    await db.close();

    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(dir, 'ror.lock'), String(sleeper.pid));
      await expect(openDatabase({ dataDir: dir })).rejects.toBeInstanceOf(DataDirBusyError);
      expect(Number(readFileSync(join(dir, 'ror.lock'), 'utf8'))).toBe(sleeper.pid);
    } finally {
      sleeper.kill();
    }
  }, 60_000);
});
