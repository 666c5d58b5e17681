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

const BINDINGS: BindingCase[] = [
  { title: 'HealthcareService.characteristic:specificAct (JDV_J16)', base: () => example('ror-healthcareservice-exemple'), set: act('specificAct'), valid: '1317', invalid: '0002', expression: 'HealthcareService.characteristic[1].coding[0]' },
  { title: 'HealthcareService.characteristic:outsideOfficeAct (JDV_J16)', base: () => example('ror-healthcareservice-exemple'), set: act('outsideOfficeAct'), valid: '0989', invalid: '9999', expression: 'HealthcareService.characteristic[1].coding[0]' },
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
