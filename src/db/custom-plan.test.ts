import { describe, expect, it } from 'vitest';
import { openDatabase } from './db.ts';

const url = process.env.DATABASE_URL;

describe.skipIf(!url)('QueryOptions.customPlan (PostgreSQL)', () => {
  it('repeated statements are prepared from their second use, except those asking for a custom plan', async () => {
    const db = await openDatabase({ databaseUrl: url, poolSize: 1 });
    try {
      await db.transaction(async (tx) => {
        const prepared = async (sql: string) =>
          (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1 AND $2::int > 0', [sql, 1])).rows[0]!.n;
        const cached = 'SELECT $1::int + 1 AS v';
        const custom = 'SELECT $1::int + 2 AS v';
        for (let i = 0; i < 3; i++) {
          expect((await tx.query<{ v: number }>(cached, [i])).rows[0]!.v).toBe(i + 1);
          expect((await tx.query<{ v: number }>(custom, [i], { customPlan: true })).rows[0]!.v).toBe(i + 2);
        }
        expect(await prepared(cached)).toBe(1);
        expect(await prepared(custom)).toBe(0);
      });
    } finally {
      await db.close();
    }
  });
});
