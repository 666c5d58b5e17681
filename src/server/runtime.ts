import type { Config } from '../config.ts';
import { openDatabase, type Db } from '../db/db.ts';
import { migrate } from '../db/migrate.ts';
import { Directory } from '../directory/directory.service.ts';
import type { SearchEngine } from '../fhir/rest.ts';
import { createValidator } from '../fhir/validation/validate.ts';
import { RESULT_PARAMETERS, search, searchIncludesFor, searchParamsFor, searchRevIncludesFor } from '../search/search.service.ts';
import { ensureSearchIndex, searchIndexer } from '../search/search.indexer.ts';
import { Terminology } from '../terminology/terminology.service.ts';
import { TERMINOLOGY_OPERATIONS, terminologyRoutes } from '../terminology/terminology.routes.ts';
import { ExportService } from '../export/export.service.ts';
import { EXPORT_OPERATION, exportRoutes } from '../export/export.routes.ts';
import type { AppDeps } from './app.ts';

/** Everything a running process needs, wired once: database, terminology, directory, search. */
export interface Runtime {
  config: Config;
  db: Db;
  terminology: Terminology;
  directory: Directory;
  searchEngine: SearchEngine;
  /** Bulk exports; a serving process starts its runner, which takes waiting jobs from the database. */
  exports: ExportService;
  appDeps: AppDeps;
  close(): Promise<void>;
}

export async function openRuntime(
  config: Config,
  opts: { db?: Db; afterMigrate?: () => Promise<void>; onReindex?: (done: number) => void } = {},
): Promise<Runtime> {
  const db = opts.db ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  await migrate(db);
  await ensureSearchIndex(db, { ...(opts.onReindex ? { progress: opts.onReindex } : {}) });
  await opts.afterMigrate?.();
  const terminology = new Terminology(db);
  await terminology.load();
  const directory = new Directory(db, createValidator(terminology), [searchIndexer]);
  const searchEngine: SearchEngine = { search: (req) => search(db, req, { raw: true }) };
  // The runner polls for jobs only in a serving process (server/main.ts starts it); a kick-off wakes it anyway.
  const exports = new ExportService(db, directory);
  const appDeps: AppDeps = {
    config,
    db,
    repository: directory,
    searchEngine,
    searchParams: searchParamsFor,
    searchIncludes: searchIncludesFor,
    searchRevIncludes: searchRevIncludesFor,
    systemSearchParams: RESULT_PARAMETERS,
    plugins: [terminologyRoutes(terminology), exportRoutes(exports)],
    operationResources: TERMINOLOGY_OPERATIONS,
    operations: [EXPORT_OPERATION],
  };
  return {
    config,
    db,
    terminology,
    directory,
    searchEngine,
    exports,
    appDeps,
    close: async () => {
      await exports.stop();
      await db.close();
    },
  };
}
