import { describe, expect, it } from 'vitest';
import { OutcomeError } from '../fhir/outcome.ts';
import { compileSearch } from './search.service.ts';

const compile = (resourceType: string, params: [string, string][]) => compileSearch({ resourceType, params, baseUrl: 'http://x/fhir' });

describe('search compilation', () => {
  it('correlated capacity criteria behind one chain compile into one group semi-join, values bound', () => {
    const c = compile('HealthcareService', [
      ['specialty', 'S|227'],
      ['location.capacity-status', 'S|02'],
      ['location.gender-capacity-available', '01'],
      ['location.nb-capacity', 'gt0'],
      ['location.address-city', 'Évry'],
    ]);
    expect(c.pageSql.match(/FROM sp_group/g)).toHaveLength(1);
    expect(c.pageSql.match(/FROM sp_reference/g)).toHaveLength(1);
    // The number criterion is tested on the instance's own numbers (sp_group.nums), not through sp_number.
    expect(c.pageSql.match(/\.grp = g\d+\.grp/g)).toBeNull();
    expect(c.pageSql.match(/jsonb_array_elements_text\(g\d+\.nums -> \$\d+::text\)/g)).toHaveLength(1);
    expect(c.pageSql).toMatch(/g\d+\.toks @> \$\d+::text\[\]/);
    expect(c.params).toContainEqual(['capacity-status\u001fSS\u001f02', 'gender-capacity-available\u001f*\u001f01']);
    expect(c.pageSql).not.toMatch(/227|'02'|Évry|evry/);
    expect(c.params).toEqual(expect.arrayContaining(['227', 0, 'evry%', 'capacity', 'location']));
    expect(c.pageSql).toMatch(/ORDER BY r\.id LIMIT 201$/);
  });

  it('a grouped number criterion with a modifier or a unit keeps its semi-join into sp_number', () => {
    const missing = compile('Location', [['capacity-status', '02'], ['nb-capacity:missing', 'false']]);
    expect(missing.pageSql.match(/\.grp = g\d+\.grp/g)).toHaveLength(1);
    const unit = compile('Location', [['equipment-type', '088'], ['limit-value', 'gt150|http://unitsofmeasure.org|kg']]);
    expect(unit.pageSql).not.toMatch(/\.nums/);
  });

  it('a driven page with a proximity criterion first counts the places within the radius, up to its window', () => {
    const c = compile('HealthcareService', [['specialty', 'S|001'], ['location.near-insee-code', '19006|15|km']]);
    expect(c.driven?.nearProbe?.sql).toMatch(/FROM sp_geo g WHERE g\.res_type = \$1 AND g\.code = \$2 AND .* LIMIT 2010\) x$/s);
    expect(c.driven?.nearProbe?.params.slice(0, 2)).toEqual(['Location', 'near']);
    expect(compile('HealthcareService', [['specialty', 'S|001'], ['location.capacity-status', '02']]).driven?.nearProbe).toBeUndefined();
  });

  it('criteria on different groups stay independent', () => {
    const c = compile('Location', [['capacity-status', '02'], ['equipment-type', '088']]);
    expect(c.pageSql.match(/FROM sp_group/g)).toHaveLength(2);
  });

  it('_sort adds keyset columns and the cursor a lexicographic condition', () => {
    const first = compile('HealthcareService', [['_sort', '-name,_lastUpdated'], ['_count', '10']]);
    expect(first.pageSql).toMatch(/ORDER BY \(q\.k0 IS NULL\), q\.k0 DESC, \(q\.k1 IS NULL\), q\.k1 ASC, q\.id LIMIT 11\) q JOIN resource r .* ORDER BY \(q\.k0 IS NULL\), q\.k0 DESC, \(q\.k1 IS NULL\), q\.k1 ASC, q\.id$/);
    // The content is read for the page's rows only, after ORDER BY … LIMIT, not for every match.
    const page = first.pageSql.slice(first.pageSql.indexOf('FROM (SELECT q.*'), first.pageSql.indexOf('LIMIT 11'));
    expect(page).not.toContain('content');
    const cursor = Buffer.from(JSON.stringify({ k: ['cardio', null], id: 'abc' })).toString('base64url');
    const next = compile('HealthcareService', [['_sort', '-name,_lastUpdated'], ['_cursor', cursor]]);
    expect(next.pageSql).toContain('q.k0 < $');
    expect(next.pageSql).toContain('q.k1 IS NULL AND q.id > $');
    expect(() => compile('HealthcareService', [['_sort', 'name'], ['_cursor', cursor]])).toThrow(OutcomeError);
    // A key that does not fit its sort key's type (forged, or a next link replayed with another _sort): 400, not a SQL error.
    const text = Buffer.from(JSON.stringify({ k: ['abc'], id: 'x' })).toString('base64url');
    expect(() => compile('Location', [['_sort', 'nb-capacity'], ['_cursor', text]])).toThrow(OutcomeError);
    expect(() => compile('Location', [['_sort', '_lastUpdated'], ['_cursor', text]])).toThrow(OutcomeError);
    const number = Buffer.from(JSON.stringify({ k: [3], id: 'x' })).toString('base64url');
    expect(() => compile('Location', [['_sort', 'name'], ['_cursor', number]])).toThrow(OutcomeError);
    expect(compile('Location', [['_sort', 'nb-capacity'], ['_cursor', number]]).pageSql).toContain('q.k0 > $');
    const instant = Buffer.from(JSON.stringify({ k: ['2026-01-02T03:04:05.678Z'], id: 'x' })).toString('base64url');
    expect(compile('Location', [['_sort', '_lastUpdated'], ['_cursor', instant]]).pageSql).toContain('q.k0 > $');
  });

  it.each([
    ['specialty:below', 'x'],
    ['identifier:of-type', 'a|b'],
    ['nb-capacity', 'gt'],
    ['age-range-low', 'le35|a'],
    ['notavailable-closing-reopeningdate', '2025-02-30'],
    ['organization', 'Location/1'],
    ['location.near', '91|0|1|km'],
    ['_has:Task:focus', 'x'],
    ['_sort', 'characteristic.x'],
    ['_include', 'HealthcareService:specialty'],
    ['_count', '-1'],
  ] as const)('rejects %s=%s with a 400 naming it', (name, value) => {
    try {
      compile('HealthcareService', [[name, value]]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(OutcomeError);
      expect((e as OutcomeError).status).toBe(400);
      expect((e as OutcomeError).outcome.issue[0]!.expression).toEqual([name]);
    }
  });
});
