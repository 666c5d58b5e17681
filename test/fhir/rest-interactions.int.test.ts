import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { FHIR_JSON, useTestApp } from '../setup/db.ts';
import { eg, ej, FINESS, location, practitioner, uniq } from '../fixtures/ror.ts';
import type { Resource } from '../../src/fhir/types.ts';

const t = useTestApp();

const inject = (req: InjectOptions) => t.app.inject(req);
async function post(r: Resource) {
  const res = await inject({ method: 'POST', url: `/fhir/${r.resourceType}`, headers: FHIR_JSON, payload: JSON.stringify(r) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Resource & { id: string };
}
const finessOf = (r: Resource) => (r.identifier as { system: string; value: string }[]).find((i) => i.system === FINESS)!.value;

describe('FHIR interactions', () => {
  it('create sets id, versionId, lastUpdated and answers Location, ETag, Last-Modified', async () => {
    const res = await inject({ method: 'POST', url: '/fhir/Organization', headers: FHIR_JSON, payload: JSON.stringify({ ...ej(), id: 'client-chosen' }) });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.id).not.toBe('client-chosen');
    expect(body.meta.versionId).toBe('1');
    expect(Date.parse(body.meta.lastUpdated)).toBeGreaterThan(Date.now() - 60_000);
    expect(res.headers.location).toMatch(new RegExp(`/fhir/Organization/${body.id}/_history/1$`));
    expect(res.headers.etag).toBe('W/"1"');
    expect(new Date(res.headers['last-modified'] as string).getTime()).toBeGreaterThan(0);
  });

  it('read and vread honour _elements and _summary=data|true|text (SUBSETTED), refuse other _summary values', async () => {
    const org = await post(ej({ text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">EJ</div>' } } as Partial<Resource>));
    const r = (await inject({ method: 'GET', url: `/fhir/Organization/${org.id}?_elements=name,identifier` })).json();
    expect(Object.keys(r).sort()).toEqual(['id', 'identifier', 'meta', 'name', 'resourceType']);
    expect(r.meta.tag).toContainEqual(expect.objectContaining({ code: 'SUBSETTED' }));
    const v = (await inject({ method: 'GET', url: `/fhir/Organization/${org.id}/_history/1?_summary=data` })).json();
    expect(v.text).toBeUndefined();
    expect(v.identifier).toEqual(org.identifier);
    const whole = (await inject({ method: 'GET', url: `/fhir/Organization/${org.id}?_summary=false` })).json();
    expect(whole.text).toBeDefined();
    expect(whole.meta.tag).toBeUndefined();
    const summary = (await inject({ method: 'GET', url: `/fhir/Organization/${org.id}?_summary=true` })).json();
    expect(Object.keys(summary).sort()).toEqual(['id', 'identifier', 'meta', 'name', 'resourceType', ...(org.active !== undefined ? ['active'] : []), ...(org.type ? ['type'] : [])].sort());
    expect(summary.meta.tag).toContainEqual(expect.objectContaining({ code: 'SUBSETTED' }));
    const text = (await inject({ method: 'GET', url: `/fhir/Organization/${org.id}?_summary=text` })).json();
    expect(Object.keys(text).sort()).toEqual(['id', 'meta', 'resourceType', 'text']);
    expect((await inject({ method: 'GET', url: `/fhir/Organization/${org.id}?_summary=count` })).statusCode).toBe(400);
  });

  it('conditional read answers 304 on a matching If-None-Match', async () => {
    const org = await post(ej());
    const res = await inject({ method: 'GET', url: `/fhir/Organization/${org.id}`, headers: { 'if-none-match': 'W/"1"' } });
    expect(res.statusCode).toBe(304);
    const changed = await inject({ method: 'GET', url: `/fhir/Organization/${org.id}`, headers: { 'if-none-match': 'W/"7"' } });
    expect(changed.statusCode).toBe(200);
  });

  it('vread of an unknown version is 404, of a non-number 400', async () => {
    const org = await post(ej());
    expect((await inject({ method: 'GET', url: `/fhir/Organization/${org.id}/_history/2` })).statusCode).toBe(404);
    expect((await inject({ method: 'GET', url: `/fhir/Organization/${org.id}/_history/abc` })).statusCode).toBe(400);
  });

  it('update requires the id in the body to match the URL', async () => {
    const org = await post(ej());
    const res = await inject({ method: 'PUT', url: `/fhir/Organization/${org.id}`, headers: FHIR_JSON, payload: JSON.stringify({ ...org, id: 'other' }) });
    expect(res.statusCode).toBe(400);
    expect(res.json().issue[0].expression).toEqual(['Organization.id']);
  });

  it('update of an unknown id creates it (201), then updates it (200)', async () => {
    const id = `org-${Date.now()}`;
    const first = await inject({ method: 'PUT', url: `/fhir/Organization/${id}`, headers: FHIR_JSON, payload: JSON.stringify({ ...ej(), id }) });
    expect(first.statusCode, first.body).toBe(201);
    const second = await inject({ method: 'PUT', url: `/fhir/Organization/${id}`, headers: FHIR_JSON, payload: JSON.stringify({ ...ej(), id, name: 'x' }) });
    expect(second.statusCode).toBe(200);
    expect(second.json().meta.versionId).toBe('2');
    const del = await inject({ method: 'DELETE', url: `/fhir/Organization/${id}` });
    expect(del.statusCode).toBe(200);
    // The history answers each version with the status its interaction got.
    const h = (await inject({ method: 'GET', url: `/fhir/Organization/${id}/_history` })).json();
    expect(h.entry.map((e: any) => [e.request.method, e.response.status])).toEqual([
      ['DELETE', '200 OK'],
      ['PUT', '200 OK'],
      ['PUT', '201 Created'],
    ]);
  });

  it('conditional update by identifier updates the single match and creates when none', async () => {
    const org = await post(ej());
    const finess = finessOf(org);
    const url = `/fhir/Organization?identifier=${encodeURIComponent(`${FINESS}|${finess}`)}`;
    const upd = await inject({ method: 'PUT', url, headers: FHIR_JSON, payload: JSON.stringify({ ...ej(), identifier: org.identifier, name: 'Mis à jour' }) });
    expect(upd.statusCode, upd.body).toBe(200);
    expect(upd.json().id).toBe(org.id);
    expect(upd.json().name).toBe('Mis à jour');
    const fresh = ej();
    const create = await inject({ method: 'PUT', url: `/fhir/Organization?identifier=${encodeURIComponent(`${FINESS}|${finessOf(fresh)}`)}`, headers: FHIR_JSON, payload: JSON.stringify(fresh) });
    expect(create.statusCode).toBe(201);
  });

  it('conditional update and patch refuse ambiguous criteria with 412', async () => {
    const a = ej();
    const b = { ...ej(), identifier: a.identifier };
    await post(a);
    await post(b);
    const url = `/fhir/Organization?identifier=${finessOf(a)}`;
    const put = await inject({ method: 'PUT', url, headers: FHIR_JSON, payload: JSON.stringify(a) });
    expect(put.statusCode).toBe(412);
    expect(put.json().issue[0].code).toBe('multiple-matches');
    const patch = await inject({ method: 'PATCH', url, headers: { 'content-type': 'application/json-patch+json' }, payload: JSON.stringify([{ op: 'replace', path: '/name', value: 'x' }]) });
    expect(patch.statusCode).toBe(412);
  });

  it('conditional create with If-None-Exist returns the existing resource', async () => {
    const org = await post(ej());
    const res = await inject({
      method: 'POST',
      url: '/fhir/Organization',
      headers: { ...FHIR_JSON, 'if-none-exist': `identifier=${FINESS}|${finessOf(org)}` },
      payload: JSON.stringify(ej()),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe(org.id);
  });

  it('JSON Patch replaces an element and honours If-Match', async () => {
    const org = await post(ej());
    const ok = await inject({
      method: 'PATCH',
      url: `/fhir/Organization/${org.id}`,
      headers: { 'content-type': 'application/json-patch+json', 'if-match': 'W/"1"' },
      payload: JSON.stringify([{ op: 'replace', path: '/name', value: 'Renommée' }]),
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().name).toBe('Renommée');
    const stale = await inject({
      method: 'PATCH',
      url: `/fhir/Organization/${org.id}`,
      headers: { 'content-type': 'application/json-patch+json', 'if-match': 'W/"1"' },
      payload: JSON.stringify([{ op: 'replace', path: '/name', value: 'Perdue' }]),
    });
    expect(stale.statusCode).toBe(412);
    const bad = await inject({
      method: 'PATCH',
      url: `/fhir/Organization/${org.id}`,
      headers: { 'content-type': 'application/json-patch+json' },
      payload: JSON.stringify([{ op: 'replace', path: '/nothing/here', value: 1 }]),
    });
    expect(bad.statusCode).toBe(400);
    expect((await inject({ method: 'GET', url: `/fhir/Organization/${org.id}` })).json().name).toBe('Renommée');
  });

  it('FHIRPath Patch replace of a simple element', async () => {
    const org = await post(ej());
    const res = await inject({
      method: 'PATCH',
      url: `/fhir/Organization/${org.id}`,
      headers: FHIR_JSON,
      payload: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: 'Organization.name' }, { name: 'value', valueString: 'Par FHIRPath' }] }],
      }),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().name).toBe('Par FHIRPath');
  });

  it('concurrent patches never lose an update', async () => {
    const org = await post(ej());
    const n = 12;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        inject({
          method: 'PATCH',
          url: `/fhir/Organization/${org.id}`,
          headers: FHIR_JSON,
          payload: JSON.stringify({
            resourceType: 'Parameters',
            parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'add' }, { name: 'path', valueString: 'Organization' }, { name: 'name', valueString: 'extension' }, { name: 'value', valueExtension: { url: 'https://example.org/fhir/StructureDefinition/test-note', valueString: `note-${i}` } }] }],
          }),
        }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(n).fill(200));
    const final = (await inject({ method: 'GET', url: `/fhir/Organization/${org.id}` })).json();
    expect(final.meta.versionId).toBe(String(n + 1));
    const notes = final.extension.filter((e: { url: string }) => e.url === 'https://example.org/fhir/StructureDefinition/test-note');
    expect(notes.map((e: { valueString: string }) => e.valueString).sort()).toEqual(Array.from({ length: n }, (_, i) => `note-${i}`).sort());
  });

  it('concurrent creates sharing a batch: one with a dangling reference fails alone, the others are written with their index rows', async () => {
    const root = await post(ej());
    const n = 10;
    const bad = 4;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        inject({ method: 'POST', url: '/fhir/Organization', headers: FHIR_JSON, payload: JSON.stringify(eg(i === bad ? 'no-such-ej' : root.id)) }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array.from({ length: n }, (_, i) => (i === bad ? 422 : 201)));
    expect(results[bad]!.json().issue[0].expression).toEqual(['Organization.partOf']);
    const ids = results.filter((_, i) => i !== bad).map((r) => r.json().id as string);
    // Written whole: the current row, the reference index (partof search) and the identifier index.
    const byPartOf = (await inject({ method: 'GET', url: `/fhir/Organization?partof=Organization/${root.id}&_count=50` })).json();
    expect(byPartOf.entry.map((e: { resource: { id: string } }) => e.resource.id).sort()).toEqual([...ids].sort());
    for (const r of results.filter((_, i) => i !== bad)) {
      const finess = finessOf(r.json());
      const found = (await inject({ method: 'GET', url: `/fhir/Organization?identifier=${FINESS}|${finess}` })).json();
      expect(found.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([r.json().id]);
    }
    const total = (await inject({ method: 'GET', url: `/fhir/Organization/_history?_count=200` })).json();
    expect(total.entry.filter((e: { resource?: { partOf?: { reference: string } } }) => e.resource?.partOf?.reference === 'Organization/no-such-ej')).toEqual([]);
  });

  it('an update or patch is checked on what it changes: a new identifier already held is 409, a new missing reference 422', async () => {
    const a = await post(location());
    const b = await post(location());
    const heldByA = (a.identifier as { value: string }[])[0]!.value;
    const patch = {
      resourceType: 'Parameters',
      parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: 'Location.identifier[0].value' }, { name: 'value', valueString: heldByA }] }],
    };
    const dup = await inject({ method: 'PATCH', url: `/fhir/Location/${b.id}`, headers: FHIR_JSON, payload: JSON.stringify(patch) });
    expect(dup.statusCode, dup.body).toBe(409);
    const missing = await inject({ method: 'PUT', url: `/fhir/Location/${b.id}`, headers: FHIR_JSON, payload: JSON.stringify({ ...b, managingOrganization: { reference: 'Organization/nowhere' } }) });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().issue[0]).toMatchObject({ code: 'not-found', expression: ['Location.managingOrganization'] });
    // A version keeping its identifiers and references (the capacity flow) goes through.
    const org = await post(ej());
    const linked = await inject({ method: 'PUT', url: `/fhir/Location/${b.id}`, headers: FHIR_JSON, payload: JSON.stringify({ ...b, managingOrganization: { reference: `Organization/${org.id}` } }) });
    expect(linked.statusCode, linked.body).toBe(200);
    const renamed = await inject({ method: 'PUT', url: `/fhir/Location/${b.id}`, headers: FHIR_JSON, payload: JSON.stringify({ ...linked.json(), name: 'Renommée' }) });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect((await inject({ method: 'GET', url: `/fhir/Location/${b.id}` })).json().meta.versionId).toBe('3');
  });

  it('a business identifier names one resource of its type: 409 for a second holder, even when writes race', async () => {
    const key = `SYNC-DUP-${uniq()}`;
    const first = await post(location({ identifier: [{ type: { coding: [{ code: '26' }] }, value: key }] }));
    const again = await inject({ method: 'POST', url: '/fhir/Location', headers: FHIR_JSON, payload: JSON.stringify(location({ identifier: [{ value: key }] })) });
    expect(again.statusCode).toBe(409);
    expect(again.json().issue[0]).toMatchObject({ code: 'duplicate', expression: ['Location.identifier[0]'], details: { coding: [expect.objectContaining({ code: 'identifier-unique' })] } });
    expect(again.json().issue[0].diagnostics).toContain(`Location/${first.id}`);
    // A conditional PUT matching nothing, whose body carries the held identifier, creates no duplicate either.
    const put = await inject({ method: 'PUT', url: '/fhir/Location?identifier=NOPE-' + uniq(), headers: FHIR_JSON, payload: JSON.stringify(location({ identifier: [{ value: key }] })) });
    expect(put.statusCode).toBe(409);
    // The holder itself keeps its identifier through updates; the capacity key still finds one place.
    const upd = await inject({ method: 'PUT', url: `/fhir/Location/${first.id}`, headers: FHIR_JSON, payload: JSON.stringify({ ...first, name: 'Renommée' }) });
    expect(upd.statusCode, upd.body).toBe(200);
    expect((await inject({ method: 'GET', url: `/fhir/Location?identifier=${key}` })).json().total).toBe(1);
    // Concurrent creates of one RPPS number: exactly one is written.
    const rpps = `8${Date.now()}`.slice(0, 12);
    const racing = await Promise.all(
      Array.from({ length: 6 }, () => inject({ method: 'POST', url: '/fhir/Practitioner', headers: FHIR_JSON, payload: JSON.stringify(practitioner({ identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: rpps }] })) })),
    );
    expect(racing.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    // Once the holder is deleted, the identifier is free again.
    expect((await inject({ method: 'DELETE', url: `/fhir/Location/${first.id}` })).statusCode).toBe(200);
    await post(location({ identifier: [{ value: key }] }));
    // Organizations are left out (an RPPS cabinet carries the FINESS number of the EG it is).
    const org = ej();
    await post(org);
    await post({ ...org });
  });

  it('a resource written without meta.profile claims its ROR profile', async () => {
    const { meta: _meta, ...bare } = ej();
    const created = await post(bare as Resource);
    expect(created.meta!.profile).toEqual(['https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-organization']);
    const other = ['http://example.org/StructureDefinition/local'];
    const put = await inject({ method: 'PUT', url: `/fhir/Organization/${created.id}`, headers: FHIR_JSON, payload: JSON.stringify({ ...created, meta: { profile: other } }) });
    expect(put.json().meta.profile).toEqual([...other, 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-organization']);
  });

  it('Prefer: return=minimal sends no body', async () => {
    const res = await inject({ method: 'POST', url: '/fhir/Organization', headers: { ...FHIR_JSON, prefer: 'return=minimal' }, payload: JSON.stringify(ej()) });
    expect(res.statusCode).toBe(201);
    expect(res.body).toBe('');
    expect(res.headers.location).toBeTruthy();
  });

  it('delete is refused while other resources reference the target', async () => {
    const root = await post(ej());
    await post(eg(root.id));
    const res = await inject({ method: 'DELETE', url: `/fhir/Organization/${root.id}` });
    expect(res.statusCode).toBe(409);
    expect((await inject({ method: 'GET', url: `/fhir/Organization/${root.id}` })).statusCode).toBe(200);
  });

  it('a reference to a missing resource is refused and nothing is written', async () => {
    const site = eg('does-not-exist');
    const res = await inject({ method: 'POST', url: '/fhir/Organization', headers: FHIR_JSON, payload: JSON.stringify(site) });
    expect(res.statusCode).toBe(422);
    expect(res.json().issue[0].expression).toEqual(['Organization.partOf']);
    const search = await inject({ method: 'GET', url: `/fhir/Organization?identifier=${finessOf(site)}` });
    expect(search.json().total).toBe(0);
  });

  it('type history pages newest first with a stable cursor', async () => {
    const since = new Date(Date.now() - 500).toISOString();
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await post(ej({ name: `Paging ${i}` }))).id);
    const seen: string[] = [];
    const versions: string[] = [];
    let url: string | undefined = `/fhir/Organization/_history?_since=${encodeURIComponent(since)}&_count=2`;
    let pages = 0;
    while (url) {
      const res = await inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      const b = res.json();
      for (const e of b.entry) {
        seen.push(e.resource?.id);
        versions.push(`${e.fullUrl}@${e.response.etag}`);
      }
      if (pages === 0) await post(ej({ name: 'written while paging' }));
      const next = b.link.find((l: { relation: string }) => l.relation === 'next');
      url = next ? next.url.replace(/^https?:\/\/[^/]+/, '') : undefined;
      pages++;
    }
    const mine = seen.filter((id) => created.includes(id));
    expect(mine).toEqual([...created].reverse());
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('_summary=count answers the number of matches without entries', async () => {
    const org = await post(ej());
    const res = await inject({ method: 'GET', url: `/fhir/Organization?identifier=${finessOf(org)}&_summary=count` });
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBe(1);
    expect(res.json()).not.toHaveProperty("entry"); // no empty array
    expect((await inject({ method: 'GET', url: '/fhir/Organization?_summary=everything' })).statusCode).toBe(400);
  });

  it('unknown resource types and bad ids are rejected', async () => {
    expect((await inject({ method: 'GET', url: '/fhir/Patient/1' })).statusCode).toBe(404);
    expect((await inject({ method: 'GET', url: `/fhir/Organization/${'x'.repeat(65)}` })).statusCode).toBe(400);
    expect((await inject({ method: 'GET', url: '/fhir/Organization/_history?_since=yesterday' })).statusCode).toBe(400);
    const collection = await inject({ method: 'POST', url: '/fhir', headers: FHIR_JSON, payload: JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [] }) });
    expect(collection.statusCode).toBe(400);
    expect(collection.json().issue[0].expression).toEqual(['Bundle.type']);
    const op = await inject({ method: 'GET', url: '/fhir/$everything' });
    expect(op.statusCode).toBe(404);
    expect(op.json().issue[0]).toMatchObject({ code: 'not-supported', diagnostics: expect.stringContaining('Opération « $everything »') });
  });

  it('CapabilityStatement declares the profiles and interactions', async () => {
    const res = await inject({ method: 'GET', url: '/fhir/metadata' });
    expect(res.statusCode).toBe(200);
    const cs = res.json();
    expect(cs.resourceType).toBe('CapabilityStatement');
    expect(cs.fhirVersion).toBe('4.0.1');
    const hs = cs.rest[0].resource.find((r: { type: string }) => r.type === 'HealthcareService');
    expect(hs.profile).toBe('https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-healthcareservice');
    expect(hs.interaction.map((i: { code: string }) => i.code)).toEqual(expect.arrayContaining(['read', 'vread', 'create', 'update', 'patch', 'history-type']));
  });
  it('every page of one history traversal carries the first page\'s watermark, so a write made while paging is not skipped', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    for (let i = 0; i < 3; i++) await post(ej());
    const first = (await inject({ method: 'GET', url: `/fhir/Organization/_history?_since=${encodeURIComponent(since)}&_count=1` })).json();
    const watermark = first.meta.lastUpdated;
    await new Promise((r) => setTimeout(r, 20));
    await post(ej());
    let next = first.link.find((l: { relation: string }) => l.relation === 'next')?.url as string | undefined;
    expect(next).toBeDefined();
    while (next) {
      const page = (await inject({ method: 'GET', url: next.slice(next.indexOf('/fhir/')) })).json();
      expect(page.meta.lastUpdated).toBe(watermark);
      next = page.link.find((l: { relation: string }) => l.relation === 'next')?.url;
    }
    expect((await inject({ method: 'GET', url: '/fhir/Organization/_history?_cursor=12.abc' })).statusCode).toBe(400);
  });

  it('conditional read: If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2)', async () => {
    const org = await post(ej());
    const lastModified = (await inject({ method: 'GET', url: `/fhir/Organization/${org.id}` })).headers['last-modified'] as string;
    const updated = await inject({ method: 'PUT', url: `/fhir/Organization/${org.id}`, headers: FHIR_JSON, payload: JSON.stringify({ ...org, name: 'Autre nom' }) });
    expect(updated.statusCode).toBe(200);
    // Same second as version 1: only the ETag tells the versions apart.
    const stale = await inject({ method: 'GET', url: `/fhir/Organization/${org.id}`, headers: { 'if-none-match': 'W/"1"', 'if-modified-since': lastModified } });
    expect(stale.statusCode).toBe(200);
    expect(stale.json().meta.versionId).toBe('2');
    // Whatever the second: a date the resource has not changed since does not answer for a stale ETag.
    const future = await inject({ method: 'GET', url: `/fhir/Organization/${org.id}`, headers: { 'if-none-match': 'W/"1"', 'if-modified-since': 'Mon, 01 Jan 2035 00:00:00 GMT' } });
    expect(future.statusCode).toBe(200);
    const fresh = await inject({ method: 'GET', url: `/fhir/Organization/${org.id}`, headers: { 'if-none-match': 'W/"2"', 'if-modified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' } });
    expect(fresh.statusCode).toBe(304);
    const since = await inject({ method: 'GET', url: `/fhir/Organization/${org.id}`, headers: { 'if-modified-since': 'Mon, 01 Jan 2035 00:00:00 GMT' } });
    expect(since.statusCode).toBe(304);
  });

  it('a known path with a method it does not take is 405 with Allow; an unknown one 404', async () => {
    const org = await post(ej());
    const cases: [InjectOptions['method'], string, string][] = [
      ['OPTIONS', '/fhir/Organization', 'GET, POST, PUT, PATCH, DELETE'],
      ['POST', `/fhir/Organization/${org.id}`, 'GET, PUT, PATCH, DELETE'],
      ['PUT', `/fhir/Organization/${org.id}/_history/1`, 'GET'],
      ['PATCH', `/fhir/Organization/${org.id}/_history`, 'GET'],
      ['GET', '/fhir', 'POST'],
      ['DELETE', '/fhir/metadata', 'GET'],
      ['PUT', '/fhir/_history', 'GET'],
      ['DELETE', '/fhir/$export', 'GET, POST'],
      ['PUT', '/fhir/ValueSet/$expand', 'GET, POST'],
      ['GET', '/fhir/Organization/_search', 'POST'],
      ['POST', '/fhir/Organization/_history', 'GET'],
    ];
    for (const [method, url, allow] of cases) {
      const res = await inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(405);
      expect(res.headers.allow).toBe(allow);
      expect(res.json().resourceType).toBe('OperationOutcome');
    }
    expect((await inject({ method: 'GET', url: '/fhir/Organization/x/y/z/w' })).statusCode).toBe(404);
    expect((await inject({ method: 'GET', url: '/nowhere' })).statusCode).toBe(404);
  });

  it('content negotiation: _format overrides Accept, fhirVersion other than 4.0 and q=0 refused, _pretty indents', async () => {
    const org = await post(ej());
    const url = `/fhir/Organization/${org.id}`;
    expect((await inject({ method: 'GET', url: `${url}?_format=json`, headers: { accept: 'application/fhir+xml' } })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: `/fhir/metadata?_format=application/fhir%2Bjson`, headers: { accept: 'application/fhir+xml' } })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: `${url}?_format=ndjson` })).statusCode).toBe(406);
    expect((await inject({ method: 'GET', url, headers: { accept: 'application/fhir+xml' } })).statusCode).toBe(406);
    expect((await inject({ method: 'GET', url, headers: { accept: 'application/fhir+json; fhirVersion=3.0' } })).statusCode).toBe(406);
    expect((await inject({ method: 'GET', url, headers: { accept: 'application/fhir+json; fhirVersion=4.0' } })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url, headers: { accept: 'application/fhir+json;q=0, text/html' } })).statusCode).toBe(406);
    expect((await inject({ method: 'GET', url, headers: { accept: 'text/html, application/json;q=0.5' } })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url, headers: { accept: 'application/json+fhir' } })).statusCode).toBe(200);
    // A client refusing application/fhir+json but taking anything else gets the same JSON as application/json.
    const plain = await inject({ method: 'GET', url, headers: { accept: 'application/fhir+json;q=0, */*' } });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toMatch(/^application\/json/);
    expect((await inject({ method: 'GET', url, headers: { accept: 'application/fhir+json;q=0, application/json;q=0' } })).statusCode).toBe(406);
    expect((await inject({ method: 'GET', url, headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } })).headers['content-type']).toMatch(/^application\/fhir\+json/);
    const created = await inject({ method: 'POST', url: '/fhir/Organization', headers: { 'content-type': 'application/json+fhir' }, payload: JSON.stringify(ej()) });
    expect(created.statusCode).toBe(201);
    const v3 = await inject({ method: 'POST', url: '/fhir/Organization', headers: { 'content-type': 'application/fhir+json; fhirVersion=3.0' }, payload: JSON.stringify(ej()) });
    expect(v3.statusCode).toBe(415);
    const pretty = await inject({ method: 'GET', url: `${url}?_pretty=true` });
    expect(pretty.body.split('\n').length).toBeGreaterThan(5);
    expect(pretty.json()).toEqual((await inject({ method: 'GET', url })).json());
    expect((await inject({ method: 'GET', url })).body).not.toContain('\n');
    // Errors and operations too.
    const error = await inject({ method: 'GET', url: '/fhir/Organization/does-not-exist?_pretty=true' });
    expect(error.statusCode).toBe(404);
    expect(error.body.split('\n').length).toBeGreaterThan(3);
  });

  it('absolute references and search values on the national alias bases are local ones too; /anomalies is a base', async () => {
    const created = await inject({ method: 'POST', url: '/fhir/Organization', headers: FHIR_JSON, payload: JSON.stringify(ej()) });
    const parent = created.json() as Resource & { id: string };
    const origin = (created.headers.location as string).replace(/\/fhir\/.*$/, '');
    for (const alias of ['ws-diffusion-fhir', 'ws-synchro-dispo-lits-fhir', 'anomalies']) {
      const dangling = await inject({ method: 'POST', url: '/fhir/Organization', headers: FHIR_JSON, payload: JSON.stringify(eg('x', { partOf: { reference: `${origin}/${alias}/Organization/nope` } } as Partial<Resource>)) });
      expect(dangling.statusCode, alias).toBe(422);
    }
    const child = await inject({ method: 'POST', url: '/fhir/Organization', headers: FHIR_JSON, payload: JSON.stringify(eg('x', { partOf: { reference: `${origin}/ws-diffusion-fhir/Organization/${parent.id}` } } as Partial<Resource>)) });
    expect(child.statusCode, child.body).toBe(201);
    expect(child.json().partOf.reference).toBe(`Organization/${parent.id}`);
    const found = (await inject({ method: 'GET', url: `/fhir/Organization?partof=${encodeURIComponent(`${origin}/ws-diffusion-fhir/Organization/${parent.id}`)}` })).json();
    expect(found.total).toBe(1);
    expect((await inject({ method: 'GET', url: `/anomalies/Organization/${parent.id}` })).statusCode).toBe(200);
  });

  it('errors of conditional operations quote the criteria as written, not percent-encoded', async () => {
    const res = await inject({ method: 'PATCH', url: '/fhir/Location?identifier=1350054680/INCONNU', headers: FHIR_JSON, payload: JSON.stringify({ resourceType: 'Parameters', parameter: [] }) });
    expect(res.statusCode).toBe(404);
    expect(res.json().issue[0].diagnostics).toContain('identifier=1350054680/INCONNU');
  });
  it('absolute references on the server\'s own base are local ones: checked, indexed, protecting their target', async () => {
    const created = await inject({ method: 'POST', url: '/fhir/Organization', headers: FHIR_JSON, payload: JSON.stringify(ej()) });
    const parent = created.json() as Resource & { id: string };
    const base = (created.headers.location as string).replace(/\/Organization\/.*$/, '');
    const dangling = await inject({ method: 'POST', url: '/fhir/Organization', headers: FHIR_JSON, payload: JSON.stringify(eg('x', { partOf: { reference: `${base}/Organization/does-not-exist` } } as Partial<Resource>)) });
    expect(dangling.statusCode).toBe(422);
    const child = await inject({ method: 'POST', url: '/fhir/Organization', headers: FHIR_JSON, payload: JSON.stringify(eg('x', { partOf: { reference: `${base}/Organization/${parent.id}` } } as Partial<Resource>)) });
    expect(child.statusCode, child.body).toBe(201);
    expect(child.json().partOf.reference).toBe(`Organization/${parent.id}`);
    const found = (await inject({ method: 'GET', url: `/fhir/Organization?partof=${parent.id}` })).json();
    expect(found.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([child.json().id]);
    expect((await inject({ method: 'DELETE', url: `/fhir/Organization/${parent.id}` })).statusCode).toBe(409);
    // Another server's URL is not ours to check: stored as written.
    const foreign = await inject({ method: 'POST', url: '/fhir/Organization', headers: FHIR_JSON, payload: JSON.stringify(eg('x', { partOf: { reference: 'https://autre.example/fhir/Organization/123' } } as Partial<Resource>)) });
    expect(foreign.statusCode, foreign.body).toBe(201);
    expect(foreign.json().partOf.reference).toBe('https://autre.example/fhir/Organization/123');
  });

  it('a urn:uuid reference outside a transaction designates nothing: refused in a single write and in a batch entry', async () => {
    const single = await inject({ method: 'POST', url: '/fhir/Organization', headers: FHIR_JSON, payload: JSON.stringify(eg('x', { partOf: { reference: 'urn:uuid:11111111-1111-1111-1111-111111111111' } } as Partial<Resource>)) });
    expect(single.statusCode).toBe(422);
    expect(single.json().issue[0].expression).toEqual(['Organization.partOf.reference']);
    const batch = await inject({
      method: 'POST',
      url: '/fhir',
      headers: FHIR_JSON,
      payload: JSON.stringify({
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { fullUrl: 'urn:uuid:22222222-2222-2222-2222-222222222222', resource: ej(), request: { method: 'POST', url: 'Organization' } },
          { resource: eg('x', { partOf: { reference: 'urn:uuid:22222222-2222-2222-2222-222222222222' } } as Partial<Resource>), request: { method: 'POST', url: 'Organization' } },
        ],
      }),
    });
    expect(batch.statusCode).toBe(200);
    const statuses = batch.json().entry.map((e: { response: { status: string } }) => e.response.status.slice(0, 3));
    expect(statuses).toEqual(['201', '422']);
  });
  it('conditional delete by identifier: one match deleted, none a 204, several a 412, no criteria a 400', async () => {
    const org = await post(ej());
    const ident = finessOf(org);
    const gone = await inject({ method: 'DELETE', url: `/fhir/Organization?identifier=${ident}` });
    expect(gone.statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: `/fhir/Organization/${org.id}` })).statusCode).toBe(410);
    expect((await inject({ method: 'DELETE', url: `/fhir/Organization?identifier=${ident}` })).statusCode).toBe(204);
    expect((await inject({ method: 'DELETE', url: '/fhir/Organization' })).statusCode).toBe(400);
    const a = await post(ej());
    await post({ ...ej(), identifier: a.identifier } as Resource);
    const two = await inject({ method: 'DELETE', url: `/fhir/Organization?identifier=${finessOf(a)}` });
    expect(two.statusCode).toBe(412);
    expect((await inject({ method: 'GET', url: `/fhir/Organization/${a.id}` })).statusCode).toBe(200);
    const cs = (await inject({ method: 'GET', url: '/fhir/metadata' })).json();
    expect(cs.rest[0].resource.find((r: { type: string }) => r.type === 'Organization').conditionalDelete).toBe('single');
  });
  it('_history?_at: the versions current at some point of the given date or instant', async () => {
    const org = await post(ej());
    const v1 = (await inject({ method: 'GET', url: `/fhir/Organization/${org.id}` })).json();
    await new Promise((r) => setTimeout(r, 30));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 30));
    const v2 = (await inject({ method: 'PUT', url: `/fhir/Organization/${org.id}`, headers: FHIR_JSON, payload: JSON.stringify({ ...v1, name: 'Deuxième nom' }) })).json();
    const versionsAt = async (at: string) =>
      ((await inject({ method: 'GET', url: `/fhir/Organization/${org.id}/_history?_at=${encodeURIComponent(at)}` })).json().entry ?? []).map((e: { resource: { meta: { versionId: string } } }) => e.resource.meta.versionId);
    expect(await versionsAt(between)).toEqual(['1']);
    expect(await versionsAt(v2.meta.lastUpdated)).toEqual(['2']);
    expect(await versionsAt(v1.meta.lastUpdated.slice(0, 10))).toEqual(['2', '1']);
    expect(await versionsAt('2001-01-01')).toEqual([]);
    expect((await inject({ method: 'GET', url: `/fhir/Organization/_history?_at=hier` })).statusCode).toBe(400);
  });
  it('a meta or meta.profile of the wrong JSON type is reported as such (422), not read character by character', async () => {
    for (const meta of ['x', ['x'], { profile: 'abc' }]) {
      const res = await inject({ method: 'POST', url: '/fhir/Organization', headers: FHIR_JSON, payload: JSON.stringify({ ...ej(), meta }) });
      expect(res.statusCode, JSON.stringify(meta)).toBe(422);
      const text = JSON.stringify(res.json().issue);
      expect(text, JSON.stringify(meta)).toMatch(/Organization\.meta/);
      expect(text).not.toMatch(/« 0 »/);
    }
  });
});
