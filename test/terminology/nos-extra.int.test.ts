import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../../src/fhir/types.ts';
import { JDV, SD, tre } from '../../src/fhir/validation/profile.ts';
import { createValidator } from '../../src/fhir/validation/validate.ts';
import { createIgReferencedResources } from '../fixtures/ig-references.ts';
import { FHIR_JSON, useTestApp } from '../setup/db.ts';

/**
 * The JDVs transcribed from ansforge/IG-NOS (scripts/nos-extra.ts): served by the terminology operations,
 * and checked by the validator on the write path with the real Terminology (a published code is accepted
 * without the "value set not loaded" warning, another code of the same TRE is refused with a 422 naming
 * the element).
 */

type R = Record<string, any>;
const t = useTestApp({ afterOpen: (app) => createIgReferencedResources(app.app) });
const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
const example = (name: string): R => JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/ig-examples', `${name}.json`), 'utf8'));

interface Added {
  url: string;
  name: string;
  system: string;
  total: number;
  /** A code of the JDV, with its display. */
  sample: [string, string];
}

const ADDED: Added[] = [
  { url: JDV.J16, name: 'JDV_J16-ActeSpecifique-ROR', system: tre('R210-ActeSpecifique'), total: 990, sample: ['0320', 'Neuromodulation sacrée'] },
  { url: JDV.J208, name: 'JDV_J208-CiviliteExercice-ROR', system: tre('R11-CiviliteExercice'), total: 6, sample: ['PR', 'Professeur'] },
  { url: JDV.J210, name: 'JDV_J210-SpecialiteOrdinale-ROR', system: tre('R38-SpecialiteOrdinale'), total: 80, sample: ['SM54', 'Médecine générale (SM)'] },
  { url: JDV.J211, name: 'JDV_J211-CompetenceExclusive-ROR', system: tre('R40-CompetenceExclusive'), total: 4, sample: ['CEX64', 'Urologie (CEX)'] },
  { url: JDV.J212, name: 'JDV_J212-OrientationParticuliere-ROR', system: tre('G13-OrientationParticuliere'), total: 2, sample: ['81', 'Acupuncture'] },
  { url: JDV.J213, name: 'JDV_J213-CapaciteSavoirFaire-ROR', system: tre('R43-CapaciteSavoirFaire'), total: 16, sample: ['CAPA05', 'Evaluation et Traitement de la douleur (CAPA)'] },
  { url: JDV.J214, name: 'JDV_J214-QualificationPAC-ROR', system: tre('R44-QualificationPAC'), total: 1, sample: ['PAC00', 'Qualification Praticien adjoint contractuel (PAC)'] },
  { url: JDV.J215, name: 'JDV_J215-DESCnonQualifiant-ROR', system: tre('R42-DESCnonQualifiant'), total: 41, sample: ['DSM220', "Médecine d'urgence (DNQ)"] },
  { url: JDV.J216, name: 'JDV_J216-DroitExerciceCompl-ROR', system: tre('R97-DroitExerciceCompl'), total: 24, sample: ['DEC14', "Médecine d'urgence (DEC)"] },
  { url: JDV.J232, name: 'JDV_J232-Competence-ROR', system: tre('R39-Competence'), total: 43, sample: ['C07', 'Cardiologie (C)'] },
];

describe.each(ADDED)('$name', ({ url, name, system, total, sample: [code, display] }) => {
  it('is expanded whole, over its TRE, by ValueSet/$expand', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/fhir/ValueSet/$expand?${q({ url })}` });
    expect(res.statusCode, res.body).toBe(200);
    const vs = res.json();
    expect(vs).toMatchObject({ url, name, status: 'active' });
    expect(vs.version).toMatch(/^\d{14}$/);
    expect(vs.expansion.total).toBe(total);
    expect(vs.expansion.contains).toHaveLength(Math.min(total, 1000));
    expect(new Set(vs.expansion.contains.map((c: { system: string }) => c.system))).toEqual(new Set([system]));
    expect(vs.expansion.contains).toContainEqual({ system, code, display });
  });
  it('gives the display of its codes by CodeSystem/$lookup', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/fhir/CodeSystem/$lookup?${q({ system, code })}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().parameter).toContainEqual({ name: 'display', valueString: display });
  });
});

interface BindingCase {
  title: string;
  base: () => R;
  /** Puts a coding (system, code) at the bound element. */
  set: (r: R, code: string) => void;
  valid: string;
  /** A code absent from the JDV (checked against the published list). */
  invalid: string;
  /** Expression of the refused coding. */
  expression: string;
}

const act = (type: string) => (r: R, code: string) => {
  r.characteristic[1] = { coding: [{ system: tre('R210-ActeSpecifique'), code }], extension: [{ url: `${SD}ror-act-type`, valueCode: type }] };
};

const specialty = (tre_: string) => (r: R, code: string) => {
  r.specialty.push({ coding: [{ system: tre(tre_), code }] });
};

const BINDINGS: BindingCase[] = [
  { title: 'HealthcareService.characteristic:specificAct (JDV_J16)', base: () => example('ror-healthcareservice-exemple'), set: act('specificAct'), valid: '1317', invalid: '0002', expression: 'HealthcareService.characteristic[1].coding[0]' },
  { title: 'HealthcareService.characteristic:outsideOfficeAct (JDV_J16)', base: () => example('ror-healthcareservice-exemple'), set: act('outsideOfficeAct'), valid: '0989', invalid: '9999', expression: 'HealthcareService.characteristic[1].coding[0]' },
  ...([
    ['specialty', 'R38-SpecialiteOrdinale', 'J210', 'SI05', 'SI06'],
    ['competence', 'R39-Competence', 'J232', 'C83', 'C84'],
    ['exclusiveCompetence', 'R40-CompetenceExclusive', 'J211', 'CEX22', 'CEX23'],
    ['specificOrientation', 'G13-OrientationParticuliere', 'J212', '80', '79'],
    ['expertiseCapacity', 'R43-CapaciteSavoirFaire', 'J213', 'CAPA16', 'CAPA00'],
    ['qualificationPAC', 'R44-QualificationPAC', 'J214', 'PAC00', 'PAC99'],
    ['nonQualifyingDESC', 'R42-DESCnonQualifiant', 'J215', 'DSM240', 'DSM241'],
    ['supplementaryExerciseRight', 'R97-DroitExerciceCompl', 'J216', 'DEC01', 'DEC00'],
  ] as const).map(([slice, tre_, jdv, valid, invalid]): BindingCase => ({
    title: `PractitionerRole.specialty:${slice} (JDV_${jdv})`,
    base: () => example('ror-practitionerrole-exemple'),
    set: specialty(tre_),
    valid,
    invalid,
    expression: 'PractitionerRole.specialty[1].coding[0]',
  })),
  {
    title: 'PractitionerRole ror-practitionerrole-name.exerciseTitle (JDV_J208)',
    base: () => example('ror-practitionerrole-exemple'),
    set: (r, code) => r.extension[1].extension.unshift({ url: 'exerciseTitle', valueCodeableConcept: { coding: [{ system: tre('R11-CiviliteExercice'), code }] } }),
    valid: 'MC',
    invalid: 'MME',
    expression: 'PractitionerRole.extension[1].extension[0].valueCodeableConcept.coding[0]',
  },
];

describe.each(BINDINGS)('$title', ({ base, set, valid, invalid, expression }) => {
  const post = (r: R) => t.app.inject({ method: 'POST', url: `/fhir/${r.resourceType}`, headers: FHIR_JSON, payload: JSON.stringify(r) });
  it('accepts a published code, without the "value set not loaded" warning', async () => {
    const r = base();
    set(r, valid);
    const issues = createValidator(t.runtime.terminology)(r as Resource);
    expect(issues).toEqual([]);
    const res = await post(r);
    expect(res.statusCode, res.body).toBe(201);
  });
  it('refuses a code outside the JDV with a 422 naming the coding', async () => {
    const r = base();
    set(r, invalid);
    const res = await post(r);
    expect(res.statusCode, res.body).toBe(422);
    const errors = (res.json() as { issue: { severity: string; code: string; expression?: string[] }[] }).issue.filter((i) => i.severity === 'error');
    expect(errors.map((i) => [i.code, i.expression?.[0]])).toEqual([['code-invalid', expression]]);
  });
});
