import { issue, notFound, OutcomeError } from '../fhir/outcome.ts';
import { MAX_EXPANSION, normalise, type Terminology } from './terminology.service.ts';

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
  part?: ParametersParameter[];
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

/** A boolean input ("true" / "false"), 400 otherwise. */
function bool(input: OperationInput, name: string): boolean | undefined {
  const v = one(input, name);
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw invalid(name, `Paramètre « ${name} » : « true » ou « false » attendu, reçu « ${v} »`);
  return v === 'true';
}

const DATE_TIME = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/;
/** Language tag (BCP 47, loosely). */
const LANGUAGE = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/;

/**
 * R4 inputs accepted without effect here, each checked for form: the server holds one version of each code system
 * and value set, French displays only, no designations, no definitions, no hierarchy, no inactive codes in expansions.
 */
const IGNORED: Record<string, 'boolean' | 'date' | 'language' | 'canonical' | 'string'> = {
  includeDesignations: 'boolean',
  includeDefinition: 'boolean',
  activeOnly: 'boolean',
  excludeNested: 'boolean',
  excludeNotForUI: 'boolean',
  excludePostCoordinated: 'boolean',
  limitedExpansion: 'boolean',
  abstract: 'boolean',
  date: 'date',
  displayLanguage: 'language',
  'system-version': 'canonical',
  'check-system-version': 'canonical',
  'force-system-version': 'canonical',
  'exclude-system': 'canonical',
  profile: 'canonical',
  context: 'canonical',
  contextDirection: 'string',
  designation: 'string',
  property: 'string',
};

/** Checks the form of the accepted-but-ignored inputs present (repeatable ones: every value). */
function checkIgnored(input: OperationInput, names: string[]): void {
  for (const [name, value] of input) {
    const kind = names.includes(name) ? IGNORED[name] : undefined;
    if (!kind) continue;
    if (typeof value !== 'string') throw invalid(name, `Paramètre « ${name} » : une valeur simple est attendue`);
    if (value.trim() === '') throw invalid(name, `Paramètre « ${name} » vide`);
    if (kind === 'boolean' && value !== 'true' && value !== 'false') throw invalid(name, `Paramètre « ${name} » : « true » ou « false » attendu, reçu « ${value} »`);
    if (kind === 'date' && !DATE_TIME.test(value)) throw invalid(name, `Paramètre « ${name} » : date FHIR attendue (AAAA, AAAA-MM, AAAA-MM-JJ ou dateTime avec fuseau), reçu « ${value} »`);
    if (kind === 'language' && !LANGUAGE.test(value)) throw invalid(name, `Paramètre « ${name} » : code de langue attendu (ex. fr-FR), reçu « ${value} »`);
    if (kind === 'canonical' && /\s/.test(value)) throw invalid(name, `Paramètre « ${name} » : URL canonique attendue, reçu « ${value} »`);
  }
}

function integer(input: OperationInput, name: string): number | undefined {
  const v = one(input, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v)) throw invalid(name, `Paramètre « ${name} » : entier positif ou nul attendu, reçu « ${v} »`);
  return Number(v);
}

/**
 * Rejects parameters an operation does not know (a typo must not silently change the answer). The R4 inputs that
 * cannot change an answer of this server are accepted and checked for form only (see IGNORED and docs/terminology.md).
 */
function onlyKnown(input: OperationInput, known: string[], op: string): void {
  for (const [name] of input) {
    if (!known.includes(name)) throw new OutcomeError(400, [issue('not-supported', `Paramètre « ${name} » non pris en charge par ${op}`, { expression: name })]);
  }
}

/** `url` or `url|version` (or the id of an instance-level call): the version, when given, must be the one loaded. */
function valueSetUrl(t: Terminology, input: OperationInput, op: string, id?: string): string {
  let raw = one(input, 'url');
  if (id !== undefined) {
    const byId = t.valueSetById(id);
    if (!byId) throw notFound(`Jeu de valeurs inconnu : ValueSet/${id}`, 'id');
    if (raw !== undefined && raw.split('|')[0] !== byId.url) throw invalid('url', `Le paramètre « url » (${raw}) ne désigne pas ValueSet/${id} (${byId.url})`);
    raw ??= byId.url;
  }
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
export function lookup(t: Terminology, input: OperationInput, id?: string): Parameters {
  const op = 'CodeSystem/$lookup';
  const ignored = ['date', 'displayLanguage', 'property'];
  onlyKnown(input, ['system', 'code', 'version', 'coding', ...ignored], op);
  checkIgnored(input, ignored);
  const coding = objectParam(input, 'coding', 'coding');
  let system = coding?.system ?? one(input, 'system');
  if (id !== undefined) {
    const cs = t.codeSystemById(id);
    if (!cs) throw notFound(`Système de codes inconnu : CodeSystem/${id}`, 'id');
    if (system !== undefined && t.lookupSystem(system) !== cs.url) throw invalid('system', `Le paramètre « system » (${system}) ne désigne pas CodeSystem/${id} (${cs.url})`);
    system ??= cs.url;
  }
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
  // property: the server holds no concept properties beyond the display; a requested `display` is echoed as one.
  const wanted = input.filter(([n]) => n === 'property').map(([, v]) => v as string);
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'name', valueString: found.name },
      ...(found.version ? [{ name: 'version', valueString: found.version }] : []),
      { name: 'display', valueString: found.display },
      { name: 'system', valueUri: found.system },
      { name: 'code', valueCode: found.code },
      ...(wanted.includes('display') ? [{ name: 'property', part: [{ name: 'code', valueCode: 'display' }, { name: 'value', valueString: found.display }] }] : []),
    ],
  };
}

/** ValueSet/$expand (url, filter, count, offset): a ValueSet with its expansion, paged by count/offset. */
export function expand(t: Terminology, input: OperationInput, now = new Date(), id?: string): Record<string, unknown> {
  const op = 'ValueSet/$expand';
  const ignored = [
    'includeDesignations', 'includeDefinition', 'activeOnly', 'excludeNested', 'excludeNotForUI', 'excludePostCoordinated', 'limitedExpansion',
    'date', 'displayLanguage', 'system-version', 'check-system-version', 'force-system-version', 'exclude-system', 'profile', 'context',
    'contextDirection', 'designation',
  ];
  onlyKnown(input, ['url', 'valueSetVersion', 'filter', 'count', 'offset', 'valueSet', ...ignored], op);
  checkIgnored(input, ignored);
  const filter = one(input, 'filter');
  const count = integer(input, 'count');
  const offset = integer(input, 'offset');
  const posted = id === undefined && one(input, 'url') === undefined ? postedValueSet(input) : undefined;
  const x = posted ? expandPosted(t, posted, { filter, count, offset }) : t.expand(valueSetUrl(t, input, op, id), { filter, count, offset })!;
  return {
    resourceType: 'ValueSet',
    ...(x.valueSet.url ? { url: x.valueSet.url } : {}),
    ...(x.valueSet.version ? { version: x.valueSet.version } : {}),
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
export function validateCode(t: Terminology, input: OperationInput, id?: string): Parameters {
  const op = 'ValueSet/$validate-code';
  const ignored = ['abstract', 'date', 'displayLanguage', 'systemVersion', 'context'];
  onlyKnown(input, ['url', 'valueSetVersion', 'code', 'system', 'version', 'display', 'coding', 'codeableConcept', ...ignored], op);
  checkIgnored(input, ignored);
  const url = valueSetUrl(t, input, op, id);
  const { codings, where } = codingsToValidate(input, one(input, 'system'), op);
  const results = codings.map((c, i) => {
    if (!c.code) throw required(`${where(i)}code`, op);
    return t.validateCode(url, { system: c.system, code: c.code, display: c.display })!;
  });
  return validationParameters(results);
}

/**
 * The codings a $validate-code judges: its `coding`, the codings of its `codeableConcept`, or the one written with
 * `code` (+ `system`, `display`); `where(i)` prefixes an input's name in errors (`coding.`, `codeableConcept.coding[i].`).
 */
function codingsToValidate(input: OperationInput, system: string | undefined, op: string): { codings: Coding[]; where: (i: number) => string } {
  const coding = objectParam(input, 'coding', 'coding');
  if (coding) return { codings: [coding], where: () => 'coding.' };
  const cc = objectParam(input, 'codeableConcept', 'codeableConcept');
  if (cc) {
    if (!cc.coding?.length) throw required('codeableConcept.coding', op);
    return { codings: cc.coding, where: (i) => `codeableConcept.coding[${i}].` };
  }
  const display = one(input, 'display');
  return { codings: [{ ...(system !== undefined ? { system } : {}), code: one(input, 'code') ?? '', ...(display !== undefined ? { display } : {}) }], where: () => '' };
}

/** The answer of a $validate-code: a CodeableConcept is valid when one of its codings is. */
function validationParameters(results: { result: boolean; code: string; system?: string | undefined; display?: string | undefined; message?: string | undefined }[]): Parameters {
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

/** The `valueSet` resource of a POSTed $expand, or undefined when there is none. */
function postedValueSet(input: OperationInput): Record<string, unknown> | undefined {
  const values = input.filter(([n]) => n === 'valueSet').map(([, v]) => v);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw invalid('valueSet', 'Paramètre « valueSet » répété');
  const v = values[0]!;
  const res = typeof v === 'object' && 'resource' in v ? (v.resource as Record<string, unknown> | undefined) : undefined;
  if (!res || typeof res !== 'object' || res.resourceType !== 'ValueSet') throw invalid('valueSet', 'Le paramètre « valueSet » doit être une ressource ValueSet (Parameters.parameter.resource)');
  return res;
}

interface ComposeInclude {
  system?: unknown;
  version?: unknown;
  concept?: { code?: unknown }[];
  filter?: unknown[];
  valueSet?: unknown[];
}

/**
 * $expand of a posted ValueSet: its compose may include known code systems (whole or by listed codes) and known
 * value sets; filters, excludes and unknown systems are refused (400 not-supported) rather than half-answered.
 */
function expandPosted(t: Terminology, vs: Record<string, unknown>, opts: { filter?: string | undefined; count?: number | undefined; offset?: number | undefined }) {
  const compose = vs.compose as { include?: ComposeInclude[]; exclude?: unknown[] } | undefined;
  const unsupported = (text: string, expression: string) => new OutcomeError(400, [issue('not-supported', text, { expression })]);
  if (!compose || !Array.isArray(compose.include) || compose.include.length === 0) {
    throw invalid('valueSet.compose.include', 'Le jeu de valeurs fourni doit avoir un compose.include (une expansion toute faite n\'est pas relue)');
  }
  if (Array.isArray(compose.exclude) && compose.exclude.length) throw unsupported('compose.exclude non pris en charge pour un jeu de valeurs fourni', 'valueSet.compose.exclude');
  const includes: { system?: string; codes?: string[]; valueSets?: string[] }[] = [];
  for (const [i, inc] of compose.include.entries()) {
    const where = `valueSet.compose.include[${i}]`;
    if (inc.filter?.length) throw unsupported('compose.include.filter non pris en charge pour un jeu de valeurs fourni', `${where}.filter`);
    const valueSets = (inc.valueSet ?? []).map((u, j) => {
      if (typeof u !== 'string' || !t.valueSet(u.split('|')[0]!)) throw unsupported(`Jeu de valeurs inclus inconnu du serveur : ${String(u)}`, `${where}.valueSet[${j}]`);
      return u.split('|')[0]!;
    });
    let system: string | undefined;
    if (inc.system !== undefined) {
      if (typeof inc.system !== 'string' || !t.lookupSystem(inc.system)) throw unsupported(`Système de codes inconnu du serveur : ${String(inc.system)}`, `${where}.system`);
      system = inc.system;
    }
    if (system === undefined && valueSets.length === 0) throw invalid(where, 'Une inclusion doit donner system ou valueSet');
    const codes = inc.concept?.map((c, j) => {
      if (typeof c?.code !== 'string' || c.code === '') throw invalid(`${where}.concept[${j}].code`, 'Code absent');
      return c.code;
    });
    if (codes && system === undefined) throw invalid(`${where}.system`, 'Une liste de codes demande son système');
    includes.push({ ...(system ? { system } : {}), ...(codes ? { codes } : {}), ...(valueSets.length ? { valueSets } : {}) });
  }
  const info = {
    url: typeof vs.url === 'string' ? vs.url : '',
    name: typeof vs.name === 'string' ? vs.name : 'ValueSet fourni',
    version: typeof vs.version === 'string' ? vs.version : '',
    ...(typeof vs.title === 'string' ? { title: vs.title } : {}),
    ...(typeof vs.status === 'string' ? { status: vs.status } : {}),
  };
  return t.expandCompose(info, includes, opts);
}

/**
 * GET /fhir/metadata?mode=terminology: a TerminologyCapabilities resource listing the code systems served (with
 * their version when they have one) and the $expand parameters honoured.
 */
export function terminologyCapabilities(t: Terminology, opts: { baseUrl: string; version: string; now?: Date }): { resourceType: string; [key: string]: unknown } {
  return {
    resourceType: 'TerminologyCapabilities',
    url: `${opts.baseUrl}/metadata?mode=terminology`,
    version: opts.version,
    name: 'RORTerminologyCapabilities',
    title: 'Terminologie du serveur ROR (NOS et codes locaux du guide)',
    status: 'active',
    date: (opts.now ?? new Date()).toISOString(),
    kind: 'instance',
    software: { name: 'ror-fhir-server', version: opts.version },
    implementation: { description: 'Nomenclatures NOS du ROR, communes (COG) et codes locaux du guide ROR 0.7.0', url: opts.baseUrl },
    lockedDate: true,
    codeSystem: t.codeSystems().map((cs) => ({
      uri: cs.url,
      ...(cs.version ? { version: [{ code: cs.version, isDefault: true }] } : {}),
      subsumption: false,
    })),
    expansion: {
      hierarchical: false,
      paging: true,
      incomplete: false,
      parameter: [
        { name: 'url', documentation: 'URL canonique (ou url|version) du jeu de valeurs' },
        { name: 'valueSet', documentation: 'ValueSet fourni (POST) dont le compose inclut des systèmes ou jeux de valeurs du serveur' },
        { name: 'valueSetVersion' },
        { name: 'filter', documentation: 'Sans casse ni accents ; chaque mot doit commencer un mot du libellé ou le code' },
        { name: 'count', documentation: `${MAX_EXPANSION} au plus` },
        { name: 'offset' },
        { name: 'activeOnly', documentation: 'Sans effet : tous les codes servis sont actifs' },
        { name: 'includeDesignations', documentation: 'Sans effet : aucune désignation autre que le libellé' },
        { name: 'includeDefinition', documentation: 'Sans effet' },
        { name: 'excludeNested', documentation: 'Sans effet : expansions à plat' },
        { name: 'displayLanguage', documentation: 'Sans effet : libellés en français uniquement' },
        { name: 'date', documentation: 'Sans effet : une seule version chargée' },
        { name: 'system-version', documentation: 'Sans effet : une seule version chargée' },
      ],
      textFilter: 'Sans casse, accents ni ponctuation ; chaque mot du filtre doit commencer un mot du libellé, ou le code',
    },
    codeSearch: 'all',
    validateCode: { translations: false },
  };
}

/**
 * CodeSystem/$validate-code (url + code/display/version, coding or codeableConcept; instance level
 * `CodeSystem/[id]/$validate-code`): whether the code system of the server defines the code, and with that display.
 */
export function validateCodeInSystem(t: Terminology, input: OperationInput, id?: string): Parameters {
  const op = 'CodeSystem/$validate-code';
  const ignored = ['date', 'abstract', 'displayLanguage'];
  onlyKnown(input, ['url', 'code', 'version', 'display', 'coding', 'codeableConcept', ...ignored], op);
  checkIgnored(input, ignored);
  let url = one(input, 'url');
  if (id !== undefined) {
    const cs = t.codeSystemById(id);
    if (!cs) throw notFound(`Système de codes inconnu : CodeSystem/${id}`, 'id');
    if (url !== undefined && t.lookupSystem(url) !== cs.url) throw invalid('url', `Le paramètre « url » (${url}) ne désigne pas CodeSystem/${id} (${cs.url})`);
    url ??= cs.url;
  }
  const { codings, where } = codingsToValidate(input, url, op);
  const results = codings.map((c, i) => {
    const system = c.system ?? url;
    if (!c.code) throw required(`${where(i)}code`, op);
    if (system === undefined) throw required(where(i) ? `${where(i)}system` : 'url', op);
    if (!t.knowsSystem(system)) throw notFound(`Système de codes inconnu : ${system}`, 'url');
    const found = t.lookup(system, c.code);
    if (!found) return { result: false, code: c.code, system, message: `Le code « ${c.code} » n'est pas défini dans ${system}` };
    const version = c.version ?? one(input, 'version');
    if (version !== undefined && found.version !== undefined && version !== found.version) {
      return { result: false, code: c.code, system: found.system, display: found.display, message: `Version ${version} de ${found.name} inconnue (version chargée : ${found.version})` };
    }
    if (c.display !== undefined && normalise(c.display) !== normalise(found.display)) {
      return { result: false, code: c.code, system: found.system, display: found.display, message: `Libellé incorrect pour ${found.system}|${c.code} : « ${c.display} » (attendu « ${found.display} »)` };
    }
    return { result: true, code: c.code, system: found.system, display: found.display };
  });
  return validationParameters(results);
}
