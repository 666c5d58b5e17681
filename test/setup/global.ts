import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { prepareDatabase } from './prepare.ts';

export const TEMPLATE_PATH = join(process.cwd(), '.test-cache', 'pglite-template.tar');

/**
 * Builds once per run a migrated PGlite database with the nomenclatures loaded, dumped to a file that
 * each test file loads in memory (≈0.4 s instead of ≈5 s for a fresh database).
 */
export default async function setup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const db = (await openDatabase({})) as Awaited<ReturnType<typeof openDatabase>> & { dump(): Promise<Blob> };
  await migrate(db);
  await prepareDatabase(db);
  const blob = await db.dump();
  mkdirSync(join(process.cwd(), '.test-cache'), { recursive: true });
  writeFileSync(TEMPLATE_PATH, Buffer.from(await blob.arrayBuffer()));
  await db.close();
}
