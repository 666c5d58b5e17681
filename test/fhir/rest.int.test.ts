import { describe, expect, it } from 'vitest';
import { FHIR_JSON, useTestApp } from '../setup/db.ts';
import { capacity, eg, ej, healthcareService, location } from '../fixtures/ror.ts';
import type { Resource } from '../../src/fhir/types.ts';

const t = useTestApp();

async function post(r: Resource) {
  const res = await t.app.inject({ method: 'POST', url: `/fhir/${r.resourceType}`, headers: FHIR_JSON, payload: JSON.stringify(r) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Resource & { id: string };
}

describe('FHIR REST core', () => {
  it('creates, reads, updates with If-Match, and keeps every version', async () => {
    const org = await post(ej());
    expect(org.meta?.versionId).toBe('1');
    const read = await t.app.inject({ method: 'GET', url: `/fhir/Organization/${org.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('W/"1"');
    expect(read.headers['content-type']).toContain('application/fhir+json');

    const changed = { ...org, name: 'Nouveau nom' };
    const put = await t.app.inject({ method: 'PUT', url: `/fhir/Organization/${org.id}`, headers: { ...FHIR_JSON, 'if-match': 'W/"1"' }, payload: JSON.stringify(changed) });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().meta.versionId).toBe('2');

    const stale = await t.app.inject({ method: 'PUT', url: `/fhir/Organization/${org.id}`, headers: { ...FHIR_JSON, 'if-match': 'W/"1"' }, payload: JSON.stringify({ ...org, name: 'Perdu' }) });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().resourceType).toBe('OperationOutcome');

    const v1 = await t.app.inject({ method: 'GET', url: `/fhir/Organization/${org.id}/_history/1` });
    expect(v1.json().name).toBe(org.name);
    const hist = await t.app.inject({ method: 'GET', url: `/fhir/Organization/${org.id}/_history` });
    expect(hist.json().total).toBe(2);
    expect(hist.json().entry.map((e: { resource: Resource }) => e.resource.meta?.versionId)).toEqual(['2', '1']);
  });

  it('patches capacities with the national FHIRPath Patch flow by identifier', async () => {
    const org = await post(ej());
    const site = await post(eg(org.id));
    const loc = await post(location());
    await post(healthcareService(site.id, [loc.id]));
    const syncId = (loc.identifier as { value: string }[])[0]!.value;
    const url = `/fhir/Location?identifier=${encodeURIComponent(syncId)}`;
    const CAP = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-location-supported-capacity';
    const path = `Location.extension.where(url='${CAP}').where(extension.where(url = 'capacityStatus' and valueCodeableConcept.coding.code = '02'))`;
    const op = (type: string, p: string, value?: unknown) => ({
      resourceType: 'Parameters',
      parameter: [{ name: 'operation', part: [{ name: 'type', valueString: type }, { name: 'path', valueString: p }, ...(value ? [{ name: 'value', part: [{ extension: [value] }] }] : [])] }],
    });
    const replace = await t.app.inject({ method: 'PATCH', url, headers: FHIR_JSON, payload: JSON.stringify(op('replace', path, capacity('02', 4))) });
    expect(replace.statusCode).toBe(404);
    expect(replace.json().issue[0].code).toBe('not-found');
    expect(replace.json().issue[0].expression[0]).toBe(`Location.extension.where(url='${CAP}')`);

    const add = await t.app.inject({ method: 'PATCH', url, headers: FHIR_JSON, payload: JSON.stringify(op('add', `Location.extension.where(url='${CAP}')`, capacity('02', 4))) });
    expect(add.statusCode, add.body).toBe(200);
    const again = await t.app.inject({ method: 'PATCH', url, headers: FHIR_JSON, payload: JSON.stringify(op('replace', path, capacity('02', 9))) });
    expect(again.statusCode, again.body).toBe(200);
    const caps = (again.json().extension as { url: string; extension?: { url: string; valueInteger?: number }[] }[]).filter((e) => e.url === CAP);
    expect(caps).toHaveLength(1);
    expect(caps[0]!.extension!.find((e) => e.url === 'nbCapacity')!.valueInteger).toBe(9);
  });

  it('shows deletions to incremental consumers in type history', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const org = await post(ej());
    const del = await t.app.inject({ method: 'DELETE', url: `/fhir/Organization/${org.id}` });
    expect(del.statusCode).toBe(200);
    const gone = await t.app.inject({ method: 'GET', url: `/fhir/Organization/${org.id}` });
    expect(gone.statusCode).toBe(410);
    const hist = await t.app.inject({ method: 'GET', url: `/fhir/Organization/_history?_since=${encodeURIComponent(before)}` });
    const mine = hist.json().entry.filter((e: { fullUrl: string }) => e.fullUrl.endsWith(`/Organization/${org.id}`));
    expect(mine.map((e: { request: { method: string } }) => e.request.method)).toEqual(['DELETE', 'POST']);
    expect(mine[0].resource).toBeUndefined();
  });

  it('answers every error with an OperationOutcome', async () => {
    const cases = [
      { req: { method: 'GET' as const, url: '/nope' }, status: 404 },
      { req: { method: 'GET' as const, url: '/fhir/Organization/does-not-exist' }, status: 404 },
      { req: { method: 'POST' as const, url: '/fhir/Organization', headers: { 'content-type': 'text/plain' }, payload: 'x' }, status: 415 },
      { req: { method: 'POST' as const, url: '/fhir/Organization', headers: FHIR_JSON, payload: '{bad json' }, status: 400 },
      { req: { method: 'POST' as const, url: '/fhir/Organization', headers: FHIR_JSON, payload: JSON.stringify({ resourceType: 'Patient' }) }, status: 400 },
      { req: { method: 'POST' as const, url: '/fhir/Organization', headers: FHIR_JSON, payload: JSON.stringify({ resourceType: 'Organization', pad: 'x'.repeat(6 * 1024 * 1024) }) }, status: 413 },
    ];
    for (const c of cases) {
      const res = await t.app.inject(c.req);
      expect(res.statusCode, `${c.req.method} ${c.req.url}`).toBe(c.status);
      expect(res.json().resourceType).toBe('OperationOutcome');
      expect(res.body).not.toMatch(/at .*\.ts:\d+/);
    }
  });
});

describe('national base paths', () => {
  it('serves the API under /ws-diffusion-fhir and /ws-synchro-dispo-lits-fhir as under /fhir', async () => {
    const org = await post(ej());
    for (const base of ['/ws-diffusion-fhir', '/ws-synchro-dispo-lits-fhir']) {
      const res = await t.app.inject({ method: 'GET', url: `${base}/Organization/${org.id}` });
      expect(res.statusCode).toBe(200);
      expect(res.json().id).toBe(org.id);
      expect(res.headers['x-request-id']).toBeTruthy();
    }
  });
});
