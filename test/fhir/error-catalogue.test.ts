import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VALIDATION_RULES } from '../../src/fhir/validation/engine.ts';

/** Rule codes used in the code, documented in docs/ — in both directions. */
const documented = (file: string) => new Set([...readFileSync(file, 'utf8').matchAll(/^\| `([a-z-]+)`/gm)].map((m) => m[1]!));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

describe('error catalogue', () => {
  const validation = documented('docs/validation.md');
  const errors = documented('docs/errors.md');

  it('documents every validation rule code, and only those', () => {
    expect([...VALIDATION_RULES].sort()).toEqual([...validation].filter((r) => !errors.has(r)).sort());
  });

  it('documents every rule code raised elsewhere in the code', () => {
    const used = new Set(sourceFiles('src').flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/rule: '([a-z-]+)'/g)].map((m) => m[1]!)));
    for (const rule of used) expect(errors.has(rule) || validation.has(rule), `rule ${rule} is not documented`).toBe(true);
    for (const rule of errors) expect(used.has(rule), `documented rule ${rule} is never raised`).toBe(true);
  });
});
