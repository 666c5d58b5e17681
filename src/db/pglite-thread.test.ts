import { describe, expect, it } from 'vitest';
import { openDatabase, pgliteThread } from './db.ts';

describe.skipIf(!!process.env.DATABASE_URL)('embedded database in a worker thread or in the calling thread', () => {
  for (const thread of ['worker', 'main'] as const) {
    it(`${thread}: same results, same errors, transactions roll back whole`, async () => {
      const db = await openDatabase({ pgliteThread: thread });
      try {
        await db.exec('CREATE TABLE t (id int PRIMARY KEY, j jsonb)');
        await db.query('INSERT INTO t VALUES ($1, $2)', [1, { a: 'é' }]);
        // The SQLSTATE and the constraint cross the thread boundary: callers branch on them.
        const err = await db.query('INSERT INTO t VALUES ($1, $2)', [1, {}]).catch((e: unknown) => e as { code?: string; constraint?: string });
        expect(err).toMatchObject({ code: '23505', constraint: 't_pkey' });
        await expect(
          db.transaction(async (tx) => {
            await tx.query('INSERT INTO t VALUES ($1, $2)', [2, {}]);
            await tx.query('INSERT INTO t VALUES ($1, $2)', [1, {}]);
          }),
        ).rejects.toMatchObject({ code: '23505' });
        expect((await db.query<{ id: number; j: unknown }>('SELECT id, j FROM t ORDER BY id')).rows).toEqual([{ id: 1, j: { a: 'é' } }]);
        // Concurrent callers are served in order, none inside another's transaction.
        const seen: number[] = [];
        await Promise.all([
          db.transaction(async (tx) => {
            await tx.query('INSERT INTO t VALUES ($1, $2)', [3, {}]);
            seen.push((await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows[0]!.n);
          }),
          db.query<{ n: number }>('SELECT count(*)::int AS n FROM t').then((r) => seen.push(r.rows[0]!.n)),
        ]);
        expect(seen).toEqual([2, 2]);
        // A statement issued while a transaction is open waits for its end: it never runs inside it, so it
        // does not see a row that transaction inserted and then rolled back.
        let outside: Promise<number> | undefined;
        await expect(
          db.transaction(async (tx) => {
            await tx.query('INSERT INTO t VALUES ($1, $2)', [4, {}]);
            outside = db.query<{ n: number }>('SELECT count(*)::int AS n FROM t').then((r) => r.rows[0]!.n);
            await new Promise((r) => setTimeout(r, 20));
            throw new Error('abandon');
          }),
        ).rejects.toThrow('abandon');
        expect(await outside).toBe(2);
      } finally {
        await db.close();
      }
    });
  }

  it('ROR_PGLITE_THREAD chooses, worker by default, anything else refused', () => {
    expect(pgliteThread({})).toBe('worker');
    expect(pgliteThread({ ROR_PGLITE_THREAD: 'main' })).toBe('main');
    expect(() => pgliteThread({ ROR_PGLITE_THREAD: 'both' })).toThrow(/ROR_PGLITE_THREAD/);
  });
});
