import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../src/fhir/types.ts';
import { ensureSearchIndex, indexFingerprint } from '../../src/search/search.indexer.ts';
import { eg, ej, healthcareService, location } from '../fixtures/ror.ts';
import { FHIR_JSON, openTestApp, type TestApp } from '../setup/db.ts';

// The rebuild of the search index when its definitions change (src/search/search.indexer.ts ensureSearchIndex).
const TABLES = ['sp_token', 'sp_string', 'sp_date', 'sp_number', 'sp_reference', 'sp_geo', 'sp_group'];

let t: TestApp;
let live: number;
let ejId: string;
let before: Record<string, number>;

async function post(r: Resource): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: `/fhir/${r.resourceType}`, headers: FHIR_JSON, payload: JSON.stringify(r) });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: string }).id;
}

async function rowCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) out[table] = Number((await t.runtime.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
  return out;
}

async function state() {
  return (await t.runtime.db.query<{ fingerprint: string; target: string | null; after_type: string | null; after_id: string | null }>(
    `SELECT fingerprint, target, after_type, after_id FROM sp_index_state WHERE name = 'search'`,
  )).rows[0]!;
}

/** Makes the index stale: recorded under other definitions, its rows gone. */
async function staleIndex(rebuild: { target: string; after: { res_type: string; id: string } } | null = null): Promise<void> {
  for (const table of TABLES) await t.runtime.db.query(`DELETE FROM ${table}`);
  await t.runtime.db.query(`UPDATE sp_index_state SET fingerprint = 'old-definitions', target = $1, after_type = $2, after_id = $3 WHERE name = 'search'`, [
    rebuild?.target ?? null,
    rebuild?.after.res_type ?? null,
    rebuild?.after.id ?? null,
  ]);
}

const searchIds = async (q: string) =>
  ((await t.app.inject({ method: 'GET', url: `/fhir/${q}` })).json() as { entry?: { resource: { id: string } }[] }).entry?.map((e) => e.resource.id).sort() ?? [];

beforeAll(async () => {
  t = await openTestApp();
  ejId = await post(ej());
  for (let i = 0; i < 4; i++) {
    const org = await post(eg(ejId));
    await post(healthcareService(org, [await post(location())]));
  }
  const deleted = await post(location());
  expect((await t.app.inject({ method: 'DELETE', url: `/fhir/Location/${deleted}` })).statusCode).toBe(200);
  live = Number((await t.runtime.db.query<{ n: string }>('SELECT count(*) AS n FROM resource WHERE NOT deleted')).rows[0]!.n);
  expect(live).toBe(13);
  before = await rowCounts();
  expect(before.sp_token).toBeGreaterThan(0);
});

afterAll(async () => {
  await t?.close();
});

describe('search index rebuild', () => {
  it('rebuilds every live resource in batches, records the fingerprint, and is then a no-op', async () => {
    await staleIndex();
    const progress: number[] = [];
    expect(await ensureSearchIndex(t.runtime.db, { batchSize: 3, progress: (n) => progress.push(n) })).toBe(live);
    expect(progress).toEqual([3, 6, 9, 12, 13]);
    expect(await rowCounts()).toEqual(before);
    expect(await state()).toEqual({ fingerprint: indexFingerprint(), target: null, after_type: null, after_id: null });
    expect(await searchIds(`HealthcareService?organization.partof=Organization/${ejId}`)).toHaveLength(4);
    expect(await searchIds('Organization?partof:missing=false')).toHaveLength(4);
    expect(await ensureSearchIndex(t.runtime.db, { batchSize: 3 })).toBe(0);
  });

  it('shares the batches between callers running together: each resource indexed once, no row twice', async () => {
    await staleIndex();
    const done = await Promise.all([ensureSearchIndex(t.runtime.db, { batchSize: 2 }), ensureSearchIndex(t.runtime.db, { batchSize: 2 }), ensureSearchIndex(t.runtime.db, { batchSize: 2 })]);
    expect(done.reduce((a, b) => a + b, 0)).toBe(live);
    expect(await rowCounts()).toEqual(before);
    expect((await state()).fingerprint).toBe(indexFingerprint());
  });

  it('resumes a rebuild cut short after its cursor, and starts over one made for other definitions', async () => {
    const order = (await t.runtime.db.query<{ res_type: string; id: string }>('SELECT res_type, id FROM resource WHERE NOT deleted ORDER BY res_type, id')).rows;
    const cursor = order[4]!;
    await staleIndex({ target: indexFingerprint(), after: cursor });
    expect(await ensureSearchIndex(t.runtime.db, { batchSize: 4 })).toBe(live - 5);
    await staleIndex({ target: 'other-definitions', after: cursor });
    expect(await ensureSearchIndex(t.runtime.db, { batchSize: 4 })).toBe(live);
    expect(await rowCounts()).toEqual(before);
  });
});
