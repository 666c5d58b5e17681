import type { Db } from '../db/db.ts';
import type { CodeChecker } from '../fhir/validation/validate.ts';

/** NOS code systems and value sets, loaded in the database and cached in memory for validation. */
export class Terminology implements CodeChecker {
  constructor(private readonly db: Db) {}

  async load(): Promise<void> {
    void this.db;
  }

  isInValueSet(_valueSetUrl: string, _system: string | undefined, _code: string): boolean | undefined {
    return undefined;
  }
}
