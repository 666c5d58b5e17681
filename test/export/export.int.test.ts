import { describe, expect, it } from 'vitest';
import type { Resource } from '../../src/fhir/types.ts';
import { ExportService } from '../../src/export/export.service.ts';
import { eg, ej, healthcareService, location, practitioner } from '../fixtures/ror.ts';
import { practitionerRole } from '../fixtures/search-data.ts';
import { FHIR_JSON, useTestApp } from '../setup/db.ts';

const t = useTestApp();
type Saved = Resource & { id: string };

async function post(r: Resource): Promise<Saved> {
  const res = await t.app.inject({ method: 'POST', url: `/fhir/${r.resourceType}`, headers: FHIR_JSON, payload: JSON.stringify(r) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Saved;
}

/** Kicks an export off, waits for this instance's runner, answers the manifest. */
async function runExport(query: string) {
  const kick = await t.app.inject({ method: 'GET', url: `/fhir/$export${query}`, headers: { accept: 'application/fhir+json', prefer: 'respond-async' } });
  expect(kick.statusCode, kick.body).toBe(202);
  const status = String(kick.headers['content-location']);
  expect(status).toMatch(/\/fhir\/\$export-poll-status\?_jobId=[0-9a-f-]{36}$/);
  await t.runtime.exports.idle();
  const poll = await t.app.inject({ method: 'GET', url: status.replace(/^https?:\/\/[^/]+/, '') });
  expect(poll.statusCode, poll.body).toBe(200);
  return { status, manifest: poll.json() as { transactionTime: string; request: string; requiresAccessToken: boolean; output: { type: string; url: string; count: number }[]; deleted?: { type: string; url: string; count: number }[]; error: unknown[] } };
}

async function download(url: string): Promise<Saved[]> {
  const res = await t.app.inject({ method: 'GET', url: url.replace(/^https?:\/\/[^/]+/, ''), headers: { accept: 'application/fhir+ndjson' } });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toContain('application/fhir+ndjson');
  return res.body.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Saved);
}

describe('bulk export ($export, Bulk Data 2.0)', () => {
  it('exports the offers with their complete related set, as of the snapshot instant', async () => {
    const parent = await post(ej());
    const site = await post(eg(parent.id));
    const place = await post(location());
    const hs = await post(healthcareService(site.id, [place.id]));
    const doc = await post(practitioner());
    const role = await post(practitionerRole(doc.id, hs.id));
    const unrelated = await post(ej());

    const { status, manifest } = await runExport('?_type=HealthcareService&includeAssociatedData=_myCompleteExtract&_outputFormat=application/fhir%2Bndjson');
    expect(manifest.request).toContain('/$export?_type=HealthcareService');
    expect(manifest.requiresAccessToken).toBe(false);
    expect(manifest.error).toEqual([]);
    const files = Object.fromEntries(await Promise.all(manifest.output.map(async (o) => [o.type, { count: o.count, resources: await download(o.url) }] as const)));
    const idsOf = (type: string) => (files[type]?.resources ?? []).map((r) => r.id).sort();
    // Every offer of the server (other test files' offers are not in this database) …
    expect(idsOf('HealthcareService')).toContain(hs.id);
    // … and what they refer to: the EG, the EJ above it, the place, the role and its practitioner; not the other EJ.
    expect(idsOf('Organization')).toEqual(expect.arrayContaining([site.id, parent.id]));
    expect(idsOf('Organization')).not.toContain(unrelated.id);
    expect(idsOf('Location')).toContain(place.id);
    expect(idsOf('PractitionerRole')).toContain(role.id);
    expect(idsOf('Practitioner')).toContain(doc.id);
    for (const o of manifest.output) expect(files[o.type]!.resources).toHaveLength(o.count);
    // Each line is the stored resource, as a read gives it.
    const read = await t.app.inject({ method: 'GET', url: `/fhir/HealthcareService/${hs.id}` });
    expect(files.HealthcareService!.resources.find((r) => r.id === hs.id)).toEqual(read.json());

    // A change after the snapshot does not change the files.
    const renamed = await t.app.inject({ method: 'PUT', url: `/fhir/HealthcareService/${hs.id}`, headers: FHIR_JSON, payload: JSON.stringify({ ...read.json(), name: 'Nouveau nom' }) });
    expect(renamed.statusCode).toBe(200);
    const again = await download(manifest.output.find((o) => o.type === 'HealthcareService')!.url);
    expect(again.find((r) => r.id === hs.id)!.meta!.versionId).toBe('1');
    expect(Date.parse(manifest.transactionTime)).toBeLessThan(Date.parse(renamed.json().meta.lastUpdated));

    // Hand-typed part numbers the manifest never gives (0, leading zero, huge) name no file: 404, not a 500.
    const first = manifest.output[0]!.url.replace(/^https?:\/\/[^/]+/, '');
    for (const part of ['0', '01', '99999999999999999999']) {
      const res = await t.app.inject({ method: 'GET', url: first.replace(/-1\.ndjson$/, `-${part}.ndjson`) });
      expect(res.statusCode, part).toBe(404);
      expect(res.json().resourceType).toBe('OperationOutcome');
    }

    // Cancelled (DELETE): the job and its files are gone.
    const local = status.replace(/^https?:\/\/[^/]+/, '');
    expect((await t.app.inject({ method: 'DELETE', url: local })).statusCode).toBe(202);
    expect((await t.app.inject({ method: 'GET', url: local })).statusCode).toBe(404);
    const file = await t.app.inject({ method: 'GET', url: manifest.output[0]!.url.replace(/^https?:\/\/[^/]+/, '') });
    expect(file.statusCode).toBe(404);
  });

  it('selects with _since and _typeFilter, per type, and also at [base]/{type}/$export', async () => {
    const before = await post(ej());
    await new Promise((r) => setTimeout(r, 20));
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const after = await post(ej({ name: 'Centre hospitalier filtré' } as Partial<Resource>));
    const recent = await runExport(`?_type=Organization&_since=${encodeURIComponent(since)}`);
    const ids = (await download(recent.manifest.output[0]!.url)).map((r) => r.id);
    expect(ids).toContain(after.id);
    expect(ids).not.toContain(before.id);

    const finess = (after.identifier as { system: string; value: string }[])[0]!;
    const filtered = await runExport(`?_type=Organization&_typeFilter=${encodeURIComponent(`Organization?identifier=${finess.system}|${finess.value}`)}`);
    expect(filtered.manifest.output).toEqual([expect.objectContaining({ type: 'Organization', count: 1 })]);
    expect((await download(filtered.manifest.output[0]!.url)).map((r) => r.id)).toEqual([after.id]);

    // POST kick-off with a Parameters resource (Bulk Data 2.0), same selection as the query form.
    const posted = await t.app.inject({
      method: 'POST',
      url: '/fhir/$export',
      headers: { ...FHIR_JSON, prefer: 'respond-async' },
      payload: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: '_type', valueString: 'Organization' }, { name: '_since', valueInstant: since }] }),
    });
    expect(posted.statusCode, posted.body).toBe(202);
    await t.runtime.exports.idle();
    const postedManifest = (await t.app.inject({ method: 'GET', url: String(posted.headers['content-location']).replace(/^https?:\/\/[^/]+/, '') })).json();
    const postedIds = (await Promise.all(postedManifest.output.map((o: { url: string }) => download(o.url)))).flat().map((r) => r.id);
    expect(postedIds).toContain(after.id);
    expect(postedIds).not.toContain(before.id);

    const typed = await t.app.inject({ method: 'GET', url: '/fhir/Organization/$export' });
    expect(typed.statusCode, typed.body).toBe(202);
    await t.runtime.exports.idle();
    const poll = await t.app.inject({ method: 'GET', url: String(typed.headers['content-location']).replace(/^https?:\/\/[^/]+/, '') });
    expect(poll.json().output.map((o: { type: string }) => o.type)).toEqual(['Organization']);
  });

  it('lists what was deleted since _since as transaction Bundles of DELETE entries', async () => {
    const kept = await post(ej());
    const doomed = await post(ej());
    const since = new Date(Date.now() - 1).toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const gone = await post(ej());
    expect((await t.app.inject({ method: 'DELETE', url: `/fhir/Organization/${gone.id}` })).statusCode).toBeLessThan(300);
    const old = (await runExport('?_type=Organization')).manifest;
    expect(old.deleted).toBeUndefined();
    // doomed was written before _since and deleted after it: listed as deleted; kept, unchanged since, is not exported.
    expect((await t.app.inject({ method: 'DELETE', url: `/fhir/Organization/${doomed.id}` })).statusCode).toBeLessThan(300);
    const { manifest } = await runExport(`?_type=Organization&_since=${encodeURIComponent(since)}`);
    const present = (await Promise.all(manifest.output.map((o) => download(o.url)))).flat().map((r) => r.id);
    expect(present).not.toContain(kept.id);
    expect(present).not.toContain(doomed.id);
    const deleted = manifest.deleted!;
    expect(deleted.every((d) => d.type === 'Bundle')).toBe(true);
    const bundles = (await Promise.all(deleted.map((d) => download(d.url)))).flat() as unknown as { resourceType: string; type: string; entry: { request: { method: string; url: string } }[] }[];
    expect(bundles.every((b) => b.resourceType === 'Bundle' && b.type === 'transaction')).toBe(true);
    const urls = bundles.flatMap((b) => b.entry.map((e) => `${e.request.method} ${e.request.url}`));
    expect(urls).toEqual(expect.arrayContaining([`DELETE Organization/${doomed.id}`, `DELETE Organization/${gone.id}`]));
    expect(urls).not.toContain(`DELETE Organization/${kept.id}`);
  });

  it('splits a type into files of the configured size, in id order, nothing lost or repeated', async () => {
    for (let i = 0; i < 5; i++) await post(ej());
    const small = new ExportService(t.runtime.db, t.runtime.directory, { fileSize: 2 });
    const { manifest, status } = await runExport('?_type=Organization');
    const job = (await small.status(new URL(status).searchParams.get('_jobId')!))!;
    const m = await small.manifest(job, 'http://x/fhir/$export-file/j');
    const total = manifest.output.reduce((n, o) => n + o.count, 0);
    expect(m.output.length).toBe(Math.ceil(total / 2));
    const seen: string[] = [];
    for (let part = 0; part < m.output.length; part++) {
      const lines = (await small.file(job, 'Organization', part))!;
      let text = '';
      for await (const chunk of lines) text += chunk;
      seen.push(...text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as Saved).id));
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect([...seen].sort()).toEqual(seen);
    expect(await small.file(job, 'Organization', m.output.length)).toBeUndefined();
  });

  it('takes again a job whose runner died (another instance, same database)', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    await t.runtime.db.query(
      `INSERT INTO export_job (id, status, request, params, worker, heartbeat) VALUES ($1, 'in-progress', 'http://x/fhir/$export', $2::jsonb, 'dead', now() - interval '1 hour')`,
      [id, JSON.stringify({ types: ['Organization'], typeFilters: {}, associated: false })],
    );
    t.runtime.exports.wake();
    await t.runtime.exports.idle();
    const poll = await t.app.inject({ method: 'GET', url: `/fhir/$export-poll-status?_jobId=${id}` });
    expect(poll.statusCode, poll.body).toBe(200);
    expect(poll.json().output[0].type).toBe('Organization');
  });

  it('refuses a wrong kick-off with 400 naming the parameter, and declares the operation', async () => {
    const cases: [string, string][] = [
      ['?_type=Patient', '_type'],
      ['?_outputFormat=text/csv', '_outputFormat'],
      ['?_since=hier', '_since'],
      [`?_typeFilter=${encodeURIComponent('HealthcareService?inconnu=1')}`, '_typeFilter'],
      [`?_type=Organization&_typeFilter=${encodeURIComponent('HealthcareService?specialty=227')}`, '_typeFilter'],
      [`?_typeFilter=${encodeURIComponent('Organization?_count=3')}`, '_typeFilter'],
      ['?includeAssociatedData=LatestProvenanceResources', 'includeAssociatedData'],
      ['?patient=Patient/1', 'patient'],
    ];
    for (const [q, expression] of cases) {
      const res = await t.app.inject({ method: 'GET', url: `/fhir/$export${q}` });
      expect(res.statusCode, `${q}: ${res.body}`).toBe(400);
      expect(res.json().issue[0].expression, q).toEqual([expression]);
    }
    expect((await t.app.inject({ method: 'GET', url: '/fhir/$export-poll-status?_jobId=inconnu' })).statusCode).toBe(404);
    const cs = (await t.app.inject({ method: 'GET', url: '/fhir/metadata' })).json();
    expect(cs.rest[0].operation).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export|2.0.0' })]));
    expect(cs.instantiates).toContain('http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data|2.0.0');
  });
});
