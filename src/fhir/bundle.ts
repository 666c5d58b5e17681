import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { badRequest, isOutcomeError, issue, notFound, OutcomeError, preconditionFailed, type OperationOutcome, type OperationOutcomeIssue } from './outcome.ts';
import { ownBases, stripOwnBase } from './bases.ts';
import { referenceHolders } from './references.ts';
import { checkBody, etagOf, ifMatch, type FhirRequest, type FhirResponse, type FhirRest, type Repository, type TransactionWrite } from './rest.ts';
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

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

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
  const entries = rawEntries.map((e, index) => parseEntry(req, e, index));
  return transaction(rest, repo, req, entries);
}

/** Each entry on its own: an error is that entry's response, the others go on. */
async function batch(rest: FhirRest, req: FhirRequest, rawEntries: unknown[]): Promise<FhirResponse> {
  const out: BundleEntry[] = new Array(rawEntries.length);
  let next = 0;
  const worker = async () => {
    while (next < rawEntries.length) {
      const index = next++;
      try {
        const entry = parseEntry(req, rawEntries[index], index);
        if (entry.resource && entry.method === 'POST') delete entry.resource.id;
        out[index] = responseEntry(req, await run(rest, req, entry));
      } catch (e) {
        if (!isOutcomeError(e)) throw e;
        out[index] = { response: { status: statusLine(e.status), outcome: withEntry(e.outcome, index) } };
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
      throw isOutcomeError(e) ? entryError(e, entry.index) : e;
    }
  };
  // 1. Where each write lands: ids of creates, conditional URLs resolved against current data.
  const writes: { entry: ParsedEntry; write: TransactionWrite | null; existing?: string }[] = [];
  const fullUrls = new Map<string, string>();
  // A fullUrl on this server's base is also reached by its relative form: references on our base are made
  // relative before resolution (localReferences).
  const bases = ownBases(req.baseUrl);
  const mapFullUrl = (fullUrl: string, target: string) => {
    fullUrls.set(fullUrl, target);
    const relative = stripOwnBase(fullUrl, bases);
    if (relative !== undefined) fullUrls.set(relative, target);
  };
  for (const entry of entries.filter((e) => e.method !== 'GET')) {
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
              if (entry.fullUrl) mapFullUrl(entry.fullUrl, `${entry.type}/${found[0]}`);
              writes.push({ entry, write: null, existing: found[0]! });
              return;
            }
          }
          resource.id = randomUUID();
          if (entry.fullUrl) mapFullUrl(entry.fullUrl, `${entry.type}/${resource.id}`);
          writes.push({ entry, write: { kind: 'create', resource: resource as Resource & { id: string } } });
          return;
        }
        case 'PUT': {
          const resource = checkBody(entry.resource, entry.type, req.baseUrl);
          if (conditional && matches.length > 1) throw preconditionFailed(`Mise à jour conditionnelle : ${matches.length} ressources correspondent aux critères`, 'multiple-matches');
          const id = conditional ? (matches[0] ?? (typeof resource.id === 'string' ? resource.id : randomUUID())) : entry.id!;
          if (resource.id !== undefined && resource.id !== id) {
            throw badRequest(`L'id de la ressource (« ${String(resource.id)} ») ne correspond pas à l'URL (${entry.url})`, `${entry.type}.id`);
          }
          resource.id = id;
          if (entry.fullUrl) mapFullUrl(entry.fullUrl, `${entry.type}/${id}`);
          writes.push({ entry, write: { kind: 'update', resource: resource as Resource & { id: string }, ifMatch: ifMatch(entry).ifMatch } });
          return;
        }
        case 'PATCH': {
          if (conditional && matches.length === 0) throw notFound(`Aucun ${entry.type} ne correspond aux critères ${new URLSearchParams(entry.query).toString()}`, entry.type);
          if (conditional && matches.length > 1) throw preconditionFailed(`${matches.length} ressources ${entry.type} correspondent aux critères`, 'multiple-matches');
          const change = rest.patchChange({ ...req, body: entry.resource, contentType: entry.contentType, query: [] });
          writes.push({ entry, write: { kind: 'patch', resourceType: entry.type, id: conditional ? matches[0]! : entry.id!, change, ifMatch: ifMatch(entry).ifMatch } });
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
  for (const w of writes) {
    if (w.write?.kind !== 'create' && w.write?.kind !== 'update') continue;
    const resource = w.write.resource;
    await at(w.entry)(() => resolveReferences(rest, resource, fullUrls));
  }
  // 3. All writes in one database transaction.
  const toWrite = writes.filter((w) => w.write !== null);
  let results: Awaited<ReturnType<Repository['transaction']>>;
  try {
    results = await repo.transaction(req.actor, toWrite.map((w) => w.write!));
  } catch (e) {
    const failed = (e as { index?: unknown; error?: unknown }).index;
    const cause = (e as { error?: unknown }).error;
    if (typeof failed === 'number' && isOutcomeError(cause)) throw entryError(cause, toWrite[failed]!.entry.index);
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
      }, `${req.baseUrl}/${version.resourceType}/${version.id}`);
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
      }, `${req.baseUrl}/${entry.type}/${w.existing}`);
    } else out[entry.index] = { response: { status: statusLine(204) } };
  }
  for (const entry of entries.filter((e) => e.method === 'GET')) {
    try {
      out[entry.index] = responseEntry(req, await run(rest, req, entry));
    } catch (e) {
      if (!isOutcomeError(e)) throw e;
      out[entry.index] = { response: { status: statusLine(e.status), outcome: withEntry(e.outcome, entry.index) } };
    }
  }
  return { status: 200, headers: {}, body: responseBundle('transaction-response', out) };
}

/** One entry as the single interaction it names (batch entries, and the reads of a transaction). */
async function run(rest: FhirRest, req: FhirRequest, e: ParsedEntry): Promise<FhirResponse> {
  const sub: FhirRequest = { ...req, headers: { ...req.headers, ...e.headers }, query: e.query, body: e.resource, contentType: e.contentType };
  const conditional = e.id === undefined && e.query.length > 0;
  switch (e.method) {
    case 'GET':
      if (e.history) return rest.history(sub, e.type, e.id);
      if (e.vid !== undefined) return rest.vread(sub, e.type, e.id!, e.vid);
      return e.id !== undefined ? rest.read(sub, e.type, e.id) : rest.search(sub, e.type);
    case 'POST':
      return rest.create(sub, e.type);
    case 'PUT':
      return conditional ? rest.conditionalUpdate(sub, e.type) : rest.update({ ...sub, query: [] }, e.type, e.id!);
    case 'PATCH':
      return conditional ? rest.conditionalPatch(sub, e.type) : rest.patch({ ...sub, query: [] }, e.type, e.id!);
    case 'DELETE':
      if (conditional) throw new OutcomeError(400, [issue('not-supported', 'DELETE conditionnel pris en charge dans une transaction seulement', { expression: `Bundle.entry[${e.index}].request.url` })]);
      return rest.delete(sub, e.type, e.id!);
  }
}

function parseEntry(req: FhirRequest, raw: unknown, index: number): ParsedEntry {
  const where = `Bundle.entry[${index}]`;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest(`${where} doit être un objet`, where);
  const e = raw as { fullUrl?: unknown; resource?: unknown; request?: Record<string, unknown> };
  const request = e.request;
  if (!request || typeof request !== 'object') throw badRequest(`${where}.request est obligatoire dans un Bundle batch ou transaction`, `${where}.request`);
  const method = request.method;
  if (method !== 'GET' && method !== 'POST' && method !== 'PUT' && method !== 'PATCH' && method !== 'DELETE') {
    throw badRequest(`${where}.request.method doit être GET, POST, PUT, PATCH ou DELETE (reçu « ${String(method)} »)`, `${where}.request.method`);
  }
  if (typeof request.url !== 'string' || request.url.trim() === '') throw badRequest(`${where}.request.url est obligatoire`, `${where}.request.url`);
  let url = request.url.trim();
  if (url.startsWith(`${req.baseUrl}/`)) url = url.slice(req.baseUrl.length + 1);
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
    (method === 'GET' && (history || vid !== undefined));
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
 * and conditional references (`Type?identifier=…`) into the one resource they match.
 */
async function resolveReferences(rest: FhirRest, resource: Resource, fullUrls: ReadonlyMap<string, string>): Promise<void> {
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
      const ids = await rest.matchConditional(m[1]!, new URLSearchParams(m[2]!));
      if (ids.length === 0) throw new OutcomeError(404, [issue('not-found', `La référence conditionnelle ${ref} ne correspond à aucune ressource`, { expression: path, rule: 'reference-not-found' })]);
      if (ids.length > 1) throw new OutcomeError(412, [issue('multiple-matches', `La référence conditionnelle ${ref} correspond à ${ids.length} ressources`, { expression: path })]);
      holder.reference = `${m[1]}/${ids[0]}`;
    }
  }
}

function responseEntry(req: FhirRequest, res: FhirResponse, fullUrl?: string): BundleEntry {
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
  const resourceUrl = fullUrl ?? (relative ? `${req.baseUrl}/${relative.replace(/\/_history\/.*$/, '')}` : undefined);
  if (resourceUrl && body?.resourceType !== 'OperationOutcome') entry.fullUrl = resourceUrl;
  if (body && !Array.isArray(body)) {
    if (body.resourceType === 'OperationOutcome') response.outcome = body;
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
function entryError(e: OutcomeError, index: number): OutcomeError {
  return new OutcomeError(e.status, withEntry(e.outcome, index).issue, e.headers);
}

function withEntry(o: OperationOutcome, index: number): OperationOutcome {
  const prefix = `Bundle.entry[${index}]`;
  const issues: OperationOutcomeIssue[] = o.issue.map((i) => {
    const expression = i.expression?.length
      ? i.expression.map((x) => (x.startsWith('Bundle.') ? x : x.replace(/^[A-Z][A-Za-z]*(?=\.|$)/, `${prefix}.resource`)))
      : [prefix];
    const diagnostics = i.diagnostics ? `Entrée ${index} : ${i.diagnostics}` : undefined;
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

