import { processBundle } from './bundle.ts';
import { isSubsetted, parseElements, parseSummary, subsetResource, type SummaryMode } from './subset.ts';
import { badRequest, gone, issue, notFound, OutcomeError, preconditionFailed, type OperationOutcome } from './outcome.ts';
import { applyFhirPathPatch, applyJsonPatch, isFhirPathPatch } from './patch.ts';
import { ID_PATTERN, isResourceType, type Bundle, type BundleEntry, type Resource } from './types.ts';
import { dateInterval } from '../search/search.values.ts';
import { localReferences } from './references.ts';

/**
 * FHIR RESTful semantics, independent of HTTP transport: each handler takes a plain request and returns a
 * status, headers and body. The repository (the directory's read and write paths) and search engine are
 * injected by the server.
 */

export interface StoredVersionView {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  deleted: boolean;
  method: string;
  seq: number;
  content: Resource | null;
}

export interface Repository {
  create(actor: Actor, resource: Resource): Promise<StoredVersionView>;
  update(actor: Actor, resource: Resource & { id: string }, opts: { ifMatch?: IfMatch; mustBeAbsent?: 409 | 412 }): Promise<{ version: StoredVersionView; created: boolean }>;
  patch(actor: Actor, resourceType: string, id: string, change: (r: Resource) => Resource, opts: { ifMatch?: IfMatch }): Promise<StoredVersionView>;
  delete(actor: Actor, resourceType: string, id: string, opts: { ifMatch?: IfMatch }): Promise<StoredVersionView | null>;
  read(resourceType: string, id: string): Promise<{ versionId: number; deleted: boolean; content: Resource | null; lastUpdated: string } | null>;
  vread(resourceType: string, id: string, versionId: number): Promise<StoredVersionView | null>;
  history(q: { resourceType?: string; id?: string; since?: string; at?: { lo: string; hi: string }; beforeSeq?: number; limit: number }): Promise<{ versions: StoredVersionView[]; total: number }>;
  findByIdentifier(resourceType: string, value: string, system?: string): Promise<string[]>;
  /** Writes that all happen or none; a failure names the write at fault (`index`, `error`). */
  transaction(actor: Actor, writes: readonly TransactionWrite[]): Promise<{ version: StoredVersionView | null; created: boolean }[]>;
}

/** One write of a transaction Bundle, as the repository executes it (creates carry their assigned id). */
export type TransactionWrite =
  | { kind: 'create'; resource: Resource & { id: string } }
  | { kind: 'update'; resource: Resource & { id: string }; ifMatch?: IfMatch | undefined; /** see WriteOptions.mustBeAbsent */ mustBeAbsent?: 409 | 412 | undefined }
  | { kind: 'patch'; resourceType: string; id: string; change: (current: Resource) => Resource; ifMatch?: IfMatch | undefined }
  | { kind: 'delete'; resourceType: string; id: string; ifMatch?: IfMatch | undefined };

export interface Actor {
  id: string;
}

export interface SearchEngine {
  search(req: { resourceType: string; params: [string, string][]; baseUrl: string; headers: FhirRequest['headers'] }): Promise<Bundle>;
}

export interface FhirRequest {
  actor: Actor;
  baseUrl: string;
  headers: Record<string, string | undefined>;
  query: [string, string][];
  body?: unknown;
  contentType?: string | undefined;
}

export interface FhirResponse {
  status: number;
  headers: Record<string, string>;
  body?: Resource | Bundle | OperationOutcome | unknown[] | undefined;
}

const HISTORY_DEFAULT_COUNT = 100;
const HISTORY_MAX_COUNT = 1000;
/** History bundles advertise a watermark this far in the past, so writes still committing are not skipped. */
const HISTORY_SAFETY_MS = 5000;

export class FhirRest {
  constructor(
    private readonly repo: Repository,
    private readonly searchEngine: SearchEngine,
  ) {}

  async read(req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
    checkType(type);
    checkId(id);
    const row = await this.repo.read(type, id);
    if (!row) throw notFound(`${type}/${id} n'existe pas`, type);
    if (row.deleted || !row.content) throw gone(`${type}/${id} a été supprimé`);
    const etag = etagOf(row.versionId);
    // RFC 9110 §13.2.2: If-Modified-Since is ignored when If-None-Match is present (two versions can share a second).
    const inm = req.headers['if-none-match'];
    if (inm !== undefined ? matchesEtag(inm, row.versionId) : notModifiedSince(req.headers['if-modified-since'], row.lastUpdated)) {
      return { status: 304, headers: { ETag: etag, 'Last-Modified': httpDate(row.lastUpdated) } };
    }
    return { status: 200, headers: { ETag: etag, 'Last-Modified': httpDate(row.lastUpdated) }, body: readSubset(req, row.content) };
  }

  async vread(req: FhirRequest, type: string, id: string, vid: string): Promise<FhirResponse> {
    checkType(type);
    checkId(id);
    const versionId = Number(vid);
    if (!Number.isInteger(versionId) || versionId < 1) throw badRequest(`Identifiant de version invalide : « ${vid} »`);
    const v = await this.repo.vread(type, id, versionId);
    if (!v) throw notFound(`${type}/${id} n'a pas de version ${vid}`, type);
    if (v.deleted || !v.content) throw gone(`${type}/${id} version ${vid} est une suppression`);
    return { status: 200, headers: { ETag: etagOf(v.versionId), 'Last-Modified': httpDate(v.lastUpdated) }, body: readSubset(req, v.content) };
  }

  async create(req: FhirRequest, type: string): Promise<FhirResponse> {
    checkType(type);
    const resource = checkBody(req.body, type, req.baseUrl);
    const ifNoneExist = req.headers['if-none-exist'];
    if (ifNoneExist) {
      const ids = await this.matchConditional(type, new URLSearchParams(ifNoneExist.replace(/^[^?]*\?/, '')));
      if (ids.length > 1) throw preconditionFailed(`If-None-Exist : ${countLabel(ids.length)} correspondent`, 'multiple-matches');
      if (ids.length === 1) {
        const existing = await this.repo.read(type, ids[0]!);
        return {
          status: 200,
          headers: existing ? { ETag: etagOf(existing.versionId), 'Last-Modified': httpDate(existing.lastUpdated), Location: `${req.baseUrl}/${type}/${ids[0]}/_history/${existing.versionId}` } : {},
          body: preferBody(req, existing?.content ?? undefined),
        };
      }
    }
    delete resource.id;
    const v = await this.repo.create(req.actor, resource);
    return written(req, v, 201);
  }

  async update(req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
    checkType(type);
    checkId(id);
    const resource = checkBody(req.body, type, req.baseUrl);
    if (resource.id === undefined) throw badRequest('La ressource doit porter son id pour une mise à jour (PUT)', `${type}.id`);
    if (resource.id !== id) throw badRequest(`L'id de la ressource (« ${String(resource.id)} ») ne correspond pas à l'URL (« ${id} »)`, `${type}.id`);
    const { version, created } = await this.repo.update(req.actor, resource as Resource & { id: string }, { ...ifMatch(req), ...ifNoneMatchAll(req) });
    return written(req, version, created ? 201 : 200);
  }

  /** PUT [type]?identifier=… : update the one match, create when none, 412 when several. */
  async conditionalUpdate(req: FhirRequest, type: string): Promise<FhirResponse> {
    checkType(type);
    const resource = checkBody(req.body, type, req.baseUrl);
    const ids = await this.matchConditional(type, new URLSearchParams(req.query));
    if (ids.length > 1) throw preconditionFailed(`Mise à jour conditionnelle : ${countLabel(ids.length)} correspondent aux critères`, 'multiple-matches');
    if (ids.length === 0) {
      // RFC 9110 §13.1.1: an If-Match naming a version is false when nothing is there.
      if (req.headers['if-match'] && req.headers['if-match'].trim() !== '*') throw preconditionFailed('Mise à jour conditionnelle : aucune ressource ne correspond aux critères, If-Match ne peut pas s\'appliquer');
      if (resource.id !== undefined) {
        // Update as create with the client's id; an existing resource the criteria did not select is not replaced (409).
        const { version, created } = await this.repo.update(req.actor, resource as Resource & { id: string }, { mustBeAbsent: 409 });
        return written(req, version, created ? 201 : 200);
      }
      return written(req, await this.repo.create(req.actor, resource), 201);
    }
    const id = ids[0]!;
    if (resource.id !== undefined && resource.id !== id) {
      throw badRequest(`L'id de la ressource (« ${String(resource.id)} ») ne correspond pas à la ressource trouvée (« ${id} »)`, `${type}.id`);
    }
    const { version } = await this.repo.update(req.actor, { ...resource, id }, ifMatch(req));
    return written(req, version, 200);
  }

  async patch(req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
    checkType(type);
    checkId(id);
    const change = patchFunction(req);
    const v = await patchAsNational(type, () => this.repo.patch(req.actor, type, id, change, ifMatch(req)));
    return written(req, v, 200);
  }

  /**
   * PATCH [type]?identifier=… as the national capacity flow uses: 404 with expression `Location` when nothing
   * matches, 412 multiple-matches when several do (ROR-fhir-documentation patch-capacitaire/location.md).
   */
  async conditionalPatch(req: FhirRequest, type: string): Promise<FhirResponse> {
    checkType(type);
    const change = patchFunction(req);
    const criteria = new URLSearchParams(req.query);
    const ids = await this.matchConditional(type, criteria);
    if (ids.length === 0) throw notFound(`Aucun ${type} ne correspond aux critères ${decodedCriteria(criteria)} (identifiant inconnu)`, type);
    if (ids.length > 1) throw new OutcomeError(412, [issue('multiple-matches', `La ressource ${type} recherchée n'est pas unique : ${countLabel(ids.length)} correspondent aux critères ${decodedCriteria(criteria)}`, { expression: type })]);
    const v = await patchAsNational(type, () => this.repo.patch(req.actor, type, ids[0]!, change, ifMatch(req)));
    return written(req, v, 200);
  }

  async delete(req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
    checkType(type);
    checkId(id);
    const v = await this.repo.delete(req.actor, type, id, ifMatch(req));
    if (!v) return { status: 204, headers: {} };
    return { status: 200, headers: { ETag: etagOf(v.versionId), 'Last-Modified': httpDate(v.lastUpdated) }, body: { resourceType: 'OperationOutcome', issue: [issue('informational', `${type}/${id} supprimé (version ${v.versionId})`, { severity: 'information' })] } };
  }

  /**
   * DELETE [type]?identifier=… (conditional delete, `single`): the one match is deleted; no match is a delete of
   * nothing (204, as a delete of a missing id); several are a 412.
   */
  async conditionalDelete(req: FhirRequest, type: string): Promise<FhirResponse> {
    checkType(type);
    const criteria = new URLSearchParams(req.query);
    const ids = await this.matchConditional(type, criteria);
    if (ids.length > 1) throw new OutcomeError(412, [issue('multiple-matches', `Suppression conditionnelle : ${countLabel(ids.length)} correspondent aux critères ${decodedCriteria(criteria)}`, { expression: type })]);
    if (ids.length === 0) return { status: 204, headers: {} };
    return this.delete(req, type, ids[0]!);
  }

  /** POST [base] with a batch or transaction Bundle (fhir/bundle.ts). */
  bundle(req: FhirRequest): Promise<FhirResponse> {
    return processBundle(this, this.repo, req);
  }

  /** The change a PATCH request describes (FHIRPath Patch Parameters or JSON Patch). */
  patchChange(req: FhirRequest): (r: Resource) => Resource {
    return patchFunction(req);
  }

  async search(req: FhirRequest, type: string): Promise<FhirResponse> {
    checkType(type);
    const bundle = await this.searchEngine.search({ resourceType: type, params: req.query, baseUrl: req.baseUrl, headers: req.headers });
    return { status: 200, headers: { 'Cache-Control': 'no-cache' }, body: bundle };
  }

  async history(req: FhirRequest, type?: string, id?: string): Promise<FhirResponse> {
    if (type) checkType(type);
    if (id) checkId(id);
    let since: string | undefined;
    let count = HISTORY_DEFAULT_COUNT;
    let beforeSeq: number | undefined;
    let firstWatermark: number | undefined;
    let at: { lo: string; hi: string } | undefined;
    for (const [k, v] of req.query) {
      if (k === '_since') {
        since = checkSince(v);
      } else if (k === '_at') {
        const range = dateInterval(v);
        if (!range) throw badRequest(`_at attend une date ou un instant FHIR (ex. 2026-12-04 ou 2026-12-04T10:00:00Z), reçu « ${v} »`, '_at');
        at = { lo: range.lo.toISOString(), hi: range.hi.toISOString() };
      } else if (k === '_count') {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw badRequest(`_count doit être un entier positif, reçu « ${v} »`, '_count');
        count = Math.min(n, HISTORY_MAX_COUNT);
      } else if (k === '_cursor') {
        // `<seq>.<watermark>`: the last sequence number of the previous page and the watermark of the first one.
        const m = /^(\d+)(?:\.(\d{1,15}))?$/.exec(v);
        if (!m) throw badRequest('Curseur de pagination invalide', '_cursor');
        beforeSeq = Number(m[1]);
        if (m[2] !== undefined) firstWatermark = Number(m[2]);
      } else if (k !== '_format' && k !== '_pretty') {
        throw badRequest(`Paramètre non pris en charge pour _history : « ${k} » (_since, _at, _count)`, k);
      }
    }
    if (id) {
      const current = await this.repo.read(type!, id);
      if (!current) throw notFound(`${type}/${id} n'existe pas`, type);
    }
    // Every page of one traversal carries the first page's watermark: the pages walk towards older versions, so a
    // write made while a client pages is in none of them, and a client resuming from the last page's watermark
    // must still get it on its next sync.
    const watermarkMs = firstWatermark ?? Date.now() - HISTORY_SAFETY_MS;
    const watermark = new Date(watermarkMs).toISOString();
    const { versions, total } = await this.repo.history({
      ...(type ? { resourceType: type } : {}),
      ...(id ? { id } : {}),
      ...(since ? { since } : {}),
      ...(at ? { at } : {}),
      ...(beforeSeq !== undefined ? { beforeSeq } : {}),
      limit: count + 1,
    });
    const page = versions.slice(0, count);
    const base = `${req.baseUrl}${type ? `/${type}` : ''}${id ? `/${id}` : ''}/_history`;
    const selfQuery = req.query.length ? `?${new URLSearchParams(req.query).toString()}` : '';
    const bundle: Bundle = {
      resourceType: 'Bundle',
      meta: { lastUpdated: watermark },
      type: 'history',
      total,
      link: [{ relation: 'self', url: `${base}${selfQuery}` }],
      ...(page.length > 0 ? { entry: page.map((v) => historyEntry(req.baseUrl, v)) } : {}),
    };
    if (versions.length > count && page.length > 0) {
      const next = req.query.filter(([k]) => k !== '_cursor');
      next.push(['_cursor', `${page[page.length - 1]!.seq}.${watermarkMs}`]);
      bundle.link!.push({ relation: 'next', url: `${base}?${new URLSearchParams(next).toString()}` });
    }
    return { status: 200, headers: { 'Cache-Control': 'no-cache' }, body: bundle };
  }

  /** Conditional criteria: only `identifier` (and `_id`) are accepted, which is what the IG's flows use. */
  async matchConditional(type: string, q: URLSearchParams): Promise<string[]> {
    const keys = [...new Set(q.keys())].filter((k) => k !== '_format');
    if (keys.length === 0) throw badRequest('Une opération conditionnelle exige des critères (ex. ?identifier=…)');
    const unsupported = keys.filter((k) => k !== 'identifier' && k !== '_id');
    if (unsupported.length > 0) {
      throw new OutcomeError(400, [issue('not-supported', `Critère conditionnel non pris en charge : ${unsupported.join(', ')} (identifier, _id)`, { expression: unsupported[0]! })]);
    }
    let ids: Set<string> | undefined;
    const intersect = (found: string[]) => {
      ids = ids ? new Set(found.filter((x) => ids!.has(x))) : new Set(found);
    };
    for (const value of q.getAll('identifier')) {
      const bar = value.indexOf('|');
      intersect(bar < 0 ? await this.repo.findByIdentifier(type, value) : await this.repo.findByIdentifier(type, value.slice(bar + 1), value.slice(0, bar)));
    }
    for (const value of q.getAll('_id')) {
      const row = await this.repo.read(type, value);
      intersect(row && !row.deleted ? [value] : []);
    }
    return [...(ids ?? [])];
  }
}

/**
 * `_elements` and `_summary` on a read: as on a search (top-level elements kept, SUBSETTED tag; `_summary=true` the
 * summary elements, `text` the narrative and mandatory elements, `data` drops the narrative, `false` is the whole
 * resource). Other parameters of a read are ignored (`_format`, `_pretty`); `_summary=count` is for searches (400).
 */
function readSubset(req: FhirRequest, r: Resource): Resource {
  let elements: string[] | undefined;
  let summary: SummaryMode | undefined;
  for (const [k, v] of req.query) {
    if (k === '_elements') elements = [...(elements ?? []), ...parseElements(v)];
    else if (k === '_summary') summary = parseSummary(v, ['true', 'text', 'data']) as SummaryMode | undefined;
  }
  return subsetResource(r, { elements, summary });
}

function historyEntry(baseUrl: string, v: StoredVersionView): BundleEntry {
  const url = `${v.resourceType}/${v.id}`;
  const entry: BundleEntry = { fullUrl: `${baseUrl}/${url}` };
  if (v.content) entry.resource = v.content;
  entry.request = { method: v.method, url: v.method === 'POST' ? v.resourceType : url };
  entry.response = {
    // As the interaction answered: a first version (POST, or PUT of an id that did not exist) 201, else 200 (a
    // delete answers 200 with an OperationOutcome).
    status: v.method !== 'DELETE' && v.versionId === 1 ? '201 Created' : '200 OK',
    etag: etagOf(v.versionId),
    lastModified: v.lastUpdated,
  };
  return entry;
}

/**
 * A PATCH of a Location is how bed-management systems send capacities, and the national server answers a result
 * that breaks the profile or a capacity rule with 400 business-rule (a wrong code, an unknown indicator, an
 * indicator already present), the only 4xx besides 404 and 412 those clients handle (patch-capacitaire/location.md).
 * Other types keep FHIR's 422. The issues keep their diagnostics and expressions.
 */
async function patchAsNational<T>(type: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (type !== 'Location' || !(e instanceof OutcomeError) || e.status !== 422) throw e;
    throw new OutcomeError(400, e.outcome.issue.map((x) => ({ ...x, code: 'business-rule' as const })));
  }
}

/** « 4 ressources », or « plus de 100 ressources » past what an identifier lookup reads (findByIdentifier: 101). */
const countLabel = (n: number) => (n > 100 ? 'plus de 100 ressources' : `${n} ressources`);

function written(req: FhirRequest, v: StoredVersionView, status: number): FhirResponse {
  const headers: Record<string, string> = {
    ETag: etagOf(v.versionId),
    'Last-Modified': httpDate(v.lastUpdated),
    Location: `${req.baseUrl}/${v.resourceType}/${v.id}/_history/${v.versionId}`,
  };
  if (status !== 201) delete headers.Location;
  if (status === 201) headers['Content-Location'] = headers.Location!;
  return { status, headers, body: preferBody(req, v.content ?? undefined) };
}

function preferBody(req: FhirRequest, resource: Resource | undefined): FhirResponse['body'] {
  const prefer = req.headers.prefer ?? '';
  if (/return=minimal/.test(prefer)) return undefined;
  if (/return=OperationOutcome/i.test(prefer)) {
    return { resourceType: 'OperationOutcome', issue: [issue('informational', 'Opération réussie', { severity: 'information' })] };
  }
  return resource;
}

function patchFunction(req: FhirRequest): (r: Resource) => Resource {
  const ct = (req.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const local = (r: Resource) => localReferences(r, req.baseUrl);
  if (ct === 'application/json-patch+json') return (r) => local(applyJsonPatch(r, req.body));
  if (isFhirPathPatch(req.body)) return (r) => local(applyFhirPathPatch(r, req.body));
  if (Array.isArray(req.body)) return (r) => local(applyJsonPatch(r, req.body));
  throw badRequest('Corps de PATCH attendu : une ressource Parameters (FHIRPath Patch) ou un JSON Patch (application/json-patch+json)');
}

/** Criteria as a reader wrote them (`identifier=1350054680/ABC`), not percent-encoded. */
function decodedCriteria(criteria: URLSearchParams): string {
  return [...criteria].map(([k, v]) => `${k}=${v}`).join('&');
}

export function checkType(type: string): void {
  if (type.startsWith('$')) {
    throw new OutcomeError(404, [issue('not-supported', `Opération « ${type} » non prise en charge par ce serveur (voir /fhir/metadata)`)]);
  }
  if (!isResourceType(type)) {
    throw new OutcomeError(404, [issue('not-supported', `Type de ressource non pris en charge : « ${type} » (Organization, HealthcareService, Location, Practitioner, PractitionerRole, Task)`)]);
  }
}

function checkId(id: string): void {
  if (!ID_PATTERN.test(id)) throw badRequest(`Identifiant de ressource invalide : « ${id} » (1 à 64 caractères parmi A-Z a-z 0-9 - .)`);
}

export function checkBody(body: unknown, type: string, baseUrl: string): Resource {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Le corps de la requête doit être une ressource FHIR en JSON');
  const r = body as Resource;
  if (r.resourceType !== type) {
    throw badRequest(`resourceType « ${String(r.resourceType)} » ne correspond pas au type de l'URL (${type})`, 'resourceType');
  }
  if (isSubsetted(r)) {
    // search.html#summary: the tag marks a copy read with _summary/_elements, missing elements that writing it would erase.
    throw new OutcomeError(422, [issue('business-rule', `La ressource porte l'étiquette SUBSETTED : c'est une copie partielle (lue avec _summary ou _elements), l'écrire effacerait les éléments absents. Relisez la ressource complète.`, { expression: `${type}.meta.tag` })]);
  }
  return localReferences(r, baseUrl);
}

/** The version an `If-Match` header (or a Bundle entry's `request.ifMatch`) names. */
/** Query parameters of a URL in order with repeats, decoded (URLSearchParams also turns + into space). */
export function queryPairs(url: string): [string, string][] {
  const q = url.indexOf('?');
  return q < 0 ? [] : [...new URLSearchParams(url.slice(q + 1))];
}

/** A `_since` value (history, bulk export): a date or an instant; anything else is 400. */
export function checkSince(v: string): string {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(v) || Number.isNaN(Date.parse(v))) {
    throw badRequest(`_since doit être un instant FHIR (ex. 2024-01-31T12:00:00Z), reçu « ${v} »`, '_since');
  }
  return v;
}

/** A version the write must find current (If-Match: W/"3"), one of several (W/"3", W/"4"), or `*`: any current version (RFC 9110 §13.1.1). */
export type IfMatch = number | number[] | '*';

export function ifMatch(req: Pick<FhirRequest, 'headers'>): { ifMatch?: IfMatch } {
  const h = req.headers['if-match'];
  if (!h) return {};
  if (h.trim() === '*') return { ifMatch: '*' };
  // RFC 9110: a list of entity tags; it holds when any names the current version.
  const versions = h.split(',').map((t) => /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(t)?.[1]);
  if (versions.some((v) => v === undefined)) throw badRequest(`En-tête If-Match invalide : « ${h} » (attendu W/"<versionId>")`);
  const distinct = [...new Set(versions.map(Number))];
  return { ifMatch: distinct.length === 1 ? distinct[0]! : distinct };
}

/** `If-None-Match: *` on a PUT: write only if the resource does not exist (RFC 9110 §13.1.2), else 412. */
export function ifNoneMatchAll(req: Pick<FhirRequest, 'headers'>): { mustBeAbsent?: 412 } {
  const h = req.headers['if-none-match'];
  return h !== undefined && h.trim() === '*' ? { mustBeAbsent: 412 } : {};
}

export const etagOf = (versionId: number) => `W/"${versionId}"`;

function matchesEtag(header: string | undefined, versionId: number): boolean {
  if (!header) return false;
  return header.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === `"${versionId}"`);
}

function notModifiedSince(header: string | undefined, lastUpdated: string): boolean {
  if (!header) return false;
  const since = Date.parse(header);
  return !Number.isNaN(since) && Math.floor(Date.parse(lastUpdated) / 1000) * 1000 <= since;
}

export const httpDate = (iso: string) => new Date(iso).toUTCString();
