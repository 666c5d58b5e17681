import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as fx from '../../../test/fixtures/ror.ts';
import { nosCodeChecker } from '../../../test/fixtures/nos-codes.ts';
import type { Resource } from '../types.ts';
import { createRequire } from 'node:module';
import { SD, tre } from './profile.ts';
import { R4_CODES_NOT_REQUIRED, R4_REQUIRED_CODES, TASK_STATUS } from './r4-codes.ts';
import { createValidator, KNOWN_ROR_EXTENSIONS } from './validate.ts';

const validate = createValidator(nosCodeChecker());
type R = Record<string, any>;

const example = (name: string): R => JSON.parse(readFileSync(join(import.meta.dirname, '../../../test/fixtures/ig-examples', `${name}.json`), 'utf8'));
const errors = (r: R) => validate(r as Resource).filter((i) => i.severity === 'error');
const exprs = (r: R) => errors(r).map((i) => i.expression?.[0]);
const mut = (base: R, change: (r: R) => void): R => {
  const r = structuredClone(base);
  change(r);
  return r;
};
const where = (path: string, url: string) => `${path}.where(url='${url}')`;

const hs = fx.healthcareService('org-1', ['loc-1']);
const loc = fx.location({ extension: [...(fx.location().extension as R[]), fx.capacity('02', 3)] });
const eg = example('ror-organisation-exemple-eg');
const prole = example('ror-practitionerrole-exemple');
const task = example('ror-task-exemple');
const pract = fx.practitioner();

/** Each case: a mutation of a valid resource and the single error expression it must produce. */
function cases(title: string, base: R, table: [string, (r: R) => void, string, string?][]) {
  describe(title, () => {
    it('the base resource is valid', () => expect(exprs(base)).toEqual([]));
    it.each(table)('%s', (_name, change, expression, code) => {
      const found = errors(mut(base, change));
      expect(found.map((i) => i.expression?.[0])).toEqual([expression]);
      if (code) expect(found[0]!.code).toBe(code);
      expect(found[0]!.diagnostics).toMatch(/\p{L}{3,}/u);
    });
  });
}

cases('base R4 structure (from the fhirpath model tables)', hs, [
  ['unknown element', (r) => (r.foo = 1), 'HealthcareService.foo', 'structure'],
  ['array where single', (r) => (r.providedBy = [r.providedBy]), 'HealthcareService.providedBy', 'structure'],
  ['single where array', (r) => (r.type = r.type[0]), 'HealthcareService.type', 'structure'],
  ['empty array', (r) => (r.telecom = []), 'HealthcareService.telecom', 'structure'],
  ['null value', (r) => (r.comment = null), 'HealthcareService.comment', 'structure'],
  ['boolean format', (r) => (r.active = 'yes'), 'HealthcareService.active', 'value'],
  ['dateTime format', (r) => (r.extension[0].valueDateTime = '15/01/2024'), 'HealthcareService.extension[0].valueDateTime', 'value'],
  ['time format', (r) => (r.availableTime = [{ availableStartTime: '9h' }]), 'HealthcareService.availableTime[0].availableStartTime', 'value'],
  ['id format', (r) => (r.id = 'not an id!'), 'HealthcareService.id', 'value'],
  ['code format', (r) => (r.type[0].coding[0].code = ' 01'), 'HealthcareService.type[0].coding[0].code', 'value'],
  ['uri format', (r) => (r.identifier[0].system = 'https://a b'), 'HealthcareService.identifier[0].system', 'value'],
  ['decimal format', (r) => (r.extension[2].extension[0].valueRange.low.value = '18'), 'HealthcareService.extension[2].extension[0].valueRange.low.value', 'value'],
  ['unknown element inside a datatype', (r) => (r.type[0].coding[0].label = 'x'), 'HealthcareService.type[0].coding[0].label', 'structure'],
  ['two value[x] on one extension', (r) => (r.extension[1].valueString = 'x'), 'HealthcareService.extension[1].valueString', 'structure'],
  ['extension without url', (r) => r.extension.push({ valueString: 'x' }), 'HealthcareService.extension[3].url', 'required'],
  ['extension with neither value nor sub-extensions (ext-1)', (r) => r.extension.push({ url: 'http://example.org/x' }), 'HealthcareService.extension[3]', 'invariant'],
  ['modifierExtension (none defined by the ROR IG)', (r) => (r.modifierExtension = [{ url: 'http://example.org/fhir/StructureDefinition/no', valueBoolean: true }]), 'HealthcareService.modifierExtension', 'not-supported'],
  ['modifierExtension on a backbone element', (r) => (r.availableTime = [{ allDay: true, modifierExtension: [{ url: 'http://example.org/x', valueBoolean: true }] }]), 'HealthcareService.availableTime[0].modifierExtension', 'not-supported'],
  ['_element of a non-primitive', (r) => (r._providedBy = { id: 'x' }), 'HealthcareService._providedBy', 'structure'],
  ['providedBy → Location (type of the target)', (r) => (r.providedBy.reference = 'Location/1'), 'HealthcareService.providedBy', 'value'],
  ['location → Organization', (r) => (r.location[0].reference = 'Organization/1'), 'HealthcareService.location[0]', 'value'],
  ['Reference.type disagrees with the target type', (r) => (r.providedBy.type = 'Location'), 'HealthcareService.providedBy', 'value'],
  ['malformed literal reference', (r) => (r.providedBy.reference = 'Organization 1'), 'HealthcareService.providedBy.reference', 'value'],
]);

describe('base R4 structure: accepted forms', () => {
  it('accepts primitive extensions (_name), absolute references and unknown non-ROR extensions', () => {
    const r = mut(hs, (x) => {
      x._name = { extension: [{ url: 'http://example.org/fhir/StructureDefinition/x', valueString: 'y' }] };
      x.providedBy.reference = 'https://ror.example.org/fhir/Organization/org-1';
      x.extension.push({ url: 'http://example.org/fhir/StructureDefinition/local', valueBoolean: true });
    });
    expect(exprs(r)).toEqual([]);
  });
  it('reports Task.status and Task.intent as required (base min 1)', () => {
    expect(exprs(mut(task, (t) => delete t.status))).toEqual(['Task.status']);
    expect(exprs(mut(task, (t) => delete t.intent))).toEqual(['Task.intent']);
  });
  it('checks contained resources against the base model', () => {
    const r = mut(hs, (x) => (x.contained = [{ resourceType: 'Location', id: 'c1', nom: 'x' }]));
    expect(exprs(r)).toEqual(['HealthcareService.contained[0].nom']);
  });
});

const PT = `${SD}ror-healthcareservice-patient-type`;
const CONTACT = `${SD}ror-healthcareservice-contact`;
const hsContact = (r: R) =>
  r.extension.push({
    url: CONTACT,
    extension: [
      { url: `${SD}ror-confidentiality-level`, valueCodeableConcept: { coding: [{ system: fx.TRE.R283, code: '1' }] } },
      {
        url: `${SD}ror-healthcareservice-contact-telecom`,
        extension: [
          { url: `${SD}ror-telecom-communication-channel`, valueCodeableConcept: { coding: [{ system: fx.TRE.R200, code: '2' }] } },
          { url: `${SD}ror-telecom-confidentiality-level`, valueCodeableConcept: { coding: [{ system: fx.TRE.R283, code: '1' }] } },
          { url: 'telecomAddress', valueString: '01 02 03 04 05' },
        ],
      },
    ],
  });
const hsWithContact = mut(hs, hsContact);
const telecom = (channel = '2') => ({
  extension: [
    { url: `${SD}ror-telecom-communication-channel`, valueCodeableConcept: { coding: [{ system: fx.TRE.R200, code: channel }] } },
    { url: `${SD}ror-telecom-confidentiality-level`, valueCodeableConcept: { coding: [{ system: fx.TRE.R283, code: '1' }] } },
  ],
  system: 'phone',
  value: '01 02 03 04 05',
});
const hsWithTelecom = mut(hs, (r) => (r.telecom = [telecom()]));

cases('RORHealthcareService', hsWithContact, [
  ['identifier 1..1: missing', (r) => delete r.identifier, 'HealthcareService.identifier', 'required'],
  ['identifier 1..1: two', (r) => r.identifier.push({ value: 'B' }), 'HealthcareService.identifier[1]', 'structure'],
  ['providedBy 1..1', (r) => delete r.providedBy, 'HealthcareService.providedBy', 'required'],
  ['type 1..1', (r) => delete r.type, 'HealthcareService.type', 'required'],
  ['name 1..1 (decision)', (r) => delete r.name, 'HealthcareService.name', 'required'],
  ['specialty:operationalActivity missing', (r) => (r.specialty = [{ coding: [{ system: tre('R265-PrestationPilotageSerafin'), code: '004' }] }]), 'HealthcareService.specialty', 'required'],
  ['specialty absent', (r) => delete r.specialty, 'HealthcareService.specialty', 'required'],
  ['characteristic:careMode missing', (r) => (r.characteristic = [{ coding: [{ system: tre('R238-OuvertureAnnuelle'), code: '02' }] }]), 'HealthcareService.characteristic', 'required'],
  ['characteristic:careMode twice', (r) => r.characteristic.push(structuredClone(r.characteristic[0])), 'HealthcareService.characteristic[1]', 'structure'],
  ['careMode code outside JDV_J19', (r) => (r.characteristic[0].coding[0].code = '99'), 'HealthcareService.characteristic[0].coding[0]', 'code-invalid'],
  ['operational activity outside JDV_J17', (r) => (r.specialty[0].coding[0].code = 'XYZ'), 'HealthcareService.specialty[0].coding[0]', 'code-invalid'],
  ['champ d’activité outside JDV_J20', (r) => (r.type[0].coding[0].code = '99'), 'HealthcareService.type[0].coding[0]', 'code-invalid'],
  ['binding needs a code', (r) => (r.type[0] = { text: 'MCO' }), 'HealthcareService.type[0]', 'required'],
  ['ror-act-type with an unknown value', (r) => r.characteristic.push({ coding: [{ system: tre('R210-ActeSpecifique'), code: '0320' }], extension: [{ url: `${SD}ror-act-type`, valueCode: 'autre' }] }), 'HealthcareService.characteristic[1].extension[0].valueCode', 'code-invalid'],
  ['ror-meta-creation-date 1..1', (r) => r.extension.splice(0, 1), where('HealthcareService.extension', `${SD}ror-meta-creation-date`), 'required'],
  ['sensitive-unit 1..1', (r) => r.extension.splice(1, 1), where('HealthcareService.extension', `${SD}ror-healthcareservice-sensitive-unit`), 'required'],
  ['sensitive-unit value type', (r) => (r.extension[1] = { url: r.extension[1].url, valueString: 'non' }), 'HealthcareService.extension[1].valueString', 'value'],
  ['patient-type 1..1', (r) => r.extension.splice(2, 1), where('HealthcareService.extension', PT), 'required'],
  ['patient-type twice', (r) => r.extension.push(structuredClone(r.extension[2])), 'HealthcareService.extension[4]', 'structure'],
  ['patient-type: ageRange 1..1', (r) => (r.extension[2].extension = [{ url: 'supportedPatientInfo', valueCodeableConcept: { coding: [{ system: tre('R239-PublicPrisEnCharge'), code: '01' }] } }]), where('HealthcareService.extension[2].extension', 'ageRange'), 'required'],
  ['patient-type: ageRange.low 1..1', (r) => delete r.extension[2].extension[0].valueRange.low, 'HealthcareService.extension[2].extension[0].valueRange.low', 'required'],
  ['patient-type: ageRange.high.value 1..1', (r) => (r.extension[2].extension[0].valueRange.high = { unit: 'ans' }), 'HealthcareService.extension[2].extension[0].valueRange.high.value', 'required'],
  ['patient-type: age in months (decision: years)', (r) => Object.assign(r.extension[2].extension[0].valueRange.low, { system: 'http://unitsofmeasure.org', code: 'mo' }), 'HealthcareService.extension[2].extension[0].valueRange.low', 'value'],
  ['patient-type: low > high', (r) => (r.extension[2].extension[0].valueRange.low.value = 95), 'HealthcareService.extension[2].extension[0].valueRange', 'invariant'],
  ['patient-type: public outside JDV_J29', (r) => r.extension[2].extension.push({ url: 'supportedPatientInfo', valueCodeableConcept: { coding: [{ system: tre('R239-PublicPrisEnCharge'), code: '99' }] } }), 'HealthcareService.extension[2].extension[1].valueCodeableConcept.coding[0]', 'code-invalid'],
  ['patient-type: unknown sub-extension', (r) => r.extension[2].extension.push({ url: 'ageMin', valueInteger: 3 }), 'HealthcareService.extension[2].extension[1]', 'structure'],
  ['contact: confidentiality level 1..1', (r) => r.extension[3].extension.splice(0, 1), where('HealthcareService.extension[3].extension', `${SD}ror-confidentiality-level`), 'required'],
  ['contact telecom: channel 1..1', (r) => r.extension[3].extension[1].extension.splice(0, 1), where('HealthcareService.extension[3].extension[1].extension', `${SD}ror-telecom-communication-channel`), 'required'],
  ['contact telecom: telecomAddress 1..1', (r) => r.extension[3].extension[1].extension.splice(2, 1), where('HealthcareService.extension[3].extension[1].extension', 'telecomAddress'), 'required'],
  ['contact: value on a complex extension', (r) => (r.extension[3].valueString = 'x'), 'HealthcareService.extension[3]', 'invariant'],
  ['unknown extension of the ROR namespace', (r) => r.extension.push({ url: `${SD}ror-healthcareservice-foo`, valueString: 'x' }), 'HealthcareService.extension[4]', 'structure'],
  ['ROR extension out of its context', (r) => r.extension.push(structuredClone(fx.location().extension as R[])[0]), 'HealthcareService.extension[4]', 'structure'],
  ['availableTime: day of week out of 1..7', (r) => (r.availableTime = [{ extension: [{ url: `${SD}ror-available-time-number-days-of-week`, valueInteger: 8 }] }]), 'HealthcareService.availableTime[0].extension[0].valueInteger', 'value'],
  ['availableTime: type of time outside JDV_J41', (r) => (r.availableTime = [{ extension: [{ url: `${SD}ror-available-time-type-of-time`, valueCodeableConcept: { coding: [{ system: tre('R252-TypeHoraire'), code: '99' }] } }] }]), 'HealthcareService.availableTime[0].extension[0].valueCodeableConcept.coding[0]', 'code-invalid'],
  ['notAvailable:closingReopeningDate fixed description', (r) => (r.notAvailable = [{ id: 'closingReopeningDate', description: 'Fermeture', during: { start: '2025-07-01' } }]), 'HealthcareService.notAvailable[0].description', 'value'],
  ['notAvailable max 1', (r) => (r.notAvailable = [{ description: 'a' }, { description: 'b' }]), 'HealthcareService.notAvailable[1]', 'structure'],
]);

cases('telecom pattern (channel + confidentiality level)', hsWithTelecom, [
  ['channel 1..1', (r) => r.telecom[0].extension.splice(0, 1), where('HealthcareService.telecom[0].extension', `${SD}ror-telecom-communication-channel`), 'required'],
  ['confidentiality 1..1', (r) => r.telecom[0].extension.splice(1, 1), where('HealthcareService.telecom[0].extension', `${SD}ror-telecom-confidentiality-level`), 'required'],
  ['value 1..1', (r) => delete r.telecom[0].value, 'HealthcareService.telecom[0].value', 'required'],
  ['channel outside JDV_J225', (r) => (r.telecom[0].extension[0].valueCodeableConcept.coding[0].code = '42'), 'HealthcareService.telecom[0].extension[0].valueCodeableConcept.coding[0]', 'code-invalid'],
  ['confidentiality outside JDV_J222', (r) => (r.telecom[0].extension[1].valueCodeableConcept.coding[0].code = '9'), 'HealthcareService.telecom[0].extension[1].valueCodeableConcept.coding[0]', 'code-invalid'],
  ['usage must be a string', (r) => r.telecom[0].extension.push({ url: `${SD}ror-telecom-usage`, valueBoolean: true }), 'HealthcareService.telecom[0].extension[2].valueBoolean', 'value'],
]);

describe('RORHealthcareService decisions', () => {
  it('accepts several activités opérationnelles (specialty:operationalActivity 1..*)', () => {
    const r = mut(hs, (x) => x.specialty.push({ coding: [{ system: fx.TRE.R211, code: '022' }] }));
    expect(exprs(r)).toEqual([]);
  });
  const act = (code: string, type = 'specificAct') => ({ coding: [{ system: tre('R210-ActeSpecifique'), code }], extension: [{ url: `${SD}ror-act-type`, valueCode: type }] });
  it('checks actes spécifiques against JDV_J16 (TRE_R210), for both act types', () => {
    for (const type of ['specificAct', 'outsideOfficeAct']) {
      const ok = mut(hs, (x) => x.characteristic.push(act('0320', type)));
      expect(validate(ok as Resource)).toEqual([]);
      const bad = mut(hs, (x) => x.characteristic.push(act('0002', type)));
      expect(errors(bad).map((i) => [i.expression?.[0], i.code])).toEqual([['HealthcareService.characteristic[1].coding[0]', 'code-invalid']]);
      expect(errors(bad)[0]!.diagnostics).toContain('JDV_J16-ActeSpecifique-ROR');
    }
  });
  it('accepts a value set the server does not hold, with a warning', () => {
    const strict = nosCodeChecker();
    const withoutJ16 = createValidator({ isInValueSet: (vs, system, code) => (vs.includes('JDV_J16-') ? undefined : strict.isInValueSet(vs, system, code)) });
    const r = mut(hs, (x) => x.characteristic.push(act('0320')));
    const issues = withoutJ16(r as Resource);
    expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(issues).toContainEqual(expect.objectContaining({ severity: 'warning', expression: ['HealthcareService.characteristic[1]'] }));
    expect(issues.find((i) => i.severity === 'warning')!.diagnostics).toContain('JDV_J16-ActeSpecifique-ROR');
  });
  it('leaves JDV-as-system to the CodeChecker: a strict one rejects it and says what to use', () => {
    const r = mut(hs, (x) => (x.type[0].coding[0].system = 'https://mos.esante.gouv.fr/NOS/JDV_J20-ChampActivite-ROR/FHIR/JDV-J20-ChampActivite-ROR'));
    const found = errors(r);
    expect(found.map((i) => i.expression?.[0])).toEqual(['HealthcareService.type[0].coding[0]']);
    expect(found[0]!.diagnostics).toContain('TRE_');
  });
  it('leaves JDV-as-system to the CodeChecker: with a tolerant one (the Terminology module), slices still match', () => {
    const strict = nosCodeChecker();
    // Stand-in for the Terminology's alias rule: a JDV URL as system is judged as that JDV.
    const tolerant = createValidator({
      isInValueSet: (vs, system, code) => (system?.replace(/\/$/, '') === vs ? true : strict.isInValueSet(vs, system, code)),
    });
    const J19 = 'https://mos.esante.gouv.fr/NOS/JDV_J19-ModePriseEnCharge-ROR/FHIR/JDV-J19-ModePriseEnCharge-ROR';
    const r = mut(hs, (x) => (x.characteristic[0].coding[0].system = `${J19}/`));
    expect(tolerant(r as Resource).filter((i) => i.severity === 'error')).toEqual([]);
    expect(exprs(r)).toEqual(['HealthcareService.characteristic[0].coding[0]']);
  });
  it('accepts a characteristic matching no slice, with a warning', () => {
    const r = mut(hs, (x) => x.characteristic.push({ coding: [{ system: 'http://example.org/cs', code: 'x' }] }));
    expect(exprs(r)).toEqual([]);
    expect(validate(r as Resource)).toContainEqual(expect.objectContaining({ severity: 'warning', expression: ['HealthcareService.characteristic[1]'] }));
  });
});

const CAP = `${SD}ror-location-supported-capacity`;
const capIndex = 2;
const capSub = (name: string) => (r: R) => (r.extension[capIndex].extension = r.extension[capIndex].extension.filter((e: R) => e.url !== name));
const locWithEquipment = mut(loc, (r) =>
  r.extension.push(
    {
      url: `${SD}ror-location-equipment`,
      extension: [
        { url: 'equipmentType', valueCodeableConcept: { coding: [{ system: tre('R212-Equipement'), code: '088' }] } },
        { url: 'nbInService', valueInteger: 2 },
        {
          url: `${SD}ror-location-equipment-limit`,
          extension: [
            { url: 'equipmentFeature', valueCodeableConcept: { coding: [{ system: tre('R340-TypeCaracteristiqueEquipement'), code: '001' }] } },
            { url: 'limitValue', valueQuantity: { value: 200, system: 'http://unitsofmeasure.org', code: 'kg' } },
          ],
        },
      ],
    },
    { url: `${SD}ror-location-residential-capacity`, extension: [{ url: 'residentialNumber', valueInteger: 4 }, { url: 'residentialType', valueCodeableConcept: { coding: [{ system: tre('R242-TypeHabitation'), code: '01' }] } }] },
  ),
);

cases('RORLocation', locWithEquipment, [
  ['ror-commune-cog 1..1', (r) => r.extension.splice(0, 1), where('Location.extension', `${SD}ror-commune-cog`), 'required'],
  ['ror-meta-creation-date 1..1', (r) => r.extension.splice(1, 1), where('Location.extension', `${SD}ror-meta-creation-date`), 'required'],
  ...(['capacityType', 'capacityStatus', 'temporalityCapacity', 'nbCapacity', 'capacitySourceType', 'capacityUpdateDate', 'temporaryAssignement'] as const).map(
    (name) => [`supported capacity: ${name} 1..1`, capSub(name), where(`Location.extension[${capIndex}].extension`, name), 'required'] as [string, (r: R) => void, string, string],
  ),
  ['supported capacity: status outside JDV_J188', (r) => (r.extension[capIndex].extension[1].valueCodeableConcept.coding[0].code = '07'), `Location.extension[${capIndex}].extension[1].valueCodeableConcept.coding[0]`, 'code-invalid'],
  ['supported capacity: nbCapacity integer', (r) => (r.extension[capIndex].extension[3].valueInteger = 1.5), `Location.extension[${capIndex}].extension[3].valueInteger`, 'value'],
  ['supported capacity: nbCapacity not negative', (r) => (r.extension[capIndex].extension[3].valueInteger = -1), `Location.extension[${capIndex}].extension[3].valueInteger`, 'value'],
  ['supported capacity: gender twice', (r) => r.extension[capIndex].extension.push(structuredClone(r.extension[capIndex].extension[5])), `Location.extension[${capIndex}].extension[8]`, 'structure'],
  ['supported capacity: unknown sub-extension', (r) => r.extension[capIndex].extension.push({ url: 'nbCapacite', valueInteger: 1 }), `Location.extension[${capIndex}].extension[8]`, 'structure'],
  ['equipment: equipmentType 1..1', (r) => r.extension[3].extension.splice(0, 1), where('Location.extension[3].extension', 'equipmentType'), 'required'],
  ['equipment: type outside JDV_J18', (r) => (r.extension[3].extension[0].valueCodeableConcept.coding[0].code = 'ZZZ'), 'Location.extension[3].extension[0].valueCodeableConcept.coding[0]', 'code-invalid'],
  ['equipment limit: limitValue 1..1', (r) => r.extension[3].extension[2].extension.splice(1, 1), where('Location.extension[3].extension[2].extension', 'limitValue'), 'required'],
  ['equipment limit: equipmentFeature 1..1', (r) => r.extension[3].extension[2].extension.splice(0, 1), where('Location.extension[3].extension[2].extension', 'equipmentFeature'), 'required'],
  ['residential capacity: residentialType 1..1', (r) => r.extension[4].extension.splice(1, 1), where('Location.extension[4].extension', 'residentialType'), 'required'],
  ['type max 1', (r) => r.type.push(structuredClone(r.type[0])), 'Location.type[1]', 'structure'],
  ['type outside JDV_J198', (r) => (r.type[0].coding[0].code = '999'), 'Location.type[0].coding[0]', 'code-invalid'],
  ['operationalStatus outside JDV_J224', (r) => (r.operationalStatus = { system: fx.TRE.R203, code: '9' }), 'Location.operationalStatus', 'code-invalid'],
  ['idExterneSynchro max 1', (r) => r.identifier.push({ type: { coding: [{ code: '26' }] }, value: 'X' }), 'Location.identifier[1]', 'structure'],
  ['managingOrganization → Organization', (r) => (r.managingOrganization = { reference: 'Location/x' }), 'Location.managingOrganization', 'value'],
  ['partOf → Location', (r) => (r.partOf = { reference: 'Organization/x' }), 'Location.partOf', 'value'],
  ['position latitude decimal', (r) => (r.position = { latitude: '47.8', longitude: 1.9 }), 'Location.position.latitude', 'value'],
]);

describe('RORLocation: capacity extension URL', () => {
  it('the supported-capacity URL is a known ROR extension', () => expect(KNOWN_ROR_EXTENSIONS.has(CAP)).toBe(true));
});

describe('ROROrganization: extensions placed on primitives and inside HL7 extensions', () => {
  it('accepts name.extension:ror-organization-additional-name and the ROR confidence of an address geolocation', () => {
    const r = mut(eg, (o) => {
      o._name = { extension: [{ url: `${SD}ror-organization-additional-name`, valueString: 'site nord' }] };
      o.address[0].extension = [
        {
          url: 'http://hl7.org/fhir/StructureDefinition/geolocation',
          extension: [
            { url: 'latitude', valueDecimal: 48.9 },
            { url: 'longitude', valueDecimal: 2.27 },
            { url: `${SD}ror-confidence-geolocation`, valueBoolean: true },
          ],
        },
      ];
    });
    expect(exprs(r)).toEqual([]);
  });
  it('rejects a second additional name and a non-string one', () => {
    const two = mut(eg, (o) => (o._name = { extension: [1, 2].map((n) => ({ url: `${SD}ror-organization-additional-name`, valueString: `n${n}` })) }));
    expect(exprs(two)).toEqual(['Organization._name.extension[1]']);
    const bool = mut(eg, (o) => (o._name = { extension: [{ url: `${SD}ror-organization-additional-name`, valueBoolean: true }] }));
    expect(exprs(bool)).toEqual(['Organization._name.extension[0].valueBoolean']);
  });
});

cases('ROROrganization (EG example)', eg, [
  ['ror-meta-creation-date 1..1', (r) => r.extension.splice(0, 1), where('Organization.extension', `${SD}ror-meta-creation-date`), 'required'],
  ['identifier finess: fixed system', (r) => (r.identifier[1].system = 'http://finess.esante.gouv.fr'), 'Organization.identifier[1].system', 'value'],
  ['identifier finess: value 1..1', (r) => delete r.identifier[1].value, 'Organization.identifier[1].value', 'required'],
  ['identifier finess max 1', (r) => r.identifier.push(structuredClone(r.identifier[1])), 'Organization.identifier[3]', 'structure'],
  ['categorieEtablissement outside JDV_J55', (r) => (r.type[0].coding[0].code = '000'), 'Organization.type[0].coding[0]', 'code-invalid'],
  ['address max 1', (r) => r.address.push(structuredClone(r.address[0])), 'Organization.address[1]', 'structure'],
  ['partOf → Organization', (r) => (r.partOf.reference = 'Location/1111'), 'Organization.partOf', 'value'],
  ['contact: confidentiality level 1..1', (r) => (r.contact[0].extension = [{ url: `${SD}ror-contact-description`, valueString: 'x' }]), where('Organization.contact[0].extension', `${SD}ror-contact-confidentiality-level`), 'required'],
  ['contact: purpose outside JDV_J221', (r) => (r.contact[0].purpose.coding[0].code = '99'), 'Organization.contact[0].purpose.coding[0]', 'code-invalid'],
  ['contact telecom: channel 1..1', (r) => r.contact[0].telecom[0].extension.splice(0, 1), where('Organization.contact[0].telecom[0].extension', `${SD}ror-telecom-communication-channel`), 'required'],
  ['accomodation-family boolean', (r) => (r.extension[2] = { url: r.extension[2].url, valueString: 'non' }), 'Organization.extension[2].valueString', 'value'],
]);

describe('ROROrganization (EJ example)', () => {
  it('rejects the http:// SIREN system of the IG example (fixed https://sirene.fr)', () => {
    const r = mut(example('ror-organization-exemple-ej'), (o) => (o.identifier[1].system = 'http://sirene.fr'));
    expect(exprs(r)).toEqual(['Organization.identifier[1].system']);
  });
});

cases('RORPractitioner', pract, [
  ['identifier 1..1', (r) => delete r.identifier, 'Practitioner.identifier', 'required'],
  ['identifier system fixed (idNat_PS)', (r) => (r.identifier[0].system = 'urn:oid:1.2.250.1.71.4.2.2'), 'Practitioner.identifier[0].system', 'value'],
  ['ror-meta-creation-date 1..1', (r) => delete r.extension, where('Practitioner.extension', `${SD}ror-meta-creation-date`), 'required'],
  ['gender code format', (r) => (r.gender = 'female '), 'Practitioner.gender', 'value'],
  ['birthDate format', (r) => (r.birthDate = '1980-13-01'), 'Practitioner.birthDate', 'value'],
  ['name.prefix max 1', (r) => (r.name[0].prefix = ['Dr', 'Pr']), 'Practitioner.name[0].prefix[1]', 'structure'],
  ['telecom pattern', (r) => (r.telecom = [{ system: 'email', value: 'a@b.fr', extension: [telecom().extension[0]] }]), where('Practitioner.telecom[0].extension', `${SD}ror-telecom-confidentiality-level`), 'required'],
]);

cases('RORPractitionerRole', prole, [
  ['practitioner 1..1', (r) => delete r.practitioner, 'PractitionerRole.practitioner', 'required'],
  ['practitioner → Practitioner', (r) => (r.practitioner.reference = 'Organization/1'), 'PractitionerRole.practitioner', 'value'],
  ['healthcareService 1..1', (r) => delete r.healthcareService, 'PractitionerRole.healthcareService', 'required'],
  ['healthcareService max 1', (r) => r.healthcareService.push({ reference: 'HealthcareService/2' }), 'PractitionerRole.healthcareService[1]', 'structure'],
  ['healthcareService → HealthcareService', (r) => (r.healthcareService[0].reference = 'Location/1'), 'PractitionerRole.healthcareService[0]', 'value'],
  ['code 1..1', (r) => delete r.code, 'PractitionerRole.code', 'required'],
  ['specialty:expertiseType 1..1', (r) => (r.specialty = [{ coding: [{ system: tre('R38-SpecialiteOrdinale'), code: 'SM54' }] }]), 'PractitionerRole.specialty', 'required'],
  ['unit-exercise-mode 1..1', (r) => r.extension.splice(2, 1), where('PractitionerRole.extension', `${SD}ror-practitionerrole-unit-exercise-mode`), 'required'],
  ['practitionerrole-name: exerciseLastName 1..1', (r) => r.extension[1].extension.splice(1, 1), where('PractitionerRole.extension[1].extension', 'exerciseLastName'), 'required'],
  ['old RORPractitionerRoleName URL of the IG example', (r) => (r.extension[1].url = `${SD}RORPractitionerRoleName`), 'PractitionerRole.extension[1]', 'structure'],
  ['identifier max 1', (r) => r.identifier.push({ value: '2' }), 'PractitionerRole.identifier[1]', 'structure'],
]);

describe('RORPractitionerRole specialty slices: each savoir-faire JDV checks the codes of its TRE', () => {
  const sp = (tre_: string, code: string) => ({ coding: [{ system: tre(tre_), code }] });
  // [slice, TRE, a code of the JDV, a code that is not in it]
  it.each([
    ['specialty (J210)', 'R38-SpecialiteOrdinale', 'SM54', 'SM99'],
    ['competence (J232)', 'R39-Competence', 'C07', 'C02'],
    ['exclusiveCompetence (J211)', 'R40-CompetenceExclusive', 'CEX64', 'CEX01'],
    ['specificOrientation (J212)', 'G13-OrientationParticuliere', '81', '82'],
    ['expertiseCapacity (J213)', 'R43-CapaciteSavoirFaire', 'CAPA05', 'CAPA17'],
    ['qualificationPAC (J214)', 'R44-QualificationPAC', 'PAC00', 'PAC01'],
    ['nonQualifyingDESC (J215)', 'R42-DESCnonQualifiant', 'DSM220', 'DSM199'],
    ['supplementaryExerciseRight (J216)', 'R97-DroitExerciceCompl', 'DEC14', 'DEC25'],
    ['specificCompetence (J33)', 'R243-CompetenceSpecifique', '01', '99'],
  ])('%s', (_slice, tre_, valid, invalid) => {
    expect(validate(mut(prole, (r) => r.specialty.push(sp(tre_, valid))) as Resource)).toEqual([]);
    const found = errors(mut(prole, (r) => r.specialty.push(sp(tre_, invalid))));
    expect(found.map((i) => [i.expression?.[0], i.code])).toEqual([['PractitionerRole.specialty[1].coding[0]', 'code-invalid']]);
  });
  it('checks exercise title (J208), profession (J229) and exercise mode (J217)', () => {
    const title = (code: string) => (r: R) => r.extension[1].extension.unshift({ url: 'exerciseTitle', valueCodeableConcept: { coding: [{ system: tre('R11-CiviliteExercice'), code }] } });
    expect(validate(mut(prole, title('DR')) as Resource)).toEqual([]);
    expect(exprs(mut(prole, title('M')))).toEqual(['PractitionerRole.extension[1].extension[0].valueCodeableConcept.coding[0]']);
    expect(exprs(mut(prole, (r) => (r.code[0].coding[0].code = '99')))).toEqual(['PractitionerRole.code[0].coding[0]']);
    expect(exprs(mut(prole, (r) => (r.extension[2].valueCodeableConcept.coding[0].code = 'X')))).toEqual(['PractitionerRole.extension[2].valueCodeableConcept.coding[0]']);
  });
});

cases('RORTask', task, [
  ['businessStatus 1..1', (r) => delete r.businessStatus, 'Task.businessStatus', 'required'],
  ['code 1..1', (r) => delete r.code, 'Task.code', 'required'],
  ['focus 1..1', (r) => delete r.focus, 'Task.focus', 'required'],
  ['authoredOn 1..1', (r) => delete r.authoredOn, 'Task.authoredOn', 'required'],
  ['lastModified 1..1', (r) => delete r.lastModified, 'Task.lastModified', 'required'],
  ['reasonCode 1..1', (r) => delete r.reasonCode, 'Task.reasonCode', 'required'],
  ['input:systemRequester 1..1', (r) => r.input.splice(1, 1), 'Task.input', 'required'],
  ['input:systemRequester needs valueString', (r) => delete r.input[1].valueString, 'Task.input[1].valueString', 'required'],
  ['owner: ROR actors only', (r) => (r.owner = { reference: 'Patient/1' }), 'Task.owner', 'value'],
  ['authoredOn format', (r) => (r.authoredOn = '03/01/2024'), 'Task.authoredOn', 'value'],
  ['status code format', (r) => (r.status = 'in progress '), 'Task.status', 'value'],
]);

// ---- Required bindings of R4 on code elements (r4-codes.ts) --------------------------------------------

const ext = (key: string, value: unknown) => (r: R) => (r.extension ??= []).push({ url: 'http://example.org/fhir/StructureDefinition/x', [key]: value });

cases('R4 required bindings on code elements', hsWithTelecom, [
  ['HealthcareService.availableTime.daysOfWeek', (r) => (r.availableTime = [{ daysOfWeek: ['monday'] }]), 'HealthcareService.availableTime[0].daysOfWeek[0]', 'code-invalid'],
  ['ContactPoint.system', (r) => (r.telecom[0].system = 'telephone'), 'HealthcareService.telecom[0].system', 'code-invalid'],
  ['ContactPoint.use', (r) => (r.telecom[0].use = 'office'), 'HealthcareService.telecom[0].use', 'code-invalid'],
  ['Identifier.use', (r) => (r.identifier[0].use = 'main'), 'HealthcareService.identifier[0].use', 'code-invalid'],
  ['Narrative.status', (r) => (r.text = { status: 'done', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' }), 'HealthcareService.text.status', 'code-invalid'],
  ['Range.low comparator (Quantity, SimpleQuantity)', (r) => (r.extension[2].extension[0].valueRange.low.comparator = '=<'), 'HealthcareService.extension[2].extension[0].valueRange.low.comparator', 'code-invalid'],
  ['HumanName.use in a ROR contact', (r) => r.extension.push({ url: CONTACT, extension: [{ url: 'name', valueHumanName: { use: 'pro', family: 'X' } }, { url: `${SD}ror-confidentiality-level`, valueCodeableConcept: { coding: [{ system: fx.TRE.R283, code: '1' }] } }] }), 'HealthcareService.extension[3].extension[0].valueHumanName.use', 'code-invalid'],
  ['Attachment.contentType (BCP 13 syntax) in any extension', ext('valueAttachment', { contentType: 'pdf' }), 'HealthcareService.extension[3].valueAttachment.contentType', 'code-invalid'],
  ['Money.currency (ISO 4217 syntax) in any extension', ext('valueMoney', { value: 1, currency: 'euro' }), 'HealthcareService.extension[3].valueMoney.currency', 'code-invalid'],
  ['Duration.comparator', ext('valueDuration', { value: 1, comparator: '~' }), 'HealthcareService.extension[3].valueDuration.comparator', 'code-invalid'],
  ['Timing.repeat.dayOfWeek', ext('valueTiming', { repeat: { dayOfWeek: ['lun'] } }), 'HealthcareService.extension[3].valueTiming.repeat.dayOfWeek[0]', 'code-invalid'],
  ['Timing.repeat.periodUnit', ext('valueTiming', { repeat: { period: 1, periodUnit: 'week' } }), 'HealthcareService.extension[3].valueTiming.repeat.periodUnit', 'code-invalid'],
  ['Timing.repeat.when', ext('valueTiming', { repeat: { when: ['MIDI'] } }), 'HealthcareService.extension[3].valueTiming.repeat.when[0]', 'code-invalid'],
  ['Address.use inside a contained Location', (r) => (r.contained = [{ resourceType: 'Location', id: 'c', address: { use: 'nowhere' } }]), 'HealthcareService.contained[0].address.use', 'code-invalid'],
]);

cases('R4 required bindings: Location', loc, [
  ['Location.status', (r) => (r.status = 'open-ish'), 'Location.status', 'code-invalid'],
  ['Location.mode', (r) => (r.mode = 'xyz'), 'Location.mode', 'code-invalid'],
  ['Address.use', (r) => (r.address = { use: 'nowhere', city: 'Orléans' }), 'Location.address.use', 'code-invalid'],
  ['Address.type', (r) => (r.address = { type: 'virtual', city: 'Orléans' }), 'Location.address.type', 'code-invalid'],
  ['Location.hoursOfOperation.daysOfWeek', (r) => (r.hoursOfOperation = [{ daysOfWeek: ['mon', 'Tue'] }]), 'Location.hoursOfOperation[0].daysOfWeek[1]', 'code-invalid'],
]);

cases('R4 required bindings: Practitioner, PractitionerRole, Organization', pract, [
  ['Practitioner.gender', (r) => (r.gender = 'robot'), 'Practitioner.gender', 'code-invalid'],
  ['HumanName.use', (r) => (r.name = [{ use: 'pro', family: 'Martin' }]), 'Practitioner.name[0].use', 'code-invalid'],
]);

cases('R4 required bindings: Task', task, [
  ['Task.status', (r) => (r.status = 'bogus'), 'Task.status', 'code-invalid'],
  ['Task.intent', (r) => (r.intent = 'whatever'), 'Task.intent', 'code-invalid'],
  ['Task.intent directive (request-intent, not task-intent)', (r) => (r.intent = 'directive'), 'Task.intent', 'code-invalid'],
  ['Task.priority', (r) => (r.priority = 'superurgent'), 'Task.priority', 'code-invalid'],
]);

describe('R4 required bindings: accepted codes, diagnostics, coverage of the model', () => {
  it('accepts every code of the value sets', () => {
    for (const status of TASK_STATUS.codes!) expect(exprs(mut(task, (t) => (t.status = status)))).toEqual([]);
    const r = mut(loc, (l) => {
      Object.assign(l, { status: 'suspended', mode: 'kind', address: { use: 'billing', type: 'both', city: 'Orléans' } });
      l.hoursOfOperation = [{ daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] }];
    });
    expect(exprs(r)).toEqual([]);
    for (const gender of ['male', 'female', 'other', 'unknown']) expect(exprs(mut(pract, (p) => (p.gender = gender)))).toEqual([]);
    const media = mut(hs, ext('valueAttachment', { contentType: 'text/plain; charset=UTF-8' }));
    expect(exprs(media)).toEqual([]);
    expect(exprs(mut(eg, (o) => (o.telecom = [{ ...telecom(), system: 'email', use: 'work', value: 'a@b.fr' }])))).toEqual([]);
  });
  it('names the R4 value set and its codes, with rule code binding', () => {
    const [found] = errors(mut(task, (t) => (t.priority = 'superurgent')));
    expect(found!.diagnostics).toContain('http://hl7.org/fhir/ValueSet/request-priority|4.0.1');
    expect(found!.diagnostics).toContain('routine, urgent, asap, stat');
    expect(found!.details?.coding?.[0]?.code).toBe('binding');
  });
  it('reports a malformed code once, as a datatype error, without the binding', () => {
    const found = errors(mut(task, (t) => (t.status = 'in-progress ')));
    expect(found.map((i) => [i.expression?.[0], i.code])).toEqual([['Task.status', 'value']]);
  });
  it('classifies every code element of the R4 model reachable from the stored types', () => {
    const path2Type = createRequire(import.meta.url)('fhirpath/fhir-context/r4/path2Type.json') as Record<string, unknown>;
    const parents = createRequire(import.meta.url)('fhirpath/fhir-context/r4/type2Parent.json') as Record<string, string>;
    const isResource = (t: string): boolean => t === 'Resource' || (parents[t] !== undefined && isResource(parents[t]!));
    const stored = ['Organization', 'HealthcareService', 'Location', 'Practitioner', 'PractitionerRole', 'Task', 'DomainResource', 'Resource'];
    // ElementDefinition only occurs in StructureDefinition; MetadataResource is an R4 logical interface.
    const reachable = Object.entries(path2Type)
      .filter(([path, t]) => t === 'code' && !/^(ElementDefinition|MetadataResource)\./.test(path))
      .map(([path]) => path)
      .filter((path) => { const root = path.split('.')[0]!; return stored.includes(root) || !isResource(root); });
    const classified = [...Object.keys(R4_REQUIRED_CODES), ...Object.keys(R4_CODES_NOT_REQUIRED)];
    expect(classified.sort()).toEqual(reachable.sort());
  });
});

// ---- meta.tag codeRegion (JDV_J237-RegionOM-ROR) --------------------------------------------------------

describe('meta.tag:codeRegion, required binding to JDV_J237-RegionOM-ROR', () => {
  const R30 = 'https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM';
  const tagged = (r: R, ...tags: R[]) => mut(r, (x) => (x.meta = { ...x.meta, tag: tags }));
  it.each([
    ['HealthcareService', hs],
    ['Organization', eg],
    ['Location', loc],
    ['Practitioner', pract],
    ['PractitionerRole', prole],
  ] as [string, R][])('%s: region 24 accepted, 99 refused at meta.tag[i]', (type, base) => {
    expect(exprs(tagged(base, { system: R30, code: '24' }))).toEqual([]);
    const found = errors(tagged(base, { system: 'http://example.org/tags', code: 'x' }, { system: R30, code: '99' }));
    expect(found.map((i) => [i.expression?.[0], i.code])).toEqual([[`${type}.meta.tag[1]`, 'code-invalid']]);
    expect(found[0]!.diagnostics).toContain('JDV_J237-RegionOM-ROR');
  });
  it('accepts other tags without warning, and at most one region tag', () => {
    expect(validate(tagged(hs, { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' }) as Resource)).toEqual([]);
    expect(exprs(tagged(hs, { system: R30, code: '24' }, { system: R30, code: '11' }))).toEqual(['HealthcareService.meta.tag[1]']);
  });
  it('does not check Task tags (RORTask has no codeRegion slice)', () => {
    expect(exprs(tagged(task, { system: R30, code: '99' }))).toEqual([]);
  });
});

describe('test fixture builders stay valid', () => {
  it.each([
    ['ej', fx.ej()],
    ['eg', fx.eg('ej-1')],
    ['location', fx.location()],
    ['location with capacity', loc],
    ['healthcareService', hs],
    ['practitioner', pract],
  ])('%s', (_n, r) => expect(exprs(r as R)).toEqual([]));
});

describe('defects of the IG examples as published (fixed in test/fixtures/ig-examples, see its README)', () => {
  const JDV_J209 = 'https://mos.esante.gouv.fr/NOS/JDV_J209-TypeSavoirFaire-ROR/FHIR/JDV-J209-TypeSavoirFaire-ROR';
  it.each([
    ['1234564: no characteristic:careMode', 'ror-healthcareservice-1234564', (r: R) => r.characteristic.pop(), 'HealthcareService.characteristic'],
    ['exemple: FSH `specialty.code` instead of `specialty.coding.code`', 'ror-healthcareservice-exemple', (r: R) => (r.specialty[0].code = '183'), 'HealthcareService.specialty[0].code'],
    ['ville: TypeHoraire 99 outside JDV_J41', 'ror-healthcareservice-exemple-ville', (r: R) => (r.availableTime[0].extension[0].valueCodeableConcept.coding[0].code = '99'), 'HealthcareService.availableTime[0].extension[0].valueCodeableConcept.coding[0]'],
    ['ville: channel coded with the extension URL as system', 'ror-healthcareservice-exemple-ville', (r: R) => (r.extension[3].extension[2].extension[0].valueCodeableConcept.coding[0].system = `${SD}ror-telecom-communication-channel`), 'HealthcareService.extension[3].extension[2].extension[0].valueCodeableConcept.coding[0]'],
    ['EG: numSIRET without value', 'ror-organisation-exemple-eg', (r: R) => delete r.identifier[2].value, 'Organization.identifier[2].value'],
    ['EJ: SIREN system http://sirene.fr', 'ror-organization-exemple-ej', (r: R) => (r.identifier[1].system = 'http://sirene.fr'), 'Organization.identifier[1].system'],
    ['PractitionerRole: FSH `specialty[expertiseType].valueCodeableConcept`', 'ror-practitionerrole-exemple', (r: R) => (r.specialty[0] = { valueCodeableConcept: { coding: [{ system: JDV_J209, code: 'CEX' }] } }), ['PractitionerRole.specialty[0].valueCodeableConcept', 'PractitionerRole.specialty']],
    ['PractitionerRole: old RORPractitionerRoleName URL', 'ror-practitionerrole-exemple', (r: R) => (r.extension[1].url = `${SD}RORPractitionerRoleName`), 'PractitionerRole.extension[1]'],
  ] as [string, string, (r: R) => void, string | string[]][])('%s', (_label, name, change, expression) => {
    const fixed = example(name);
    expect(exprs(fixed)).toEqual([]);
    expect(exprs(mut(fixed, change))).toEqual(Array.isArray(expression) ? expression : [expression]);
  });
});
