import { describe, expect, it } from 'vitest';
import { openDatabase, pgliteSettings } from './db.ts';

describe('ROR_PGLITE_SETTINGS', () => {
  it('passes name=value pairs to the embedded backend, and refuses anything else', () => {
    expect(pgliteSettings({})).toEqual([]);
    expect(pgliteSettings({ ROR_PGLITE_SETTINGS: 'shared_buffers=32MB, work_mem = 8MB' })).toEqual(['shared_buffers=32MB', 'work_mem=8MB']);
    expect(() => pgliteSettings({ ROR_PGLITE_SETTINGS: 'shared_buffers' })).toThrow(/nom=valeur/);
  });

  it('the embedded database starts with them', async () => {
    const before = process.env.ROR_PGLITE_SETTINGS;
    process.env.ROR_PGLITE_SETTINGS = 'shared_buffers=16MB,work_mem=7MB';
    try {
      const db = await openDatabase({});
      try {
        expect((await db.query<{ shared_buffers: string }>('SHOW shared_buffers')).rows[0]!.shared_buffers).toBe('16MB');
        expect((await db.query<{ work_mem: string }>('SHOW work_mem')).rows[0]!.work_mem).toBe('7MB');
      } finally {
        await db.close();
      }
    } finally {
      if (before === undefined) delete process.env.ROR_PGLITE_SETTINGS;
      else process.env.ROR_PGLITE_SETTINGS = before;
    }
  }, 60_000);
});
