import { describe, expect, it } from 'vitest';
import { FHIR_JSON, useTestApp } from '../setup/db.ts';
import { capacity, ej, location } from '../fixtures/ror.ts';
import type { Resource } from '../../src/fhir/types.ts';
import { indexRowsOf } from '../../src/search/search.indexer.ts';

const t = useTestApp();
const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';

/** The search rows stored for a resource, in a canonical order, as indexRowsOf derives them. */
async function stored(type: string, id: string) {
  const q = async (table: string, cols: string) =>
    (await t.runtime.appDeps.db.query<Record<string, unknown>>(`SELECT ${cols} FROM ${table} WHERE res_type = $1 AND id = $2 ORDER BY 1, 2, 3`, [type, id])).rows.map((r) => JSON.stringify(Object.values(r)));
  return {
    token: await q('sp_token', 'code, grp, coalesce(system, \'\'), coalesce(value, \'\')'),
    number: await q('sp_number', 'code, grp, value::float8'),
    date: await q('sp_date', 'code, grp, lo'),
    string: await q('sp_string', 'code, grp, norm'),
    group: await q('sp_group', 'grp_code, grp, nums::text'),
    reference: await q('sp_reference', 'code, grp, target_id'),
    identifier: await q('resource_identifier', 'coalesce(system, \'\'), value, 1'),
  };
}

describe('index rewrite of an update touches only what changed, and stays exact', () => {
  it('after capacity patches and a rename, the stored rows are those a full indexing gives', async () => {
    const org = (await t.app.inject({ method: 'POST', url: '/fhir/Organization', headers: FHIR_JSON, payload: JSON.stringify(ej()) })).json();
    const loc = location({ extension: [...(location().extension as unknown[]), capacity('01', 20), capacity('02', 3)], managingOrganization: { reference: `Organization/${org.id}` } });
    const created = (await t.app.inject({ method: 'POST', url: '/fhir/Location', headers: FHIR_JSON, payload: JSON.stringify(loc) })).json() as Resource & { id: string };
    const indicator = `Location.extension.where(url='${SD}ror-location-supported-capacity')[1]`;
    const patch = (nb: number, date: string) => ({
      resourceType: 'Parameters',
      parameter: [
        { name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: `${indicator}.extension.where(url='nbCapacity').value` }, { name: 'value', valueInteger: nb }] },
        { name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: `${indicator}.extension.where(url='capacityUpdateDate').value` }, { name: 'value', valueDateTime: date }] },
      ],
    });
    for (const [nb, date] of [[7, '2026-01-02T10:00:00Z'], [0, '2026-01-03T10:00:00Z']] as const) {
      const res = await t.app.inject({ method: 'PATCH', url: `/fhir/Location/${created.id}`, headers: FHIR_JSON, payload: JSON.stringify(patch(nb, date)) });
      expect(res.statusCode, res.body).toBe(200);
    }
    const search = async (q: string) => (await t.app.inject({ method: 'GET', url: `/fhir/Location?${q}&_summary=count` })).json().total;
    expect(await search('capacity-status=02&nb-capacity=0')).toBe(1);
    expect(await search('capacity-status=02&nb-capacity=3')).toBe(0);
    expect(await search('capacity-status=02&nb-capacity=7')).toBe(0);
    expect(await search(`identifier=${(loc.identifier as { value: string }[])[0]!.value}`)).toBe(1);
    expect(await search(`organization=Organization/${org.id}`)).toBe(1);
    // A rename changes the strings only; then a full comparison with what indexing the current content gives.
    const current = (await t.app.inject({ method: 'GET', url: `/fhir/Location/${created.id}` })).json();
    expect((await t.app.inject({ method: 'PUT', url: `/fhir/Location/${created.id}`, headers: FHIR_JSON, payload: JSON.stringify({ ...current, name: 'Unité renommée' }) })).statusCode).toBe(200);
    expect(await search('name=unite%20renommee')).toBe(1);
    expect(await search('capacity-status=01&nb-capacity=20')).toBe(1);
    const final = (await t.app.inject({ method: 'GET', url: `/fhir/Location/${created.id}` })).json();
    const expected = indexRowsOf(final, created.id);
    const rows = await stored('Location', created.id);
    expect(rows.token).toHaveLength(expected.token.length);
    expect(rows.number).toHaveLength(expected.number.length);
    expect(rows.date).toHaveLength(expected.date.length);
    expect(rows.string).toHaveLength(expected.string.length);
    expect(rows.group).toHaveLength(expected.group.length);
    expect(rows.reference).toHaveLength(expected.reference.length);
    expect(rows.identifier).toHaveLength(1);
    expect(rows.number.map((r) => JSON.parse(r)[2]).sort((a: number, b: number) => a - b)).toEqual(expected.number.map((n) => n.v).sort((a, b) => a - b));
    expect(rows.group.map((r) => JSON.parse(JSON.parse(r)[2]))).toEqual(expected.group.map((g) => g.nm));
  });
});
