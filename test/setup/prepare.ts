import type { Db } from '../../src/db/db.ts';
import { Terminology } from '../../src/terminology/terminology.service.ts';

/** Reference data every test database starts with (nomenclatures), loaded after migrations. */
export async function prepareDatabase(db: Db): Promise<void> {
  // The shipped NOS and commune packages (data/nos/), so every test database knows the value sets.
  await new Terminology(db).load();
}
