import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FHIR_JSON, useTestApp } from '../setup/db.ts';
import { createIgReferencedResources } from '../fixtures/ig-references.ts';
import { PROFILES } from '../../src/fhir/validation/validate.ts';
import type { ElementRule, ExtensionRule, SliceRule } from '../../src/fhir/validation/profile.ts';

/**
 * Conformance corpus: the IG's example instances (test/fixtures/ig-examples, fixes listed in its README)
 * are accepted, read back identical apart from id and meta, and each is rejected, with nothing written,
 * once any one of its required elements is removed.
 */

type R = Record<string, any>;
const DIR = join(import.meta.dirname, '../fixtures/ig-examples');
const examples = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(DIR, f), 'utf8')) as R] as const);

const t = useTestApp({ afterOpen: (app) => createIgReferencedResources(app.app) });

const strip = ({ id: _id, meta: _meta, ...rest }: R) => rest;

async function count(resourceType: string): Promise<number> {
  const { rows } = await t.runtime.db.query<{ n: number }>('SELECT count(*)::int AS n FROM resource WHERE res_type = $1', [resourceType]);
  return rows[0]!.n;
}

describe('IG examples are accepted and read back unchanged', () => {
  it.each(examples)('%s', async (_name, example) => {
    const created = await t.app.inject({ method: 'POST', url: `/fhir/${example.resourceType}`, headers: FHIR_JSON, payload: JSON.stringify(example) });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    const read = await t.app.inject({ method: 'GET', url: `/fhir/${example.resourceType}/${id}` });
    expect(read.statusCode).toBe(200);
    expect(strip(read.json())).toEqual(strip(example));
  });
});

// ---- Breaking one required element at a time ----------------------------------------------------------

interface Break {
  label: string;
  expression: string;
  apply: (r: R) => void;
}

const isObj = (v: unknown): v is R => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Walks an instance along its profile table and lists, for every required element present, its removal. */
function requiredRemovals(resource: R): Break[] {
  const out: Break[] = [];
  const profile = PROFILES[resource.resourceType as keyof typeof PROFILES];
  const get = (r: R, path: (string | number)[]) => path.reduce<any>((node, k) => node?.[k], r);
  /** Removes items of an array (or the whole property when nothing is left). */
  const removeFrom = (path: (string | number)[], keep: (item: unknown, i: number) => boolean) => (r: R) => {
    const parent = get(r, path.slice(0, -1));
    const key = path[path.length - 1]!;
    const value = parent[key];
    const kept = Array.isArray(value) ? value.filter(keep) : [];
    if (kept.length === 0) delete parent[key];
    else parent[key] = kept;
  };

  const walkRule = (node: R, rule: ElementRule, path: (string | number)[], expr: string) => {
    if (rule.extensions) walkExtensions(node, rule.extensions, path, `${expr}.extension`);
    for (const [name, child] of Object.entries(rule.children ?? {})) {
      const value = node[name];
      if (value === undefined) continue;
      if ((child.min ?? 0) >= 1) {
        out.push({ label: `${expr}.${name}`, expression: `${expr}.${name}`, apply: (r) => delete get(r, path)[name] });
      }
      const items = Array.isArray(value) ? value : [value];
      items.forEach((item, i) => {
        const p = Array.isArray(value) ? [...path, name, i] : [...path, name];
        const e = Array.isArray(value) ? `${expr}.${name}[${i}]` : `${expr}.${name}`;
        if (isObj(item)) walkRule(item, child, p, e);
      });
      for (const slice of child.slices ?? []) {
        if ((slice.min ?? 0) < 1 || !Array.isArray(value)) continue;
        const inSlice = (item: unknown) => matches(slice, item);
        if (!value.some(inSlice)) continue;
        out.push({ label: `${expr}.${name}:${slice.name}`, expression: `${expr}.${name}`, apply: removeFrom([...path, name], (item) => !inSlice(item)) });
        value.forEach((item, i) => {
          if (inSlice(item) && isObj(item)) walkRule(item, slice, [...path, name, i], `${expr}.${name}[${i}]`);
        });
      }
    }
  };

  /** `owner` carries the `extension` list (resource, element or complex extension) at `ownerPath`. */
  const walkExtensions = (owner: R, rules: ExtensionRule[], ownerPath: (string | number)[], expr: string) => {
    const exts = (Array.isArray(owner.extension) ? owner.extension : []) as R[];
    const listPath = [...ownerPath, 'extension'];
    for (const rule of rules) {
      if ((rule.min ?? 0) >= 1 && exts.some((e) => e.url === rule.url)) {
        out.push({ label: `${expr}:${rule.url.split('/').pop()}`, expression: `${expr}.where(url='${rule.url}')`, apply: removeFrom(listPath, (e) => (e as R).url !== rule.url) });
      }
    }
    exts.forEach((e, i) => {
      const rule = rules.find((r) => r.url === e.url);
      if (rule?.extensions) walkExtensions(e, rule.extensions, [...listPath, i], `${expr}[${i}].extension`);
      if (rule?.value?.rule && typeof rule.value.type === 'string') {
        const key = `value${rule.value.type[0]!.toUpperCase()}${rule.value.type.slice(1)}`;
        if (isObj(e[key])) walkRule(e[key], rule.value.rule, [...listPath, i, key], `${expr}[${i}].${key}`);
      }
    });
  };

  walkRule(resource, profile.root, [], resource.resourceType);
  if (resource.resourceType === 'Task') {
    for (const name of ['status', 'intent']) out.push({ label: `Task.${name}`, expression: `Task.${name}`, apply: (r) => delete r[name] });
  }
  return out;
}

function matches(slice: SliceRule, item: unknown): boolean {
  if (!isObj(item)) return false;
  const codings = (Array.isArray(item.coding) ? item.coding : []) as R[];
  if (slice.systems && !codings.some((c) => slice.systems!.includes(c.system))) return false;
  if (slice.typeCode) {
    const tc = slice.typeCode;
    const typeCodings = (isObj(item.type) && Array.isArray(item.type.coding) ? item.type.coding : []) as R[];
    if (!typeCodings.some((c) => c.code === tc.code && (tc.system === undefined || c.system === tc.system))) return false;
  }
  if (slice.where && !slice.where(item)) return false;
  return true;
}

describe('IG examples are rejected once a required element is removed, and nothing is written', () => {
  const table = examples.flatMap(([name, example]) => requiredRemovals(example).map((b) => [`${name}: ${b.label}`, example, b] as const));

  it('finds required elements to break in every example', () => {
    for (const [name, example] of examples) expect(requiredRemovals(example).length, name).toBeGreaterThan(0);
    expect(table.length).toBeGreaterThan(60);
  });

  it.each(table)('%s', async (_label, example, brk) => {
    const broken = structuredClone(example);
    brk.apply(broken);
    const before = await count(example.resourceType);
    const res = await t.app.inject({ method: 'POST', url: `/fhir/${example.resourceType}`, headers: FHIR_JSON, payload: JSON.stringify(broken) });
    expect(res.statusCode, res.body).toBe(422);
    const outcome = res.json() as { resourceType: string; issue: { severity: string; expression?: string[]; diagnostics?: string }[] };
    expect(outcome.resourceType).toBe('OperationOutcome');
    const errors = outcome.issue.filter((i) => i.severity === 'error');
    expect(errors.map((i) => i.expression?.[0])).toContain(brk.expression);
    expect(await count(example.resourceType)).toBe(before);
  });
});

describe('the write path applies the same rules to every interaction', () => {
  const hsExample = examples.find(([n]) => n === 'ror-healthcareservice-exemple')![1];

  it('rejects a reference to an existing resource of the wrong type (before looking it up)', async () => {
    const body = { ...structuredClone(hsExample), providedBy: { reference: 'Location/5253' } };
    const res = await t.app.inject({ method: 'POST', url: '/fhir/HealthcareService', headers: FHIR_JSON, payload: JSON.stringify(body) });
    expect(res.statusCode).toBe(422);
    const issue = (res.json() as { issue: { expression?: string[]; details?: { coding?: { code: string }[] } }[] }).issue[0]!;
    expect(issue.expression).toEqual(['HealthcareService.providedBy']);
    expect(issue.details?.coding?.[0]?.code).toBe('reference-type');
  });

  it('rejects a PATCH that removes characteristic:careMode, and keeps the stored version', async () => {
    const own = { ...hsExample, identifier: [{ ...(hsExample.identifier as object[])[0], value: 'PATCH-CAREMODE-1' }] };
    const created = await t.app.inject({ method: 'POST', url: '/fhir/HealthcareService', headers: FHIR_JSON, payload: JSON.stringify(own) });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    const patch = {
      resourceType: 'Parameters',
      parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'delete' }, { name: 'path', valueString: 'HealthcareService.characteristic[0]' }] }],
    };
    const res = await t.app.inject({ method: 'PATCH', url: `/fhir/HealthcareService/${id}`, headers: FHIR_JSON, payload: JSON.stringify(patch) });
    expect(res.statusCode, res.body).toBe(422);
    expect((res.json() as { issue: { expression?: string[] }[] }).issue.map((i) => i.expression?.[0])).toContain('HealthcareService.characteristic');
    const read = await t.app.inject({ method: 'GET', url: `/fhir/HealthcareService/${id}` });
    expect(read.json().meta.versionId).toBe('1');
  });

  it('rejects a PUT with an unknown element and a malformed date, one issue each', async () => {
    const body = { ...structuredClone(hsExample), id: 'put-invalid', nom: 'x' } as R;
    body.extension[0].valueDateTime = '09/12/2023';
    const res = await t.app.inject({ method: 'PUT', url: '/fhir/HealthcareService/put-invalid', headers: FHIR_JSON, payload: JSON.stringify(body) });
    expect(res.statusCode).toBe(422);
    const errors = (res.json() as { issue: { severity: string; expression?: string[] }[] }).issue.filter((i) => i.severity === 'error');
    expect(errors.map((i) => i.expression?.[0]).sort()).toEqual(['HealthcareService.extension[0].valueDateTime', 'HealthcareService.nom']);
    expect((await t.app.inject({ method: 'GET', url: '/fhir/HealthcareService/put-invalid' })).statusCode).toBe(404);
  });
});
