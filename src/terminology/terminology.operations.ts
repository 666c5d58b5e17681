import { issue, notFound, OutcomeError } from '../fhir/outcome.ts';
import type { Terminology } from './terminology.service.ts';

/**
 * FHIR terminology operations, transport-agnostic: CodeSystem/$lookup, ValueSet/$expand and
 * ValueSet/$validate-code take their input parameters (from a query string or a Parameters body) and
 * return a FHIR resource, or throw an OutcomeError.
 */

export interface Coding {
  system?: string;
  code?: string;
  display?: string;
  version?: string;
}

/** One input parameter: a primitive value (query string or value[x]) or a Coding/CodeableConcept. */
export type ParamValue = string | { coding: Coding } | { codeableConcept: { coding?: Coding[]; text?: string } } | { resource: unknown };
export type OperationInput = [name: string, value: ParamValue][];

interface ParametersParameter {
  name: string;
  valueString?: string;
  valueBoolean?: boolean;
  valueUri?: string;
  valueCode?: string;
  valueInteger?: number;
  valueCoding?: Coding;
}

export interface Parameters {
  resourceType: 'Parameters';
  parameter: ParametersParameter[];
}

const required = (name: string, op: string) =>
  new OutcomeError(400, [issue('required', `Paramètre « ${name} » obligatoire pour ${op}`, { expression: name })]);
const invalid = (name: string, text: string) => new OutcomeError(400, [issue('invalid', text, { expression: name })]);

/** The query string (or form body) pairs of a GET/POST, as operation input. */
export function inputFromQuery(pairs: [string, string][]): OperationInput {
  return pairs.filter(([name]) => !name.startsWith('_')).map(([name, value]) => [name, value]);
}

/** A Parameters resource posted to an operation, as operation input. */
export function inputFromParameters(body: unknown): OperationInput {
  const res = body as { resourceType?: unknown; parameter?: unknown } | undefined;
  if (!res || typeof res !== 'object' || res.resourceType !== 'Parameters') {
    throw invalid('resourceType', 'Le corps de la requête doit être une ressource Parameters');
  }
  if (res.parameter !== undefined && !Array.isArray(res.parameter)) throw invalid('Parameters.parameter', 'Parameters.parameter doit être un tableau');
  const out: OperationInput = [];
  for (const [i, p] of ((res.parameter ?? []) as Record<string, unknown>[]).entries()) {
    const name = p?.name;
    if (typeof name !== 'string') throw invalid(`Parameters.parameter[${i}].name`, 'Paramètre sans nom');
    const key = Object.keys(p).find((k) => k.startsWith('value'));
    const value = key ? p[key] : undefined;
    if (key === undefined && p.resource !== undefined) out.push([name, { resource: p.resource }]);
    else if (key === 'valueCoding' && value && typeof value === 'object') out.push([name, { coding: value as Coding }]);
    else if (key === 'valueCodeableConcept' && value && typeof value === 'object') out.push([name, { codeableConcept: value as { coding?: Coding[] } }]);
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out.push([name, String(value)]);
    else throw invalid(`Parameters.parameter[${i}]`, `Valeur du paramètre « ${name} » non prise en charge`);
  }
  return out;
}

/** The single string value of a parameter (400 when repeated or not a primitive). */
function one(input: OperationInput, name: string): string | undefined {
  const values = input.filter(([n]) => n === name).map(([, v]) => v);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw invalid(name, `Paramètre « ${name} » répété`);
  const v = values[0]!;
  if (typeof v !== 'string') throw invalid(name, `Paramètre « ${name} » : une valeur simple est attendue`);
  if (v.trim() === '') throw invalid(name, `Paramètre « ${name} » vide`);
  return v;
}

function objectParam<K extends 'coding' | 'codeableConcept'>(input: OperationInput, name: string, kind: K) {
  const values = input.filter(([n]) => n === name).map(([, v]) => v);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw invalid(name, `Paramètre « ${name} » répété`);
  const v = values[0]!;
  if (typeof v === 'string' || !(kind in v)) throw invalid(name, `Paramètre « ${name} » : un ${kind === 'coding' ? 'Coding' : 'CodeableConcept'} est attendu`);
  return (v as Record<K, K extends 'coding' ? Coding : { coding?: Coding[] }>)[kind];
}

function integer(input: OperationInput, name: string): number | undefined {
  const v = one(input, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v)) throw invalid(name, `Paramètre « ${name} » : entier positif ou nul attendu, reçu « ${v} »`);
  return Number(v);
}

/**
 * Rejects parameters an operation does not know or implement (a typo must not silently change the answer).
 * Accepted and without effect: displayLanguage (displays are French only) and activeOnly (every shipped code is active).
 */
function onlyKnown(input: OperationInput, known: string[], op: string): void {
  for (const [name] of input) {
    if (!known.includes(name)) throw new OutcomeError(400, [issue('not-supported', `Paramètre « ${name} » non pris en charge par ${op}`, { expression: name })]);
  }
}

/** `url` or `url|version`: the version, when given, must be the one loaded. */
function valueSetUrl(t: Terminology, input: OperationInput, op: string): string {
  const raw = one(input, 'url');
  if (raw === undefined) {
    if (input.some(([n]) => n === 'valueSet')) throw new OutcomeError(400, [issue('not-supported', `${op} : seuls les jeux de valeurs du serveur sont pris en charge (paramètre url)`, { expression: 'valueSet' })]);
    throw required('url', op);
  }
  const bar = raw.indexOf('|');
  const url = bar < 0 ? raw : raw.slice(0, bar);
  const version = bar < 0 ? one(input, 'valueSetVersion') : raw.slice(bar + 1);
  const vs = t.valueSet(url);
  if (!vs) throw notFound(`Jeu de valeurs inconnu : ${url}`, 'url');
  if (version !== undefined && version !== vs.version) throw notFound(`Version ${version} du jeu de valeurs ${vs.name} inconnue (version chargée : ${vs.version})`, 'url');
  return url;
}

/** CodeSystem/$lookup (system + code, or coding): name, version, display of the code. */
export function lookup(t: Terminology, input: OperationInput): Parameters {
  const op = 'CodeSystem/$lookup';
  onlyKnown(input, ['system', 'code', 'version', 'coding', 'displayLanguage'], op);
  const coding = objectParam(input, 'coding', 'coding');
  const system = coding?.system ?? one(input, 'system');
  const code = coding?.code ?? one(input, 'code');
  if (code === undefined) throw required(coding ? 'coding.code' : 'code', op);
  if (system === undefined) throw required(coding ? 'coding.system' : 'system', op);
  const found = t.lookup(system, code);
  if (!found) {
    if (!t.knowsSystem(system)) throw notFound(`Système de codes inconnu : ${system}`, 'system');
    throw notFound(`Code « ${code} » inconnu dans ${system}`, 'code');
  }
  const version = coding?.version ?? one(input, 'version');
  if (version !== undefined && found.version !== undefined && version !== found.version) {
    throw notFound(`Version ${version} de ${found.name} inconnue (version chargée : ${found.version})`, 'version');
  }
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'name', valueString: found.name },
      ...(found.version ? [{ name: 'version', valueString: found.version }] : []),
      { name: 'display', valueString: found.display },
      { name: 'system', valueUri: found.system },
      { name: 'code', valueCode: found.code },
    ],
  };
}

/** ValueSet/$expand (url, filter, count, offset): a ValueSet with its expansion, paged by count/offset. */
export function expand(t: Terminology, input: OperationInput, now = new Date()): Record<string, unknown> {
  const op = 'ValueSet/$expand';
  onlyKnown(input, ['url', 'valueSetVersion', 'filter', 'count', 'offset', 'displayLanguage', 'activeOnly', 'valueSet'], op);
  const url = valueSetUrl(t, input, op);
  const filter = one(input, 'filter');
  const count = integer(input, 'count');
  const offset = integer(input, 'offset');
  const x = t.expand(url, { filter, count, offset })!;
  return {
    resourceType: 'ValueSet',
    url: x.valueSet.url,
    version: x.valueSet.version,
    name: x.valueSet.name,
    ...(x.valueSet.title ? { title: x.valueSet.title } : {}),
    status: x.valueSet.status ?? 'active',
    ...(x.valueSet.date ? { date: x.valueSet.date } : {}),
    ...(x.valueSet.description ? { description: x.valueSet.description } : {}),
    expansion: {
      identifier: `urn:uuid:${crypto.randomUUID()}`,
      timestamp: now.toISOString(),
      total: x.total,
      offset: x.offset,
      parameter: [
        ...(filter !== undefined ? [{ name: 'filter', valueString: filter }] : []),
        { name: 'offset', valueInteger: x.offset },
        { name: 'count', valueInteger: x.count },
      ],
      contains: x.contains.map((c) => ({ system: c.system, code: c.code, display: c.display })),
    },
  };
}

/** ValueSet/$validate-code (url + code/system/display, or coding, or codeableConcept): result, message, display. */
export function validateCode(t: Terminology, input: OperationInput): Parameters {
  const op = 'ValueSet/$validate-code';
  onlyKnown(input, ['url', 'valueSetVersion', 'code', 'system', 'display', 'coding', 'codeableConcept', 'displayLanguage'], op);
  const url = valueSetUrl(t, input, op);
  const coding = objectParam(input, 'coding', 'coding');
  const cc = objectParam(input, 'codeableConcept', 'codeableConcept');
  let codings: Coding[];
  if (coding) codings = [coding];
  else if (cc) codings = cc.coding ?? [];
  else codings = [{ ...(one(input, 'system') !== undefined ? { system: one(input, 'system') } : {}), code: one(input, 'code') ?? '', ...(one(input, 'display') !== undefined ? { display: one(input, 'display') } : {}) }];
  if (codings.length === 0) throw required('codeableConcept.coding', op);
  const results = codings.map((c, i) => {
    if (!c.code) throw required(coding ? 'coding.code' : cc ? `codeableConcept.coding[${i}].code` : 'code', op);
    return t.validateCode(url, { system: c.system, code: c.code, display: c.display })!;
  });
  // A CodeableConcept is valid when one of its codings is.
  const best = results.find((r) => r.result) ?? results[0]!;
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'result', valueBoolean: best.result },
      ...(best.message ? [{ name: 'message', valueString: best.message }] : []),
      ...(best.display !== undefined ? [{ name: 'display', valueString: best.display }] : []),
      ...(best.system ? [{ name: 'system', valueUri: best.system }] : []),
      { name: 'code', valueCode: best.code },
    ],
  };
}
