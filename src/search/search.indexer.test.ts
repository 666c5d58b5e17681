import { describe, expect, it } from 'vitest';
import type { Resource } from '../fhir/types.ts';
import { SEARCH_PARAMETERS, SD } from './search-parameters.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';
import { indexRowsOf, withExtensionShortcut } from './search.indexer.ts';

const IG_SP = 'https://interop.esante.gouv.fr/ig/fhir/ror/SearchParameter/';
const cc = (system: string, code: string, display?: string) => ({ coding: [{ system, code, ...(display ? { display } : {}) }] });
const S = 'urn:test';

const capacity = (status: string, extra: Record<string, unknown>[] = []) => ({
  url: `${SD}ror-location-supported-capacity`,
  extension: [
    { url: 'capacityType', valueCodeableConcept: cc(S, '01') },
    { url: 'capacityStatus', valueCodeableConcept: cc(S, status) },
    { url: 'temporalityCapacity', valueCodeableConcept: cc(S, '01') },
    { url: 'nbCapacity', valueInteger: 7 },
    { url: 'genderCapacityAvailable', valueCodeableConcept: cc(S, '03') },
    { url: 'capacityUpdateDate', valueDateTime: '2025-02-26T15:17:33Z' },
    { url: 'temporaryAssignement', valueCodeableConcept: cc(S, '02') },
    ...extra,
  ],
});

const location: Resource = {
  resourceType: 'Location',
  extension: [
    { url: `${SD}ror-commune-cog`, valueCodeableConcept: cc(S, '44162') },
    capacity('01'),
    capacity('06', [
      { url: 'additionalBedType', valueCodeableConcept: cc(S, '02') },
      { url: 'crisisType', valueCodeableConcept: cc(S, '05') },
      { url: 'capacityClosingType', valueCodeableConcept: cc(S, '03') },
    ]),
    {
      url: `${SD}ror-location-equipment`,
      extension: [
        { url: 'equipmentType', valueCodeableConcept: cc(S, '088') },
        {
          url: `${SD}ror-location-equipment-limit`,
          extension: [
            { url: 'equipmentFeature', valueCodeableConcept: cc(S, '001') },
            { url: 'limitValue', valueQuantity: { value: 250, system: 'http://unitsofmeasure.org', code: 'kg' } },
          ],
        },
      ],
    },
    { url: `${SD}ror-location-residential-capacity`, extension: [{ url: 'residentialType', valueCodeableConcept: cc(S, '03') }, { url: 'residentialNumber', valueInteger: 12 }] },
  ],
  position: { latitude: 47.2, longitude: -1.6 },
};

const service: Resource = {
  resourceType: 'HealthcareService',
  extension: [
    {
      url: `${SD}ror-healthcareservice-patient-type`,
      extension: [
        { url: 'supportedPatientInfo', valueCodeableConcept: cc(S, '27') },
        { url: 'ageRange', valueRange: { low: { value: 16, code: 'a' }, high: { value: 99, code: 'a' } } },
      ],
    },
    { url: `${SD}ror-territorial-division`, extension: [{ url: 'codeTerritorialDivision', valueCodeableConcept: cc(S, '44') }] },
    { url: `${SD}ror-healthcareservice-psychiatric-sector`, valueString: '44G05' },
    { url: 'http://interop.esante.gouv.fr/ig/fhir/ror30/StructureDefinition/ror-healthcareservice-equipement', extension: [{ url: 'equipmentType', valueCodeableConcept: cc(S, '042') }] },
  ],
  notAvailable: [{ id: 'closingReopeningDate', description: 'x', during: { start: '2025-01-10', end: '2025-03-01' } }],
};

const price = (type: string, amount: number, more: Record<string, unknown>[] = []) => ({
  url: `${SD}ror-organization-price`,
  extension: [
    { url: 'priceType', valueCodeableConcept: cc(S, type) },
    { url: 'priceUnit', valueCodeableConcept: cc(S, 'J') },
    { url: 'amount', valueMoney: { value: amount, currency: 'EUR' } },
    ...more,
  ],
});

const organization: Resource = {
  resourceType: 'Organization',
  extension: [
    { url: `${SD}ror-organization-closing-type`, valueCodeableConcept: cc(S, 'DEF') },
    { url: `${SD}ror-organization-drop-zone`, valueBoolean: true },
    { url: 'http://hl7.org/fhir/StructureDefinition/organization-period', valuePeriod: { start: '2001-01-01', end: '2030-06-30' } },
    { url: `${SD}ror-organization-oi-name`, valueString: 'Unité Alzheimer' },
    price('01', 61.5, [
      { url: 'startDate', valueDateTime: '2024-01-01T00:00:00Z' },
      { url: 'residentialType', valueCodeableConcept: cc(S, '03') },
      { url: 'specialPrice', valueCodeableConcept: cc(S, '02') },
      { url: 'welcomeType', valueCodeableConcept: cc(S, '01') },
      { url: 'dependencyLevel', valueCodeableConcept: cc(S, 'GIR12') },
    ]),
    price('02', 80),
  ],
};

const rows = {
  Location: indexRowsOf(location, 'l'),
  HealthcareService: indexRowsOf(service, 'h'),
  Organization: indexRowsOf(organization, 'o'),
};

/** What each of the IG's SearchParameters must index on the samples above (grp = instance, 0 outside groups). */
const EXPECTED: Record<string, [keyof typeof rows, string, Record<string, unknown>]> = {
  'ror-sp-additional-bed-type': ['Location', 'token', { s: S, v: '02', g: 2 }],
  'ror-sp-capacity-closing-type': ['Location', 'token', { v: '03', g: 2 }],
  'ror-sp-capacity-status': ['Location', 'token', { v: '06', g: 2 }],
  'ror-sp-capacity-type': ['Location', 'token', { v: '01', g: 1 }],
  'ror-sp-capacity-update-date': ['Location', 'date', { lo: '2025-02-26T15:17:33.000Z', hi: '2025-02-26T15:17:34.000Z', g: 1 }],
  'ror-sp-crisis-type': ['Location', 'token', { v: '05', g: 2 }],
  'ror-sp-equipment-feature': ['Location', 'token', { v: '001', g: 1 }],
  'ror-sp-equipment-type': ['Location', 'token', { v: '088', g: 1 }],
  'ror-sp-gender-capacity-available': ['Location', 'token', { v: '03', g: 1 }],
  'ror-sp-healthcareservice-age-range-high': ['HealthcareService', 'number', { v: 99, u: 'a' }],
  'ror-sp-healthcareservice-age-range-low': ['HealthcareService', 'number', { v: 16, u: 'a' }],
  'ror-sp-healthcareservice-equipment-type': ['HealthcareService', 'token', { v: '042' }],
  'ror-sp-healthcareservice-intervention-zone': ['HealthcareService', 'token', { v: '44' }],
  'ror-sp-healthcareservice-notavailable-closing-reopeningdate': ['HealthcareService', 'date', { lo: '2025-01-10T00:00:00.000Z', hi: '2025-03-02T00:00:00.000Z' }],
  'ror-sp-healthcareservice-patient-type': ['HealthcareService', 'token', { v: '27' }],
  'ror-sp-healthcareservice-psychiatric-sector': ['HealthcareService', 'string', { n: '44g05', r: '44G05' }],
  'ror-sp-limit-value': ['Location', 'number', { v: 250, s: 'http://unitsofmeasure.org', u: 'kg', g: 1 }],
  'ror-sp-location-commune-cog': ['Location', 'token', { s: S, v: '44162' }],
  'ror-sp-location-near-insee-code': ['Location', 'geo', { c: 'near', lat: 47.2, lon: -1.6 }],
  'ror-sp-nb-capacity': ['Location', 'number', { v: 7, g: 2 }],
  'ror-sp-organization-closing-type': ['Organization', 'token', { v: 'DEF' }],
  'ror-sp-organization-drop-zone': ['Organization', 'token', { s: null, v: 'true' }],
  'ror-sp-organization-oi-name': ['Organization', 'string', { n: 'unite alzheimer' }],
  'ror-sp-organization-period-end': ['Organization', 'date', { lo: '2030-06-30T00:00:00.000Z', hi: '2030-07-01T00:00:00.000Z' }],
  'ror-sp-organization-price-amount-value': ['Organization', 'number', { v: 61.5, g: 1 }],
  'ror-sp-organization-price-dependency-level': ['Organization', 'token', { v: 'GIR12', g: 1 }],
  'ror-sp-organization-price-residential-type': ['Organization', 'token', { v: '03', g: 1 }],
  'ror-sp-organization-price-type': ['Organization', 'token', { v: '02', g: 2 }],
  'ror-sp-organization-price-unit': ['Organization', 'token', { v: 'J', g: 2 }],
  'ror-sp-organization-price-validity-start-date': ['Organization', 'date', { lo: '2024-01-01T00:00:00.000Z', g: 1 }],
  'ror-sp-organization-price-welcome-type': ['Organization', 'token', { v: '01', g: 1 }],
  'ror-sp-organization-special-price': ['Organization', 'token', { v: '02', g: 1 }],
  'ror-sp-residential-number': ['Location', 'number', { v: 12, g: 1 }],
  'ror-sp-residential-type': ['Location', 'token', { v: '03', g: 1 }],
  'ror-sp-temporality-capacity': ['Location', 'token', { v: '01', g: 2 }],
  'ror-sp-temporary-assignement': ['Location', 'token', { v: '02', g: 1 }],
};

describe('write-time indexing of the IG SearchParameters', () => {
  it('defines the 36 SearchParameters of the IG, once each', () => {
    const ig = SEARCH_PARAMETERS.filter((d) => d.url.startsWith(IG_SP) && d.code !== 'amount-value').map((d) => d.url.slice(IG_SP.length));
    expect(new Set(ig).size).toBe(36);
    expect([...ig].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s indexes what it means', (id, [type, table, expected]) => {
    const def = SEARCH_PARAMETERS.find((d) => d.url === IG_SP + id && d.code !== 'amount-value')!;
    const code = def.indexedAs ?? def.code;
    const got = (rows[type][table as keyof (typeof rows)['Location']] as Record<string, unknown>[]).filter((r) => r.c === code);
    expect(got).toContainEqual(expect.objectContaining(expected));
  });

  it('numbers group instances so that criteria can be correlated', () => {
    expect(rows.Location.group.map((g) => `${g.gc}#${g.g}`)).toEqual(['capacity#1', 'capacity#2', 'equipment#1', 'residential#1']);
    const status = rows.Location.token.filter((r) => r.c === 'capacity-status').map((r) => `${r.g}:${r.v}`);
    expect(status).toEqual(['1:01', '2:06']);
    // The IG's own expressions (.as(code) on a CodeableConcept; limit at the wrong level) find nothing: hence the deviations.
    const literal = SEARCH_PARAMETERS.filter((d) => d.deviation && d.igExpression).map((d) => d.code);
    expect(literal).toEqual(expect.arrayContaining(['capacity-status', 'equipment-feature', 'limit-value', 'special-price', 'price-validity-start-date', 'price-amount-value', 'near-insee-code']));
  });

  it('a Location without position is placed at its commune centroid', () => {
    const r = indexRowsOf({ resourceType: 'Location', extension: [{ url: `${SD}ror-commune-cog`, valueCodeableConcept: cc(S, '44162') }] }, 'x');
    expect(r.geo).toEqual([{ rt: 'Location', id: 'x', c: 'near', g: 0, lat: 47.2244, lon: -1.6343 }]);
  });
});

describe('the extension(url) shortcut', () => {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/ig-examples');
  const examples: Resource[] = [
    location,
    ...readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Resource),
  ];

  it('rewrites only extension.where(url = literal)', () => {
    expect(withExtensionShortcut("Location.extension.where(url = 'http://x/a').extension.where(url='b').value")).toBe("Location.extension('http://x/a').extension('b').value");
    expect(withExtensionShortcut("HealthcareService.notAvailable.where(id='closingReopeningDate').during")).toBe("HealthcareService.notAvailable.where(id='closingReopeningDate').during");
    expect(withExtensionShortcut("modifierExtension.where(url = 'u')")).toBe("modifierExtension.where(url = 'u')");
  });

  it('gives what the where() form gives, for every parameter and group on the IG examples', () => {
    let compared = 0;
    for (const r of examples) {
      for (const def of SEARCH_PARAMETERS) {
        if (def.base !== r.resourceType || !def.expression) continue;
        const evalBoth = (expression: string, input: unknown, base?: string) => {
          const plain = fhirpath.evaluate(input, base ? { base, expression } : expression, undefined, r4model) as unknown[];
          const short = fhirpath.evaluate(input, base ? { base, expression: withExtensionShortcut(expression) } : withExtensionShortcut(expression), undefined, r4model) as unknown[];
          expect(short, `${def.code}: ${expression}`).toEqual(plain);
          compared += plain.length;
          return plain;
        };
        if (!def.group) evalBoth(def.expression, r);
        else for (const instance of evalBoth(def.group.context, r)) evalBoth(def.expression, instance, 'Extension');
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});
