import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generate } from '../../bench/search-data.ts';
import { capacity, eg, ej, healthcareService, location, practitioner } from '../../test/fixtures/ror.ts';
import { equipment, indicator, patientType, practitionerRole, price, task } from '../../test/fixtures/search-data.ts';
import { withExtensionShortcut } from '../fhir/fhirpath-shortcut.ts';
import type { Resource } from '../fhir/types.ts';
import { compileDirect } from './fhirpath-direct.ts';
import { paramsOf } from './search-parameters.ts';
import { compileEngine } from './search.indexer.ts';

const here = dirname(fileURLToPath(import.meta.url));
const TYPES = ['Organization', 'HealthcareService', 'Location', 'Practitioner', 'PractitionerRole', 'Task'];

/** Every expression the indexer evaluates, with the base it is evaluated on. */
function expressions(): { type: string; code: string; expression: string; base?: string; context?: string }[] {
  const out: { type: string; code: string; expression: string; base?: string; context?: string }[] = [];
  for (const type of TYPES) {
    for (const def of paramsOf(type).values()) {
      if (!def.expression) continue;
      if (def.group) {
        out.push({ type, code: `${def.group.code} (context)`, expression: withExtensionShortcut(def.group.context) });
        out.push({ type, code: def.code, expression: withExtensionShortcut(def.expression), base: 'Extension', context: withExtensionShortcut(def.group.context) });
      } else out.push({ type, code: def.code, expression: withExtensionShortcut(def.expression) });
    }
  }
  return out;
}

async function corpus(): Promise<Resource[]> {
  const dir = join(here, '../../test/fixtures/ig-examples');
  const ig = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Resource);
  const root = ej();
  const made: Resource[] = [];
  await generate(async (batch) => {
    made.push(...batch);
    return batch.length;
  }, 0.002);
  return [
    ...ig,
    ...made,
    root,
    eg('x', { extension: [...(eg('x').extension as unknown[]), price({ type: '01', amount: 61.5, residential: '02', special: '01', start: '2024-01-01' })] } as Partial<Resource>),
    location({ extension: [...(location().extension as unknown[]), capacity('01', 4), capacity('06', 0, '01'), indicator({ status: '01', nb: 3, crisis: '05', closing: '03' }), equipment('05', [{ feature: '01', kg: 180 }])], position: { latitude: 48.8, longitude: 2.1 } }),
    healthcareService('o', ['l'], { extension: [patientType(3, 17)], notAvailable: [{ id: 'closingReopeningDate', description: 'x', during: { start: '2025-01-01', end: '2025-02-01' } }] } as Partial<Resource>),
    practitioner({ name: [{ family: 'Durand', given: ['Anne', 'Marie'], text: 'Anne Durand' }] }),
    practitionerRole('p', 's'),
    task('Location/l'),
  ];
}

describe('direct FHIRPath navigation', () => {
  it('covers every expression the IG parameters use but the unions with functions', () => {
    const missing = expressions().filter((e) => !compileDirect(e.expression, e.base));
    expect(missing.map((e) => `${e.type}.${e.code}: ${e.expression}`)).toEqual([]);
  });

  it('gives the values fhirpath.js gives, on the IG examples, the fixtures and generated national data', async () => {
    const resources = await corpus();
    expect(resources.length).toBeGreaterThan(300);
    let compared = 0;
    let nonEmpty = 0;
    for (const e of expressions()) {
      const direct = compileDirect(e.expression, e.base)!;
      const engine = compileEngine(e.expression, e.base);
      const context = e.context ? compileEngine(e.context) : null;
      for (const r of resources.filter((x) => x.resourceType === e.type)) {
        const inputs = context ? context(r) : [r];
        for (const input of inputs) {
          const expected = JSON.parse(JSON.stringify(engine(input)));
          expect(direct(input), `${e.type}.${e.code} on ${r.resourceType}/${r.id ?? ''}`).toEqual(expected);
          compared++;
          if (expected.length > 0) nonEmpty++;
        }
      }
    }
    expect(compared).toBeGreaterThan(5000);
    expect(nonEmpty).toBeGreaterThan(1000);
  });

  it('answers null for what it does not implement, so that fhirpath.js runs', () => {
    for (const e of ["Location.extension.where(url='a' or url='b')", 'Organization.name.first()', "iif(true, 'a', 'b')", 'HealthcareService.type.coding.exists()', "Location.name = 'x'", 'name'])
      expect(compileDirect(e), e).toBeNull();
  });

  it('navigates choice values, ofType, where(id=…) and unions', () => {
    const r = { resourceType: 'Xy', a: [{ id: 'k', b: 1 }, { id: 'z', b: 2 }], extension: [{ url: 'u', valueString: 's' }, { url: 'u', valueInteger: 3 }, { url: 'v', valueQuantity: { value: 4 } }] };
    expect(compileDirect("Xy.a.where(id='k').b")!(r)).toEqual([1]);
    expect(compileDirect("Xy.extension('u').value")!(r)).toEqual(['s', 3]);
    expect(compileDirect("Xy.extension('u').value.ofType(string)")!(r)).toEqual(['s']);
    expect(compileDirect("Xy.extension('v').value.value")!(r)).toEqual([4]);
    expect(compileDirect("Xy.a.b | Xy.extension('u').value")!(r)).toEqual([1, 2, 's', 3]);
    expect(compileDirect('Yz.a')!(r)).toEqual([]);
  });
});
