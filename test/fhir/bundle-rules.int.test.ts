import { describe, expect, it } from 'vitest';
import { FHIR_JSON, useTestApp } from '../setup/db.ts';
import { eg, ej, FINESS, healthcareService, location, uniq } from '../fixtures/ror.ts';
import { task } from '../fixtures/search-data.ts';
import type { Bundle, Resource } from '../../src/fhir/types.ts';

// FHIR R4 rules of conditional interactions and of batch/transaction Bundles (http.html #cond-update, #trules,
// #brules, #ins; bundle.html bdl-7; search.html #summary/#elements; RFC 9110 §13.1).

const t = useTestApp();
type Saved = Resource & { id: string };
const urn = (n: number) => `urn:uuid:5b1c0000-0000-4000-8000-${String(n).padStart(12, '0')}`;

async function send(bundle: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url: '/fhir', headers: { ...FHIR_JSON, ...headers }, payload: JSON.stringify(bundle) });
}
async function post(r: Resource): Promise<Saved> {
  const res = await t.app.inject({ method: 'POST', url: `/fhir/${r.resourceType}`, headers: FHIR_JSON, payload: JSON.stringify(r) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Saved;
}
async function read(type: string, id: string) {
  return t.app.inject({ method: 'GET', url: `/fhir/${type}/${id}` });
}
const finessOf = (r: Resource) => (r.identifier as { system: string; value: string }[])[0]!.value;
const transaction = (...entry: unknown[]) => ({ resourceType: 'Bundle', type: 'transaction', entry });
const batch = (...entry: unknown[]) => ({ resourceType: 'Bundle', type: 'batch', entry });

describe('conditional update and version preconditions', () => {
  it('a conditional update matching nothing never replaces the resource its body id names (409), single or in a Bundle', async () => {
    const a = await post(ej());
    const other = ej({ id: a.id } as Partial<Resource>);
    const url = `Organization?identifier=${encodeURIComponent(`${FINESS}|${finessOf(other)}`)}`;
    const single = await t.app.inject({ method: 'PUT', url: `/fhir/${url}`, headers: FHIR_JSON, payload: JSON.stringify(other) });
    expect(single.statusCode, single.body).toBe(409);
    const tx = await send(transaction({ resource: other, request: { method: 'PUT', url } }));
    expect(tx.statusCode, tx.body).toBe(409);
    expect(tx.json().issue[0].expression).toEqual(['Bundle.entry[0].resource']);
    const inBatch = (await send(batch({ resource: other, request: { method: 'PUT', url } }))).json() as Bundle;
    expect(inBatch.entry![0]!.response!.status).toBe('409 Conflict');
    const current = (await read('Organization', a.id)).json() as Saved;
    expect(current.meta!.versionId).toBe('1');
    expect(finessOf(current)).toBe(finessOf(a));
    // With a fresh id it is an update as create: 201 with that id.
    const fresh = ej({ id: `cu-${uniq()}` } as Partial<Resource>);
    const created = await t.app.inject({ method: 'PUT', url: `/fhir/Organization?identifier=${encodeURIComponent(`${FINESS}|${finessOf(fresh)}`)}`, headers: FHIR_JSON, payload: JSON.stringify(fresh) });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().id).toBe(fresh.id);
  });

  it('If-Match on a conditional update that matches nothing is a 412, and nothing is created', async () => {
    const r = ej();
    const url = `/fhir/Organization?identifier=${encodeURIComponent(`${FINESS}|${finessOf(r)}`)}`;
    const res = await t.app.inject({ method: 'PUT', url, headers: { ...FHIR_JSON, 'if-match': 'W/"3"' }, payload: JSON.stringify(r) });
    expect(res.statusCode, res.body).toBe(412);
    expect((await t.app.inject({ method: 'GET', url: `${url}&_summary=count` })).json().total).toBe(0);
  });

  it('If-None-Match: * on a PUT writes only when the resource does not exist (412 otherwise)', async () => {
    const a = await post(ej());
    const res = await t.app.inject({ method: 'PUT', url: `/fhir/Organization/${a.id}`, headers: { ...FHIR_JSON, 'if-none-match': '*' }, payload: JSON.stringify({ ...a, name: 'Écrasé' }) });
    expect(res.statusCode, res.body).toBe(412);
    expect(((await read('Organization', a.id)).json() as Saved).name).toBe(a.name);
    const id = `inm-${uniq()}`;
    const fresh = await t.app.inject({ method: 'PUT', url: `/fhir/Organization/${id}`, headers: { ...FHIR_JSON, 'if-none-match': '*' }, payload: JSON.stringify(ej({ id } as Partial<Resource>)) });
    expect(fresh.statusCode, fresh.body).toBe(201);
    const entry = (await send(batch({ resource: { ...a, name: 'Écrasé' }, request: { method: 'PUT', url: `Organization/${a.id}`, ifNoneMatch: '*' } }))).json() as Bundle;
    expect(entry.entry![0]!.response!.status).toBe('412 Precondition Failed');
  });

  it('If-Match takes a list of entity tags: it holds when one names the current version', async () => {
    const a = await post(ej());
    const ok = await t.app.inject({ method: 'PUT', url: `/fhir/Organization/${a.id}`, headers: { ...FHIR_JSON, 'if-match': 'W/"7", W/"1"' }, payload: JSON.stringify({ ...a, name: 'Liste' }) });
    expect(ok.statusCode, ok.body).toBe(200);
    const stale = await t.app.inject({ method: 'PUT', url: `/fhir/Organization/${a.id}`, headers: { ...FHIR_JSON, 'if-match': 'W/"1", W/"3"' }, payload: JSON.stringify({ ...a, name: 'Non' }) });
    expect(stale.statusCode).toBe(412);
  });

  it('refuses to write a SUBSETTED copy back (422), so the elements it left out are not erased', async () => {
    const tk = await post(task(`Organization/${(await post(ej())).id}`));
    const subset = (await t.app.inject({ method: 'GET', url: `/fhir/Task/${tk.id}?_elements=status,intent,code` })).json() as Saved;
    expect(subset.meta!.tag).toContainEqual(expect.objectContaining({ code: 'SUBSETTED' }));
    const res = await t.app.inject({ method: 'PUT', url: `/fhir/Task/${tk.id}`, headers: FHIR_JSON, payload: JSON.stringify(subset) });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().issue[0].expression).toEqual(['Task.meta.tag']);
    expect(((await read('Task', tk.id)).json() as Saved).meta!.versionId).toBe('1');
  });

  it('_elements keeps the mandatory elements (Task.status, Task.intent)', async () => {
    const tk = await post(task(`Organization/${(await post(ej())).id}`));
    const r = (await t.app.inject({ method: 'GET', url: `/fhir/Task/${tk.id}?_elements=description` })).json() as Record<string, unknown>;
    expect(Object.keys(r).sort()).toEqual(expect.arrayContaining(['status', 'intent', 'id', 'meta', 'resourceType']));
    expect(r).not.toHaveProperty('businessStatus');
  });
});

describe('transaction rules', () => {
  it('a delete and a create of the same business identifier succeed together, in either order', async () => {
    const org = await post(eg((await post(ej())).id));
    for (const order of ['delete-first', 'create-first']) {
      const old = await post(healthcareService(org.id));
      const replacement = healthcareService(org.id, [], { identifier: old.identifier } as Partial<Resource>);
      const entries = [{ request: { method: 'DELETE', url: `HealthcareService/${old.id}` } }, { fullUrl: urn(1), resource: replacement, request: { method: 'POST', url: 'HealthcareService' } }];
      const res = await send(transaction(...(order === 'delete-first' ? entries : entries.reverse())));
      expect(res.statusCode, `${order}: ${res.body}`).toBe(200);
      expect((await read('HealthcareService', old.id)).statusCode).toBe(410);
    }
  });

  it('two creates of one business identifier in one transaction still clash (409)', async () => {
    const org = await post(eg((await post(ej())).id));
    const a = healthcareService(org.id);
    const b = healthcareService(org.id, [], { identifier: a.identifier } as Partial<Resource>);
    const res = await send(transaction({ resource: a, request: { method: 'POST', url: 'HealthcareService' } }, { resource: b, request: { method: 'POST', url: 'HealthcareService' } }));
    expect(res.statusCode, res.body).toBe(409);
  });

  it('removing a reference and deleting its target succeed together; deleting a target still referenced fails', async () => {
    const org = await post(eg((await post(ej())).id));
    const loc = await post(location());
    const hs = await post(healthcareService(org.id, [loc.id]));
    const kept = await post(healthcareService(org.id, [loc.id]));
    // The offer still referencing the place after the transaction: refused (the place is gone), nothing written.
    const still = await send(transaction({ resource: { ...kept, name: 'Renommé' }, request: { method: 'PUT', url: `HealthcareService/${kept.id}` } }, { request: { method: 'DELETE', url: `Location/${loc.id}` } }));
    expect(still.statusCode, still.body).toBe(422);
    expect(still.json().issue[0].expression).toEqual(['Bundle.entry[0].resource.location[0]']);
    expect((await read('Location', loc.id)).statusCode).toBe(200);
    expect(((await read('HealthcareService', kept.id)).json() as Saved).meta!.versionId).toBe('1');
    // Both offers rewritten without the place: the delete goes through.
    const { location: _l1, ...hsNoLoc } = hs;
    const { location: _l2, ...keptNoLoc } = kept;
    const ok = await send(
      transaction(
        { request: { method: 'DELETE', url: `Location/${loc.id}` } },
        { resource: hsNoLoc, request: { method: 'PUT', url: `HealthcareService/${hs.id}` } },
        { resource: keptNoLoc, request: { method: 'PUT', url: `HealthcareService/${kept.id}` } },
      ),
    );
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await read('Location', loc.id)).statusCode).toBe(410);
  });

  it('resolves urn:uuid references in the values of PATCH entries (create a place and attach it)', async () => {
    const org = await post(eg((await post(ej())).id));
    const hs = await post(healthcareService(org.id));
    const patch = {
      resourceType: 'Parameters',
      parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'add' }, { name: 'path', valueString: 'HealthcareService' }, { name: 'name', valueString: 'location' }, { name: 'value', valueReference: { reference: urn(2) } }] }],
    };
    const res = await send(transaction({ fullUrl: urn(2), resource: location(), request: { method: 'POST', url: 'Location' } }, { resource: patch, request: { method: 'PATCH', url: `HealthcareService/${hs.id}` } }));
    expect(res.statusCode, res.body).toBe(200);
    const locId = (res.json() as Bundle).entry![0]!.response!.location!.split('/')[1];
    expect(((await read('HealthcareService', hs.id)).json() as Saved).location).toEqual([{ reference: `Location/${locId}` }]);
  });

  it('refuses a fullUrl carried by two entries (bdl-7)', async () => {
    const res = await send(transaction({ fullUrl: urn(3), resource: ej(), request: { method: 'POST', url: 'Organization' } }, { fullUrl: urn(3), resource: ej(), request: { method: 'POST', url: 'Organization' } }));
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().issue[0].expression).toEqual(['Bundle.entry[1].fullUrl']);
  });

  it('a failing read fails the whole transaction (nothing written); a read of what it writes answers after the commit', async () => {
    const r = ej();
    const res = await send(transaction({ resource: r, request: { method: 'POST', url: 'Organization' } }, { request: { method: 'GET', url: 'Organization/does-not-exist' } }));
    expect(res.statusCode, res.body).toBe(404);
    expect(res.json().issue[0].expression).toEqual(['Bundle.entry[1].request.url']);
    const badSearch = await send(transaction({ resource: r, request: { method: 'POST', url: 'Organization' } }, { request: { method: 'GET', url: 'Organization?foo=bar' } }));
    expect(badSearch.statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: `/fhir/Organization?identifier=${finessOf(r)}&_summary=count` })).json().total).toBe(0);
    const id = `tx-${uniq()}`;
    const ok = await send(transaction({ resource: ej({ id } as Partial<Resource>), request: { method: 'PUT', url: `Organization/${id}` } }, { request: { method: 'GET', url: `Organization/${id}` } }));
    expect(ok.statusCode, ok.body).toBe(200);
    expect((ok.json() as Bundle).entry![1]!.resource!.id).toBe(id);
  });

  it('Prefer: return=minimal leaves written resources out but keeps what reads return, with their fullUrl', async () => {
    const a = await post(ej());
    const r = ej();
    const res = await send(
      transaction({ resource: r, request: { method: 'POST', url: 'Organization' } }, { request: { method: 'GET', url: `Organization?identifier=${finessOf(a)}` } }, { request: { method: 'GET', url: `Organization/${a.id}` } }),
      { prefer: 'return=minimal' },
    );
    expect(res.statusCode, res.body).toBe(200);
    const [written, found, got] = (res.json() as Bundle).entry!;
    expect(written!.resource).toBeUndefined();
    expect((found!.resource as Bundle).entry).toHaveLength(1);
    expect(got!.resource!.id).toBe(a.id);
    expect(got!.fullUrl).toMatch(new RegExp(`/fhir/Organization/${a.id}$`));
  });

  it('an identity resolved by ifNoneExist cannot be written again by another entry', async () => {
    const a = await post(ej());
    const res = await send(
      transaction(
        { resource: ej(), request: { method: 'POST', url: 'Organization', ifNoneExist: `identifier=${FINESS}|${finessOf(a)}` } },
        { resource: { ...a, name: 'Deux fois' }, request: { method: 'PUT', url: `Organization/${a.id}` } },
      ),
    );
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().issue[0].expression).toEqual(['Bundle.entry[1]']);
  });

  it('resolves a conditional reference to a resource the same transaction creates, by identifier', async () => {
    const parent = ej();
    const site = eg('x');
    site.partOf = { reference: `Organization?identifier=${FINESS}|${finessOf(parent)}` };
    const res = await send(transaction({ resource: site, request: { method: 'POST', url: 'Organization' } }, { resource: parent, request: { method: 'POST', url: 'Organization' } }));
    expect(res.statusCode, res.body).toBe(200);
    const [siteEntry, parentEntry] = (res.json() as Bundle).entry!;
    expect((siteEntry!.resource as Resource & { partOf: { reference: string } }).partOf.reference).toBe(`Organization/${parentEntry!.resource!.id}`);
  });

  it('prefixes the errors of a malformed entry with its number', async () => {
    const res = await send(transaction({ request: { method: 'GET', url: 'Organization/x' } }, { resource: { resourceType: 'Organization' } }));
    expect(res.statusCode).toBe(400);
    expect(res.json().issue[0].diagnostics).toMatch(/^Entrée 1 : /);
    expect(res.json().issue[0].expression).toEqual(['Bundle.entry[1].request']);
  });
});

describe('batch rules', () => {
  it('runs a conditional DELETE like the single interaction', async () => {
    const a = await post(ej());
    const out = (await send(batch({ request: { method: 'DELETE', url: `Organization?identifier=${encodeURIComponent(`${FINESS}|${finessOf(a)}`)}` } }))).json() as Bundle;
    expect(out.entry![0]!.response!.status).toBe('200 OK');
    expect((await read('Organization', a.id)).statusCode).toBe(410);
  });

  it('takes HEAD entries and absolute URLs on the national alias bases', async () => {
    const a = await post(ej());
    const out = (await send(batch({ request: { method: 'HEAD', url: `Organization/${a.id}` } }, { request: { method: 'GET', url: `http://localhost:80/ws-diffusion-fhir/Organization/${a.id}` } }))).json() as Bundle;
    expect(out.entry![0]!.response!.status).toBe('200 OK');
    expect(out.entry![0]!.resource).toBeUndefined();
    expect(out.entry![0]!.response!.etag).toBe('W/"1"');
    expect(out.entry![1]!.response!.status).toBe('200 OK');
    expect(out.entry![1]!.resource!.id).toBe(a.id);
  });

  it('locates the errors of entries without a resource at their request URL', async () => {
    const out = (await send(batch({ request: { method: 'GET', url: 'Organization/nope' } }, { request: { method: 'GET', url: 'Organization?foo=bar' } }))).json() as Bundle;
    for (const e of out.entry!) expect((e.response!.outcome as { issue: { expression: string[] }[] }).issue[0]!.expression[0]).toMatch(/^Bundle\.entry\[\d\]\.request\.url$/);
  });
});
