import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROR_BIN = join(process.cwd(), 'bin', 'ror.js');
/** The node flags of the `ror` command, as its shebang gives them (the heap cap): tests run it as users do. */
export const ROR_NODE_FLAGS = (/^#!.*\bnode\b(.*)$/m.exec(readFileSync(ROR_BIN, 'utf8').split('\n')[0]!)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);

export interface RorRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `ror` command in a child process, as a user does, on the embedded database (DATABASE_URL
 * cleared) unless `env` says otherwise; `killWhen` sends SIGKILL once stderr matches (crash-resume tests).
 */
export function ror(args: string[], env: Record<string, string>, opts: { killWhen?: RegExp } = {}): Promise<RorRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...ROR_NODE_FLAGS, ROR_BIN, ...args], { env: { ...process.env, ROR_SEED: 'none', LOG_LEVEL: 'silent', DATABASE_URL: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (opts.killWhen?.test(stderr)) child.kill('SIGKILL');
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
