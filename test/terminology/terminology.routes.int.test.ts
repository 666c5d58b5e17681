import { describe, expect, it } from 'vitest';
import { FHIR_JSON, useTestApp } from '../setup/db.ts';

const NOS = 'https://mos.esante.gouv.fr/NOS';
const R211 = `${NOS}/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle`;
const J19 = `${NOS}/JDV_J19-ModePriseEnCharge-ROR/FHIR/JDV-J19-ModePriseEnCharge-ROR`;
const R213 = `${NOS}/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge`;
const J124 = `${NOS}/JDV_J124-Commune/FHIR/JDV-J124-Commune`;
const COMMUNE = `${NOS}/TRE_R13-Commune/FHIR/TRE-R13-Commune`;
const COMMUNE_OM = `${NOS}/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM`;

const t = useTestApp();

const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
type Param = { name: string; valueString?: string; valueBoolean?: boolean; valueUri?: string; valueCode?: string };
const param = (body: { parameter: Param[] }, name: string) => body.parameter.find((p) => p.name === name);
/** POST of an operation with one `coding` input in a Parameters body. */
const postCoding = (url: string, coding: { system: string; code: string }) =>
  t.app.inject({ method: 'POST', url, headers: FHIR_JSON, payload: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'coding', valueCoding: coding }] }) });
const getOp = (path: string, params: Record<string, string>) => t.app.inject({ method: 'GET', url: `${path}?${q(params)}` });

describe('CodeSystem/$lookup', () => {
  it('gives the display of a code (GET and POST)', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/fhir/CodeSystem/$lookup?${q({ system: R211, code: '183' })}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('application/fhir+json');
    expect(res.json()).toEqual({
      resourceType: 'Parameters',
      parameter: [
        { name: 'name', valueString: 'TRE_R211-ActiviteOperationnelle' },
        { name: 'display', valueString: 'Traitement neurochirurgical de la douleur' },
        { name: 'system', valueUri: R211 },
        { name: 'code', valueCode: '183' },
      ],
    });
    const post = await postCoding('/fhir/CodeSystem/$lookup', { system: COMMUNE, code: '78646' });
    expect(post.statusCode, post.body).toBe(200);
    expect(param(post.json(), 'display')?.valueString).toBe('Versailles');
    expect(param(post.json(), 'system')?.valueUri).toBe(COMMUNE_OM);
    const form = await t.app.inject({
      method: 'POST',
      url: '/fhir/CodeSystem/$lookup',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: q({ system: R213, code: '17' }),
    });
    expect(param(form.json(), 'display')?.valueString).toBe("Précarité, permanence d'accès aux soins de santé (PASS)");
  });

  it('answers 404 for an unknown code or system, 400 naming a missing parameter', async () => {
    const code = await t.app.inject({ method: 'GET', url: `/fhir/CodeSystem/$lookup?${q({ system: R211, code: 'XYZ' })}` });
    expect(code.statusCode).toBe(404);
    expect(code.json().issue[0]).toMatchObject({ code: 'not-found', expression: ['code'] });
    const system = await t.app.inject({ method: 'GET', url: `/fhir/CodeSystem/$lookup?${q({ system: 'https://example.org/cs', code: '1' })}` });
    expect(system.statusCode).toBe(404);
    expect(system.json().issue[0]).toMatchObject({ code: 'not-found', expression: ['system'] });
    const missing = await t.app.inject({ method: 'GET', url: `/fhir/CodeSystem/$lookup?${q({ code: '183' })}` });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'required', expression: ['system'] }] });
    expect(missing.json().issue[0].diagnostics).toBe('Paramètre « system » obligatoire pour CodeSystem/$lookup');
    const typo = await t.app.inject({ method: 'GET', url: `/fhir/CodeSystem/$lookup?${q({ system: R211, cod: '183' })}` });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().issue[0]).toMatchObject({ code: 'not-supported', expression: ['cod'] });
    const notParams = await t.app.inject({ method: 'POST', url: '/fhir/CodeSystem/$lookup', headers: FHIR_JSON, payload: JSON.stringify({ resourceType: 'Patient' }) });
    expect(notParams.statusCode).toBe(400);
    expect(notParams.json().issue[0].expression).toEqual(['resourceType']);
  });
});

describe('ValueSet/$expand', () => {
  it('expands J19 (37 codes)', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/fhir/ValueSet/$expand?${q({ url: J19 })}` });
    expect(res.statusCode, res.body).toBe(200);
    const vs = res.json();
    expect(vs).toMatchObject({ resourceType: 'ValueSet', url: J19, name: 'JDV_J19-ModePriseEnCharge-ROR', version: '20230127120000', status: 'active' });
    expect(vs.expansion.total).toBe(37);
    expect(vs.expansion.contains).toHaveLength(37);
    expect(vs.expansion.contains[6]).toEqual({ system: R213, code: '17', display: "Précarité, permanence d'accès aux soins de santé (PASS)" });
    expect(vs.expansion.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('filters with and without accents, and pages', async () => {
    for (const filter of ['télé', 'TELE']) {
      const res = await t.app.inject({ method: 'GET', url: `/fhir/ValueSet/$expand?${q({ url: J19, filter })}` });
      expect(res.json().expansion.contains.map((c: { code: string }) => c.code)).toEqual(['27', '35', '36', '37']);
      expect(res.json().expansion.parameter[0]).toEqual({ name: 'filter', valueString: filter });
    }
    const page = await t.app.inject({ method: 'GET', url: `/fhir/ValueSet/$expand?${q({ url: J124, filter: 'saint', count: '2', offset: '2' })}` });
    expect(page.statusCode).toBe(200);
    expect(page.json().expansion).toMatchObject({ total: 4437, offset: 2 });
    expect(page.json().expansion.contains).toHaveLength(2);
    const post = await t.app.inject({
      method: 'POST',
      url: '/fhir/ValueSet/$expand',
      headers: FHIR_JSON,
      payload: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'url', valueUri: J124 }, { name: 'filter', valueString: 'versailles' }, { name: 'count', valueInteger: 1 }] }),
    });
    expect(post.json().expansion.contains).toEqual([{ system: COMMUNE_OM, code: '78646', display: 'Versailles' }]);
  });

  it('caps a large expansion at 1000 codes and says so in total', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/fhir/ValueSet/$expand?${q({ url: J124 })}` });
    expect(res.json().expansion.total).toBe(35014);
    expect(res.json().expansion.contains).toHaveLength(1000);
  });

  it('rejects bad parameters with a 400 naming them, unknown value sets with 404', async () => {
    const cases: [Record<string, string>, number, string][] = [
      [{}, 400, 'url'],
      [{ url: J19, count: '-1' }, 400, 'count'],
      [{ url: J19, offset: 'abc' }, 400, 'offset'],
      [{ url: 'https://example.org/ValueSet/nope' }, 404, 'url'],
      [{ url: `${J19}|19990101000000` }, 404, 'url'],
    ];
    for (const [params, status, expression] of cases) {
      const res = await t.app.inject({ method: 'GET', url: `/fhir/ValueSet/$expand?${q(params)}` });
      expect(res.statusCode, JSON.stringify(params)).toBe(status);
      expect(res.json().issue[0].expression).toEqual([expression]);
    }
    const versioned = await t.app.inject({ method: 'GET', url: `/fhir/ValueSet/$expand?${q({ url: `${J19}|20230127120000`, count: '1' })}` });
    expect(versioned.statusCode).toBe(200);
    const ignored = await t.app.inject({ method: 'GET', url: `/fhir/ValueSet/$expand?${q({ url: J19, activeOnly: 'true', displayLanguage: 'fr-FR', count: '1' })}` });
    expect(ignored.statusCode).toBe(200);
    const unsupported = await t.app.inject({ method: 'GET', url: `/fhir/ValueSet/$expand?${q({ url: J19, typo: 'true' })}` });
    expect(unsupported.statusCode).toBe(400);
    expect(unsupported.json().issue[0]).toMatchObject({ code: 'not-supported', expression: ['typo'] });
    const inline = await t.app.inject({
      method: 'POST',
      url: '/fhir/ValueSet/$expand',
      headers: FHIR_JSON,
      payload: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'valueSet', resource: { resourceType: 'ValueSet' } }] }),
    });
    expect(inline.statusCode).toBe(400);
    expect(inline.json().issue[0]).toMatchObject({ code: 'invalid', expression: ['valueSet.compose.include'] });
  });
});

describe('ValueSet/$validate-code', () => {
  const validate = async (params: Record<string, string>) => {
    const res = await t.app.inject({ method: 'GET', url: `/fhir/ValueSet/$validate-code?${q(params)}` });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { parameter: Param[] };
  };

  it('says true or false, with the display and a French message', async () => {
    const ok = await validate({ url: J19, system: R213, code: '17' });
    expect(param(ok, 'result')?.valueBoolean).toBe(true);
    expect(param(ok, 'display')?.valueString).toBe("Précarité, permanence d'accès aux soins de santé (PASS)");
    expect(param(ok, 'message')).toBeUndefined();
    const ko = await validate({ url: J19, system: R213, code: '99' });
    expect(param(ko, 'result')?.valueBoolean).toBe(false);
    expect(param(ko, 'message')?.valueString).toBe(`Le code ${R213}|99 n'appartient pas au jeu de valeurs JDV_J19-ModePriseEnCharge-ROR`);
    const wrongDisplay = await validate({ url: J19, system: R213, code: '17', display: 'Autre chose' });
    expect(param(wrongDisplay, 'result')?.valueBoolean).toBe(false);
    expect(param(wrongDisplay, 'message')?.valueString).toMatch(/^Libellé incorrect/);
    const sameDisplay = await validate({ url: J19, system: R213, code: '17', display: "PRECARITE, permanence d'acces aux soins de sante (PASS)" });
    expect(param(sameDisplay, 'result')?.valueBoolean).toBe(true);
  });

  it('accepts the JDV URL as system, and communes under both TRE_R13 URLs', async () => {
    const jdv = await validate({ url: J19, system: J19, code: '17' });
    expect(param(jdv, 'result')?.valueBoolean).toBe(true);
    expect(param(jdv, 'system')?.valueUri).toBe(R213);
    expect(param(jdv, 'message')?.valueString).toContain('accepté comme alias');
    for (const system of [COMMUNE, COMMUNE_OM]) {
      const res = await validate({ url: J124, system, code: '78646' });
      expect(param(res, 'result')?.valueBoolean).toBe(true);
      expect(param(res, 'display')?.valueString).toBe('Versailles');
    }
  });

  it('takes a coding or a CodeableConcept in a Parameters body', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/fhir/ValueSet/$validate-code',
      headers: FHIR_JSON,
      payload: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [
          { name: 'url', valueUri: J124 },
          { name: 'codeableConcept', valueCodeableConcept: { coding: [{ system: 'https://example.org/x', code: '1' }, { system: COMMUNE, code: '78646', display: 'Versailles' }] } },
        ],
      }),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(param(res.json(), 'result')?.valueBoolean).toBe(true);
    const missing = await t.app.inject({ method: 'GET', url: `/fhir/ValueSet/$validate-code?${q({ url: J19, system: R213 })}` });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().issue[0]).toMatchObject({ code: 'required', expression: ['code'] });
  });
});

describe('routing and capability', () => {
  it('does not take $ operations for resource ids, and declares exactly these operations', async () => {
    const unknownOp = await t.app.inject({ method: 'GET', url: '/fhir/ValueSet/$nope' });
    expect(unknownOp.statusCode).not.toBe(200);
    expect(unknownOp.json().resourceType).toBe('OperationOutcome');
    const meta = await t.app.inject({ method: 'GET', url: '/fhir/metadata' });
    const resources = meta.json().rest[0].resource as { type: string; operation?: { name: string }[]; interaction?: unknown }[];
    expect(resources.find((r) => r.type === 'CodeSystem')?.operation?.map((o) => o.name)).toEqual(['lookup', 'validate-code']);
    expect(resources.find((r) => r.type === 'ValueSet')?.operation?.map((o) => o.name)).toEqual(['expand', 'validate-code']);
    expect(resources.find((r) => r.type === 'ValueSet')?.interaction).toBeUndefined();
  });
});

describe('CodeSystem/$validate-code', () => {
  it('says whether the code system defines the code, with its display (GET, POST, instance level)', async () => {
    const yes = await getOp('/fhir/CodeSystem/$validate-code', { url: R211, code: '183' });
    expect(yes.statusCode, yes.body).toBe(200);
    expect(param(yes.json(), 'result')?.valueBoolean).toBe(true);
    expect(param(yes.json(), 'display')?.valueString).toBe('Traitement neurochirurgical de la douleur');
    const no = (await getOp('/fhir/CodeSystem/$validate-code', { url: R211, code: 'ZZZ' })).json();
    expect(param(no, 'result')?.valueBoolean).toBe(false);
    expect(param(no, 'message')?.valueString).toMatch(/ZZZ/);
    const wrongDisplay = (await getOp('/fhir/CodeSystem/$validate-code', { url: R211, code: '183', display: 'Autre chose' })).json();
    expect(param(wrongDisplay, 'result')?.valueBoolean).toBe(false);
    const post = await postCoding('/fhir/CodeSystem/$validate-code', { system: COMMUNE, code: '78646' });
    expect(post.statusCode, post.body).toBe(200);
    expect(param(post.json(), 'result')?.valueBoolean).toBe(true);
    const instance = await getOp('/fhir/CodeSystem/TRE_R211-ActiviteOperationnelle/$validate-code', { code: '183' });
    expect(instance.statusCode, instance.body).toBe(200);
    expect(param(instance.json(), 'result')?.valueBoolean).toBe(true);
    expect(param(instance.json(), 'system')?.valueUri).toBe(R211);
    expect((await getOp('/fhir/CodeSystem/$validate-code', { url: 'https://inconnu.example/cs', code: '1' })).statusCode).toBe(404);
    expect((await getOp('/fhir/CodeSystem/$validate-code', { code: '1' })).statusCode).toBe(400);
    expect((await getOp('/fhir/CodeSystem/$validate-code', { url: R211, code: '183', bogus: 'x' })).statusCode).toBe(400);
  });
});
