import { describe, expect, it } from 'vitest';
import type { Bundle, Resource } from '../../src/fhir/types.ts';
import { eg, ej, healthcareService, location, TRE } from '../fixtures/ror.ts';
import { patientType } from '../fixtures/search-data.ts';
import { FHIR_JSON, useTestApp } from '../setup/db.ts';

/**
 * Searches as the national documentation writes them (ROR-fhir-documentation, get/healthcare-service.md), sent
 * the way its curl and Python samples send them: the `_filter` shorthand `specialty eq A or B`, quoted postal
 * codes, age quantities with `https://unitsofmeasure.org`, commune codes under TRE_R13-CommuneOM against data
 * coded under TRE_R13-Commune (and the reverse). Exact result sets, with resources that must not match.
 */
const t = useTestApp();
type Saved = Resource & { id: string };
const R211 = TRE.R211;
const COMMUNE_OM = 'https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM';
const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';

async function post(r: Resource): Promise<Saved> {
  const res = await t.app.inject({ method: 'POST', url: `/fhir/${r.resourceType}`, headers: FHIR_JSON, payload: JSON.stringify(r) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Saved;
}

/** Ids of the HealthcareService matches among the given ones (other tests' data may exist). */
async function matches(query: string, among: Saved[]): Promise<string[]> {
  const res = await t.app.inject({ method: 'GET', url: `/fhir/HealthcareService?${query}` });
  expect(res.statusCode, `${query}: ${res.body}`).toBe(200);
  const wanted = new Set(among.map((r) => r.id));
  return ((res.json() as Bundle).entry ?? [])
    .filter((e) => e.search?.mode === 'match' && wanted.has(e.resource!.id!))
    .map((e) => e.resource!.id!)
    .sort();
}

/** URL-encodes each value as curl/requests do (the documentation's queries are written unencoded). */
const q = (...pairs: [string, string][]) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

describe('searches of the national documentation', () => {
  it('OR shorthand in _filter, quoted values, age with UCUM spelled https, communes under both systems', async () => {
    const site = await post(eg((await post(ej())).id));
    const communeLoc = (cog: string, system: string, postalCode: string) =>
      post(
        location({
          extension: [{ url: `${SD}ror-commune-cog`, valueCodeableConcept: { coding: [{ system, code: cog }] } }, { url: `${SD}ror-meta-creation-date`, valueDateTime: '2024-01-15T10:00:00+01:00' }],
          address: { line: ['1 rue de la Paix'], city: 'X', postalCode },
        }),
      );
    const frocourt = await communeLoc('60254', TRE.R13, '60000'); // coded under TRE_R13-Commune
    const havre = await communeLoc('76351', COMMUNE_OM, '76620'); // coded under TRE_R13-CommuneOM
    const lyon = await communeLoc('69123', TRE.R13, '69001');
    const offer = async (code: string, locId: string, ages: [number, number]) => {
      const hs = healthcareService(site.id, [locId], { specialty: [{ coding: [{ system: R211, code }] }] }) as Resource & { extension: { url: string }[] };
      hs.extension = [...hs.extension.filter((e) => !e.url.endsWith('patient-type')), patientType(...ages) as { url: string }];
      return post(hs);
    };
    const allergo = await offer('005', frocourt.id, [18, 60]);
    const allergoMg = await offer('481', havre.id, [40, 90]);
    const cardio = await offer('013', lyon.id, [18, 60]);
    const all = [allergo, allergoMg, cardio];
    const ids = (...r: Saved[]) => r.map((x) => x.id).sort();

    // §3: `_filter=(specialty eq S|005 or S|481)`.
    expect(await matches(q(['_filter', `(specialty eq ${R211}|005 or ${R211}|481)`]), all)).toEqual(ids(allergo, allergoMg));
    // The standard spelling gives the same set.
    expect(await matches(q(['_filter', `(specialty eq ${R211}|005 or specialty eq ${R211}|481)`]), all)).toEqual(ids(allergo, allergoMg));
    // §6: `_filter=(location.address-postalcode eq "60000" or "76620")`.
    expect(await matches(q(['_filter', '(location.address-postalcode eq "60000" or "76620")']), all)).toEqual(ids(allergo, allergoMg));
    // §4: OR of criteria and age 35, units written `|https://unitsofmeasure.org|a` (data in TRE_R247 `a`).
    const age = `(age-range-low le 35|https://unitsofmeasure.org|a and age-range-high ge 35|https://unitsofmeasure.org|a)`;
    expect(await matches(q(['_filter', `(((specialty eq ${R211}|005) or (specialty eq ${R211}|013)) and ${age})`]), all)).toEqual(ids(allergo, cardio));
    expect(await matches(q(['_filter', `((specialty eq ${R211}|481) and ${age})`]), all)).toEqual([]);
    expect(await matches(q(['age-range-low', 'le35|http://unitsofmeasure.org|a']), all)).toEqual(ids(allergo, cardio));
    // A unit system that is not UCUM matches nothing.
    expect(await matches(q(['age-range-low', 'le35|http://example.org/units|a']), all)).toEqual([]);
    // §6: `location.commune-cog=TRE_R13-CommuneOM|60254,76351`: finds both the Commune- and the CommuneOM-coded places.
    expect(await matches(q(['location.commune-cog', `${COMMUNE_OM}|60254,76351`]), all)).toEqual(ids(allergo, allergoMg));
    expect(await matches(q(['location.commune-cog', `${TRE.R13}|76351`]), all)).toEqual(ids(allergoMg));
    expect(await matches(q(['location.commune-cog:not', `${COMMUNE_OM}|60254`]), all)).toEqual(ids(allergoMg, cardio));
  });

  it('a bare value with nothing before it is still an error naming _filter', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/fhir/HealthcareService?${q(['_filter', '("60000" or "76620")'])}` });
    expect(res.statusCode).toBe(400);
    expect(res.json().issue[0].expression).toEqual(['_filter']);
  });
});
