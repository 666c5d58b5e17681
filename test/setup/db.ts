import { afterAll, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, type Db } from '../../src/db/db.ts';
import { buildApp } from '../../src/server/app.ts';
import { openRuntime, type Runtime } from '../../src/server/runtime.ts';
import { prepareDatabase } from './prepare.ts';

const TEMPLATE_PATH = join(process.cwd(), '.test-cache', 'pglite-template.tar');

/**
 * A fresh, migrated database of its own for a test file: PGlite in memory from the template dump, or a
 * new schema in the PostgreSQL of DATABASE_URL (dropped on close).
 */
export async function openTestDatabase(): Promise<Db> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const blob = new Blob([readFileSync(TEMPLATE_PATH)]);
    return openDatabase({ loadDataDir: blob });
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const db = await openDatabase({ databaseUrl: url, schema, poolSize: 4 });
  const close = db.close.bind(db);
  return Object.assign(db, {
    async close() {
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await close();
    },
  });
}

export interface TestApp {
  app: FastifyInstance;
  runtime: Runtime;
  close(): Promise<void>;
}

/** The whole application on a test database, for app.inject() tests. */
export async function openTestApp(): Promise<TestApp> {
  const db = await openTestDatabase();
  const prepared = !!process.env.DATABASE_URL;
  const runtime = await openRuntime(loadConfig({ LOG_LEVEL: 'silent', ROR_SEED: 'none' }), {
    db,
    ...(prepared ? { afterMigrate: () => prepareDatabase(db) } : {}),
  });
  const app = await buildApp(runtime.appDeps);
  return {
    app,
    runtime,
    async close() {
      await app.close();
      await runtime.close();
    },
  };
}

/** Opens the application before the tests of a file and closes it after them; the handle is filled in beforeAll. */
export function useTestApp(opts: { afterOpen?: (t: TestApp) => Promise<void> } = {}): TestApp {
  const handle = {} as TestApp;
  beforeAll(async () => {
    Object.assign(handle, await openTestApp());
    await opts.afterOpen?.(handle);
  });
  afterAll(async () => {
    await handle.close?.();
  });
  return handle;
}

export const FHIR_JSON = { 'content-type': 'application/fhir+json' };
