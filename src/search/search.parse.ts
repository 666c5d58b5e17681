import { ownBases, stripOwnBase } from '../fhir/bases.ts';
import { parseElements, parseSummary, type SummaryMode } from '../fhir/subset.ts';
import { badRequest, issue, OutcomeError } from '../fhir/outcome.ts';
import { equivalentSystems, withEquivalentSystems } from './search.systems.ts';
import { isResourceType } from '../fhir/types.ts';
import { findParam, paramsOf, SEARCH_PARAMETERS, type SearchParamDef } from './search-parameters.ts';
import { communeCentroid } from './geo.ts';
import { parseFilter, type FilterExpr as GenericFilterExpr } from './search.filter.ts';
import { dateInterval, NUMBER_RE } from './search.values.ts';

/**
 * Parses the query of a search into a typed structure, validating every parameter name, modifier and value
 * against the SearchParameter definitions. Nothing downstream re-validates.
 */

export const PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'] as const;
/** The query prefixes, plus `po` (period overlaps), reachable only through the `_filter` operator of that name. */
export type Prefix = (typeof PREFIXES)[number] | 'po';

export type TokenValue =
  | { kind: 'code'; system?: string | null; code?: string }
  | { kind: 'text'; text: string }
  | { kind: 'of-type'; typeSystem: string | null; typeCode: string; value: string }
  /** `:in` / `:not-in`: the canonical URL of a value set (membership checked against the terminology tables). */
  | { kind: 'value-set'; url: string };
export type Value =
  | { type: 'token'; v: TokenValue }
  | { type: 'string'; v: string }
  | { type: 'date'; prefix: Prefix; lo: Date; hi: Date }
  | { type: 'number'; prefix: Prefix; value: number; decimals: number; system?: string; unit?: string }
  | { type: 'reference'; targetType?: string; id: string; foreign?: true }
  | { type: 'near'; lat: number; lon: number; km: number };

/** `_id` and `_lastUpdated` live on the resource table; every other parameter in the sp_* tables. */
export interface Criterion {
  /** The name as written, for errors. */
  name: string;
  def: SearchParamDef;
  /**
   * `ends` (ends-with) is reachable only through the `_filter` operator `ew`; `below` on references is the same
   * hierarchy walk as the IG's `:above` (see docs/search.md).
   */
  modifier?: 'not' | 'exact' | 'contains' | 'text' | 'of-type' | 'above' | 'below' | 'missing' | 'in' | 'not-in' | 'ends';
  /** OR-ed values (comma-separated); empty for :missing. */
  values: Value[];
  missing?: boolean;
}

/** A chain step: follow reference parameter `def` of the current type to `targetType` (with :above, also its descendants' referrers). */
export interface ChainLink {
  def: SearchParamDef;
  targetType: string;
  above: boolean;
}

/**
 * Criteria on one resource type, plus criteria reached through forward chains (grouped by chain) and reverse
 * chains `_has:Type:param:…` (grouped by source type and parameter). Criteria grouped under one chain apply
 * to the same target (or source) resource.
 */
export interface CriteriaSet {
  resourceType: string;
  criteria: Criterion[];
  chains: { link: ChainLink; set: CriteriaSet }[];
  reverse: { def: SearchParamDef; set: CriteriaSet }[];
  /** `_filter` expressions (AND-ed with the rest). */
  filters: FilterExpr[];
}

/** A parsed `_filter`: each leaf is one criterion, as if written as a query parameter. */
export type FilterExpr = GenericFilterExpr<CriteriaSet>;

export const emptySet = (resourceType: string): CriteriaSet => ({ resourceType, criteria: [], chains: [], reverse: [], filters: [] });

export interface IncludeDirective {
  reverse: boolean;
  iterate: boolean;
  sourceType: string;
  def: SearchParamDef;
  targetType?: string;
  /** As written, for the self link. */
  raw: string;
}

/** One `_sort` key; `link` for a chained sort (`-organization.price-validity-start-date`). */
export interface SortKey {
  desc: boolean;
  kind: 'id' | 'lastUpdated' | 'param' | 'near';
  def?: SearchParamDef;
  link?: ChainLink;
}

export interface ParsedSearch {
  root: CriteriaSet;
  /** `_elements`: top-level elements kept in the matches (undefined: whole resources). */
  elements?: string[];
  /** `_summary=true|text|data`: the matches in summary mode (src/fhir/subset.ts). */
  summary?: SummaryMode;
  /** Notes on how a parameter was read (IG spellings), reported as warnings in the outcome entry. */
  notes: { name: string; reason: string }[];
  sort: SortKey[];
  includes: IncludeDirective[];
  count: number;
  cursor?: string;
  /**
   * `auto` (the default): exact when the search has at most one criterion (one index range to count), else as
   * `estimate`; `accurate` (`_total=accurate`, `_summary=count`): always exact; `estimate` (`_total=estimate`): exact
   * up to COUNT_CAP matches, an estimate above; `none`: no total.
   */
  totalMode: 'auto' | 'accurate' | 'estimate' | 'none';
  /** Parameters actually applied, for the self link. */
  used: [string, string][];
  /** Parameters ignored under Prefer: handling=lenient, with the reason. */
  ignored: { name: string; reason: string }[];
}

export const DEFAULT_COUNT = 200;
export const MAX_COUNT = 200;
const IGNORED_RESULT_PARAMS = new Set(['_format', '_pretty']);

export function parseSearch(resourceType: string, given: [string, string][], lenient: boolean, baseUrl?: string): ParsedSearch {
  // References written as absolute URLs on this server's base are local ones (`organization={base}/Organization/1`).
  const bases = baseUrl ? ownBases(baseUrl) : undefined;
  const params: [string, string][] = bases ? given.map(([k, v]) => [k, v.split(',').map((x) => stripOwnBase(x, bases) ?? x).join(',')]) : given;
  const parsed: ParsedSearch = {
    root: emptySet(resourceType),
    sort: [],
    includes: [],
    count: DEFAULT_COUNT,
    totalMode: 'auto',
    used: [],
    ignored: [],
    notes: [],
  };
  for (let [name, value] of params) {
    if (name === '__include' || name === '__include:iterate') {
      // The IG's UC3 scenario 2 is written with `__include=HealthcareService:organization` (a typo clients copy).
      parsed.notes.push({ name, reason: `lu comme ${name.slice(1)} (orthographe de l'exemple de l'IG)` });
      name = name.slice(1);
    }
    try {
      parseOne(parsed, name, value);
      // The self link says what was applied: a _count above the cap is echoed as the cap.
      if (name === '_count') parsed.used.push([name, String(parsed.count)]);
      else if (name !== '_cursor') parsed.used.push([name, value]);
    } catch (err) {
      if (!lenient || !(err instanceof OutcomeError) || err.status !== 400) throw err;
      parsed.ignored.push({ name, reason: err.outcome.issue[0]?.diagnostics ?? '' });
    }
  }
  return parsed;
}

function parseOne(parsed: ParsedSearch, name: string, value: string): void {
  if (IGNORED_RESULT_PARAMS.has(name)) return;
  switch (name) {
    case '_count': {
      if (!/^\d+$/.test(value)) throw badRequest(`_count doit être un entier positif ou nul (reçu « ${value} »)`, '_count');
      parsed.count = Math.min(Number(value), MAX_COUNT);
      return;
    }
    case '_cursor':
      if (!/^[A-Za-z0-9_-]{1,2000}$/.test(value)) throw badRequest('Curseur de pagination invalide', '_cursor');
      parsed.cursor = value;
      return;
    case '_summary': {
      // count: the number of matches, no entries; true, text, data: the matches in summary mode; false: the default.
      const mode = parseSummary(value, ['true', 'text', 'data', 'count']);
      if (mode === 'count') {
        parsed.count = 0;
        parsed.totalMode = 'accurate';
      } else parsed.summary = mode;
      return;
    }
    case '_elements':
      parsed.elements = [...(parsed.elements ?? []), ...parseElements(value)];
      return;
    case '_total':
      if (value === 'none' || value === 'accurate' || value === 'estimate') parsed.totalMode = value;
      else throw badRequest(`_total accepte none, estimate ou accurate (reçu « ${value} »)`, '_total');
      return;
    case '_filter':
      parsed.root.filters.push(
        parseFilter(parsed.root.resourceType, value, (leafName, leafValue) => {
          const set = emptySet(parsed.root.resourceType);
          addCriterion(set, '_filter', leafName, leafValue, true);
          return set;
        }),
      );
      return;
    case '_sort':
      parsed.sort = value.split(',').map((k) => parseSortKey(parsed.root.resourceType, k));
      return;
    case '_include':
    case '_include:iterate':
    case '_revinclude':
    case '_revinclude:iterate':
      for (const v of value.split(',')) parsed.includes.push(...parseInclude(parsed.root.resourceType, name, v));
      return;
    default:
      break;
  }
  addCriterion(parsed.root, name, name, value);
}

const SORTABLE = new Set(['string', 'token', 'date', 'number', 'quantity']);

function parseSortKey(resourceType: string, raw: string): SortKey {
  const desc = raw.startsWith('-');
  const name = desc ? raw.slice(1) : raw;
  const bad = (why: string) => badRequest(`_sort « ${raw} » invalide : ${why}`, '_sort');
  if (name === '_id') return { desc, kind: 'id' };
  if (name === '_lastUpdated') return { desc, kind: 'lastUpdated' };
  if (name === 'near') return { desc, kind: 'near' };
  const dot = name.indexOf('.');
  let type = resourceType;
  let link: ChainLink | undefined;
  let code = name;
  if (dot > 0) {
    const ref = findParam(resourceType, name.slice(0, dot));
    if (!ref || ref.type !== 'reference' || ref.targets?.length !== 1) throw bad(`« ${name.slice(0, dot)} » n'est pas une référence à un seul type`);
    type = ref.targets[0]!;
    link = { def: ref, targetType: type, above: false };
    code = name.slice(dot + 1);
  }
  const def = findParam(type, code);
  if (!def || !SORTABLE.has(def.type) || !def.expression) throw bad(`paramètre inconnu ou non triable « ${code} » sur ${type}`);
  return { desc, kind: 'param', def, ...(link ? { link } : {}) };
}

/** A resource type as written, case-insensitively (the DOC writes `_include=Healthcareservice:location`). */
function canonicalType(t: string): string | undefined {
  if (isResourceType(t)) return t;
  return SEARCH_PARAMETERS.find((d) => d.base.toLowerCase() === t.toLowerCase())?.base;
}

/**
 * One `_include` / `_revinclude` value. `*` stands for every reference parameter: of the searched type
 * (`_include=*`), or pointing to it (`_revinclude=*`); with `:iterate`, of every type.
 */
function parseInclude(resourceType: string, name: string, value: string): IncludeDirective[] {
  const reverse = name.startsWith('_revinclude');
  const iterate = name.endsWith(':iterate');
  if (value === '*') {
    const refs = SEARCH_PARAMETERS.filter((d) => d.type === 'reference');
    const chosen = iterate ? refs : refs.filter((d) => (reverse ? d.targets?.includes(resourceType) : d.base === resourceType));
    return chosen.map((def) => ({ reverse, iterate, sourceType: def.base, def, raw: value }));
  }
  const [writtenType, code, writtenTarget, extra] = value.split(':');
  const bad = (why: string) => badRequest(`${name} « ${value} » invalide : ${why}`, name);
  if (!writtenType || !code || extra !== undefined) throw bad('la forme attendue est Type:paramètre[:TypeCible]');
  const sourceType = canonicalType(writtenType);
  if (!sourceType) throw bad(`type de ressource inconnu « ${writtenType} »`);
  const def = findParam(sourceType, code);
  if (!def || def.type !== 'reference') throw bad(`« ${code} » n'est pas un paramètre de référence de ${sourceType}`);
  const targetType = writtenTarget === undefined ? undefined : canonicalType(writtenTarget);
  if (writtenTarget !== undefined && (!targetType || !def.targets?.includes(targetType))) throw bad(`${sourceType}:${code} ne référence pas ${writtenTarget}`);
  return [{ reverse, iterate, sourceType, def, ...(targetType ? { targetType } : {}), raw: value }];
}

/** Adds `name=value` (possibly chained: `location.capacity-status`, `organization:above.identifier`) to a criteria set. */
function addCriterion(set: CriteriaSet, fullName: string, name: string, value: string, fromFilter = false): void {
  if (name.startsWith('_has:')) {
    const m = /^_has:([A-Za-z]+):([A-Za-z0-9_-]+):(.+)$/.exec(name);
    if (!m) throw badRequest(`_has s'écrit _has:Type:paramètre-de-référence:critère (reçu « ${fullName} »)`, fullName);
    const [, sourceType, code, rest] = m as unknown as [string, string, string, string];
    if (!isResourceType(sourceType)) throw badRequest(`Type de ressource inconnu « ${sourceType} » dans « ${fullName} »`, fullName);
    const def = findParam(sourceType, code);
    if (!def || def.type !== 'reference' || !def.targets?.includes(set.resourceType)) {
      throw badRequest(`« ${sourceType}:${code} » n'est pas une référence vers ${set.resourceType} (dans « ${fullName} »)`, fullName);
    }
    // Each `_has` parameter is a criterion of its own (FHIR: repeated parameters are AND-ed), so two of them on
    // the same reference may be met by two different sources. Criteria reaching `_has` through an alias
    // (`practitioner.x` on HealthcareService) describe one target, as every forward chain does.
    let rev = fullName.startsWith('_has:') && !fromFilter ? undefined : set.reverse.find((r) => r.def === def);
    if (!rev) set.reverse.push((rev = { def, set: emptySet(sourceType) }));
    addCriterion(rev.set, fullName, rest, value, fromFilter);
    return;
  }
  // Production CS spelling `organization.identifier:above` = `organization:above.identifier`.
  const trailingAbove = /^([^.:]+)\.([^.:]+):above$/.exec(name);
  if (trailingAbove) name = `${trailingAbove[1]}:above.${trailingAbove[2]}`;
  const dot = name.indexOf('.');
  if (dot > 0) {
    const [code, mod] = splitModifier(name.slice(0, dot));
    const def = findParam(set.resourceType, code);
    if (def?.aliasOf && mod === undefined) {
      addCriterion(set, fullName, `${def.aliasOf}${name.slice(dot)}`, value, fromFilter);
      return;
    }
    if (!def) throw unknownParam(set.resourceType, fullName, code);
    if (def.type !== 'reference') throw badRequest(`« ${code} » n'est pas une référence : chaînage impossible dans « ${fullName} »`, fullName);
    let targetType = def.targets?.length === 1 ? def.targets[0]! : undefined;
    let above = false;
    if (mod === 'above' || mod === 'below') {
      above = true;
      if (targetType !== 'Organization' && targetType !== 'Location') throw badRequest(`:${mod} n'est pris en charge que sur les hiérarchies d'organisations et de lieux (« ${fullName} »)`, fullName);
    } else if (mod !== undefined) {
      if (!def.targets?.includes(mod)) throw badRequest(`Modificateur « :${mod} » invalide dans le chaînage « ${fullName} »`, fullName);
      targetType = mod;
    }
    if (!targetType) throw badRequest(`Chaînage ambigu sur « ${code} » : préciser le type cible (${code}:Type)`, fullName);
    let chain = set.chains.find((c) => c.link.def === def && c.link.targetType === targetType && c.link.above === above);
    if (!chain) set.chains.push((chain = { link: { def, targetType, above }, set: emptySet(targetType) }));
    addCriterion(chain.set, fullName, name.slice(dot + 1), value, fromFilter);
    return;
  }
  const [code, mod] = splitModifier(name);
  const def = findParam(set.resourceType, code);
  if (!def) throw unknownParam(set.resourceType, fullName, code);
  set.criteria.push(parseCriterion(fullName, def, mod, value, fromFilter));
}

function splitModifier(name: string): [string, string | undefined] {
  const colon = name.indexOf(':');
  return colon < 0 ? [name, undefined] : [name.slice(0, colon), name.slice(colon + 1)];
}

function unknownParam(resourceType: string, fullName: string, code: string): OutcomeError {
  const known = [...paramsOf(resourceType).keys()].sort().join(', ');
  return new OutcomeError(400, [
    issue('not-supported', `Paramètre de recherche inconnu pour ${resourceType} : « ${code} » (dans « ${fullName} »). Paramètres pris en charge : ${known}`, {
      expression: fullName,
    }),
  ]);
}

/** The modifiers a client may write, per parameter type (CapabilityStatement documentation lists the same). */
export const MODIFIERS: Record<string, readonly string[]> = {
  token: ['not', 'text', 'of-type', 'missing', 'in', 'not-in'],
  string: ['exact', 'contains', 'missing'],
  date: ['missing'],
  number: ['missing'],
  quantity: ['missing'],
  reference: ['above', 'below', 'missing', 'identifier'],
};

/** Modifiers only the `_filter` translation produces (`ew`, `eq` on strings). */
const FILTER_ONLY_MODIFIERS: Record<string, readonly string[]> = { string: ['ends'] };

function parseCriterion(name: string, def: SearchParamDef, mod: string | undefined, value: string, fromFilter = false): Criterion {
  const bad = (why: string) => badRequest(`Valeur invalide pour ${name} : ${why} (reçu « ${value} »)`, name);
  if (def.type === 'reference' && mod !== undefined && def.targets?.includes(mod)) {
    // FHIR `:[type]` (`focus:HealthcareService=123`): the references to that type only.
    if (value === '') throw bad('valeur vide');
    const values = splitValues(value).map((v) => parseValue(def, undefined, v, bad, fromFilter));
    for (const v of values) {
      if (v.type !== 'reference') continue;
      if (v.targetType !== undefined && v.targetType !== mod) throw bad(`le modificateur :${mod} demande une référence vers ${mod}`);
      v.targetType = mod;
    }
    return { name, def, values };
  }
  const allowed = [...(MODIFIERS[def.type] ?? []), ...(fromFilter ? (FILTER_ONLY_MODIFIERS[def.type] ?? []) : [])];
  if (mod !== undefined && !allowed.includes(mod)) {
    throw badRequest(`Modificateur « :${mod} » non pris en charge pour le paramètre ${def.type} « ${def.code} »`, name);
  }
  if (mod === 'of-type' && def.code !== 'identifier') throw badRequest(':of-type ne s\'applique qu\'à identifier', name);
  if ((def.code === '_id' || def.code === '_lastUpdated') && mod !== undefined && mod !== 'not' && mod !== 'missing') {
    throw badRequest(`Modificateur « :${mod} » non pris en charge pour ${def.code}`, name);
  }
  const modifier = mod as Criterion['modifier'];
  if (def.fixedSystem && modifier !== undefined && modifier !== 'not') {
    throw badRequest(`Modificateur « :${mod} » non pris en charge pour « ${def.code} » (codes de ${def.fixedSystem} seulement ; :not est accepté)`, name);
  }
  if (modifier === 'missing') {
    if (value !== 'true' && value !== 'false') throw bad(':missing attend true ou false');
    return { name, def, modifier, values: [], missing: value === 'true' };
  }
  if (value === '') throw bad('valeur vide');
  if (mod === 'identifier') {
    // FHIR `:identifier`: the Reference.identifier (system|value) of the reference, indexed as a token.
    const tokenDef: SearchParamDef = { ...def, code: `${def.indexedAs ?? def.code}:identifier`, type: 'token' };
    delete tokenDef.indexedAs;
    const values = splitValues(value).flatMap((v) => withEquivalentSystems(parseValue(tokenDef, undefined, v, bad, fromFilter)));
    return { name, def: tokenDef, values };
  }
  const parsed = splitValues(value).map((v) => parseValue(def, modifier, v, bad, fromFilter));
  if (def.fixedSystem) for (const v of parsed) fixSystem(def, modifier, v, bad);
  const values = parsed.flatMap((v) => withEquivalentSystems(v));
  return { name, def, ...(modifier ? { modifier } : {}), values };
}

/**
 * A value of a parameter over one code system (SearchParamDef.fixedSystem): a code without a system (`01`, `|01`)
 * is of that system; another system, or a modifier that would reach the other codes of the shared rows (`:text`,
 * `:in`), is refused.
 */
function fixSystem(def: SearchParamDef, modifier: Criterion['modifier'], v: Value, bad: (why: string) => OutcomeError): void {
  const system = def.fixedSystem!;
  if (v.type !== 'token' || v.v.kind !== 'code' || (modifier !== undefined && modifier !== 'not')) {
    throw bad(`${def.code} prend un code de ${system} (code ou système|code), avec :not pour l'exclure`);
  }
  if (v.v.system && !equivalentSystems(system).includes(v.v.system)) throw bad(`${def.code} ne prend que des codes du système ${system}`);
  if (v.v.code === undefined && !v.v.system) throw bad('code attendu');
  v.v = { ...v.v, system };
}

/** Splits on commas not escaped with a backslash, and unescapes \, \| \$ \\. */
export function splitValues(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' && i + 1 < value.length) {
      cur += ch + value[++i]!;
    } else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Splits on unescaped `|`, unescaping each part. */
function splitBar(v: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < v.length; i++) {
    const ch = v[i]!;
    if (ch === '\\' && i + 1 < v.length) cur += v[++i]!;
    else if (ch === '|') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const unescape = (v: string) => v.replace(/\\(.)/g, '$1');

function parsePrefix(v: string, fromFilter = false): [Prefix, string] {
  const p = v.slice(0, 2);
  if (((PREFIXES as readonly string[]).includes(p) || (fromFilter && p === 'po')) && !/^\d/.test(p)) return [p as Prefix, v.slice(2)];
  return ['eq', v];
}

function parseValue(def: SearchParamDef, mod: Criterion['modifier'], raw: string, bad: (why: string) => OutcomeError, fromFilter = false): Value {
  if (raw === '') throw bad('valeur vide dans la liste');
  switch (def.type) {
    case 'token': {
      if (mod === 'text') return { type: 'token', v: { kind: 'text', text: unescape(raw) } };
      if (mod === 'in' || mod === 'not-in') {
        const url = unescape(raw);
        if (!/^https?:\/\/\S+$/.test(url)) throw bad(`:${mod} attend l'URL canonique d'un jeu de valeurs (ex. https://mos.esante.gouv.fr/NOS/JDV_J188-TypeStatutCapacite-ROR/FHIR/JDV-J188-TypeStatutCapacite-ROR)`);
        return { type: 'token', v: { kind: 'value-set', url } };
      }
      const parts = splitBar(raw);
      if (mod === 'of-type') {
        if (parts.length !== 3 || !parts[1] || !parts[2]) throw bad('la forme attendue est système-du-type|code-du-type|valeur');
        return { type: 'token', v: { kind: 'of-type', typeSystem: parts[0] || null, typeCode: parts[1], value: parts[2] } };
      }
      if (parts.length > 2) throw bad('un token s\'écrit code, système|code, |code ou système|');
      if (parts.length === 1) return { type: 'token', v: { kind: 'code', code: parts[0]! } };
      const [system, code] = parts as [string, string];
      if (system === '' && code === '') throw bad('système et code vides');
      return { type: 'token', v: { kind: 'code', system: system === '' ? null : system, ...(code !== '' ? { code } : {}) } };
    }
    case 'string':
      return { type: 'string', v: unescape(raw) };
    case 'date': {
      const [prefix, written] = parsePrefix(raw, fromFilter);
      // An unencoded `+` of a time-zone offset arrives as a space (form decoding): read it back as `+`.
      const rest = written.replace(/ (\d{2}:\d{2})$/, '+$1');
      const d = dateInterval(rest);
      if (!d) throw bad('date FHIR attendue, ex. 2024, 2024-05, 2024-05-31 ou 2024-05-31T12:00:00Z, précédée d\'un préfixe eq ne gt lt ge le sa eb ap');
      return { type: 'date', prefix, lo: d.lo, hi: d.hi };
    }
    case 'number':
    case 'quantity': {
      const [prefix, rest] = parsePrefix(raw);
      const parts = def.type === 'quantity' ? splitBar(rest) : [rest];
      const num = parts[0]!;
      if (!NUMBER_RE.test(num) || parts.length === 2 || parts.length > 3) {
        throw bad(def.type === 'quantity' ? 'quantité attendue : [préfixe]nombre[|système|unité], ex. le35 ou ge200|http://unitsofmeasure.org|kg' : 'nombre attendu, précédé d\'un préfixe éventuel (ex. gt0)');
      }
      const decimals = /\.(\d+)/.exec(num.replace(/e.*$/i, ''))?.[1]?.length ?? 0;
      const system = parts[1] || undefined;
      const unit = parts[2] || undefined;
      return { type: 'number', prefix, value: Number(num), decimals, ...(system ? { system } : {}), ...(unit ? { unit } : {}) };
    }
    case 'reference': {
      const v = unescape(raw);
      const m = /^(?:.*\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(v);
      if (m) {
        if (def.targets && !def.targets.includes(m[1]!)) throw bad(`${def.code} ne référence pas ${m[1]}`);
        // An absolute URL left here is on another server (parseSearch strips this server's base): local
        // references never designate it (stored references on our own base are relative, see fhir/rest.ts).
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return { type: 'reference', targetType: m[1]!, id: m[2]!, foreign: true };
        return { type: 'reference', targetType: m[1]!, id: m[2]! };
      }
      if (/^[A-Za-z0-9\-.]{1,64}$/.test(v)) return { type: 'reference', id: v };
      throw bad('référence attendue : Type/id ou id');
    }
    case 'special':
      if (def.code === 'near' || def.code === 'near-insee-code') return parseNear(def.code, raw, bad);
      throw bad(`type de paramètre ${def.type} non pris en charge`);
    default:
      throw bad(`type de paramètre ${def.type} non pris en charge`);
  }
}

const UNITS_KM: Record<string, number> = { km: 1, m: 0.001 };

/** `near=lat|lon[|distance[|unit]]` or `near-insee-code=COG[|distance[|unit]]`; 10 km by default, unit km or m. */
function parseNear(code: string, raw: string, bad: (why: string) => OutcomeError): Value {
  const parts = splitBar(raw);
  let lat: number;
  let lon: number;
  let rest: string[];
  if (code === 'near') {
    lat = Number(parts[0]);
    lon = Number(parts[1]);
    if (parts.length < 2 || !NUMBER_RE.test(parts[0]!) || !NUMBER_RE.test(parts[1]!) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      throw bad('la forme attendue est latitude|longitude|distance|unité, ex. 48.8566|2.3522|5|km');
    }
    rest = parts.slice(2);
  } else {
    const centroid = communeCentroid(parts[0]!);
    if (!centroid) {
      throw bad(
        /^(\d{5}|2[AB]\d{3})$/.test(parts[0]!)
          ? `commune « ${parts[0]} » inconnue ou sans point de référence (communes créées après la base La Poste, collectivités d'outre-mer) : chercher avec near=latitude|longitude|distance|unité`
          : `commune inconnue « ${parts[0]} » (code officiel géographique attendu, ex. 44162|15|km)`,
      );
    }
    ({ lat, lon } = centroid);
    rest = parts.slice(1);
  }
  if (rest.length > 2) throw bad('trop de parties');
  const distance = rest[0] ? Number(rest[0]) : 10;
  const unit = rest[1] || 'km';
  if ((rest[0] && !NUMBER_RE.test(rest[0])) || !(distance >= 0)) throw bad('distance invalide');
  const factor = UNITS_KM[unit];
  if (factor === undefined) throw bad(`unité de distance « ${unit} » non prise en charge (km ou m)`);
  return { type: 'near', lat, lon, km: distance * factor };
}
