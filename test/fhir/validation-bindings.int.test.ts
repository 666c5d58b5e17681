import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FHIR_JSON, useTestApp } from '../setup/db.ts';
import { createIgReferencedResources } from '../fixtures/ig-references.ts';
import * as fx from '../fixtures/ror.ts';

/**
 * Required bindings on the write path (docs/validation.md): the R4 code elements (Task.status, Location.mode,
 * Practitioner.gender, availableTime.daysOfWeek…) and the meta.tag region (JDV_J237-RegionOM-ROR) are
 * refused with 422 and one issue each, nothing written, on create, update and patch alike.
 */

type R = Record<string, any>;
type Outcome = { issue: { severity: string; code: string; expression?: string[]; diagnostics?: string; details?: { coding?: { code: string }[] } }[] };
const example = (name: string): R => JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/ig-examples', `${name}.json`), 'utf8'));
const R30 = 'https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM';

const t = useTestApp({ afterOpen: (app) => createIgReferencedResources(app.app) });

async function count(resourceType: string): Promise<number> {
  const { rows } = await t.runtime.db.query<{ n: number }>('SELECT count(*)::int AS n FROM resource WHERE res_type = $1', [resourceType]);
  return rows[0]!.n;
}
const errorsOf = (body: Outcome) => body.issue.filter((i) => i.severity === 'error');
const post = (r: R) => t.app.inject({ method: 'POST', url: `/fhir/${r.resourceType}`, headers: FHIR_JSON, payload: JSON.stringify(r) });

describe('R4 required bindings on code elements: POST → 422, one code-invalid issue each, nothing written', () => {
  const task = example('ror-task-exemple');
  const { id: _id, ...taskBody } = task;
  it.each([
    ['Task', { ...taskBody, status: 'bogus', intent: 'whatever', priority: 'superurgent' }, ['Task.intent', 'Task.priority', 'Task.status']],
    ['Location', { ...fx.location(), status: 'open-ish', mode: 'xyz', address: { use: 'nowhere', city: 'Orléans' } }, ['Location.address.use', 'Location.mode', 'Location.status']],
    ['Practitioner', { ...fx.practitioner(), gender: 'robot' }, ['Practitioner.gender']],
    ['HealthcareService', { ...fx.healthcareService('5958', ['5253']), availableTime: [{ daysOfWeek: ['monday'] }] }, ['HealthcareService.availableTime[0].daysOfWeek[0]']],
  ] as [string, R, string[]][])('%s', async (type, body, expressions) => {
    const before = await count(type);
    const res = await post(body);
    expect(res.statusCode, res.body).toBe(422);
    const errors = errorsOf(res.json() as Outcome);
    expect(errors.map((i) => i.expression?.[0]).sort()).toEqual(expressions);
    for (const e of errors) {
      expect(e.code).toBe('code-invalid');
      expect(e.details?.coding?.[0]?.code).toBe('binding');
      expect(e.diagnostics).toMatch(/codes admis : /);
    }
    expect(await count(type)).toBe(before);
  });

  it('accepts the same resources with codes of the R4 value sets', async () => {
    const ok = [
      { ...taskBody, status: 'requested', intent: 'order', priority: 'urgent' },
      { ...fx.location(), status: 'active', mode: 'instance', address: { use: 'work', type: 'physical', city: 'Orléans' } },
      { ...fx.practitioner(), gender: 'female' },
      { ...fx.healthcareService('5958', ['5253']), availableTime: [{ daysOfWeek: ['sun'] }] },
    ];
    for (const r of ok) {
      const res = await post(r);
      expect(res.statusCode, res.body).toBe(201);
    }
  });
});

describe('PATCH results are validated the same way (after the patch is applied)', () => {
  const task = example('ror-task-exemple');
  const { id: _id, ...taskBody } = task;

  it('FHIRPath Patch replacing Task.status with bogus → 422, stored version unchanged', async () => {
    const created = await post(taskBody);
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    const patch = {
      resourceType: 'Parameters',
      parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: 'Task.status' }, { name: 'value', valueCode: 'bogus' }] }],
    };
    const res = await t.app.inject({ method: 'PATCH', url: `/fhir/Task/${id}`, headers: FHIR_JSON, payload: JSON.stringify(patch) });
    expect(res.statusCode, res.body).toBe(422);
    expect(errorsOf(res.json() as Outcome).map((i) => [i.expression?.[0], i.code])).toEqual([['Task.status', 'code-invalid']]);
    const read = await t.app.inject({ method: 'GET', url: `/fhir/Task/${id}` });
    expect(read.json().meta.versionId).toBe('1');
    expect(read.json().status).toBe(task.status);
  });

  const jsonPatch = (type: string, id: string, ops: R[]) =>
    t.app.inject({ method: 'PATCH', url: `/fhir/${type}/${id}`, headers: { 'content-type': 'application/json-patch+json' }, payload: JSON.stringify(ops) });

  it('JSON Patch setting Practitioner.gender to robot → 422; a valid one → 200', async () => {
    const id = (await post(fx.practitioner())).json().id as string;
    const bad = await jsonPatch('Practitioner', id, [{ op: 'add', path: '/gender', value: 'robot' }]);
    expect(bad.statusCode, bad.body).toBe(422);
    expect(errorsOf(bad.json() as Outcome).map((i) => [i.expression?.[0], i.code])).toEqual([['Practitioner.gender', 'code-invalid']]);
    const good = await jsonPatch('Practitioner', id, [{ op: 'add', path: '/gender', value: 'female' }]);
    expect(good.statusCode, good.body).toBe(200);
    expect(good.json().gender).toBe('female');
  });

  it('a Location PATCH is refused too, with the national 400 business-rule (src/fhir/rest.ts patchAsNational)', async () => {
    const id = (await post(fx.location())).json().id as string;
    const bad = await jsonPatch('Location', id, [{ op: 'add', path: '/mode', value: 'xyz' }]);
    expect(bad.statusCode, bad.body).toBe(400);
    expect(errorsOf(bad.json() as Outcome).map((i) => [i.expression?.[0], i.code])).toEqual([['Location.mode', 'business-rule']]);
    const read = await t.app.inject({ method: 'GET', url: `/fhir/Location/${id}` });
    expect(read.json().meta.versionId).toBe('1');
  });
});

describe('meta.tag:codeRegion bound to JDV_J237-RegionOM-ROR', () => {
  const hs = (code: string, extraTags: R[] = []) => ({ ...fx.healthcareService('5958', ['5253']), meta: { tag: [...extraTags, { system: R30, code }] } });

  it('POST HealthcareService with region 99 → 422 at HealthcareService.meta.tag[i], nothing written', async () => {
    const before = await count('HealthcareService');
    const res = await post(hs('99', [{ system: 'http://example.org/fhir/tags', code: 'x' }]));
    expect(res.statusCode, res.body).toBe(422);
    const errors = errorsOf(res.json() as Outcome);
    expect(errors.map((i) => [i.expression?.[0], i.code])).toEqual([['HealthcareService.meta.tag[1]', 'code-invalid']]);
    expect(errors[0]!.diagnostics).toContain('JDV_J237-RegionOM-ROR');
    expect(await count('HealthcareService')).toBe(before);
  });

  it('region 06 (Mayotte) is accepted and served back', async () => {
    const res = await post(hs('06'));
    expect(res.statusCode, res.body).toBe(201);
    const read = await t.app.inject({ method: 'GET', url: `/fhir/HealthcareService/${res.json().id as string}` });
    expect(read.json().meta.tag).toContainEqual({ system: R30, code: '06' });
  });

  it('on the other stored profiles too (Organization, Location, Practitioner), not on Task', async () => {
    const tag = { tag: [{ system: R30, code: '99' }] };
    for (const r of [{ ...fx.ej(), meta: tag }, { ...fx.location(), meta: tag }, { ...fx.practitioner(), meta: tag }]) {
      const res = await post(r);
      expect(res.statusCode, res.body).toBe(422);
      expect(errorsOf(res.json() as Outcome).map((i) => i.expression?.[0])).toEqual([`${r.resourceType}.meta.tag[0]`]);
    }
    const { id: _id, ...task } = example('ror-task-exemple');
    expect((await post({ ...task, meta: tag })).statusCode).toBe(201);
  });
});
