import { describe, expect, it } from 'vitest';
import { FHIR_JSON, useTestApp } from '../setup/db.ts';
import { capacity, eg, ej, FINESS, healthcareService, location } from '../fixtures/ror.ts';
import type { Bundle, Resource } from '../../src/fhir/types.ts';

const t = useTestApp();

async function send(bundle: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url: '/fhir', headers: { ...FHIR_JSON, ...headers }, payload: JSON.stringify(bundle) });
}
async function post(r: Resource) {
  const res = await t.app.inject({ method: 'POST', url: `/fhir/${r.resourceType}`, headers: FHIR_JSON, payload: JSON.stringify(r) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Resource & { id: string };
}
async function count(type: string, query: string): Promise<number> {
  return (await t.app.inject({ method: 'GET', url: `/fhir/${type}?${query}&_summary=count` })).json().total;
}
const finessOf = (r: Resource) => (r.identifier as { system: string; value: string }[]).find((i) => i.system === FINESS)!.value;
const idOf = (location: string) => location.split('/')[1]!;

/** EG + Location + HealthcareService linked by urn:uuid full URLs, as a client creates a new structure. */
function triple(ejId: string, overrides: { hs?: Partial<Resource> } = {}) {
  const site = eg(ejId);
  const loc = location({ extension: [...(location().extension as unknown[]), capacity('01', 12)] });
  const hs = healthcareService('x', [], overrides.hs);
  hs.providedBy = { reference: 'urn:uuid:0f6e1c2a-0000-4000-8000-000000000001' };
  hs.location = [{ reference: 'urn:uuid:0f6e1c2a-0000-4000-8000-000000000002' }];
  return {
    site,
    loc,
    hs,
    bundle: {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:0f6e1c2a-0000-4000-8000-000000000003', resource: hs, request: { method: 'POST', url: 'HealthcareService' } },
        { fullUrl: 'urn:uuid:0f6e1c2a-0000-4000-8000-000000000001', resource: site, request: { method: 'POST', url: 'Organization' } },
        { fullUrl: 'urn:uuid:0f6e1c2a-0000-4000-8000-000000000002', resource: loc, request: { method: 'POST', url: 'Location' } },
      ],
    },
  };
}

describe('transaction Bundle', () => {
  it('creates linked resources in one go, resolving urn:uuid references, and answers each entry in order', async () => {
    const root = await post(ej());
    const { bundle, site } = triple(root.id);
    const res = await send(bundle);
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json() as Bundle;
    expect(out.type).toBe('transaction-response');
    expect(out.entry).toHaveLength(3);
    for (const e of out.entry!) {
      expect(e.response).toMatchObject({ status: '201 Created', etag: 'W/"1"' });
      expect(e.response!.location).toMatch(/^(HealthcareService|Organization|Location)\/[0-9a-f-]{36}\/_history\/1$/);
      expect(Date.parse(e.response!.lastModified!)).toBeGreaterThan(Date.now() - 60_000);
      expect(e.resource!.meta!.versionId).toBe('1');
    }
    const [hsLoc, orgLoc, locLoc] = out.entry!.map((e) => e.response!.location!);
    expect(hsLoc).toMatch(/^HealthcareService\//);
    const hs = (await t.app.inject({ method: 'GET', url: `/fhir/HealthcareService/${idOf(hsLoc!)}` })).json();
    expect(hs.providedBy.reference).toBe(`Organization/${idOf(orgLoc!)}`);
    expect(hs.location).toEqual([{ reference: `Location/${idOf(locLoc!)}` }]);
    expect(await count('Organization', `identifier=${finessOf(site)}`)).toBe(1);
    // The references are indexed like any other: the offer is found through its new site.
    expect(await count('HealthcareService', `organization=Organization/${idOf(orgLoc!)}`)).toBe(1);
  });

  it('resolves fullUrls on this server\'s base as it does urn:uuid ones, written absolute or relative', async () => {
    const root = await post(ej());
    const probe = await t.app.inject({ method: 'POST', url: '/fhir/Organization', headers: FHIR_JSON, payload: JSON.stringify(ej()) });
    const base = (probe.headers.location as string).replace(/\/Organization\/.*$/, '');
    const site = eg(root.id);
    const loc = location({ managingOrganization: { reference: `${base}/Organization/temp-site` } } as Partial<Resource>);
    const hs = healthcareService('x', []);
    hs.providedBy = { reference: 'Organization/temp-site' };
    hs.location = [{ reference: `${base}/Location/temp-place` }];
    const res = await send({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: `${base}/HealthcareService/temp-offer`, resource: hs, request: { method: 'POST', url: 'HealthcareService' } },
        { fullUrl: `${base}/Organization/temp-site`, resource: site, request: { method: 'POST', url: 'Organization' } },
        { fullUrl: `${base}/Location/temp-place`, resource: loc, request: { method: 'POST', url: 'Location' } },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const [hsLoc, orgLoc, locLoc] = (res.json() as Bundle).entry!.map((e) => e.response!.location!);
    const offer = (await t.app.inject({ method: 'GET', url: `/fhir/HealthcareService/${idOf(hsLoc!)}` })).json();
    expect(offer.providedBy.reference).toBe(`Organization/${idOf(orgLoc!)}`);
    expect(offer.location).toEqual([{ reference: `Location/${idOf(locLoc!)}` }]);
    const place = (await t.app.inject({ method: 'GET', url: `/fhir/Location/${idOf(locLoc!)}` })).json();
    expect(place.managingOrganization.reference).toBe(`Organization/${idOf(orgLoc!)}`);
  });

  it('writes nothing when one entry is invalid, and names the entry and element at fault', async () => {
    const root = await post(ej());
    const { bundle, site } = triple(root.id, { hs: { characteristic: undefined } });
    const res = await send(bundle);
    expect(res.statusCode).toBe(422);
    const issues = res.json().issue as { expression: string[]; diagnostics: string }[];
    expect(issues.some((i) => i.expression[0]!.startsWith('Bundle.entry[0].resource'))).toBe(true);
    expect(issues[0]!.diagnostics).toMatch(/^Entrée 0 : /);
    expect(await count('Organization', `identifier=${finessOf(site)}`)).toBe(0);
  });

  it('writes nothing when a reference cannot be resolved (unknown urn:uuid, missing target)', async () => {
    const root = await post(ej());
    const a = triple(root.id);
    a.hs.location = [{ reference: 'urn:uuid:0f6e1c2a-0000-4000-8000-00000000ffff' }];
    const res = await send(a.bundle);
    expect(res.statusCode).toBe(400);
    expect(res.json().issue[0].expression).toEqual(['Bundle.entry[0].resource.location[0].reference']);
    expect(await count('Organization', `identifier=${finessOf(a.site)}`)).toBe(0);

    const b = triple(root.id);
    b.site.partOf = { reference: 'Organization/does-not-exist' };
    const res2 = await send(b.bundle);
    expect(res2.statusCode).toBe(422);
    expect(res2.json().issue[0]).toMatchObject({ code: 'not-found', expression: ['Bundle.entry[1].resource.partOf'] });
    expect(await count('Location', `identifier=${(b.loc.identifier as { value: string }[])[0]!.value}`)).toBe(0);
  });

  it('rolls back every write when a later update is stale (If-Match), leaving earlier versions intact', async () => {
    const root = await post(ej());
    const org = await post(eg(root.id));
    const fresh = eg(root.id);
    const res = await send({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: fresh, request: { method: 'POST', url: 'Organization' } },
        { resource: { ...org, name: 'Nouveau nom' }, request: { method: 'PUT', url: `Organization/${org.id}`, ifMatch: 'W/"7"' } },
      ],
    });
    expect(res.statusCode).toBe(412);
    expect(res.json().issue[0].expression[0]).toMatch(/^Bundle\.entry\[1\]/);
    expect(await count('Organization', `identifier=${finessOf(fresh)}`)).toBe(0);
    const current = (await t.app.inject({ method: 'GET', url: `/fhir/Organization/${org.id}` })).json();
    expect(current.meta.versionId).toBe('1');
    expect(current.name).toBe(org.name);
  });

  it('conditional update, conditional reference, FHIRPath patch, delete and read in one transaction', async () => {
    const root = await post(ej());
    const org = await post(eg(root.id));
    const loc = await post(location());
    const gone = await post(location());
    const res = await send({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { ...org, id: undefined, name: 'Renommé par transaction' }, request: { method: 'PUT', url: `Organization?identifier=${FINESS}|${finessOf(org)}` } },
        {
          resource: healthcareService('x', [], { providedBy: { reference: `Organization?identifier=${FINESS}|${finessOf(org)}` }, location: [{ reference: `Location/${loc.id}` }] }),
          request: { method: 'POST', url: 'HealthcareService' },
        },
        {
          resource: { resourceType: 'Parameters', parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: 'Location.name' }, { name: 'value', valueString: 'Unité renommée' }] }] },
          request: { method: 'PATCH', url: `Location/${loc.id}`, ifMatch: 'W/"1"' },
        },
        { request: { method: 'DELETE', url: `Location/${gone.id}` } },
        { request: { method: 'GET', url: `Organization/${org.id}` } },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const e = res.json().entry as Bundle['entry'] & object;
    expect(e[0]!.response).toMatchObject({ status: '200 OK', etag: 'W/"2"', location: `Organization/${org.id}/_history/2` });
    expect(e[1]!.response!.status).toBe('201 Created');
    expect(e[1]!.resource!.providedBy).toEqual({ reference: `Organization/${org.id}` });
    expect(e[2]!.resource!.name).toBe('Unité renommée');
    expect(e[3]!.response!.status).toBe('200 OK');
    // Reads run after the writes: they see the transaction's result.
    expect(e[4]!.resource!.name).toBe('Renommé par transaction');
    expect((await t.app.inject({ method: 'GET', url: `/fhir/Location/${gone.id}` })).statusCode).toBe(410);
  });

  it('ifNoneExist: an existing match is answered, not duplicated, and references to it resolve', async () => {
    const root = await post(ej());
    const org = await post(eg(root.id));
    const hs = healthcareService('x', [], { providedBy: { reference: 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001' } });
    const res = await send({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001', resource: eg(root.id, { identifier: org.identifier }), request: { method: 'POST', url: 'Organization', ifNoneExist: `identifier=${FINESS}|${finessOf(org)}` } },
        { resource: hs, request: { method: 'POST', url: 'HealthcareService' } },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const e = res.json().entry;
    expect(e[0].response.status).toBe('200 OK');
    expect(e[0].response.location).toBe(`Organization/${org.id}/_history/1`);
    expect(e[1].resource.providedBy.reference).toBe(`Organization/${org.id}`);
    expect(await count('Organization', `identifier=${finessOf(org)}`)).toBe(1);
  });

  it('refuses the same resource twice, bad entries and non-Bundle bodies with the element at fault', async () => {
    const root = await post(ej());
    const org = await post(eg(root.id));
    const twice = await send({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: org, request: { method: 'PUT', url: `Organization/${org.id}` } },
        { request: { method: 'DELETE', url: `Organization/${org.id}` } },
      ],
    });
    expect(twice.statusCode).toBe(400);
    expect(twice.json().issue[0].expression).toEqual(['Bundle.entry[1]']);
    const noRequest = await send({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: ej() }] });
    expect(noRequest.statusCode).toBe(400);
    expect(noRequest.json().issue[0].expression).toEqual(['Bundle.entry[0].request']);
    const badMethod = await send({ resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'OPTIONS', url: 'Organization' } }] });
    expect(badMethod.json().issue[0].expression).toEqual(['Bundle.entry[0].request.method']);
    const badType = await send({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: ej(), request: { method: 'POST', url: 'Patient' } }] });
    expect(badType.statusCode).toBe(400);
    expect((await send({ resourceType: 'Organization' })).statusCode).toBe(400);
    const tooMany = await send({ resourceType: 'Bundle', type: 'batch', entry: Array.from({ length: 1001 }, () => ({ request: { method: 'GET', url: 'Organization/x' } })) });
    expect(tooMany.statusCode).toBe(413);
    const empty = await send({ resourceType: 'Bundle', type: 'transaction' });
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toMatchObject({ resourceType: 'Bundle', type: 'transaction-response' });
    expect(empty.json()).not.toHaveProperty('entry');
  });

  it('Prefer: return=minimal leaves resources out of the response', async () => {
    const root = await post(ej());
    const res = await send(triple(root.id).bundle, { prefer: 'return=minimal' });
    expect(res.statusCode).toBe(200);
    for (const e of res.json().entry) {
      expect(e.resource).toBeUndefined();
      expect(e.response.status).toBe('201 Created');
    }
  });
});

describe('batch Bundle', () => {
  it('runs each entry on its own: failures answer in their entry, the others are written', async () => {
    const root = await post(ej());
    const good = eg(root.id);
    const bad = eg(root.id, { partOf: { reference: 'Organization/nope' } });
    const existing = await post(eg(root.id));
    const res = await send({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: good, request: { method: 'POST', url: 'Organization' } },
        { resource: bad, request: { method: 'POST', url: 'Organization' } },
        { request: { method: 'GET', url: `Organization/${existing.id}` } },
        { request: { method: 'GET', url: `Organization?identifier=${finessOf(existing)}` } },
        { request: { method: 'GET', url: 'Organization/unknown-id' } },
        {
          resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: Buffer.from(JSON.stringify([{ op: 'replace', path: '/name', value: 'Patché en JSON' }])).toString('base64') },
          request: { method: 'PATCH', url: `Organization/${existing.id}` },
        },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json() as Bundle;
    expect(out.type).toBe('batch-response');
    const e = out.entry!;
    expect(e[0]!.response!.status).toBe('201 Created');
    expect(e[1]!.response!.status).toBe('422 Unprocessable Entity');
    expect(e[1]!.response!.outcome).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-found', expression: ['Bundle.entry[1].resource.partOf'] }] });
    expect(e[2]!.resource!.id).toBe(existing.id);
    expect(e[3]!.resource!.resourceType).toBe('Bundle');
    expect((e[3]!.resource as Bundle).total).toBe(1);
    expect(e[4]!.response!.status).toBe('404 Not Found');
    expect(e[5]!.resource!.name).toBe('Patché en JSON');
    expect(await count('Organization', `identifier=${finessOf(good)}`)).toBe(1);
    expect(await count('Organization', `identifier=${finessOf(bad)}`)).toBe(0);
  });

  it('the CapabilityStatement declares transaction and batch', async () => {
    const cs = (await t.app.inject({ method: 'GET', url: '/fhir/metadata' })).json();
    expect(cs.rest[0].interaction.map((i: { code: string }) => i.code)).toEqual(expect.arrayContaining(['transaction', 'batch']));
  });
});
