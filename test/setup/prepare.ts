import type { Db } from '../../src/db/db.ts';

/** Reference data every test database starts with (nomenclatures), loaded after migrations. */
export async function prepareDatabase(db: Db): Promise<void> {
  void db;
}
