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

  it('answers the capacity flow as the national server does: 404 to add, 400 business-rule, 404 Location, 412 with the count', async () => {
    const loc = await post(location());
    const syncId = (loc.identifier as { value: string }[])[0]!.value;
    const url = `/fhir/Location?identifier=${encodeURIComponent(syncId)}`;
    const CAP = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-location-supported-capacity';
    const list = `Location.extension.where(url='${CAP}')`;
    const path = `${list}.where(extension.where(url = 'capacityStatus' and valueCodeableConcept.coding.code = '02') and extension.where(url = 'genderCapacityAvailable' and valueCodeableConcept.coding.code = '03'))`;
    const op = (type: string, p: string, value?: unknown) => ({
      resourceType: 'Parameters',
      parameter: [{ name: 'operation', part: [{ name: 'type', valueString: type }, { name: 'path', valueString: p }, ...(value ? [{ name: 'value', part: [{ extension: [value] }] }] : [])] }],
    });
    const send = (body: unknown, target = url) => t.app.inject({ method: 'PATCH', url: target, headers: FHIR_JSON, payload: JSON.stringify(body) });
    const version = async () => (await t.app.inject({ method: 'GET', url: `/fhir/Location/${loc.id}` })).json().meta.versionId;

    // The indicator is not there yet: exactly the expression the client's algorithm looks for.
    const missing = await send(op('replace', path, capacity('02', 4)));
    expect(missing.statusCode).toBe(404);
    expect(missing.json().issue).toEqual([expect.objectContaining({ code: 'not-found', expression: [list] })]);
    expect((await send(op('add', list, capacity('02', 4)))).statusCode).toBe(200);
    const v = await version();

    // The same add again (a client retry): the indicator is already there, 400 business-rule, nothing written.
    const again = await send(op('add', list, capacity('02', 4)));
    expect(again.statusCode).toBe(400);
    expect(again.json().issue).toEqual([expect.objectContaining({ code: 'business-rule', expression: ['Location.extension[3]'] })]);
    expect(again.json().issue[0].details.coding[0].code).toBe('capacity-indicator-duplicate');
    expect(await version()).toBe(v);
    // …and replace still finds exactly one.
    expect((await send(op('replace', path, capacity('02', 6)))).statusCode).toBe(200);

    // A closing type on an available bed is no valid indicator; a code outside its value set is a business error too.
    const closed = capacity('02', 1, '01');
    (closed.extension as unknown[]).push({ url: 'capacityClosingType', valueCodeableConcept: { coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R333-TypeFermetureCapacite/FHIR/TRE-R333-TypeFermetureCapacite', code: '01' }] } });
    const invalid = await send(op('add', list, closed));
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().issue[0]).toMatchObject({ code: 'business-rule', details: { coding: [{ code: 'capacity-indicator-invalid' }] } });
    expect(invalid.json().issue[0].diagnostics).toContain('capacityStatus: 02 / temporalityCapacity: 01 / genderCapacityAvailable: 01 / capacityClosingType: 01');
    const badCode = await send(op('add', list, capacity('02', 1, '09')));
    expect(badCode.statusCode).toBe(400);
    expect(badCode.json().issue.every((i: { code: string }) => i.code === 'business-rule')).toBe(true);
    expect(await version()).toBe(String(Number(v) + 1));

    // Unknown place: 404 on `Location`.
    const unknown = await send(op('replace', path, capacity('02', 4)), '/fhir/Location?identifier=inconnu%2F42');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().issue[0]).toMatchObject({ code: 'not-found', expression: ['Location'] });

    // Created or replaced whole, a place with the same indicator twice is refused (422, the rule named).
    const twice = await t.app.inject({ method: 'POST', url: '/fhir/Location', headers: FHIR_JSON, payload: JSON.stringify(location({ extension: [...(location().extension as unknown[]), capacity('02', 1), capacity('02', 2)] })) });
    expect(twice.statusCode).toBe(422);
    expect(twice.json().issue.map((i: { details?: { coding: { code: string }[] } }) => i.details?.coding[0]?.code)).toEqual(['capacity-indicator-duplicate']);
  });

  it('conditional writes matching several resources answer 412 multiple-matches with their number', async () => {
    const shared = { system: 'urn:oid:1.2.250.1.71.4.2.2', value: `COND-${Date.now()}` };
    const parent = await post(ej());
    for (let i = 0; i < 4; i++) await post(eg(parent.id, { identifier: [shared] } as Partial<Resource>));
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/fhir/Organization?identifier=${encodeURIComponent(shared.value)}`,
      headers: FHIR_JSON,
      payload: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'operation', part: [{ name: 'type', valueString: 'replace' }, { name: 'path', valueString: 'Organization.name' }, { name: 'value', valueString: 'X' }] }] }),
    });
    expect(res.statusCode).toBe(412);
    expect(res.json().issue[0]).toMatchObject({ code: 'multiple-matches', expression: ['Organization'] });
    expect(res.json().issue[0].diagnostics).toContain('4 ressources');
  });

  it('a write that changes nothing makes no version; If-Match: * needs a current version', async () => {
    const org = await post(ej());
    const same = await t.app.inject({ method: 'PUT', url: `/fhir/Organization/${org.id}`, headers: FHIR_JSON, payload: JSON.stringify(org) });
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json().meta).toMatchObject({ versionId: '1', lastUpdated: org.meta!.lastUpdated });
    expect(same.headers.etag).toBe('W/"1"');
    const replaceName = (name: string) => JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'operation', part: [{ name: 'type', valueString: 'replace' }, { name: 'path', valueString: 'Organization.name' }, { name: 'value', valueString: name }] }] });
    const first = await t.app.inject({ method: 'PATCH', url: `/fhir/Organization/${org.id}`, headers: FHIR_JSON, payload: replaceName('Autre nom') });
    expect(first.json().meta.versionId).toBe('2');
    const second = await t.app.inject({ method: 'PATCH', url: `/fhir/Organization/${org.id}`, headers: FHIR_JSON, payload: replaceName('Autre nom') });
    expect(second.statusCode).toBe(200);
    expect(second.json().meta.versionId).toBe('2');
    const hist = await t.app.inject({ method: 'GET', url: `/fhir/Organization/${org.id}/_history` });
    expect(hist.json().total).toBe(2);

    const star = await t.app.inject({ method: 'PUT', url: `/fhir/Organization/${org.id}`, headers: { ...FHIR_JSON, 'if-match': '*' }, payload: JSON.stringify({ ...first.json(), name: 'Encore' }) });
    expect(star.statusCode, star.body).toBe(200);
    expect(star.json().meta.versionId).toBe('3');
    const fresh = { ...ej(), id: 'if-match-star-nouveau' };
    const none = await t.app.inject({ method: 'PUT', url: `/fhir/Organization/${fresh.id}`, headers: { ...FHIR_JSON, 'if-match': '*' }, payload: JSON.stringify(fresh) });
    expect(none.statusCode).toBe(412);
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
