import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexRowsOf } from './search.indexer.ts';
import { capacity, eg, healthcareService, location, practitioner } from '../../test/fixtures/ror.ts';
import type { Resource } from '../fhir/types.ts';

/** The pre-checks that skip inapplicable parameters never change what is indexed. */
const DIR = join(import.meta.dirname, '../../test/fixtures/ig-examples');
const samples: [string, Resource][] = [
  ...readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f, JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Resource] as [string, Resource]),
  ['eg', eg('ej-1')],
  ['location with capacities', location({ extension: [...(location().extension as unknown[]), capacity('01', 20), capacity('02', 3, '01')] })],
  ['healthcareService', healthcareService('o-1', ['l-1'])],
  ['practitioner', practitioner()],
];

describe('search index guards', () => {
  it.each(samples)('%s: same rows with and without guards', (_name, r) => {
    const guarded = indexRowsOf(r, 'x');
    const full = indexRowsOf(r, 'x', undefined, { guards: false });
    expect(guarded).toEqual(full);
    expect(Object.values(full).some((rows) => rows.length > 0)).toBe(true);
  });
});
