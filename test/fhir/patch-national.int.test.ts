import { describe, expect, it } from 'vitest';
import { FHIR_JSON, useTestApp } from '../setup/db.ts';
import { eg, ej, healthcareService, location, practitioner, TRE } from '../fixtures/ror.ts';
import { equipment, practitionerRole, task } from '../fixtures/search-data.ts';
import type { Resource } from '../../src/fhir/types.ts';

/**
 * The PATCH requests of the national ROR documentation (ROR-fhir-documentation, pages patch/*.md), as a client
 * following it sends them: operation type as valueString, `path` = the resource and `name` = a first-level
 * attribute, `delete` by name and value, a list value replacing a list, a number replacing an extension's
 * value. Where the documentation's JSON is not valid FHIR JSON (a coding or an extension written as an object
 * instead of an array), the bodies below carry the array, as FHIR requires.
 */
const t = useTestApp();
const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';
const R210 = 'https://mos.esante.gouv.fr/NOS/TRE_R210-ActeSpecifique/FHIR/TRE-R210-ActeSpecifique';

async function post(r: Resource) {
  const res = await t.app.inject({ method: 'POST', url: `/fhir/${r.resourceType}`, headers: FHIR_JSON, payload: JSON.stringify(r) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Resource & { id: string };
}

type Op = { type: string; path: string; name?: string; value?: Record<string, unknown> };
function parameters(...ops: Op[]) {
  return {
    resourceType: 'Parameters',
    parameter: ops.map((o) => ({
      name: 'operation',
      part: [
        { name: 'type', valueString: o.type },
        { name: 'path', valueString: o.path },
        ...(o.name ? [{ name: 'name', valueString: o.name }] : []),
        ...(o.value ? [{ name: 'value', ...o.value }] : []),
      ],
    })),
  };
}

async function patch(r: { resourceType: string; id: string }, ...ops: Op[]) {
  return t.app.inject({ method: 'PATCH', url: `/fhir/${r.resourceType}/${r.id}`, headers: FHIR_JSON, payload: JSON.stringify(parameters(...ops)) });
}

const codesOf = (list: unknown) => ((list ?? []) as { coding: { code: string }[] }[]).map((c) => c.coding[0]!.code);

describe('PATCH requests of the national documentation', () => {
  it('HealthcareService: adds an acte spécifique, removes an activité opérationnelle by value', async () => {
    const site = await post(eg((await post(ej())).id));
    const hs = await post(
      healthcareService(site.id, [], {
        specialty: [
          { coding: [{ system: TRE.R211, code: '183' }] },
          { coding: [{ system: TRE.R211, code: '040', display: 'Diététique et Nutrition' }] },
        ],
      }),
    );
    const add = await patch(hs, {
      type: 'add',
      path: 'HealthcareService',
      name: 'characteristic',
      value: {
        valueCodeableConcept: {
          coding: [{ system: R210, code: '0628', display: 'Education thérapeutique du patient non labellisée ou psychoéducation' }],
          extension: [{ url: `${SD}ror-act-type`, valueCode: 'specificAct' }],
        },
      },
    });
    expect(add.statusCode, add.body).toBe(200);
    expect(codesOf(add.json().characteristic)).toEqual(['28', '0628']);

    // Scenario 2: delete with path = the resource, name = specialty and the coding to remove (display ignored).
    const remove = await patch(hs, {
      type: 'delete',
      path: 'HealthcareService',
      name: 'specialty',
      value: { valueCodeableConcept: { coding: [{ system: TRE.R211, code: '040', display: 'autre libellé' }] } },
    });
    expect(remove.statusCode, remove.body).toBe(200);
    expect(codesOf(remove.json().specialty)).toEqual(['183']);
    expect(remove.json().meta.versionId).toBe('3');

    // A value matching nothing removes nothing (the same coding in another system is another code).
    const none = await patch(hs, {
      type: 'delete',
      path: 'HealthcareService',
      name: 'specialty',
      value: { valueCodeableConcept: { coding: [{ system: R210, code: '183' }] } },
    });
    expect(none.statusCode, none.body).toBe(200);
    expect(codesOf(none.json().specialty)).toEqual(['183']);

    // Removing the last activité opérationnelle breaks the profile (specialty 1..*): 422, nothing written.
    const last = await patch(hs, { type: 'delete', path: 'HealthcareService', name: 'specialty' });
    expect(last.statusCode).toBe(422);
    expect(last.json().issue.some((i: { expression?: string[] }) => i.expression?.some((e) => e.startsWith('HealthcareService.specialty')))).toBe(true);
    const read = await t.app.inject({ method: 'GET', url: `/fhir/HealthcareService/${hs.id}` });
    expect(codesOf(read.json().specialty)).toEqual(['183']);
  });

  it('Organization: replaces the address by name, the telecom list, adds a contact, renames an OI', async () => {
    const ejOrg = await post(ej({ address: [{ line: ['1 rue ancienne'], city: 'PARIS', postalCode: '75001' }] }));
    const address = {
      city: 'BOIS-COLOMBES',
      postalCode: '92270',
      line: ["42 Rue d'Estienne d'Orves, 92270 BOIS-COLOMBES"],
      _line: [
        {
          extension: [
            { url: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-houseNumber', valueString: '42' },
            { url: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-streetNameType', valueString: 'rue' },
            { url: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-streetNameBase', valueString: "d'Estienne d'Orves" },
          ],
        },
      ],
    };
    const moved = await patch(ejOrg, { type: 'replace', path: 'Organization', name: 'address', value: { value: address } });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().address).toEqual([address]);

    const telecom = (value: string) => ({
      system: 'phone',
      value,
      extension: [
        { url: `${SD}ror-telecom-communication-channel`, valueCodeableConcept: { coding: [{ system: TRE.R200, code: '2', display: 'Téléphone fixe' }] } },
        { url: `${SD}ror-telecom-confidentiality-level`, valueCodeableConcept: { coding: [{ system: TRE.R283, code: '1', display: 'Accès libre' }] } },
      ],
    });
    const site = await post(eg(ejOrg.id, { telecom: [telecom('01.01.01.02.01'), telecom('01.01.01.02.09')] }));
    const contact = {
      extension: [{ url: `${SD}ror-contact-confidentiality-level`, valueCodeableConcept: { coding: [{ system: TRE.R283, code: '2', display: 'Accès restreint' }] } }],
      name: { family: 'GREDIN', given: ['Thierry'] },
      telecom: [telecom('01.01.01.02.03')],
    };
    const changed = await patch(
      site,
      { type: 'replace', path: 'Organization.telecom', value: { valueContactPoint: [telecom('01.01.01.02.02')] } },
      { type: 'add', path: 'Organization', name: 'contact', value: { value: contact } },
    );
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().telecom.map((x: { value: string }) => x.value)).toEqual(['01.01.01.02.02']);
    expect(changed.json().contact).toEqual([contact]);

    const renamed = await patch(site, { type: 'replace', path: 'Organization', name: 'name', value: { valueString: 'TECOTRO (Tête, cou et tronc)' } });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().name).toBe('TECOTRO (Tête, cou et tronc)');

    // replace by name of an attribute the resource does not have: 404 not-found on that path, nothing written.
    const missing = await patch(site, { type: 'replace', path: 'Organization', name: 'alias', value: { valueString: 'x' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().issue[0].code).toBe('not-found');
    expect(missing.json().issue[0].expression).toEqual(['Organization.alias']);
  });

  it('Location: sets the number of equipments in service with a number replacing the extension value', async () => {
    const loc = await post(location({ extension: [...(location().extension as unknown[]), equipment('030', []), equipment('089', [{ feature: '001', kg: 300 }])] }));
    const path = (code: string) =>
      `Location.extension.where(url='${SD}ror-location-equipment' and extension.where(url='equipmentType' and valueCodeableConcept.coding[0].code='${code}')).extension.where(url='nbInService')`;
    const res = await patch(loc, { type: 'replace', path: path('030'), value: { value: 0 } });
    expect(res.statusCode, res.body).toBe(200);
    const nb = (r: Resource, code: string) =>
      ((r.extension as { url: string; extension: { url: string; valueInteger?: number; valueCodeableConcept?: { coding: { code: string }[] } }[] }[])
        .find((e) => e.url === `${SD}ror-location-equipment` && e.extension.some((x) => x.valueCodeableConcept?.coding[0]?.code === code))!
        .extension.find((x) => x.url === 'nbInService'))!.valueInteger;
    expect(nb(res.json(), '030')).toBe(0);
    expect(nb(res.json(), '089')).toBe(1);
    // A string where the extension holds an integer is rejected by the profile: nothing written; a Location
    // patch answers 400 business-rule, as the national server does (patch-capacitaire/location.md).
    const bad = await patch(loc, { type: 'replace', path: path('089'), value: { value: 'trois' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issue.map((i: { code: string }) => i.code)).toEqual(['business-rule']);
    const read = await t.app.inject({ method: 'GET', url: `/fhir/Location/${loc.id}` });
    expect(nb(read.json(), '089')).toBe(1);
  });

  it('PractitionerRole: adds savoir-faire; Task: replaces the business status', async () => {
    const site = await post(eg((await post(ej())).id));
    const hs = await post(healthcareService(site.id));
    // The documentation adds the type of savoir-faire (S) and the specialité ordinale; the role has its S already
    // (expertiseType is 1..1), so the specialité is what is added.
    const pr = await post(practitionerRole((await post(practitioner())).id, hs.id));
    const R38 = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';
    const added = await patch(pr, {
      type: 'add',
      path: 'PractitionerRole',
      name: 'specialty',
      value: { valueCodeableConcept: { coding: [{ system: R38, code: 'SI02', display: 'Exercice infirmier en pratique avancée oncologie et hémato-oncologie (SI)' }] } },
    });
    expect(added.statusCode, added.body).toBe(200);
    expect(codesOf(added.json().specialty)).toEqual(['S', 'SI02']);

    const anomaly = await post(task(`HealthcareService/${hs.id}`));
    const R352 = 'https://mos.esante.gouv.fr/NOS/TRE_R352-StatutMetierAnomalie/FHIR/TRE-R352-StatutMetierAnomalie';
    const fixed = await patch(anomaly, { type: 'replace', path: 'Task.businessStatus', value: { valueCodeableConcept: { coding: [{ system: R352, code: '08', display: 'Corrigé' }] } } });
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect(fixed.json().businessStatus.coding[0].code).toBe('08');
  });

  it('rejects what the documentation gets wrong with a precise error and writes nothing', async () => {
    const site = await post(eg((await post(ej())).id));
    const hs = await post(healthcareService(site.id));
    // `coding` as an object (as printed in the documentation) is not FHIR JSON.
    const res = await patch(hs, { type: 'add', path: 'HealthcareService', name: 'characteristic', value: { valueCodeableConcept: { coding: { system: R210, code: '316' } } } });
    expect(res.statusCode).toBe(422);
    expect(res.json().issue[0].expression).toEqual(['HealthcareService.characteristic[1].coding']);
    const read = await t.app.inject({ method: 'GET', url: `/fhir/HealthcareService/${hs.id}` });
    expect(read.json().meta.versionId).toBe('1');
  });
});
