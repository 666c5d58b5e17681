import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ror, ROR_BIN, ROR_NODE_FLAGS } from '../setup/cli.ts';
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/server/main.ts';

/** `ror import finess` as a user runs it: the real command in a child process, on its own PGlite directory. */
const EXCERPT = '/work/shared/data/finess/etalab-format-sample/etalab-cs1100502-stock-20260512-excerpt.csv';
const tmp = mkdtempSync(join(tmpdir(), 'ror-cli-'));


/** `ror ARGS | cat`: the command's stdout is a pipe (its exit code through pipefail). */
function rorThroughPipe(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', 'set -o pipefail; "$@" | cat', 'bash', process.execPath, ...ROR_NODE_FLAGS, ROR_BIN, ...args], {
      env: { ...process.env, ROR_SEED: 'none', LOG_LEVEL: 'silent', DATABASE_URL: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!!process.env.DATABASE_URL)('ror import finess (CLI, embedded database)', () => {
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const s of stops) await s();
  });

  it('imports, reports bad rows and bad headers with documented exit codes', async () => {
    const env = { ROR_DATA_DIR: join(tmp, 'a') };
    const ok = await ror(['import', 'finess', EXCERPT, '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).counters).toMatchObject({ rowsRead: 14, created: 27 });

    const lines = readFileSync(EXCERPT, 'utf8').split('\n');
    lines[3] = lines[3]!.replace('970100400', '9701004');
    const badRows = join(tmp, 'bad-rows.csv');
    writeFileSync(badRows, lines.join('\n'));
    const partial = await ror(['import', 'finess', badRows], env);
    expect(partial.code).toBe(3);
    expect(partial.stdout).toContain('ligne 4, nofinesset [invalid-finess]');

    const badHeader = join(tmp, 'bad-header.csv');
    writeFileSync(badHeader, lines.slice(1).join('\n'));
    const aborted = await ror(['import', 'finess', badHeader], env);
    expect(aborted.code).toBe(4);
    expect(aborted.stderr).toContain('en-tête FINESS attendu');

    const dry = await ror(['import', 'finess', EXCERPT, '--dry-run', '--json'], env);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, counters: { created: 0, updated: 0 } });
    expect((await ror(['import', 'finess', join(tmp, 'none.csv')], env)).code).toBe(4);
    const notAFile = await ror(['import', 'finess', tmp], env);
    expect(notAFile.code).toBe(4);
    expect(notAFile.stderr).toContain("n'est pas un fichier");

    // A geolocalisation line without coordinates is a warning: reported, the exit code stays 0.
    const warned = join(tmp, 'no-coordinates.csv');
    writeFileSync(warned, `${readFileSync(EXCERPT, 'utf8').trimEnd()}\ngeolocalisation;010000024;;;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2024-01-01\n`);
    const warning = await ror(['import', 'finess', warned], env);
    expect(warning.code, warning.stdout).toBe(0);
    expect(warning.stdout).toContain('avertissement, ligne 16, coordxet [missing-coordinates]');
    // Six `ror` processes, each opening the embedded database: 30 s alone on a slow machine, more beside other work.
  }, 300_000);

  it('prints the whole --json report through a pipe, beyond 64 KiB', async () => {
    const [manifest, first] = readFileSync(EXCERPT, 'utf8').split('\n') as [string, string];
    // 600 lines with an unreadable FINESS number: 600 issues, a report of more than 100 KiB.
    const bad = Array.from({ length: 600 }, (_, i) => first.replace('010000024', `X${String(i).padStart(8, '0')}`));
    const big = join(tmp, 'many-issues.csv');
    writeFileSync(big, [manifest, ...bad].join('\n') + '\n');
    // Through a real pipe, as `ror … --json | jq` (the test's own stdio would be a socket pair, with larger buffers).
    const run = await rorThroughPipe(['import', 'finess', big, '--dry-run', '--json'], { ROR_DATA_DIR: join(tmp, 'pipe') });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout.length).toBeGreaterThan(100 * 1024);
    const report = JSON.parse(run.stdout);
    expect(report.counters).toMatchObject({ rowsRead: 600, rowsRejected: 600 });
    expect(report.issues).toHaveLength(601); // and closures-skipped
  }, 120_000);

  it('goes through the running server when one holds the embedded database', async () => {
    const dataDir = join(tmp, 'b');
    const server = await startServer(loadConfig({ ROR_DATA_DIR: dataDir, PORT: '0', ROR_SEED: 'none', LOG_LEVEL: 'silent' }));
    stops.push(server.stop);
    expect(statSync(join(dataDir, 'admin-token')).mode & 0o777).toBe(0o600);
    const res = await ror(['import', 'finess', EXCERPT], { ROR_DATA_DIR: dataDir });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`via le serveur ${server.url}`);
    const read = await fetch(`${server.url}/fhir/Organization/finess-010000024`);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { name: string }).name).toBe('CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT');
    const denied = await fetch(`${server.url}/admin/import/finess`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: 'x' });
    expect(denied.status).toBe(401);

    // A partial file closes nothing (warning, exit 0) until --allow-mass-closure, forwarded to the server.
    const lines = readFileSync(EXCERPT, 'utf8').trimEnd().split('\n');
    const template = lines.find((l) => l.startsWith('structureet;010000024;'))!;
    const big = join(tmp, 'big.csv');
    writeFileSync(big, [...lines, ...Array.from({ length: 120 }, (_, i) => template.replace('structureet;010000024;', `structureet;01${5000000 + i};`))].join('\n') + '\n');
    expect((await ror(['import', 'finess', big], { ROR_DATA_DIR: dataDir })).code).toBe(0);
    const partial = await ror(['import', 'finess', EXCERPT], { ROR_DATA_DIR: dataDir });
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stdout).toContain('[closures-skipped]');
    expect(partial.stdout).toMatch(/[^\d]0 fermées/);
    const forced = await ror(['import', 'finess', EXCERPT, '--allow-mass-closure', '--json'], { ROR_DATA_DIR: dataDir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout).counters.closed).toBe(120);
  }, 300_000);

  it('resumes after kill -9 and ends as one clean run', async () => {
    // 3 000 structures of the national rebuild (data/finess), in batches of 100.
    const national = join(process.cwd(), 'data', 'finess', 'finess-etalab-20210108.csv.br');
    const { brotliDecompressSync } = await import('node:zlib');
    const text = brotliDecompressSync(readFileSync(national)).toString('utf8');
    const head = text.slice(0, text.split('\n', 3001).join('\n').length) + '\n';
    const file = join(tmp, 'n3000.csv');
    writeFileSync(file, head);
    const killed = await ror(['import', 'finess', file, '--batch', '100'], { ROR_DATA_DIR: join(tmp, 'c'), ROR_PROGRESS: '1' }, { killWhen: /\] [2-9]\d% / });
    expect(killed.signal).toBe('SIGKILL');
    const resumed = await ror(['import', 'finess', file, '--batch', '100', '--json'], { ROR_DATA_DIR: join(tmp, 'c') });
    // 0, or 3: a few 2021 categories (208, 451…) are no longer in JDV_J55 and the validator rejects those rows.
    expect([0, 3], resumed.stderr).toContain(resumed.code);
    const r = JSON.parse(resumed.stdout);
    expect(r.resumedAfterLine).toBeGreaterThan(0);
    const clean = await ror(['import', 'finess', file, '--batch', '100', '--json'], { ROR_DATA_DIR: join(tmp, 'd') });
    const c = JSON.parse(clean.stdout);
    expect(r.counters.rowsRead).toBe(c.counters.rowsRead);
    expect(r.counters.created + r.counters.updated).toBe(c.counters.created + c.counters.updated);
    // Same end state: a third run on each directory changes nothing, and both hold the same structures.
    const thirds = [];
    for (const dir of ['c', 'd']) {
      const again = JSON.parse((await ror(['import', 'finess', file, '--json'], { ROR_DATA_DIR: join(tmp, dir) })).stdout);
      expect(again.counters).toMatchObject({ created: 0, updated: 0, closed: 0, rowsRejected: c.counters.rowsRejected });
      thirds.push(again.counters);
    }
    expect(thirds[0]).toEqual(thirds[1]);
  }, 240_000);
});
