import type { Config } from '../config.ts';
import { openDatabase } from '../db/db.ts';
import { migrate } from '../db/migrate.ts';
import { DataDirBusyError } from '../db/pglite-lock.ts';
import { findServer } from '../imports/server-link.ts';

/**
 * `ror migrate`: applies pending migrations. While a server holds the embedded database, the server applies
 * them on its own connection (PGlite is single-process); on PostgreSQL the command connects itself
 * (migrations take an advisory lock, so running servers and this command never apply one twice).
 */
export async function migrateCommand(config: Config): Promise<number> {
  const running = config.databaseUrl ? undefined : findServer(config.dataDir);
  let result: { applied: string[]; alreadyApplied: number };
  if (running) {
    const res = await fetch(`${running.url}/admin/migrate`, { method: 'POST', headers: { authorization: `Bearer ${running.token}` } });
    if (!res.ok) {
      process.stderr.write(`ror migrate : le serveur ${running.url} a répondu ${res.status} ${await res.text()}\n`);
      return 1;
    }
    result = (await res.json()) as typeof result;
  } else {
    let db;
    try {
      db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    } catch (e) {
      if (e instanceof DataDirBusyError) {
        process.stderr.write(`ror migrate : ${e.message}\n`);
        return 1;
      }
      throw e;
    }
    try {
      result = await migrate(db);
    } finally {
      await db.close();
    }
  }
  const via = running ? ` (par le serveur ${running.url})` : '';
  process.stdout.write(result.applied.length ? `Migrations appliquées${via} : ${result.applied.join(', ')}\n` : `Base à jour${via} (${result.alreadyApplied} migrations)\n`);
  return 0;
}
