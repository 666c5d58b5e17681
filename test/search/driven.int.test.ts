import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/directory/directory.service.ts';
import type { Bundle, Resource } from '../../src/fhir/types.ts';
import { compileSearch, driverWindow } from '../../src/search/search.service.ts';
import { eg, ej, healthcareService } from '../fixtures/ror.ts';
import { openTestApp, type TestApp } from '../setup/db.ts';

// Driven pages (search.service.ts drivenPage): a plain token criterion drives, the others are checked per
// candidate, and a window of candidates that does not fill the page falls back to the general plan. The
// dataset makes the matches sparse at the end of the driver's id order, so the first page exhausts the window.
let t: TestApp;
const R211 = 'https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle';
const N = 2600;
const MATCHING = [505, 512, 513, 514, 515, 516, 517, 519];
const id = (k: number) => `drv-${String(k).padStart(4, '0')}`;

async function get(url: string): Promise<Bundle> {
  const res = await t.app.inject({ method: 'GET', url: `/fhir/${url}` });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json() as Bundle;
}
const matches = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!);

beforeAll(async () => {
  t = await openTestApp();
  const root = await t.runtime.directory.create(SYSTEM_ACTOR, ej());
  const site = await t.runtime.directory.create(SYSTEM_ACTOR, eg(root.id));
  const offers: (Resource & { id: string })[] = [];
  for (let k = 0; k < N; k++) {
    const spec = { coding: [{ system: R211, code: '005' }] };
    offers.push({ ...healthcareService(site.id, [], { specialty: [spec], name: MATCHING.includes(k) ? 'Zzmatch consultation' : k % 4 === 0 ? 'Consultation pédiatrique' : 'Consultation' }), id: id(k) });
  }
  for (let k = 0; k < offers.length; k += 650) {
    const results = await t.runtime.directory.upsertBatch(SYSTEM_ACTOR, offers.slice(k, k + 650));
    expect(results.filter((r) => r.outcome !== 'created')).toEqual([]);
  }
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('driven pages', () => {
  it('a window with too few matches falls back to the general plan: same pages, same total, paging to the end', async () => {
    const q = `HealthcareService?specialty=${encodeURIComponent(`${R211}|005`)}&name=zzmatch`;
    const c = compileSearch({ resourceType: 'HealthcareService', params: [['specialty', `${R211}|005`], ['name', 'zzmatch'], ['_count', '3']], baseUrl: 'http://x/fhir' });
    expect(c.driven?.window).toBe(driverWindow(4));
    expect(c.driven!.window).toBeLessThan(MATCHING[0]!);
    const seen: string[] = [];
    let b = await get(`${q}&_count=3`);
    expect(b.total).toBe(MATCHING.length);
    for (;;) {
      seen.push(...matches(b));
      const next = b.link!.find((l) => l.relation === 'next');
      if (!next) break;
      b = await get(next.url.slice(next.url.indexOf('/fhir/') + 6));
    }
    expect(seen).toEqual(MATCHING.map(id));
    expect(matches(await get(`${q}&_count=200`))).toEqual(MATCHING.map(id));
  });

  it('totals of a driven first page: exact for one criterion; with several (or _total=estimate), exact near the cap and estimated from the density well above it', async () => {
    const spec = encodeURIComponent(`${R211}|005`);
    const dense = N - MATCHING.length;
    // 2 592 matches among 2 600 candidates: estimated (≈ 2 600 × 51 / 51), flagged in the outcome entry.
    // One criterion: exact by default, even above the cap.
    const single = await get(`HealthcareService?specialty=${spec}&_count=50`);
    expect(single.total).toBe(N);
    expect(single.entry!.filter((e) => e.search?.mode === 'outcome')).toEqual([]);
    // Several criteria: by default as with _total=estimate, flagged as an estimate.
    const byDefault = await get(`HealthcareService?specialty=${spec}&name=consultation&_count=50`);
    expect(byDefault.total).toBe((await get(`HealthcareService?specialty=${spec}&name=consultation&_count=50&_total=estimate`)).total);
    const flagged = byDefault.entry!.find((e) => e.search?.mode === 'outcome')?.resource as unknown as { issue: { diagnostics: string }[] } | undefined;
    expect(flagged?.issue.map((i) => i.diagnostics).join(' ')).toMatch(/estimé/);
    const est = await get(`HealthcareService?specialty=${spec}&name=consultation&_count=50&_total=estimate`);
    expect(est.total).toBeGreaterThan(dense * 0.9);
    expect(est.total).toBeLessThan(dense * 1.1);
    const outcome = est.entry!.find((e) => e.search?.mode === 'outcome')!.resource as unknown as { issue: { diagnostics: string }[] };
    expect(outcome.issue.map((i) => i.diagnostics).join(' ')).toMatch(/estimé/);
    expect((await get(`HealthcareService?specialty=${spec}&name=consultation&_count=50&_total=accurate`)).total).toBe(dense);
    // 650 matches, one candidate in four: the page fills, the density puts the total under the cap, counted the driven way.
    const quarter = Array.from({ length: N }, (_, k) => k).filter((k) => k % 4 === 0 && !MATCHING.includes(k)).length;
    const q = await get(`HealthcareService?specialty=${spec}&name=${encodeURIComponent('consultation pé')}&_count=10&_total=estimate`);
    expect(q.total).toBe(quarter);
    expect(q.entry!.filter((e) => e.search?.mode === 'outcome')).toEqual([]);
    // 8 matches: counted exactly.
    expect((await get(`HealthcareService?specialty=${spec}&name=zzmatch&_count=2`)).total).toBe(MATCHING.length);
  });

  it('dense matches: the driven page and the general plan give the same page', async () => {
    for (const params of [
      [['specialty', `${R211}|005`], ['name', 'consultation'], ['_count', '7']],
      [['_filter', `(specialty eq ${R211}|005 or specialty eq ${R211}|006) and name sw cons`], ['_count', '4']],
    ] as [string, string][][]) {
      const c = compileSearch({ resourceType: 'HealthcareService', params, baseUrl: 'http://x/fhir' });
      expect(c.driven, JSON.stringify(params)).toBeDefined();
      const driven = await t.runtime.db.query<{ id: string }>(c.driven!.sql, c.driven!.params);
      const general = await t.runtime.db.query<{ id: string }>(c.pageSql, c.params);
      expect(driven.rows.map((r) => r.id)).toEqual(general.rows.map((r) => r.id));
      // Full: the driven page itself answered (no fallback).
      expect(driven.rows.length).toBe(Number(params.find(([k]) => k === '_count')![1]) + 1);
    }
  });
});
