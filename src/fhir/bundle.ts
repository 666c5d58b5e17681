import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { badRequest, isOutcomeError, issue, notFound, OutcomeError, preconditionFailed, type OperationOutcome, type OperationOutcomeIssue } from './outcome.ts';
import { ownBases, stripOwnBase } from './bases.ts';
import { referenceHolders } from './references.ts';
import { checkBody, etagOf, ifMatch, ifNoneMatchAll, type FhirRequest, type FhirResponse, type FhirRest, type Repository, type TransactionWrite } from './rest.ts';
import { ID_PATTERN, isResourceType, type Bundle, type BundleEntry, type Resource } from './types.ts';

/**
 * Batch and transaction Bundles (`POST /fhir`, FHIR R4 http.html#transaction). A batch runs each entry as the
 * single interaction it names, independently; a transaction resolves its conditional URLs and references first
 * (`urn:uuid:` full URLs of new resources, conditional references `Type?identifier=…`), then writes every
 * entry in one database transaction through the directory's write path, all or nothing, and answers its
 * reads after the commit.
 */

/** Most entries one Bundle may carry (beyond, split the work: one transaction holds its rows locked). */
export const MAX_BUNDLE_ENTRIES = 1000;
/** Entries of a batch running at once (they join the group commit of single writes). */
const BATCH_CONCURRENCY = 16;

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const isRead = (m: Method) => m === 'GET' || m === 'HEAD';

interface ParsedEntry {
  index: number;
  method: Method;
  /** Relative URL as given (base stripped). */
  url: string;
  type: string;
  id?: string | undefined;
  /** `_history/<vid>` of a GET. */
  vid?: string | undefined;
  history?: boolean;
  query: [string, string][];
  fullUrl?: string | undefined;
  resource?: Resource | undefined;
  headers: Record<string, string | undefined>;
  contentType?: string | undefined;
}

export async function processBundle(rest: FhirRest, repo: Repository, req: FhirRequest): Promise<FhirResponse> {
  const body = req.body as Partial<Bundle> | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body) || body.resourceType !== 'Bundle') {
    throw badRequest('POST sur la base FHIR attend un Bundle de type batch ou transaction', 'Bundle');
  }
  const type = (body as { type?: unknown }).type;
  if (type !== 'batch' && type !== 'transaction') {
    throw badRequest(`Bundle.type doit valoir batch ou transaction (reçu « ${String(type)} »)`, 'Bundle.type');
  }
  const rawEntries = body.entry ?? [];
  if (!Array.isArray(rawEntries)) throw badRequest('Bundle.entry doit être une liste', 'Bundle.entry');
  if (rawEntries.length > MAX_BUNDLE_ENTRIES) {
    throw new OutcomeError(413, [issue('too-costly', `Un Bundle porte au plus ${MAX_BUNDLE_ENTRIES} entrées (reçu ${rawEntries.length}) : découpez-le`, { expression: 'Bundle.entry' })]);
  }
  if (type === 'batch') return batch(rest, req, rawEntries);
  const entries = rawEntries.map((e, index) => {
    try {
      return parseEntry(req, e, index);
    } catch (err) {
      throw isOutcomeError(err) ? entryError(err, index, false) : err;
    }
  });
  return transaction(rest, repo, req, entries);
}

/** Each entry on its own: an error is that entry's response, the others go on. */
async function batch(rest: FhirRest, req: FhirRequest, rawEntries: unknown[]): Promise<FhirResponse> {
  const out: BundleEntry[] = new Array(rawEntries.length);
  let next = 0;
  const worker = async () => {
    while (next < rawEntries.length) {
      const index = next++;
      let hasResource = false;
      try {
        const entry = parseEntry(req, rawEntries[index], index);
        hasResource = entry.resource !== undefined;
        if (entry.resource && entry.method === 'POST') delete entry.resource.id;
        out[index] = responseEntry(req, await run(rest, req, entry), entry.method);
      } catch (e) {
        if (!isOutcomeError(e)) throw e;
        out[index] = { response: { status: statusLine(e.status), outcome: withEntry(e.outcome, index, hasResource) } };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, rawEntries.length) }, worker));
  return { status: 200, headers: {}, body: responseBundle('batch-response', out) };
}

async function transaction(rest: FhirRest, repo: Repository, req: FhirRequest, entries: ParsedEntry[]): Promise<FhirResponse> {
  const at = (entry: ParsedEntry) => async <T>(f: () => Promise<T> | T): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw isOutcomeError(e) ? entryError(e, entry.index, entry.resource !== undefined) : e;
    }
  };
  // 1. Where each write lands: ids of creates, conditional URLs resolved against current data.
  const writes: { entry: ParsedEntry; write: TransactionWrite | null; existing?: string }[] = [];
  const fullUrls = new Map<string, string>();
  // A fullUrl on this server's base is also reached by its relative form: references on our base are made
  // relative before resolution (localReferences).
  const bases = ownBases(req.baseUrl);
  const mapFullUrl = (fullUrl: string, target: string, index: number) => {
    // bundle.html bdl-7: a fullUrl names one entry; a second one would make its references ambiguous.
    if (fullUrls.has(fullUrl)) throw badRequest(`fullUrl « ${fullUrl} » déjà porté par une autre entrée : un fullUrl est unique dans un Bundle`, `Bundle.entry[${index}].fullUrl`);
    fullUrls.set(fullUrl, target);
    const relative = stripOwnBase(fullUrl, bases);
    if (relative !== undefined) fullUrls.set(relative, target);
  };
  // PATCH entries: their change is built once the fullUrls are all known (a patch may reference a new resource).
  const patches: { entry: ParsedEntry; slot: number }[] = [];
  for (const entry of entries.filter((e) => !isRead(e.method))) {
    await at(entry)(async () => {
      // A POST's target is its ifNoneExist, not its URL.
      const conditional = entry.method !== 'POST' && entry.id === undefined && entry.query.length > 0;
      const matches = conditional ? await rest.matchConditional(entry.type, new URLSearchParams(entry.query)) : [];
      switch (entry.method) {
        case 'POST': {
          const resource = checkBody(entry.resource, entry.type, req.baseUrl);
          const ifNoneExist = entry.headers['if-none-exist'];
          if (ifNoneExist) {
            const found = await rest.matchConditional(entry.type, new URLSearchParams(ifNoneExist.replace(/^[^?]*\?/, '')));
            if (found.length > 1) throw preconditionFailed(`ifNoneExist : ${found.length} ressources correspondent`, 'multiple-matches');
            if (found.length === 1) {
              if (entry.fullUrl) mapFullUrl(entry.fullUrl, `${entry.type}/${found[0]}`, entry.index);
              writes.push({ entry, write: null, existing: found[0]! });
              return;
            }
          }
          resource.id = randomUUID();
          if (entry.fullUrl) mapFullUrl(entry.fullUrl, `${entry.type}/${resource.id}`, entry.index);
          writes.push({ entry, write: { kind: 'create', resource: resource as Resource & { id: string } } });
          return;
        }
        case 'PUT': {
          const resource = checkBody(entry.resource, entry.type, req.baseUrl);
          if (conditional && matches.length > 1) throw preconditionFailed(`Mise à jour conditionnelle : ${matches.length} ressources correspondent aux critères`, 'multiple-matches');
          const noMatch = conditional && matches.length === 0;
          const given = ifMatch(entry).ifMatch;
          if (noMatch && given !== undefined && given !== '*') throw preconditionFailed('Mise à jour conditionnelle : aucune ressource ne correspond aux critères, ifMatch ne peut pas s\'appliquer');
          const id = conditional ? (matches[0] ?? (typeof resource.id === 'string' ? resource.id : randomUUID())) : entry.id!;
          if (resource.id !== undefined && resource.id !== id) {
            throw badRequest(`L'id de la ressource (« ${String(resource.id)} ») ne correspond pas à l'URL (${entry.url})`, `${entry.type}.id`);
          }
          resource.id = id;
          if (entry.fullUrl) mapFullUrl(entry.fullUrl, `${entry.type}/${id}`, entry.index);
          // A conditional update matching nothing creates with the body's id, never replaces another resource (409).
          const mustBeAbsent = noMatch && typeof entry.resource?.id === 'string' ? 409 : ifNoneMatchAll(entry).mustBeAbsent;
          writes.push({ entry, write: { kind: 'update', resource: resource as Resource & { id: string }, ifMatch: given, ...(mustBeAbsent ? { mustBeAbsent } : {}) } });
          return;
        }
        case 'PATCH': {
          if (conditional && matches.length === 0) throw notFound(`Aucun ${entry.type} ne correspond aux critères ${new URLSearchParams(entry.query).toString()}`, entry.type);
          if (conditional && matches.length > 1) throw preconditionFailed(`${matches.length} ressources ${entry.type} correspondent aux critères`, 'multiple-matches');
          const id = conditional ? matches[0]! : entry.id!;
          patches.push({ entry, slot: writes.length });
          writes.push({ entry, write: { kind: 'patch', resourceType: entry.type, id, change: (r) => r, ifMatch: ifMatch(entry).ifMatch } });
          return;
        }
        case 'DELETE': {
          if (conditional && matches.length > 1) throw preconditionFailed(`Suppression conditionnelle : ${matches.length} ressources correspondent aux critères`, 'multiple-matches');
          const id = conditional ? matches[0] : entry.id;
          writes.push({ entry, write: id === undefined ? null : { kind: 'delete', resourceType: entry.type, id, ifMatch: ifMatch(entry).ifMatch } });
          return;
        }
      }
    });
  }
  // 2. References to entries of the Bundle (by their fullUrl) and conditional references.
  const created = writes.flatMap((w) => (w.write?.kind === 'create' || w.write?.kind === 'update' ? [w.write.resource] : []));
  for (const w of writes) {
    if (w.write?.kind !== 'create' && w.write?.kind !== 'update') continue;
    const resource = w.write.resource;
    await at(w.entry)(() => resolveReferences(rest, resource, fullUrls, created));
  }
  for (const { entry, slot } of patches) {
    const write = writes[slot]!.write as Extract<TransactionWrite, { kind: 'patch' }>;
    await at(entry)(async () => {
      // References in the patch's values (a Parameters valueReference, a JSON Patch value) resolve like a resource's.
      if (entry.resource) await resolveReferences(rest, entry.resource, fullUrls, created);
      write.change = rest.patchChange({ ...req, body: entry.resource, contentType: entry.contentType, query: [] });
    });
  }
  // http.html#trules: identities resolved by ifNoneExist count among the resources a transaction may name once.
  const named = new Map<string, number>();
  for (const w of writes) {
    const key = w.existing ? `${w.entry.type}/${w.existing}` : w.write && w.write.kind !== 'create' ? `${w.entry.type}/${w.write.kind === 'update' ? w.write.resource.id : w.write.id}` : undefined;
    if (!key) continue;
    const first = named.get(key);
    if (first !== undefined && (w.existing || writes.find((x) => x.entry.index === first)?.existing)) {
      throw entryError(new OutcomeError(400, [issue('invalid', `${key} apparaît deux fois dans la transaction (déjà à l'entrée ${first}, par ifNoneExist) : une ressource n'y est nommée qu'une fois`, { rule: 'transaction-duplicate-resource' })]), w.entry.index, w.entry.resource !== undefined);
    }
    if (first === undefined) named.set(key, w.entry.index);
  }
  // Reads fail the transaction like writes (http.html#trules: all or nothing): each runs once before the commit to
  // check it (a read of a resource the transaction writes is checked after), and again after it for its answer.
  const writtenKeys = new Set(writes.flatMap((w) => (w.write?.kind === 'create' || w.write?.kind === 'update' ? [`${w.entry.type}/${w.write.resource.id}`] : [])));
  for (const entry of entries.filter((e) => isRead(e.method))) {
    if (entry.id !== undefined && writtenKeys.has(`${entry.type}/${entry.id}`)) continue;
    await at(entry)(() => run(rest, req, entry));
  }
  // 3. All writes in one database transaction.
  const toWrite = writes.filter((w) => w.write !== null);
  let results: Awaited<ReturnType<Repository['transaction']>>;
  try {
    results = await repo.transaction(req.actor, toWrite.map((w) => w.write!));
  } catch (e) {
    const failed = (e as { index?: unknown; error?: unknown }).index;
    const cause = (e as { error?: unknown }).error;
    if (typeof failed === 'number' && isOutcomeError(cause)) throw entryError(cause, toWrite[failed]!.entry.index, toWrite[failed]!.entry.resource !== undefined);
    throw e;
  }
  // 4. Responses, in the order of the entries; reads run after the commit.
  const out: BundleEntry[] = new Array(entries.length);
  toWrite.forEach((w, n) => {
    const { version, created } = results[n]!;
    const entry = w.entry;
    if (!version) out[entry.index] = { response: { status: statusLine(204) } };
    else if (version.deleted) out[entry.index] = { response: { status: statusLine(200), etag: etagOf(version.versionId), lastModified: version.lastUpdated } };
    else {
      out[entry.index] = responseEntry(req, {
        status: created ? 201 : 200,
        headers: { ETag: etagOf(version.versionId), 'Last-Modified': version.lastUpdated, Location: `${version.resourceType}/${version.id}/_history/${version.versionId}` },
        body: version.content ?? undefined,
      }, entry.method, `${req.baseUrl}/${version.resourceType}/${version.id}`);
    }
  });
  for (const w of writes) {
    if (w.write !== null) continue;
    const entry = w.entry;
    if (w.existing) {
      const current = await repo.read(entry.type, w.existing);
      out[entry.index] = responseEntry(req, {
        status: 200,
        headers: current ? { ETag: etagOf(current.versionId), 'Last-Modified': current.lastUpdated, Location: `${entry.type}/${w.existing}/_history/${current.versionId}` } : {},
        body: current?.content ?? undefined,
      }, entry.method, `${req.baseUrl}/${entry.type}/${w.existing}`);
    } else out[entry.index] = { response: { status: statusLine(204) } };
  }
  for (const entry of entries.filter((e) => isRead(e.method))) {
    try {
      out[entry.index] = responseEntry(req, await run(rest, req, entry), entry.method);
    } catch (e) {
      if (!isOutcomeError(e)) throw e;
      out[entry.index] = { response: { status: statusLine(e.status), outcome: withEntry(e.outcome, entry.index, false) } };
    }
  }
  return { status: 200, headers: {}, body: responseBundle('transaction-response', out) };
}

/** One entry as the single interaction it names (batch entries, and the reads of a transaction). */
async function run(rest: FhirRest, req: FhirRequest, e: ParsedEntry): Promise<FhirResponse> {
  const sub: FhirRequest = { ...req, headers: { ...req.headers, ...e.headers }, query: e.query, body: e.resource, contentType: e.contentType };
  const conditional = e.id === undefined && e.query.length > 0;
  switch (e.method) {
    case 'HEAD':
    case 'GET': {
      const res = e.history
        ? await rest.history(sub, e.type, e.id)
        : e.vid !== undefined
          ? await rest.vread(sub, e.type, e.id!, e.vid)
          : e.id !== undefined
            ? await rest.read(sub, e.type, e.id)
            : await rest.search(sub, e.type);
      // HEAD: the GET's status and headers, no body.
      return e.method === 'HEAD' ? { ...res, body: undefined } : res;
    }
    case 'POST':
      return rest.create(sub, e.type);
    case 'PUT':
      return conditional ? rest.conditionalUpdate(sub, e.type) : rest.update({ ...sub, query: [] }, e.type, e.id!);
    case 'PATCH':
      return conditional ? rest.conditionalPatch(sub, e.type) : rest.patch({ ...sub, query: [] }, e.type, e.id!);
    case 'DELETE':
      return conditional ? rest.conditionalDelete(sub, e.type) : rest.delete({ ...sub, query: [] }, e.type, e.id!);
  }
}

function parseEntry(req: FhirRequest, raw: unknown, index: number): ParsedEntry {
  const where = `Bundle.entry[${index}]`;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest(`${where} doit être un objet`, where);
  const e = raw as { fullUrl?: unknown; resource?: unknown; request?: Record<string, unknown> };
  const request = e.request;
  if (!request || typeof request !== 'object') throw badRequest(`${where}.request est obligatoire dans un Bundle batch ou transaction`, `${where}.request`);
  const method = request.method;
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST' && method !== 'PUT' && method !== 'PATCH' && method !== 'DELETE') {
    throw badRequest(`${where}.request.method doit être GET, HEAD, POST, PUT, PATCH ou DELETE (reçu « ${String(method)} »)`, `${where}.request.method`);
  }
  if (typeof request.url !== 'string' || request.url.trim() === '') throw badRequest(`${where}.request.url est obligatoire`, `${where}.request.url`);
  let url = request.url.trim();
  // An absolute URL on this server's base or one of its national aliases (bases.ts) is the relative one.
  url = stripOwnBase(url, ownBases(req.baseUrl)) ?? url;
  url = url.replace(/^\//, '');
  const [path, search = ''] = url.split(/\?(.*)/s) as [string, string?];
  const segments = path.split('/');
  const badUrl = () => badRequest(`${where}.request.url non prise en charge pour ${method} : « ${request.url} »`, `${where}.request.url`);
  const type = segments[0]!;
  if (!isResourceType(type)) throw badRequest(`${where}.request.url : type de ressource non pris en charge « ${type} »`, `${where}.request.url`);
  const id = segments[1] !== undefined && segments[1] !== '_history' ? segments[1] : undefined;
  if (id !== undefined && !ID_PATTERN.test(id)) throw badUrl();
  const history = (id === undefined ? segments[1] : segments[2]) === '_history' && (id === undefined ? segments.length === 2 : segments.length === 3);
  const vid = id !== undefined && segments[2] === '_history' && segments.length === 4 ? segments[3] : undefined;
  const shapeOk =
    segments.length === 1 ||
    (segments.length === 2 && (id !== undefined || history)) ||
    (isRead(method) && (history || vid !== undefined));
  if (!shapeOk) throw badUrl();
  if ((method === 'PUT' || method === 'PATCH' || method === 'DELETE') && id === undefined && search === '') throw badUrl();
  if (method === 'POST' && (id !== undefined || history)) throw badUrl();
  const headers: Record<string, string | undefined> = {};
  for (const [field, header] of [['ifMatch', 'if-match'], ['ifNoneExist', 'if-none-exist'], ['ifNoneMatch', 'if-none-match'], ['ifModifiedSince', 'if-modified-since']] as const) {
    if (typeof request[field] === 'string') headers[header] = request[field] as string;
  }
  let resource = e.resource as Resource | undefined;
  let contentType: string | undefined = 'application/fhir+json';
  if (resource !== undefined && (!resource || typeof resource !== 'object' || Array.isArray(resource))) throw badRequest(`${where}.resource doit être une ressource FHIR`, `${where}.resource`);
  if ((method === 'POST' || method === 'PUT' || method === 'PATCH') && !resource) throw badRequest(`${where}.resource est obligatoire pour ${method}`, `${where}.resource`);
  if (method === 'PATCH' && resource?.resourceType === 'Binary') {
    // JSON Patch travels as a Binary: contentType application/json-patch+json, data in base64.
    const binary = resource as { contentType?: unknown; data?: unknown };
    if (binary.contentType !== 'application/json-patch+json' || typeof binary.data !== 'string') {
      throw badRequest(`${where}.resource : un Binary de PATCH porte contentType application/json-patch+json et data`, `${where}.resource`);
    }
    try {
      resource = JSON.parse(Buffer.from(binary.data, 'base64').toString('utf8')) as Resource;
    } catch {
      throw badRequest(`${where}.resource.data : JSON Patch illisible`, `${where}.resource.data`);
    }
    contentType = 'application/json-patch+json';
  }
  return {
    index,
    method,
    url,
    type,
    id,
    vid,
    history,
    query: [...new URLSearchParams(search)],
    fullUrl: typeof e.fullUrl === 'string' ? e.fullUrl : undefined,
    // The request body was parsed for this request alone: its resources are ours to complete (ids, references).
    resource,
    headers,
    contentType,
  };
}

/**
 * Rewrites, in place, references to entries of the Bundle (their fullUrl, e.g. `urn:uuid:…`) into `Type/id`,
 * and conditional references (`Type?identifier=…`) into the one resource they match: in the database, or else
 * among the resources the transaction itself writes (`written`), by identifier.
 */
async function resolveReferences(rest: FhirRest, resource: Resource, fullUrls: ReadonlyMap<string, string>, written: readonly Resource[]): Promise<void> {
  for (const { holder, path } of referenceHolders(resource)) {
    const ref = holder.reference as string;
    const mapped = fullUrls.get(ref);
    if (mapped) {
      holder.reference = mapped;
      continue;
    }
    if (/^urn:(uuid|oid):/.test(ref)) {
      throw new OutcomeError(400, [issue('not-found', `La référence ${ref} ne désigne aucune entrée (fullUrl) de la transaction`, { expression: path, rule: 'reference-not-found' })]);
    }
    const m = /^([A-Z][A-Za-z]+)\?(.+)$/.exec(ref);
    if (m && isResourceType(m[1]!)) {
      let ids = await rest.matchConditional(m[1]!, new URLSearchParams(m[2]!));
      if (ids.length === 0) ids = writtenMatches(m[1]!, new URLSearchParams(m[2]!), written);
      if (ids.length === 0) throw new OutcomeError(404, [issue('not-found', `La référence conditionnelle ${ref} ne correspond à aucune ressource`, { expression: path, rule: 'reference-not-found' })]);
      if (ids.length > 1) throw new OutcomeError(412, [issue('multiple-matches', `La référence conditionnelle ${ref} correspond à ${ids.length} ressources`, { expression: path })]);
      holder.reference = `${m[1]}/${ids[0]}`;
    }
  }
}

/**
 * The resources of `written` of that type that a conditional reference's criteria select, when they are identifier
 * criteria only (`identifier=system|value`, `identifier=value`, each AND-ed, commas OR-ed); none otherwise.
 */
function writtenMatches(type: string, criteria: URLSearchParams, written: readonly Resource[]): string[] {
  const pairs = [...criteria];
  if (pairs.length === 0 || pairs.some(([k]) => k !== 'identifier')) return [];
  const holds = (r: Resource, token: string) => {
    const bar = token.indexOf('|');
    const [system, value] = bar < 0 ? [undefined, token] : [token.slice(0, bar), token.slice(bar + 1)];
    return ((r.identifier ?? []) as { system?: string; value?: string }[]).some((i) => i.value === value && (system === undefined || (system === '' ? !i.system : i.system === system)));
  };
  return written.filter((r) => r.resourceType === type && pairs.every(([, v]) => v.split(',').some((t) => holds(r, t)))).map((r) => r.id!);
}

/** The response entry of an interaction; the return preference (`Prefer: return=…`) applies to writes only. */
function responseEntry(req: FhirRequest, res: FhirResponse, method: Method, fullUrl?: string): BundleEntry {
  const location = res.headers.Location ?? res.headers['Content-Location'];
  const relative = location?.startsWith(`${req.baseUrl}/`) ? location.slice(req.baseUrl.length + 1) : location;
  const response: NonNullable<BundleEntry['response']> = { status: statusLine(res.status) };
  if (relative) response.location = relative;
  if (res.headers.ETag) response.etag = res.headers.ETag;
  const body = res.body as Resource | undefined;
  const lastUpdated = body?.resourceType !== 'OperationOutcome' ? body?.meta?.lastUpdated : undefined;
  if (lastUpdated) response.lastModified = lastUpdated;
  else if (res.headers['Last-Modified']) response.lastModified = toInstant(res.headers['Last-Modified']);
  const entry: BundleEntry = {};
  const prefer = req.headers.prefer ?? '';
  const own = body && !Array.isArray(body) && typeof body.id === 'string' && body.resourceType !== 'Bundle' && body.resourceType !== 'OperationOutcome' ? `${req.baseUrl}/${body.resourceType}/${body.id}` : undefined;
  const resourceUrl = fullUrl ?? (relative ? `${req.baseUrl}/${relative.replace(/\/_history\/.*$/, '')}` : own);
  if (resourceUrl && body?.resourceType !== 'OperationOutcome') entry.fullUrl = resourceUrl;
  const write = method === 'POST' || method === 'PUT' || method === 'PATCH';
  if (body && !Array.isArray(body)) {
    if (body.resourceType === 'OperationOutcome') response.outcome = body;
    else if (!write) entry.resource = body;
    else if (/return=OperationOutcome/i.test(prefer)) response.outcome = { resourceType: 'OperationOutcome', issue: [issue('informational', 'Opération réussie', { severity: 'information' })] };
    else if (!/return=minimal/.test(prefer)) entry.resource = body;
  }
  entry.response = response;
  return entry;
}

function responseBundle(type: 'batch-response' | 'transaction-response', entries: BundleEntry[]): Bundle {
  return { resourceType: 'Bundle', id: randomUUID(), type, meta: { lastUpdated: new Date().toISOString() }, ...(entries.length > 0 ? { entry: entries } : {}) };
}

/** The failure of entry `index` as the transaction's error: its issues point into the Bundle. */
function entryError(e: OutcomeError, index: number, hasResource: boolean): OutcomeError {
  return new OutcomeError(e.status, withEntry(e.outcome, index, hasResource).issue, e.headers);
}

/**
 * An entry's outcome with its issues located in the Bundle: a resource's path under `Bundle.entry[n].resource`;
 * for an entry without a resource (GET, DELETE), what its URL names (a type, a search parameter) is
 * `Bundle.entry[n].request.url`.
 */
function withEntry(o: OperationOutcome, index: number, hasResource: boolean): OperationOutcome {
  const prefix = `Bundle.entry[${index}]`;
  const located = (x: string) => {
    if (x.startsWith('Bundle.')) return x;
    if (hasResource && /^[A-Z][A-Za-z]*(?=\.|$)/.test(x)) return x.replace(/^[A-Z][A-Za-z]*(?=\.|$)/, `${prefix}.resource`);
    return `${prefix}.request.url`;
  };
  const issues: OperationOutcomeIssue[] = o.issue.map((i) => {
    const expression = i.expression?.length ? [...new Set(i.expression.map(located))] : [prefix];
    const diagnostics = i.diagnostics ? (i.diagnostics.startsWith(`Entrée ${index} : `) ? i.diagnostics : `Entrée ${index} : ${i.diagnostics}`) : undefined;
    return { ...i, expression, ...(diagnostics ? { diagnostics } : {}), ...(i.details?.text && diagnostics ? { details: { ...i.details, text: diagnostics } } : {}) };
  });
  return { resourceType: 'OperationOutcome', issue: issues };
}

function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}

function toInstant(httpDateOrInstant: string): string {
  return /^\d{4}-/.test(httpDateOrInstant) ? httpDateOrInstant : new Date(httpDateOrInstant).toISOString();
}

