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
  /** Other code systems of a JDV over several TREs. */
  others?: string[];
  total: number;
  /** A code of the JDV, with its display. */
  sample: [string, string];
}

const ADDED: Added[] = [
  { url: JDV.J16, name: 'JDV_J16-ActeSpecifique-ROR', system: tre('R210-ActeSpecifique'), total: 1069, sample: ['0320', 'Neuromodulation sacrée'] },
  { url: JDV.J208, name: 'JDV_J208-CiviliteExercice-ROR', system: tre('R11-CiviliteExercice'), total: 6, sample: ['PR', 'Professeur'] },
  { url: JDV.J210, name: 'JDV_J210-SpecialiteOrdinale-ROR', system: tre('R38-SpecialiteOrdinale'), total: 103, sample: ['SM54', 'Médecine générale (SM)'] },
  { url: JDV.J211, name: 'JDV_J211-CompetenceExclusive-ROR', system: tre('R40-CompetenceExclusive'), total: 4, sample: ['CEX64', 'Urologie (CEX)'] },
  { url: JDV.J212, name: 'JDV_J212-OrientationParticuliere-ROR', system: tre('G13-OrientationParticuliere'), total: 2, sample: ['81', 'Acupuncture'] },
  { url: JDV.J213, name: 'JDV_J213-CapaciteSavoirFaire-ROR', system: tre('R43-CapaciteSavoirFaire'), total: 16, sample: ['CAPA05', 'Evaluation et Traitement de la douleur (CAPA)'] },
  { url: JDV.J214, name: 'JDV_J214-QualificationPAC-ROR', system: tre('R44-QualificationPAC'), total: 1, sample: ['PAC00', 'Qualification Praticien adjoint contractuel (PAC)'] },
  { url: JDV.J215, name: 'JDV_J215-DESCnonQualifiant-ROR', system: tre('R42-DESCnonQualifiant'), total: 41, sample: ['DSM220', "Médecine d'urgence (DNQ)"] },
  { url: JDV.J216, name: 'JDV_J216-DroitExerciceCompl-ROR', system: tre('R97-DroitExerciceCompl'), total: 24, sample: ['DEC14', "Médecine d'urgence (DEC)"] },
  { url: JDV.J232, name: 'JDV_J232-Competence-ROR', system: tre('R39-Competence'), total: 43, sample: ['C07', 'Cardiologie (C)'] },
  { url: JDV.J26, name: 'JDV_J26-ModeGestion-ROR', system: tre('R236-ModeGestion'), total: 2, sample: ['02', 'Mandataire'] },
  { url: JDV.J27, name: 'JDV_J27-GroupeTarifaireDependance-ROR', system: tre('R237-GroupeTarifaireDependance'), total: 3, sample: ['01', 'GIR 1-2'] },
  { url: JDV.J31, name: 'JDV_J31-AideFinanciere-ROR', system: tre('R241-AideFinanciere'), total: 2, sample: ['02', 'Habilité Aide Sociale'] },
  { url: JDV.J32, name: 'JDV_J32-TypeHabitation-ROR', system: tre('R242-TypeHabitation'), total: 7, sample: ['05', 'F1bis'] },
  { url: JDV.J36, name: 'JDV_J36-TypeTarif-ROR', system: tre('R246-TypeTarif'), total: 7, sample: ['05', 'Accueil de jour'] },
  { url: JDV.J39, name: 'JDV_J39-ConditionTarifaire-ROR', system: tre('R250-ConditionTarifaire'), total: 3, sample: ['03', 'Tarif agréé ASH'] },
  { url: JDV.J50, name: 'JDV_J50-AccessibiliteLieu-ROR', system: tre('R202-AccessibiliteLieu'), total: 6, sample: ['6', "Ad'AP"] },
  {
    url: JDV.J186,
    name: 'JDV_J186-ProfessionRessource-ROR',
    system: tre('R356-ProfessionRessource'),
    others: ['G15-ProfessionSante', 'R94-ProfessionSocial', 'R85-RolePriseCharge', 'R96-AutreFonctionSanitaire', 'R95-UsagerTitre', 'G16-ProfessionFormation'].map(tre),
    total: 136,
    sample: ['115', 'Urgentiste'],
  },
  { url: JDV.J201, name: 'JDV_J201-TypeFermeture-ROR', system: tre('R286-TypeFermeture'), total: 6, sample: ['EML', 'Ancienne autorisation fonctionnement EML'] },
  { url: JDV.J202, name: 'JDV_J202-ESPIC-ROR', system: tre('R73-ESPIC'), total: 9, sample: ['6', "Etablissement de santé privé d'intérêt collectif"] },
  { url: JDV.J205, name: 'JDV_J205-UnitePrix-ROR', system: tre('R228-UnitePrix'), total: 4, sample: ['2', 'Tarif journalier'] },
  { url: JDV.J206, name: 'JDV_J206-PrestationNonObligatoireIncluse-ROR', system: tre('R264-PrestationNonObligatoireIncluse'), total: 11, sample: ['08', 'Internet dans la chambre (abonnement/accès au réseau Wifi)'] },
  { url: JDV.J223, name: 'JDV_J223-TypeDivisionTerritoriale-ROR', system: tre('R201-TypeDivisionTerritoriale'), total: 6, sample: ['4', 'Territoire de Santé'] },
  { url: JDV.J227, name: 'JDV_J227-NiveauExpertise-ROR', system: tre('R344-NiveauExpertise'), others: [tre('R253-TypeMaternite')], total: 29, sample: ['10', 'Centre de référence labellisé'] },
  { url: JDV.J228, name: 'JDV_J228-TypeCaracteristiqueEquipement-ROR', system: tre('R340-TypeCaracteristiqueEquipement'), total: 2, sample: ['001', 'Poids maximum'] },
];

describe.each(ADDED)('$name', ({ url, name, system, others = [], total, sample: [code, display] }) => {
  it('is expanded whole, over its TRE, by ValueSet/$expand', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/fhir/ValueSet/$expand?${q({ url })}` });
    expect(res.statusCode, res.body).toBe(200);
    const vs = res.json();
    expect(vs).toMatchObject({ url, name, status: 'active' });
    expect(vs.version).toMatch(/^\d{14}$/);
    expect(vs.expansion.total).toBe(total);
    expect(vs.expansion.contains).toHaveLength(Math.min(total, 1000));
    expect(new Set(vs.expansion.contains.map((c: { system: string }) => c.system))).toEqual(new Set([system, ...others]));
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
  /** Name of the JDV under test: "not loaded" warnings may only name other JDVs. */
  jdv: string;
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

const coded = (tre_: string, code: string) => ({ coding: [{ system: tre(tre_), code }] });
const specialty = (tre_: string) => (r: R, code: string) => {
  r.specialty.push({ coding: [{ system: tre(tre_), code }] });
};

const BINDINGS: BindingCase[] = [
  { title: 'HealthcareService.characteristic:specificAct (JDV_J16)', base: () => example('ror-healthcareservice-exemple'), jdv: 'JDV_J16-', set: act('specificAct'), valid: '1317', invalid: '0002', expression: 'HealthcareService.characteristic[1].coding[0]' },
  { title: 'HealthcareService.characteristic:outsideOfficeAct (JDV_J16)', base: () => example('ror-healthcareservice-exemple'), jdv: 'JDV_J16-', set: act('outsideOfficeAct'), valid: '0989', invalid: '9999', expression: 'HealthcareService.characteristic[1].coding[0]' },
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
    jdv: `JDV_${jdv}-`,
    base: () => example('ror-practitionerrole-exemple'),
    set: specialty(tre_),
    valid,
    invalid,
    expression: 'PractitionerRole.specialty[1].coding[0]',
  })),
  {
    title: 'PractitionerRole ror-practitionerrole-name.exerciseTitle (JDV_J208)',
    jdv: 'JDV_J208-',
    base: () => example('ror-practitionerrole-exemple'),
    set: (r, code) => r.extension[1].extension.unshift({ url: 'exerciseTitle', valueCodeableConcept: { coding: [{ system: tre('R11-CiviliteExercice'), code }] } }),
    valid: 'MC',
    invalid: 'MME',
    expression: 'PractitionerRole.extension[1].extension[0].valueCodeableConcept.coding[0]',
  },
  // HealthcareService.characteristic slices discriminated by their TRE
  ...([
    ['managementType', 'R236-ModeGestion', 'J26', '01', '03'],
    ['ressourceProfession', 'R356-ProfessionRessource', 'J186', '115', '01'],
    ['expertiseLevel', 'R344-NiveauExpertise', 'J227', '25', '09'],
  ] as const).map(([slice, tre_, jdv, valid, invalid]): BindingCase => ({
    title: `HealthcareService.characteristic:${slice} (JDV_${jdv})`,
    jdv: `JDV_${jdv}-`,
    base: () => example('ror-healthcareservice-exemple'),
    set: (r, code) => r.characteristic.push(coded(tre_, code)),
    valid,
    invalid,
    expression: 'HealthcareService.characteristic[2].coding[0]',
  })),
  // Organization (EG example): extensions and the type slice sphParticipation
  ...([
    ['ror-organization-financial-help-type', 'R241-AideFinanciere', 'J31', '01', '03'],
    ['ror-organization-accessibility-location', 'R202-AccessibiliteLieu', 'J50', '6', '7'],
    ['ror-organization-closing-type', 'R286-TypeFermeture', 'J201', 'ERR', 'FIN'],
  ] as const).map(([ext, tre_, jdv, valid, invalid]): BindingCase => ({
    title: `Organization ${ext} (JDV_${jdv})`,
    jdv: `JDV_${jdv}-`,
    base: () => example('ror-organisation-exemple-eg'),
    set: (r, code) => r.extension.push({ url: `${SD}${ext}`, valueCodeableConcept: coded(tre_, code) }),
    valid,
    invalid,
    expression: 'Organization.extension[3].valueCodeableConcept.coding[0]',
  })),
  ...([
    ['priceType', 'R246-TypeTarif', 'J36', '05', '08', 0],
    ['priceUnit', 'R228-UnitePrix', 'J205', '3', '5', 1],
    ['deliveryIncluded', 'R264-PrestationNonObligatoireIncluse', 'J206', '11', '12', 3],
    ['residentialType', 'R242-TypeHabitation', 'J32', '07', '08', 3],
    ['specialPrice', 'R250-ConditionTarifaire', 'J39', '02', '04', 3],
    ['dependencyLevel', 'R237-GroupeTarifaireDependance', 'J27', '03', '04', 3],
    ['managementType', 'R236-ModeGestion', 'J26', '02', '00', 3],
  ] as const).map(([sub, tre_, jdv, valid, invalid, at]): BindingCase => ({
    title: `Organization ror-organization-price.${sub} (JDV_${jdv})`,
    jdv: `JDV_${jdv}-`,
    base: () => example('ror-organisation-exemple-eg'),
    set: (r, code) => {
      const parts: R[] = [
        { url: 'priceType', valueCodeableConcept: coded('R246-TypeTarif', '02') },
        { url: 'priceUnit', valueCodeableConcept: coded('R228-UnitePrix', '2') },
        { url: 'amount', valueMoney: { value: 72.5, currency: 'EUR' } },
      ];
      const part = { url: sub, valueCodeableConcept: coded(tre_, code) };
      if (at < 3) parts[at] = part;
      else parts.push(part);
      r.extension.push({ url: `${SD}ror-organization-price`, extension: parts });
    },
    valid,
    invalid,
    expression: `Organization.extension[3].extension[${at}].valueCodeableConcept.coding[0]`,
  })),
  {
    title: 'Organization ror-territorial-division.typeTerritorialDivision (JDV_J223)',
    jdv: 'JDV_J223-',
    base: () => example('ror-organisation-exemple-eg'),
    set: (r, code) => r.extension.push({
      url: `${SD}ror-territorial-division`,
      extension: [
        { url: 'typeTerritorialDivision', valueCodeableConcept: coded('R201-TypeDivisionTerritoriale', code) },
        { url: 'codeTerritorialDivision', valueCodeableConcept: coded('R30-RegionOM', '11') },
      ],
    }),
    valid: '4',
    invalid: '7',
    expression: 'Organization.extension[3].extension[0].valueCodeableConcept.coding[0]',
  },
  {
    title: 'Organization.type:sphParticipation (JDV_J202)',
    jdv: 'JDV_J202-',
    base: () => example('ror-organisation-exemple-eg'),
    set: (r, code) => r.type.push(coded('R73-ESPIC', code)),
    valid: '6',
    invalid: '8',
    expression: 'Organization.type[1].coding[0]',
  },
  // Location (IG example): housing and equipment limits
  {
    title: 'Location ror-location-residential-capacity.residentialType (JDV_J32)',
    jdv: 'JDV_J32-',
    base: () => example('ror-location-exemple'),
    set: (r, code) => r.extension.push({ url: `${SD}ror-location-residential-capacity`, extension: [{ url: 'residentialType', valueCodeableConcept: coded('R242-TypeHabitation', code) }] }),
    valid: '01',
    invalid: '09',
    expression: 'Location.extension[2].extension[0].valueCodeableConcept.coding[0]',
  },
  {
    title: 'Location ror-location-equipment-limit.equipmentFeature (JDV_J228)',
    jdv: 'JDV_J228-',
    base: () => example('ror-location-exemple'),
    set: (r, code) => r.extension.push({
      url: `${SD}ror-location-equipment`,
      extension: [
        { url: 'equipmentType', valueCodeableConcept: coded('R212-Equipement', '003') },
        { url: `${SD}ror-location-equipment-limit`, extension: [{ url: 'equipmentFeature', valueCodeableConcept: coded('R340-TypeCaracteristiqueEquipement', code) }, { url: 'limitValue', valueQuantity: { value: 200 } }] },
      ],
    }),
    valid: '002',
    invalid: '003',
    expression: 'Location.extension[2].extension[1].extension[0].valueCodeableConcept.coding[0]',
  },
];

describe.each(BINDINGS)('$title', ({ jdv, base, set, valid, invalid, expression }) => {
  // Each posted resource gets its own business identifier (unique per type).
  let n = 0;
  const post = (r: R) => {
    const ids = (r as { identifier?: { value?: string }[] }).identifier;
    if (Array.isArray(ids)) for (const i of ids) if (i.value) i.value = `${i.value}-${Date.now()}-${++n}`;
    return t.app.inject({ method: 'POST', url: `/fhir/${r.resourceType}`, headers: FHIR_JSON, payload: JSON.stringify(r) });
  };
  it('accepts a published code, without the "value set not loaded" warning', async () => {
    const r = base();
    set(r, valid);
    const issues = createValidator(t.runtime.terminology)(r as Resource);
    // Only warnings about other value sets the server does not hold (the IG-local territorial code set) remain.
    const otherUnknown = (d = '') => /n'est pas chargé/.test(d) && !d.includes(jdv);
    expect(issues.filter((i) => i.severity !== 'warning' || !otherUnknown(i.diagnostics))).toEqual([]);
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
