import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createIgReferencedResources } from '../fixtures/ig-references.ts';
import { FHIR_JSON, useTestApp } from '../setup/db.ts';

/**
 * Acceptance audit: current NOS codes (newer than the stale shared copies), the R4 inputs of the terminology
 * operations, instance-level routes, a POSTed ValueSet for $expand, and metadata?mode=terminology.
 */

type R = Record<string, any>;
const NOS = 'https://mos.esante.gouv.fr/NOS';
const jdv = (name: string) => `${NOS}/${name}/FHIR/${name.replace('_', '-')}`;
const tre = (name: string) => `${NOS}/${name}/FHIR/${name.replace('_', '-')}`;
const J41 = jdv('JDV_J41-TypeHoraire-ROR');
const J198 = jdv('JDV_J198-FonctionLieu-ROR');
const J238 = jdv('JDV_J238-TypeOffre-ROR');
const J19 = jdv('JDV_J19-ModePriseEnCharge-ROR');
const R252 = tre('TRE_R252-TypeHoraire');
const R343 = tre('TRE_R343-FonctionLieu');
const R244 = tre('TRE_R244-CategorieOrganisation');
const IG = 'https://interop.esante.gouv.fr/ig/fhir/ror';

const t = useTestApp({ afterOpen: (app) => createIgReferencedResources(app.app) });
const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
const example = (name: string): R => JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/ig-examples', `${name}.json`), 'utf8'));
const get = (url: string) => t.app.inject({ method: 'GET', url });
const post = (url: string, body: unknown) => t.app.inject({ method: 'POST', url, headers: FHIR_JSON, payload: JSON.stringify(body) });
const param = (body: { parameter: { name: string; [k: string]: unknown }[] }, name: string) => body.parameter.find((p) => p.name === name);
let n = 0;
const create = (r: R) => {
  for (const i of (r.identifier ?? []) as { value?: string }[]) if (i.value) i.value = `${i.value}-r4-${Date.now()}-${++n}`;
  return post(`/fhir/${r.resourceType}`, r);
};

describe('current NOS codes', () => {
  it.each([
    ['JDV_J41 (TRE_R252 07 "sur RDV", as in RORHealthcareServiceExempleVille)', J41, R252, '07'],
    ['JDV_J41 (TRE_R252 06)', J41, R252, '06'],
    ['JDV_J198 (TRE_R343 002, the Location search example)', J198, R343, '002'],
    ['JDV_J238 (TRE_R244 157, as in the IG examples)', J238, R244, '157'],
    ['JDV_J238 retired code kept for stored data (116)', J238, R244, '116'],
    ['JDV_J17 (TRE_R211 545, added 2024-01-26)', jdv('JDV_J17-ActiviteOperationnelle-ROR'), tre('TRE_R211-ActiviteOperationnelle'), '545'],
    ['JDV_J18 (TRE_R212 210, added 2024-01-26)', jdv('JDV_J18-EquipementSpecifique-ROR'), tre('TRE_R212-Equipement'), '210'],
    ['JDV_J29 (TRE_R239 09, added 2024-04-26)', jdv('JDV_J29-PublicPrisEnCharge-ROR'), tre('TRE_R239-PublicPrisEnCharge'), '09'],
    ['JDV_J29 former TRE_R240 07 kept for stored data', jdv('JDV_J29-PublicPrisEnCharge-ROR'), tre('TRE_R240-TemporaliteAccueil'), '07'],
    ['JDV_J29 former J29-URL 06 still accepted (rule 1)', jdv('JDV_J29-PublicPrisEnCharge-ROR'), jdv('JDV_J29-PublicPrisEnCharge-ROR'), '06'],
    ['JDV_J33 (TRE_R243 60, added 2023-06-30)', jdv('JDV_J33-CompetenceSpecifique-ROR'), tre('TRE_R243-CompetenceSpecifique'), '60'],
    ['JDV_J35 (TRE_R245 66, added 2024-01-26)', jdv('JDV_J35-SpecialisationDePriseEnCharge-ROR'), tre('TRE_R245-SpecialisationDePriseEnCharge'), '66'],
    ['JDV_J221 (TRE_R287 15, added 2023-10-30)', jdv('JDV_J221-NatureContact-ROR'), tre('TRE_R287-NatureContact'), '15'],
    ['JDV_J16 (TRE_R210 1399, added 2024-01-26)', jdv('JDV_J16-ActeSpecifique-ROR'), tre('TRE_R210-ActeSpecifique'), '1399'],
    ['JDV_J16 retired code kept for stored data (1300)', jdv('JDV_J16-ActeSpecifique-ROR'), tre('TRE_R210-ActeSpecifique'), '1300'],
    ['JDV_J227 (TRE_R344 34, added 2024-04-26)', jdv('JDV_J227-NiveauExpertise-ROR'), tre('TRE_R344-NiveauExpertise'), '34'],
    ['JDV_J244 (TRE_R352 11, added 2023-09-22)', jdv('JDV_J244-StatutMetierAnomalie-ROR'), tre('TRE_R352-StatutMetierAnomalie'), '11'],
    ['JDV_J209 (TRE_R04 SST, added 2023-10-30)', jdv('JDV_J209-TypeSavoirFaire-ROR'), tre('TRE_R04-TypeSavoirFaire'), 'SST'],
    ['JDV_J210 (TRE_R38 SM95, added 2023-10-30)', jdv('JDV_J210-SpecialiteOrdinale-ROR'), tre('TRE_R38-SpecialiteOrdinale'), 'SM95'],
  ])('%s is accepted by $validate-code', async (_title, url, system, code) => {
    const res = await get(`/fhir/ValueSet/$validate-code?${q({ url, system, code })}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(param(res.json(), 'result')).toEqual({ name: 'result', valueBoolean: true });
  });

  it('JDV_J20 (no new code in 2023-10-30): the new display of 02 (SMR) is accepted by $validate-code', async () => {
    const res = await get(`/fhir/ValueSet/$validate-code?${q({ url: jdv('JDV_J20-ChampActivite-ROR'), system: tre('TRE_R227-ChampActivite'), code: '02', display: 'Soins Médicaux et de réadaptation (SMR)' })}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(param(res.json(), 'result')).toEqual({ name: 'result', valueBoolean: true });
  });

  it('JDV_J36 (no new code in 2023-06-30): the new display of 01 (SMR) is accepted by $validate-code', async () => {
    const res = await get(`/fhir/ValueSet/$validate-code?${q({ url: jdv('JDV_J36-TypeTarif-ROR'), system: tre('TRE_R246-TypeTarif'), code: '01', display: 'Supplément tarif Hébergement SMR' })}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(param(res.json(), 'result')).toEqual({ name: 'result', valueBoolean: true });
  });

  it('a HealthcareService whose availableTime types are 07 and 06 is created (validator, JDV_J41)', async () => {
    const r = example('ror-healthcareservice-exemple-ville');
    const types = [`07`, `06`];
    for (const [i, at] of (r.availableTime as R[]).entries()) {
      const ext = (at.extension as R[]).find((e) => e.url.endsWith('ror-available-time-type-of-time'))!;
      ext.valueCodeableConcept = { coding: [{ system: R252, code: types[i % 2] }] };
    }
    const res = await create(r);
    expect(res.statusCode, res.body).toBe(201);
    const bad = example('ror-healthcareservice-exemple-ville');
    const ext = ((bad.availableTime as R[])[0]!.extension as R[]).find((e) => e.url.endsWith('ror-available-time-type-of-time'))!;
    ext.valueCodeableConcept = { coding: [{ system: R252, code: '99' }] };
    expect((await create(bad)).statusCode).toBe(422);
  });

  it('a Location of fonction 002 is created (validator, JDV_J198)', async () => {
    const r = example('ror-location-exemple');
    r.type = [{ coding: [{ system: R343, code: '002', display: 'Hébergement PSY' }] }];
    const res = await create(r);
    expect(res.statusCode, res.body).toBe(201);
  });

  it('the IG-local act-type code system is served', async () => {
    const res = await get(`/fhir/ValueSet/$validate-code?${q({ url: `${IG}/ValueSet/act-type-ror-valueset`, system: `${IG}/CodeSystem/act-type-ror-codesystem`, code: 'outsideOfficeAct' })}`);
    expect(param(res.json(), 'result')?.valueBoolean).toBe(true);
    const x = await get(`/fhir/ValueSet/$expand?${q({ url: `${IG}/ValueSet/act-type-ror-valueset` })}`);
    expect(x.json().expansion.contains.map((c: R) => c.code)).toEqual(['specificAct', 'outsideOfficeAct']);
    const l = await get(`/fhir/CodeSystem/$lookup?${q({ system: `${IG}/CodeSystem/input-task-ror-codesystem`, code: 'systemRequester' })}`);
    expect(param(l.json(), 'display')?.valueString).toBe("système déclarant l'anomalie");
  });
});

describe('R4 inputs of the terminology operations', () => {
  it('$expand accepts the standard inputs that cannot change its answer', async () => {
    const params = {
      url: J19, count: '2', includeDesignations: 'true', excludeNested: 'true', includeDefinition: 'false', date: '2025-01-01',
      'system-version': `${tre('TRE_R213-ModePriseEnCharge')}|1`, activeOnly: 'true', displayLanguage: 'fr-FR',
    };
    const res = await get(`/fhir/ValueSet/$expand?${q(params)}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().expansion.contains).toHaveLength(2);
  });

  it('$lookup accepts property, date and displayLanguage; property=display is answered', async () => {
    const res = await get(`/fhir/CodeSystem/$lookup?${q({ system: R252, code: '07', property: 'display', date: '2025-06-01T10:00:00+02:00', displayLanguage: 'fr' })}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(param(res.json(), 'property')).toEqual({ name: 'property', part: [{ name: 'code', valueCode: 'display' }, { name: 'value', valueString: 'Horaire de consultation sur RDV' }] });
  });

  it('$validate-code accepts abstract, date and displayLanguage', async () => {
    const res = await get(`/fhir/ValueSet/$validate-code?${q({ url: J41, system: R252, code: '07', abstract: 'false', date: '2025', displayLanguage: 'fr-FR' })}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(param(res.json(), 'result')?.valueBoolean).toBe(true);
  });

  it.each([
    ['includeDesignations', 'oui'],
    ['date', '01/01/2025'],
    ['displayLanguage', 'fr FR'],
  ])('a malformed %s is a 400 naming it', async (name, value) => {
    const res = await get(`/fhir/ValueSet/$expand?${q({ url: J19, [name]: value })}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().issue[0]).toMatchObject({ code: 'invalid', expression: [name] });
    expect(res.json().issue[0].diagnostics).toContain(`« ${name} »`);
  });

  it('$expand of a POSTed ValueSet over known systems and value sets', async () => {
    const valueSet = {
      resourceType: 'ValueSet',
      url: 'https://example.org/ValueSet/horaires-rdv',
      status: 'draft',
      compose: { include: [{ system: R252, concept: [{ code: '06' }, { code: '07' }] }, { valueSet: [J198] }] },
    };
    const res = await post('/fhir/ValueSet/$expand', { resourceType: 'Parameters', parameter: [{ name: 'valueSet', resource: valueSet }, { name: 'filter', valueString: 'consultation' }] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().url).toBe(valueSet.url);
    expect(res.json().expansion.contains.map((c: R) => c.code)).toEqual(['06', '07']);
    const all = await post('/fhir/ValueSet/$expand', { resourceType: 'Parameters', parameter: [{ name: 'valueSet', resource: valueSet }] });
    expect(all.json().expansion.total).toBe(2 + 29);
    const unknown = await post('/fhir/ValueSet/$expand', {
      resourceType: 'Parameters',
      parameter: [{ name: 'valueSet', resource: { resourceType: 'ValueSet', compose: { include: [{ system: 'https://example.org/cs' }] } } }],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().issue[0]).toMatchObject({ code: 'not-supported', expression: ['valueSet.compose.include[0].system'] });
  });

  it('instance-level routes find value sets and code systems by name or URL id', async () => {
    const byName = await get(`/fhir/ValueSet/JDV_J41-TypeHoraire-ROR/$expand`);
    expect(byName.statusCode, byName.body).toBe(200);
    expect(byName.json().expansion.total).toBe(8);
    const byId = await get(`/fhir/ValueSet/JDV-J41-TypeHoraire-ROR/$validate-code?${q({ system: R252, code: '03' })}`);
    expect(param(byId.json(), 'result')?.valueBoolean).toBe(true);
    const postVc = await post('/fhir/ValueSet/act-type-ror-valueset/$validate-code', { resourceType: 'Parameters', parameter: [{ name: 'code', valueCode: 'specificAct' }] });
    expect(param(postVc.json(), 'result')?.valueBoolean).toBe(true);
    const lookup = await get(`/fhir/CodeSystem/TRE-R343-FonctionLieu/$lookup?${q({ code: '002' })}`);
    expect(param(lookup.json(), 'display')?.valueString).toBe('Hébergement PSY');
    const missing = await get('/fhir/ValueSet/nope/$expand');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().issue[0]).toMatchObject({ code: 'not-found', expression: ['id'] });
    const mismatch = await get(`/fhir/ValueSet/JDV_J41-TypeHoraire-ROR/$expand?${q({ url: J19 })}`);
    expect(mismatch.statusCode).toBe(400);
  });
});

describe('GET /fhir/metadata?mode=terminology', () => {
  it('is a TerminologyCapabilities listing the code systems and the expansion parameters', async () => {
    const res = await get('/fhir/metadata?mode=terminology');
    expect(res.statusCode, res.body).toBe(200);
    const tc = res.json();
    expect(tc.resourceType).toBe('TerminologyCapabilities');
    expect(tc.kind).toBe('instance');
    const uris = (tc.codeSystem as R[]).map((c) => c.uri);
    expect(uris).toEqual(expect.arrayContaining([R252, R343, R244, `${IG}/CodeSystem/act-type-ror-codesystem`, tre('TRE_R13-CommuneOM')]));
    expect((tc.codeSystem as R[]).find((c) => c.uri === tre('TRE_R13-CommuneOM'))?.version).toEqual([{ code: '2026', isDefault: true }]);
    expect((tc.expansion.parameter as R[]).map((p) => p.name)).toEqual(expect.arrayContaining(['filter', 'count', 'offset', 'includeDesignations']));
    const cap = await get('/fhir/metadata');
    expect(cap.json().resourceType).toBe('CapabilityStatement');
  });
});
