/**
 * Benchmark entry point: `npm run bench -- <name> [options]` runs bench/<name>.ts.
 * Benchmarks print their figures; they are not tests and assert nothing.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const name = process.argv[2];
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.replace(/\.ts$/, ''));
if (!name || !existsSync(join(here, `${name}.ts`))) {
  process.stderr.write(`usage: npm run bench -- <${available.join('|')}> [options]\n`);
  process.exit(2);
}
const mod = (await import(`./${name}.ts`)) as { main(args: string[]): Promise<void> };
await mod.main(process.argv.slice(3));
process.exit(0);
