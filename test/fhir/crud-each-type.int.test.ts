import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FHIR_JSON, useTestApp } from '../setup/db.ts';
import { createIgReferencedResources } from '../fixtures/ig-references.ts';

/**
 * Every resource type through the HTTP API: create, read, vread, update, patch (FHIRPath and JSON Patch),
 * stale If-Match, and instance and type history — on the IG example of each type.
 */
type R = Record<string, any>;
const DIR = join(import.meta.dirname, '../fixtures/ig-examples');
const byType = new Map<string, R>();
for (const f of readdirSync(DIR).filter((x) => x.endsWith('.json'))) {
  const r = JSON.parse(readFileSync(join(DIR, f), 'utf8')) as R;
  if (!byType.has(r.resourceType)) byType.set(r.resourceType, r);
}
const NOTE = 'https://example.org/fhir/StructureDefinition/test-note';
const t = useTestApp({ afterOpen: (app) => createIgReferencedResources(app.app) });

describe.each([...byType.entries()])('%s', (type, example) => {
  it('create, read, vread, update, patch, history', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const created = await t.app.inject({ method: 'POST', url: `/fhir/${type}`, headers: FHIR_JSON, payload: JSON.stringify(example) });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;

    const read = await t.app.inject({ method: 'GET', url: `/fhir/${type}/${id}` });
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('W/"1"');

    const updated = { ...read.json(), extension: [...(read.json().extension ?? []), { url: NOTE, valueString: 'mise à jour' }] };
    const put = await t.app.inject({ method: 'PUT', url: `/fhir/${type}/${id}`, headers: { ...FHIR_JSON, 'if-match': 'W/"1"' }, payload: JSON.stringify(updated) });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.headers.etag).toBe('W/"2"');

    const stale = await t.app.inject({ method: 'PUT', url: `/fhir/${type}/${id}`, headers: { ...FHIR_JSON, 'if-match': 'W/"1"' }, payload: JSON.stringify(updated) });
    expect(stale.statusCode).toBe(412);

    const fhirPathPatch = await t.app.inject({
      method: 'PATCH',
      url: `/fhir/${type}/${id}`,
      headers: { ...FHIR_JSON, 'if-match': 'W/"2"' },
      payload: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: `${type}.extension.where(url='${NOTE}').value` }, { name: 'value', valueString: 'patchée' }] }],
      }),
    });
    expect(fhirPathPatch.statusCode, fhirPathPatch.body).toBe(200);
    expect(fhirPathPatch.json().extension.find((e: R) => e.url === NOTE).valueString).toBe('patchée');

    const jsonPatch = await t.app.inject({
      method: 'PATCH',
      url: `/fhir/${type}/${id}`,
      headers: { 'content-type': 'application/json-patch+json' },
      payload: JSON.stringify([
        { op: 'test', path: '/meta/versionId', value: '3' },
        // FHIR_JSON forbids empty arrays: drop the whole element when the note was its only extension.
        { op: 'remove', path: fhirPathPatch.json().extension.length === 1 ? '/extension' : `/extension/${fhirPathPatch.json().extension.length - 1}` },
      ]),
    });
    expect(jsonPatch.statusCode, jsonPatch.body).toBe(200);
    expect((jsonPatch.json().extension ?? []).some((e: R) => e.url === NOTE)).toBe(false);

    const v2 = await t.app.inject({ method: 'GET', url: `/fhir/${type}/${id}/_history/2` });
    expect(v2.statusCode).toBe(200);
    expect(v2.json().extension.find((e: R) => e.url === NOTE).valueString).toBe('mise à jour');

    const history = await t.app.inject({ method: 'GET', url: `/fhir/${type}/${id}/_history` });
    expect(history.json().entry.map((e: R) => [e.request.method, e.response.etag])).toEqual([
      ['PATCH', 'W/"4"'],
      ['PATCH', 'W/"3"'],
      ['PUT', 'W/"2"'],
      ['POST', 'W/"1"'],
    ]);
    const typeHistory = await t.app.inject({ method: 'GET', url: `/fhir/${type}/_history?_since=${encodeURIComponent(since)}` });
    expect(typeHistory.json().entry.filter((e: R) => e.fullUrl.endsWith(`/${type}/${id}`))).toHaveLength(4);
  });
});
