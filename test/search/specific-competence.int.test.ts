import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../src/fhir/types.ts';
import { eg, ej, healthcareService, location, TRE } from '../fixtures/ror.ts';
import { openTestApp, type TestApp } from '../setup/db.ts';

// `specific-competence` (the national server's production CapabilityStatement): the TRE_R243 codings of characteristic.
const R243 = 'https://mos.esante.gouv.fr/NOS/TRE_R243-CompetenceSpecifique/FHIR/TRE-R243-CompetenceSpecifique';
const FHIR = { 'content-type': 'application/fhir+json' };
const enc = encodeURIComponent;

let t: TestApp;
let lsf: string, braille: string, none: string, careMode01: string;

async function post(r: Resource): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: `/fhir/${r.resourceType}`, headers: FHIR, payload: JSON.stringify(r) });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: string }).id;
}

async function search(query: string): Promise<{ status: number; ids: string[]; body: string }> {
  const res = await t.app.inject({ method: 'GET', url: `/fhir/HealthcareService?${query}` });
  const b = res.json() as { entry?: { resource: { id: string } }[] };
  return { status: res.statusCode, ids: (b.entry ?? []).map((e) => e.resource.id).sort(), body: res.body };
}

const ids = async (query: string) => {
  const r = await search(query);
  expect(r.status, r.body).toBe(200);
  return r.ids;
};

const competence = (code: string, display: string) => ({ coding: [{ system: R243, code, display }] });
const careMode = { coding: [{ system: TRE.R213, code: '28', display: 'Hospitalisation complète (HC)' }] };

beforeAll(async () => {
  t = await openTestApp();
  const org = await post(eg(await post(ej())));
  const loc = await post(location());
  lsf = await post(healthcareService(org, [loc], { characteristic: [careMode, competence('01', 'Maîtrise de la Langue des Signes Française (LSF)')] }));
  braille = await post(
    healthcareService(org, [loc], {
      characteristic: [careMode, competence('01', 'Maîtrise de la Langue des Signes Française (LSF)'), competence('03', "Maîtrise de la lecture et de l'écriture du Braille")],
    }),
  );
  none = await post(healthcareService(org, [loc]));
  // A care mode whose code (01) is also a TRE_R243 code: not a competence.
  careMode01 = await post(healthcareService(org, [loc], { characteristic: [{ coding: [{ system: TRE.R213, code: '01', display: 'Hospitalisation complète (HC)' }] }] }));
});

afterAll(async () => {
  await t?.close();
});

describe('specific-competence', () => {
  it('matches the TRE_R243 codings of characteristic, a bare code being a TRE_R243 code', async () => {
    expect(await ids('specific-competence=01')).toEqual([lsf, braille].sort());
    expect(await ids(`specific-competence=${enc(`${R243}|03`)}`)).toEqual([braille]);
    expect(await ids(`specific-competence=${enc('|03')}`)).toEqual([braille]);
    expect(await ids(`specific-competence=${enc(`${R243}|`)}`)).toEqual([lsf, braille].sort());
    expect(await ids('specific-competence=03,04')).toEqual([braille]);
    expect(await ids('specific-competence=01&specific-competence=03')).toEqual([braille]);
    expect(await ids('specific-competence=02')).toEqual([]);
  });

  it('does not match another slice holding the same code', async () => {
    expect(await ids(`characteristic=01`)).toContain(careMode01);
    expect(await ids('specific-competence=01')).not.toContain(careMode01);
  });

  it(':not excludes the services with the competence, and _filter reads it', async () => {
    expect(await ids('specific-competence:not=03')).toEqual([lsf, none, careMode01].sort());
    expect(await ids(`_filter=${enc('specific-competence eq 03')}`)).toEqual([braille]);
  });

  it('refuses another system and the modifiers that would reach other slices, naming the parameter', async () => {
    for (const q of [`specific-competence=${enc(`${TRE.R213}|28`)}`, 'specific-competence:text=braille', 'specific-competence:missing=true', '_sort=specific-competence']) {
      const r = await search(q);
      expect(r.status, q).toBe(400);
      const outcome = JSON.parse(r.body) as { resourceType: string; issue: { expression?: string[] }[] };
      expect(outcome.resourceType).toBe('OperationOutcome');
      expect(outcome.issue[0]!.expression?.[0] ?? '', q).toMatch(/specific-competence|_sort/);
    }
  });

  it('is listed in the CapabilityStatement', async () => {
    const cs = (await t.app.inject({ method: 'GET', url: '/fhir/metadata' })).json() as { rest: { resource: { type: string; searchParam?: { name: string; type: string }[] }[] }[] };
    const hs = cs.rest[0]!.resource.find((r) => r.type === 'HealthcareService')!;
    expect(hs.searchParam!.find((p) => p.name === 'specific-competence')).toMatchObject({ type: 'token' });
  });
});
