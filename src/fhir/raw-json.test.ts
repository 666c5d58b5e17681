import { describe, expect, it } from 'vitest';
import { asEntryResource, RawResource, toFhirJson } from './raw-json.ts';

describe('toFhirJson', () => {
  const text = '{"resourceType":"Location","id": "l1", "meta": {"versionId": "2"}, "extension": [{"url": "x", "valueDecimal": 1.50}]}';
  const raw = new RawResource('Location', 'l1', text);

  it('splices stored texts verbatim (decimals keep their precision) and serialises the rest', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: 1,
      entry: [
        { fullUrl: 'http://b/fhir/Location/l1', resource: asEntryResource(raw), search: { mode: 'match' } },
        { resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'warning', code: 'informational', diagnostics: 'é "quoted"' }] }, search: { mode: 'outcome' } },
      ],
    };
    const out = toFhirJson(bundle);
    expect(out).toContain(`"resource":${text}`);
    expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(bundle)));
    expect(Object.keys(JSON.parse(out))).toEqual(['resourceType', 'type', 'total', 'entry']);
  });

  it('reaches a search Bundle carried by a batch-response entry, and a RawResource as the whole body', () => {
    const inner = { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: asEntryResource(raw) }] };
    const batch = { resourceType: 'Bundle', type: 'batch-response', entry: [{ resource: inner, response: { status: '200' } }] };
    expect(toFhirJson(batch)).toContain(`"resource":{"resourceType":"Bundle","type":"searchset","entry":[{"resource":${text}}]}`);
    expect(toFhirJson(raw)).toBe(text);
  });

  it('serialises like JSON.stringify where no raw text stands, and a RawResource parses through toJSON', () => {
    const plain = { resourceType: 'Bundle', type: 'history', entry: [{ fullUrl: 'u', request: { method: 'DELETE', url: 'Location/x' }, resource: undefined }] };
    expect(toFhirJson(plain)).toBe(JSON.stringify(plain));
    expect(toFhirJson({ resourceType: 'Organization', id: 'o' })).toBe('{"resourceType":"Organization","id":"o"}');
    expect(JSON.parse(JSON.stringify({ r: raw }))).toEqual({ r: JSON.parse(text) });
  });
});
