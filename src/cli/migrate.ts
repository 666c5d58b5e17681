import type { Config } from '../config.ts';
import { openDatabase } from '../db/db.ts';
import { migrate } from '../db/migrate.ts';

export async function migrateCommand(config: Config): Promise<number> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const r = await migrate(db);
    process.stdout.write(r.applied.length ? `Migrations appliquées : ${r.applied.join(', ')}\n` : `Base à jour (${r.alreadyApplied} migrations)\n`);
    return 0;
  } finally {
    await db.close();
  }
}
