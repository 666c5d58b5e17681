import { describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/setup/db.ts';

describe('QueryOptions.customPlan', () => {
  it('repeated statements are prepared, except those asking for a custom plan (same results)', async () => {
    const db = await openTestDatabase();
    try {
      await db.transaction(async (tx) => {
        // Executions of the prepared statement of this text (generic or custom plan), null when not prepared.
        const executions = async (sql: string) =>
          (await tx.query<{ n: number | null }>('SELECT sum(generic_plans + custom_plans)::int AS n FROM pg_prepared_statements WHERE statement = $1 AND $2::int > 0', [sql, 1])).rows[0]!.n;
        const cached = 'SELECT $1::int + 1 AS v, $2::text AS t';
        const custom = 'SELECT $1::int + 2 AS v, $2::text AS t';
        for (let i = 0; i < 3; i++) {
          expect((await tx.query<{ v: number; t: string }>(cached, [i, 'é'])).rows[0]).toEqual({ v: i + 1, t: 'é' });
          expect((await tx.query<{ v: number; t: string }>(custom, [i, 'é'], { customPlan: true })).rows[0]).toEqual({ v: i + 2, t: 'é' });
        }
        // PostgreSQL names a statement from its second use; PGlite prepares every statement.
        expect(await executions(cached)).toBe(db.kind === 'postgres' ? 2 : 3);
        // Never executed as a prepared statement: PostgreSQL does not prepare it, PGlite prepares it once to
        // learn the parameter types and executes it as the unnamed statement.
        expect(await executions(custom)).toBe(db.kind === 'postgres' ? null : 0);
      });
      // Outside a transaction too.
      expect((await db.query<{ v: number }>('SELECT $1::int * 2 AS v', [21], { customPlan: true })).rows[0]!.v).toBe(42);
    } finally {
      await db.close();
    }
  });
});
