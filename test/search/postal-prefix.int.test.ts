import { describe, expect, it } from 'vitest';
import { FHIR_JSON, useTestApp } from '../setup/db.ts';
import { location } from '../fixtures/ror.ts';
import { compileSearch } from '../../src/search/search.service.ts';

const t = useTestApp();

describe('département searches on postal codes (prefix tokens)', () => {
  it('2- and 3-character values match the postal codes starting with them, as the string search does', async () => {
    const tag = `PP${Date.now()}`;
    const at = async (postalCode: string, city: string) => {
      const r = location({ address: { city, postalCode }, alias: [tag] });
      const res = await t.app.inject({ method: 'POST', url: '/fhir/Location', headers: FHIR_JSON, payload: JSON.stringify(r) });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    const nanterre = await at('92000', 'Nanterre');
    const boulogne = await at('92100', 'Boulogne-Billancourt');
    const pointeAPitre = await at('97110', 'Pointe-à-Pitre');
    const ajaccio = await at('2A004', 'Ajaccio');
    await at('93200', 'Saint-Denis');
    const ids = async (q: string) =>
      ((await t.app.inject({ method: 'GET', url: `/fhir/Location?${q}&name=${tag}&_count=200` })).json().entry ?? []).map((e: { resource: { id: string } }) => e.resource.id).sort();
    const sorted = (...x: string[]) => [...x].sort();
    expect(await ids('address-postalcode=92')).toEqual(sorted(nanterre, boulogne));
    expect(await ids('address-postalcode=921')).toEqual([boulogne]);
    expect(await ids('address-postalcode=971')).toEqual([pointeAPitre]);
    expect(await ids('address-postalcode=2a')).toEqual([ajaccio]);
    expect(await ids('address-postalcode=2A,971')).toEqual(sorted(ajaccio, pointeAPitre));
    expect(await ids('address-postalcode=9')).toEqual(sorted(nanterre, boulogne, pointeAPitre, (await ids('address-postalcode=93'))[0]!));
    expect(await ids('address-postalcode=92000')).toEqual([nanterre]);
    expect(await ids('address-postalcode:exact=92')).toEqual([]);
    expect(await ids('_filter=address-postalcode eq "92" or "971"')).toEqual(sorted(nanterre, boulogne, pointeAPitre));
    // Paging in id order across the département, total on the first page.
    const first = (await t.app.inject({ method: 'GET', url: `/fhir/Location?address-postalcode=92&name=${tag}&_count=1` })).json();
    expect(first.total).toBe(2);
    const next = (await t.app.inject({ method: 'GET', url: first.link.find((l: { relation: string }) => l.relation === 'next').url.replace(/^https?:\/\/[^/]+/, '') })).json();
    expect([first.entry[0].resource.id, next.entry[0].resource.id]).toEqual(sorted(nanterre, boulogne));
  });

  it('only 2- and 3-character values without modifier take the prefix tokens', () => {
    const sql = (value: string, name = 'address-postalcode') => compileSearch({ resourceType: 'Location', params: [[name, value]], baseUrl: 'http://x/fhir' }).pageSql;
    expect(sql('92')).toMatch(/FROM sp_token/);
    expect(sql('971')).toMatch(/FROM sp_token/);
    expect(sql('9')).toMatch(/FROM sp_string/);
    expect(sql('92000')).toMatch(/FROM sp_string/);
    expect(sql('92', 'address-postalcode:exact')).toMatch(/FROM sp_string/);
  });
});
