import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ror } from '../setup/cli.ts';
import { generateRppsLines, writeRppsFile } from '../../scripts/rpps-generate.ts';
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/server/main.ts';

/** `ror import rpps` and `ror import nos` as a user runs them: the real command in a child process, on its own PGlite directory. */
const tmp = mkdtempSync(join(tmpdir(), 'ror-rpps-cli-'));


describe.skipIf(!!process.env.DATABASE_URL)('ror import rpps / nos (CLI, embedded database)', () => {
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const s of stops) await s();
  });

  it('imports, reports bad rows and bad headers with documented exit codes', async () => {
    const env = { ROR_DATA_DIR: join(tmp, 'a') };
    const lines = [...generateRppsLines({ rows: 300, seed: 21 })];
    const good = join(tmp, 'PS_LibreAcces_Personne_activite_202606010830.txt');
    writeFileSync(good, `${lines.join('\n')}\n`);
    const ok = await ror(['import', 'rpps', good, '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
    const report = JSON.parse(ok.stdout);
    expect(report).toMatchObject({ source: 'rpps', fileDate: '2026-06-01', counters: { rowsRead: 300, rowsRejected: 0 } });
    expect(report.counters.created).toBeGreaterThan(50);

    const bad = [...lines];
    const i = bad.findIndex((l) => l.split('|')[17] === 'L');
    bad[i] = bad[i]!.replace(/^8\|(\d{11})\|/, '8|123|');
    const badRows = join(tmp, 'bad-rows.txt');
    writeFileSync(badRows, `${bad.join('\n')}\n`);
    const partial = await ror(['import', 'rpps', badRows], env);
    expect(partial.code).toBe(3);
    expect(partial.stdout).toContain(`ligne ${i + 1}, Identifiant PP [invalid-rpps]`);

    const badHeader = join(tmp, 'bad-header.txt');
    writeFileSync(badHeader, `${lines.slice(1).join('\n')}\n`);
    const aborted = await ror(['import', 'rpps', badHeader], env);
    expect(aborted.code).toBe(4);
    expect(aborted.stderr).toContain('en-tête RPPS');

    const dry = await ror(['import', 'rpps', good, '--dry-run', '--json'], env);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, counters: { created: 0, updated: 0 } });
    expect((await ror(['import', 'rpps', join(tmp, 'none.txt')], env)).code).toBe(4);
    expect((await ror(['import', 'rpps', good, '--batch', '0'], env)).code).toBe(2);
    expect((await ror(['import', 'rpps', good, '--encoding', 'ebcdic'], env)).code).toBe(2);
  }, 300_000);

  it('goes through the running server when one holds the embedded database (rpps and nos)', async () => {
    const dataDir = join(tmp, 'b');
    const server = await startServer(loadConfig({ ROR_DATA_DIR: dataDir, PORT: '0', ROR_SEED: 'none', LOG_LEVEL: 'silent' }));
    stops.push(server.stop);
    const lines = [...generateRppsLines({ rows: 200, seed: 22 })];
    const file = join(tmp, 'via-server.txt');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const res = await ror(['import', 'rpps', file], { ROR_DATA_DIR: dataDir });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`via le serveur ${server.url}`);
    const f = lines.find((l) => l.split('|')[17] === 'L' && l.split('|')[9] === '70')!.split('|');
    const read = await fetch(`${server.url}/fhir/Practitioner/rpps-${f[2]}`);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { name: { family: string }[] }).name[0]!.family).toBe(f[7]);

    // NOS through the server: a new value set, usable at once by the server's validation.
    const nos = join(tmp, 'nos');
    mkdirSync(nos, { recursive: true });
    const J19 = JSON.parse(readFileSync('/work/shared/data/nos/JDV_J19-ModePriseEnCharge-ROR-FHIR.json', 'utf8'));
    J19.version = '20250101120000';
    J19.compose.include[0].concept.push({ code: '99', display: 'Mode de test' });
    writeFileSync(join(nos, 'JDV_J19.json'), JSON.stringify(J19));
    const n = await ror(['import', 'nos', nos, '--json'], { ROR_DATA_DIR: dataDir });
    expect(n.code, n.stderr).toBe(0);
    expect(JSON.parse(n.stdout).packages).toEqual([expect.objectContaining({ package: 'nos-ror', outcome: 'updated' })]);
    const check = await fetch(`${server.url}/fhir/ValueSet/$validate-code?url=${encodeURIComponent(J19.url)}&system=${encodeURIComponent(J19.compose.include[0].system)}&code=99`);
    expect(JSON.stringify(await check.json())).toContain('"valueBoolean":true');
    writeFileSync(join(nos, 'broken.json'), '{');
    expect((await ror(['import', 'nos', nos], { ROR_DATA_DIR: dataDir })).code).toBe(3);
    expect((await ror(['import', 'nos', join(tmp, 'absent')], { ROR_DATA_DIR: dataDir })).code).toBe(4);
    expect((await ror(['import', 'nos', nos, '--direct'], { ROR_DATA_DIR: dataDir })).code).toBe(2);
  }, 300_000);

  it('resumes after kill -9 and ends as one clean run', async () => {
    const file = join(tmp, 'PS_LibreAcces_Personne_activite_202606020830.txt');
    await writeRppsFile(file, { rows: 3000, seed: 23 });
    const killed = await ror(['import', 'rpps', file, '--batch', '50'], { ROR_DATA_DIR: join(tmp, 'c'), ROR_PROGRESS: '1' }, { killWhen: /\] [3-9]\d% / });
    expect(killed.signal).toBe('SIGKILL');
    const resumed = await ror(['import', 'rpps', file, '--batch', '50', '--json'], { ROR_DATA_DIR: join(tmp, 'c') });
    expect(resumed.code, resumed.stderr).toBe(0);
    const r = JSON.parse(resumed.stdout);
    expect(r.resumedAfterLine).toBeGreaterThan(0);
    const clean = await ror(['import', 'rpps', file, '--batch', '50', '--json'], { ROR_DATA_DIR: join(tmp, 'd') });
    const c = JSON.parse(clean.stdout);
    expect(r.counters.rowsRead).toBe(c.counters.rowsRead);
    expect(r.counters.byType).toEqual(c.counters.byType);
    // Same end state: a third run on each directory changes nothing, and both count the same resources.
    const thirds = [];
    for (const dir of ['c', 'd']) {
      const again = JSON.parse((await ror(['import', 'rpps', file, '--json'], { ROR_DATA_DIR: join(tmp, dir) })).stdout);
      expect(again.counters).toMatchObject({ created: 0, updated: 0, ended: 0, rowsRejected: 0 });
      thirds.push(again.counters);
    }
    expect(thirds[0]).toEqual(thirds[1]);
  }, 300_000);
});
