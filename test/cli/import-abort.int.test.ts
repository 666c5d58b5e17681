import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ror } from '../setup/cli.ts';

/** The abort paths of `ror import finess|rpps|nos`: documented exit codes, and with --json the error object on stdout. */
const EXCERPT = '/work/shared/data/finess/etalab-format-sample/etalab-cs1100502-stock-20260512-excerpt.csv';
const tmp = mkdtempSync(join(tmpdir(), 'ror-abort-'));
const env = { ROR_DATA_DIR: join(tmp, 'data') };

describe('ror import: aborts', () => {
  it('an unreachable database is a database failure (exit 5), reported as JSON with --json', async () => {
    for (const url of ['postgres://postgres@127.0.0.1:1/nope', 'postgres://postgres@nohost.invalid:5432/nope']) {
      const run = await ror(['import', 'finess', EXCERPT, '--json'], { ...env, DATABASE_URL: url });
      expect(run.code, run.stderr).toBe(5);
      expect(JSON.parse(run.stdout)).toEqual({ error: expect.stringMatching(/ECONNREFUSED|ENOTFOUND/), exitCode: 5 });
      expect(run.stderr).toContain('relancez la même commande pour reprendre');
    }
  }, 120_000);

  it('every abort before the import prints {"error","exitCode"} on stdout with --json', async () => {
    const cases: [string[], number][] = [
      [['import', 'finess', join(tmp, 'none.csv')], 4],
      [['import', 'rpps', tmp], 4],
      [['import', 'finess', EXCERPT, '--encoding', 'ebcdic'], 2],
      [['import', 'rpps', EXCERPT, '--batch', '0'], 2],
      [['import', 'nos', tmp, '--package', 'Pas Bon'], 2],
    ];
    for (const [args, code] of cases) {
      const run = await ror([...args, '--json'], env);
      expect(run.code, args.join(' ')).toBe(code);
      expect(JSON.parse(run.stdout), args.join(' ')).toEqual({ error: expect.any(String), exitCode: code });
      expect(run.stderr).toContain(JSON.parse(run.stdout).error);
    }
  }, 120_000);
});
