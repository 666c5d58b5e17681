import { describe, expect, it } from 'vitest';
import { pgliteSettings } from './db.ts';

describe('ROR_PGLITE_SETTINGS', () => {
  it('passes name=value pairs to the embedded backend, and refuses anything else', () => {
    expect(pgliteSettings({})).toEqual([]);
    expect(pgliteSettings({ ROR_PGLITE_SETTINGS: 'shared_buffers=32MB, work_mem = 8MB' })).toEqual(['shared_buffers=32MB', 'work_mem=8MB']);
    expect(() => pgliteSettings({ ROR_PGLITE_SETTINGS: 'shared_buffers' })).toThrow(/nom=valeur/);
  });
});
