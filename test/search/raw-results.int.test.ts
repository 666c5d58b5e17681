import { describe, expect, it } from 'vitest';
import { FHIR_JSON, useTestApp } from '../setup/db.ts';
import { eg, ej, healthcareService, location } from '../fixtures/ror.ts';
import { search } from '../../src/search/search.service.ts';
import { toFhirJson } from '../../src/fhir/raw-json.ts';

const t = useTestApp();

/** Search results served as stored JSON text (src/fhir/raw-json.ts): the same resources as parsed ones. */
describe('search results as stored text', () => {
  it('HTTP pages and include tails hold exactly the stored resources, resourceType first', async () => {
    const post = async (r: object) => {
      const res = await t.app.inject({ method: 'POST', url: `/fhir/${(r as { resourceType: string }).resourceType}`, headers: FHIR_JSON, payload: JSON.stringify(r) });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as { id: string; resourceType: string };
    };
    const tag = `RAW${Date.now()}`;
    const j = await post(ej());
    const o = await post(eg(j.id));
    const l = await post(location({ alias: [tag] }));
    const h = await post(healthcareService(o.id, [l.id], { name: tag }));
    const q = `name=${tag}&_include=HealthcareService:location&_include=HealthcareService:organization&_include:iterate=Organization:partof`;
    const res = await t.app.inject({ method: 'GET', url: `/fhir/HealthcareService?${q}` });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { entry: { resource: { resourceType: string; id: string }; search: { mode: string } }[] };
    expect(body.entry.map((e) => `${e.search.mode} ${e.resource.resourceType}/${e.resource.id}`).sort()).toEqual(
      [`match HealthcareService/${h.id}`, `include Location/${l.id}`, `include Organization/${o.id}`, `include Organization/${j.id}`].sort(),
    );
    for (const e of body.entry) {
      const read = (await t.app.inject({ method: 'GET', url: `/fhir/${e.resource.resourceType}/${e.resource.id}` })).json();
      expect(e.resource).toEqual(read);
    }
    expect(res.body).toMatch(/"resource":\{"resourceType":"HealthcareService",/);

    // In process: raw and parsed answers serialise to the same JSON value.
    const req = { resourceType: 'HealthcareService', baseUrl: 'http://x/fhir', params: [...new URLSearchParams(q)] as [string, string][] };
    const raw = await search(t.runtime.db, req, { raw: true });
    const parsed = await search(t.runtime.db, req);
    expect(JSON.parse(toFhirJson(raw))).toEqual(JSON.parse(JSON.stringify(parsed)));
    expect((parsed.entry![0]!.resource as { name?: string }).name).toBe(tag);
  });
});
