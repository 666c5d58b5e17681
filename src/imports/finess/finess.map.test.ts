import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { finessField, toEg, toEj } from './finess.map.ts';
import { parseStructureEt, type FinessGeo } from './finess.parse.ts';

/** The real excerpt's first EG line (CH de Fleyriat: SIRET, dateouv, street parts). */
const EXCERPT = '/work/shared/data/finess/etalab-format-sample/etalab-cs1100502-stock-20260512-excerpt.csv';
const line = readFileSync(EXCERPT, 'utf8').split('\n')[1]!;
const parsed = parseStructureEt({ line: 2, fields: line.split(';') });
if ('issues' in parsed) throw new Error('excerpt line 2 does not parse');
const geo: FinessGeo = { x: 870000, y: 6570000, source: 'LAMBERT_93', datemaj: '2024-01-01' };
const eg = toEg(parsed.row, geo, '2026-01-01T00:00:00Z');
const ej = toEj(parsed.row.nofinessej, '260100045', '2026-01-01T00:00:00Z');

describe('finessField: the structureet field a validation issue designates', () => {
  it.each([
    ['Organization.type[0].coding[0]', 'categetab'],
    ['Organization.type[0].coding[0].code', 'categetab'],
    ['Organization.identifier[0].value', 'nofinesset'],
    ['Organization.identifier[2]', 'siret'],
    ['Organization.name', 'rslongue'],
    ['Organization.partOf', 'nofinessej'],
    ['Organization.extension[1].valuePeriod.start', 'dateouv'],
    ['Organization.meta.tag[0]', 'departement'],
    ['Organization.address[0].postalCode', 'ligneacheminement'],
    ['Organization.address[0].city', 'ligneacheminement'],
    ['Organization.address[0].extension[0].valueCoding', 'commune'],
    ['Organization.address[0].extension[1].extension[0].valueDecimal', 'coordxet'],
    ['Organization.address[0]._line[0].extension[0].valueString', 'numvoie'],
    ['Organization.address[0]._line[0].extension[1].valueString', 'typvoie'],
    ['Organization.address[0].line[0]', 'voie'],
  ])('EG %s → %s', (path, field) => {
    expect(finessField(path, eg)).toBe(field);
  });

  it.each([
    ['Organization.identifier[1].value', 'nofinessej'],
    ['Organization.identifier[2].value', 'siret'],
    ['Organization.meta.tag[0].code', 'nofinessej'],
  ])('EJ %s → %s', (path, field) => {
    expect(finessField(path, ej)).toBe(field);
  });

  it('designates no field for what the import did not build (hand-entered elements, creation date)', () => {
    expect(finessField('Organization.telecom[0].value', eg)).toBeUndefined();
    expect(finessField('Organization.identifier[5]', eg)).toBeUndefined();
    expect(finessField('Organization.extension[0].valueDateTime', eg)).toBeUndefined();
    expect(finessField('Organization.name', ej)).toBeUndefined();
    expect(finessField('Practitioner.name', eg)).toBeUndefined();
  });
});
