import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { toFhirJson } from '../fhir/raw-json.ts';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import { SYSTEM_ACTOR } from '../directory/directory.service.ts';
import { capabilityStatement, type CapabilityInput } from '../fhir/capability.ts';
import { issue, isOutcomeError, outcome, OutcomeError } from '../fhir/outcome.ts';
import { FhirRest, queryPairs, type FhirRequest, type FhirResponse, type Repository, type SearchEngine } from '../fhir/rest.ts';
import { NATIONAL_BASE_PATHS } from '../fhir/bases.ts';
import { isResourceType } from '../fhir/types.ts';
import { VERSION } from '../version.ts';
import { TERMINOLOGY_CAPABILITIES, type TerminologyCapabilitiesBuilder } from '../terminology/terminology.routes.ts';

export interface AppDeps {
  config: Config;
  db: Db;
  repository: Repository;
  searchEngine: SearchEngine;
  searchParams: (type: string) => { name: string; type: string; definition?: string; documentation?: string }[];
  /** _include and _revinclude values the search engine accepts, per resource type. */
  searchIncludes?: (type: string) => string[];
  searchRevIncludes?: (type: string) => string[];
  systemSearchParams?: CapabilityInput['systemSearchParams'];
  /** Extra routes of other modules (terminology operations, imports…), registered under the FHIR base. */
  plugins?: ((app: FastifyInstance, ctx: { baseUrl: (req: FastifyRequest) => string }) => void | Promise<void>)[];
  /** Types served only through the operations of a plugin, declared in the CapabilityStatement. */
  operationResources?: CapabilityInput['operationResources'];
  /** System-level operations of plugins (`$export`), declared in the CapabilityStatement. */
  operations?: CapabilityInput['operations'];
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const NATIONAL_BASES = new RegExp(`^/(?:${NATIONAL_BASE_PATHS.join('|')})(?=/|\\?|$)`);
const JSON_TYPES = ['application/fhir+json', 'application/json', 'application/json-patch+json', 'application/json+fhir'];

/** Requests to answer as application/json rather than application/fhir+json (see answerType). */
const plainJson = new WeakSet<FastifyRequest>();

/** Builds the HTTP application; listening happens elsewhere (server/main.ts), tests use app.inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: deps.config.bodyLimit,
    logger: deps.config.logLevel === 'silent' ? false : { level: deps.config.logLevel },
    genReqId: (req) => (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].length <= 128 ? req.headers['x-request-id'] : randomUUID()),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    // The national ROR serves the same FHIR API under several base paths; accept them as aliases of /fhir.
    rewriteUrl: (req) => (req.url ?? '/').replace(NATIONAL_BASES, '/fhir'),
  });
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('X-Request-Id', req.id);
    // A client that refused application/fhir+json (q=0) but takes application/json gets the same body as that.
    if (plainJson.has(req) && String(reply.getHeader('content-type') ?? '').startsWith('application/fhir+json')) {
      reply.header('content-type', 'application/json; charset=utf-8');
    }
    // `_pretty=true`: indented for a human reader (stored texts are compact), on every JSON answer, errors included.
    if (typeof payload === 'string' && req.url.includes('_pretty=true') && /json/.test(String(reply.getHeader('content-type') ?? '')) && new URLSearchParams(req.url.split('?')[1] ?? '').get('_pretty') === 'true') {
      try {
        return JSON.stringify(JSON.parse(payload), null, 2);
      } catch {
        return payload;
      }
    }
    return payload;
  });
  const rest = new FhirRest(deps.repository, deps.searchEngine);

  // Only JSON bodies are accepted; anything else is 415 (Fastify's own error, mapped below).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(new OutcomeError(400, [issue('structure', `JSON mal formé : ${(e as Error).message}`)]), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (isOutcomeError(err)) return sendOutcome(reply, err.status, err.outcome, err.headers);
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      req.log.error({ err, reqId: req.id }, 'unexpected error');
      return sendOutcome(reply, 500, outcome([issue('exception', `Erreur interne du serveur (requête ${req.id})`)]));
    }
    const messages: Record<string, [string, Parameters<typeof issue>[0]]> = {
      FST_ERR_CTP_INVALID_MEDIA_TYPE: [`Type de contenu non pris en charge : « ${req.headers['content-type'] ?? ''} » (application/fhir+json attendu)`, 'not-supported'],
      FST_ERR_CTP_BODY_TOO_LARGE: [`Corps de requête trop volumineux (limite ${deps.config.bodyLimit} octets)`, 'too-long'],
      FST_ERR_CTP_EMPTY_JSON_BODY: ['Corps JSON vide', 'structure'],
      FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['Content-Length ne correspond pas au corps reçu', 'structure'],
    };
    const [text, code] = messages[err.code ?? ''] ?? [err.message, 'invalid'];
    return sendOutcome(reply, status, outcome([issue(code, text)]));
  });
  // Known paths with a method they do not take are answered 405 by the onRequest hook below.
  app.setNotFoundHandler((req, reply) =>
    sendOutcome(reply, 404, outcome([issue('not-found', `Aucune route pour ${req.method} ${req.url.split('?')[0]}`)])),
  );

  const baseUrl = (req: FastifyRequest) => deps.config.baseUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.headers.host ?? `${deps.config.host}:${deps.config.port}`}/fhir`;
  const toFhir = (req: FastifyRequest): FhirRequest => {
    const query = queryPairs(req.url);
    if (typeof req.body === 'string' && req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
      query.push(...new URLSearchParams(req.body));
    }
    return {
      actor: SYSTEM_ACTOR,
      baseUrl: baseUrl(req),
      headers: req.headers as Record<string, string | undefined>,
      query,
      body: req.body,
      contentType: req.headers['content-type'],
    };
  };
  const send = (reply: FastifyReply, res: FhirResponse) => {
    reply.code(res.status).headers(res.headers);
    if (res.body === undefined) return reply.send();
    return reply.type(FHIR_JSON).send(toFhirJson(res.body));
  };
  const formatCheck = (req: FastifyRequest) => {
    const fmt = new URLSearchParams(req.url.split('?')[1] ?? '').get('_format');
    if (fmt) {
      // `_format` overrides Accept (FHIR R4 http.html §3.1.0.1.7).
      if (!isJsonMediaType(fmt, true)) throw new OutcomeError(406, [issue('not-supported', `Format non pris en charge : « ${fmt} » (seul JSON FHIR R4 est servi)`, { expression: '_format' })]);
      return;
    }
    const accept = req.headers.accept;
    // Bulk-export files are NDJSON (docs/export.md).
    const ndjson = req.url.startsWith('/fhir/$export-file/');
    const answer = accept ? answerType(accept, ndjson) : 'application/fhir+json';
    if (!answer) {
      throw new OutcomeError(406, [issue('not-supported', `Aucune représentation acceptable pour Accept: ${accept} (application/fhir+json, FHIR 4.0)`)]);
    }
    if (answer === 'application/json') plainJson.add(req);
    const contentType = req.headers['content-type'];
    if (contentType && /fhirVersion/i.test(contentType) && !isJsonMediaType(contentType, false)) {
      throw new OutcomeError(415, [issue('not-supported', `Version FHIR non prise en charge : « ${contentType} » (FHIR 4.0 seulement)`)]);
    }
  };
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/fhir')) return;
    // A known FHIR path with a method it does not take: 405 with Allow (before the generic /fhir/:type routes
    // read `metadata` or `_history` as a resource type).
    const path = req.url.split('?')[0]!;
    const allow = allowedMethods(path);
    if (allow && !allow.includes(req.method) && !(req.method === 'HEAD' && allow.includes('GET'))) {
      throw new OutcomeError(405, [issue('not-supported', `Méthode ${req.method} non prise en charge sur ${path} (méthodes possibles : ${allow.join(', ')})`)], { Allow: allow.join(', ') });
    }
    formatCheck(req);
  });

  app.get('/health', async (_req, reply) => {
    await deps.db.query('SELECT 1');
    return reply.send({ status: 'ok', database: deps.db.kind, version: VERSION });
  });

  // Batch and transaction Bundles (not in the IG's CapabilityStatement; declared in ours).
  app.post('/fhir', async (req, reply) => send(reply, await rest.bundle(toFhir(req))));

  type P = { type: string; id: string; vid: string };
  app.get('/fhir/metadata', async (req, reply) => {
    // mode=terminology: the TerminologyCapabilities built by the terminology plugin (R4 "capabilities" interaction).
    const mode = new URLSearchParams(req.url.split('?')[1] ?? '').get('mode');
    if (mode === 'terminology' && app.hasDecorator(TERMINOLOGY_CAPABILITIES)) {
      const build = (app as unknown as Record<string, TerminologyCapabilitiesBuilder>)[TERMINOLOGY_CAPABILITIES]!;
      return send(reply, { status: 200, headers: {}, body: build({ baseUrl: baseUrl(req), version: VERSION }) });
    }
    return send(reply, { status: 200, headers: {}, body: capabilityStatement({ baseUrl: baseUrl(req), version: VERSION, searchParams: deps.searchParams, searchIncludes: deps.searchIncludes, searchRevIncludes: deps.searchRevIncludes, systemSearchParams: deps.systemSearchParams, operationResources: deps.operationResources, operations: deps.operations }) });
  });
  app.get('/fhir/_history', async (req, reply) => send(reply, await rest.history(toFhir(req))));
  app.get<{ Params: P }>('/fhir/:type', async (req, reply) => send(reply, await rest.search(toFhir(req), req.params.type)));
  app.post<{ Params: P }>('/fhir/:type/_search', async (req, reply) => send(reply, await rest.search(toFhir(req), req.params.type)));
  app.post<{ Params: P }>('/fhir/:type', async (req, reply) => send(reply, await rest.create(toFhir(req), req.params.type)));
  app.put<{ Params: P }>('/fhir/:type', async (req, reply) => send(reply, await rest.conditionalUpdate(toFhir(req), req.params.type)));
  app.patch<{ Params: P }>('/fhir/:type', async (req, reply) => send(reply, await rest.conditionalPatch(toFhir(req), req.params.type)));
  app.delete<{ Params: P }>('/fhir/:type', async (req, reply) => send(reply, await rest.conditionalDelete(toFhir(req), req.params.type)));
  app.get<{ Params: P }>('/fhir/:type/_history', async (req, reply) => send(reply, await rest.history(toFhir(req), req.params.type)));
  app.get<{ Params: P }>('/fhir/:type/:id', async (req, reply) => send(reply, await rest.read(toFhir(req), req.params.type, req.params.id)));
  app.put<{ Params: P }>('/fhir/:type/:id', async (req, reply) => send(reply, await rest.update(toFhir(req), req.params.type, req.params.id)));
  app.patch<{ Params: P }>('/fhir/:type/:id', async (req, reply) => send(reply, await rest.patch(toFhir(req), req.params.type, req.params.id)));
  app.delete<{ Params: P }>('/fhir/:type/:id', async (req, reply) => send(reply, await rest.delete(toFhir(req), req.params.type, req.params.id)));
  app.get<{ Params: P }>('/fhir/:type/:id/_history', async (req, reply) =>
    send(reply, await rest.history(toFhir(req), req.params.type, req.params.id)),
  );
  app.get<{ Params: P }>('/fhir/:type/:id/_history/:vid', async (req, reply) =>
    send(reply, await rest.vread(toFhir(req), req.params.type, req.params.id, req.params.vid)),
  );

  for (const plugin of deps.plugins ?? []) await plugin(app, { baseUrl });
  return app;
}

/**
 * A JSON media type this server serves (application/fhir+json, application/json, the legacy application/json+fhir;
 * with `_format`, also `json`), whose `fhirVersion` parameter, if any, is 4.0.
 */
function isJsonMediaType(value: string, formatParam: boolean): boolean {
  // An unencoded `+` in `_format=application/fhir+json` arrives as a space.
  const [type, ...params] = (formatParam ? value.replace(/ /g, '+') : value).split(';').map((x) => x.trim().toLowerCase());
  if (!(type === 'application/fhir+json' || type === 'application/json' || type === 'application/json+fhir' || (formatParam && type === 'json'))) return false;
  return params.every((p) => !p.startsWith('fhirversion=') || /^fhirversion="?4\.0(\.\d+)?"?$/.test(p));
}

/**
 * The JSON media type to answer an Accept header with: application/fhir+json when it admits it (listed, or through
 * `*\/*` / `application/*`, with q > 0 and not refused by a `q=0` of its own), else application/json when that is
 * admitted; undefined when neither is (406). With `ndjson` (bulk-export files), NDJSON types are admitted too.
 */
function answerType(accept: string, ndjson = false): 'application/fhir+json' | 'application/json' | undefined {
  const ranges = accept.split(',').map((range) => {
    const [type = '', ...params] = range.split(';').map((x) => x.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return { type, q: q === undefined ? 1 : Number(q.slice(2)), rest: params.filter((p) => !p.startsWith('q=')) };
  });
  const refused = new Set(ranges.filter((r) => !(r.q > 0)).map((r) => r.type));
  const admitted = ranges.filter((r) => r.q > 0);
  const wildcard = admitted.some((r) => r.type === '*/*' || r.type === 'application/*');
  if (ndjson && admitted.some((r) => r.type === 'application/fhir+ndjson' || r.type === 'application/ndjson' || r.type === 'application/x-ndjson')) return 'application/fhir+json';
  const listed = (types: string[]) => admitted.some((r) => types.includes(r.type) && isJsonMediaType([r.type, ...r.rest].join(';'), false));
  if (listed(['application/fhir+json', 'application/json+fhir']) || (wildcard && !refused.has('application/fhir+json'))) return 'application/fhir+json';
  if (listed(['application/json']) || (wildcard && !refused.has('application/json'))) return 'application/json';
  return undefined;
}

/** Segments of the FHIR API's paths (after /fhir) and the methods each accepts, for 405 answers. */
const TYPE = /^[A-Z][A-Za-z]+$/;
const PATH_METHODS: { match: (s: string[]) => boolean; methods: string[] }[] = [
  { match: (s) => s.length === 0, methods: ['POST'] },
  { match: (s) => s.length === 1 && (s[0] === 'metadata' || s[0] === '_history'), methods: ['GET'] },
  { match: (s) => s.length === 1 && s[0] === '$export', methods: ['GET', 'POST'] },
  { match: (s) => s.length === 1 && s[0] === '$export-poll-status', methods: ['GET', 'DELETE'] },
  { match: (s) => s.length === 3 && s[0] === '$export-file', methods: ['GET'] },
  { match: (s) => s.length === 1 && isResourceType(s[0]!), methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
  // Operations on a type or an instance: the terminology operations, the type-level $export.
  { match: (s) => (s.length === 2 || s.length === 3) && TYPE.test(s[0]!) && s[s.length - 1]!.startsWith('$'), methods: ['GET', 'POST'] },
  { match: (s) => s.length === 2 && isResourceType(s[0]!) && s[1] === '_search', methods: ['POST'] },
  { match: (s) => s.length === 2 && isResourceType(s[0]!) && s[1] === '_history', methods: ['GET'] },
  { match: (s) => s.length === 2 && isResourceType(s[0]!) && !s[1]!.startsWith('$') && !s[1]!.startsWith('_'), methods: ['GET', 'PUT', 'PATCH', 'DELETE'] },
  { match: (s) => s.length === 3 && isResourceType(s[0]!) && s[2] === '_history', methods: ['GET'] },
  { match: (s) => s.length === 4 && isResourceType(s[0]!) && s[2] === '_history', methods: ['GET'] },
];

/** Methods the FHIR route of `path` accepts, when the path exists but not for the request's method. */
function allowedMethods(path: string): string[] | undefined {
  const m = /^\/fhir(\/.*)?$/.exec(path.replace(/\/+$/, ''));
  if (!m) return undefined;
  const segments = (m[1] ?? '').split('/').filter(Boolean);
  return PATH_METHODS.find((p) => p.match(segments))?.methods;
}

function sendOutcome(reply: FastifyReply, status: number, body: unknown, headers: Record<string, string> = {}) {
  return reply.code(status).headers(headers).type(FHIR_JSON).send(JSON.stringify(body));
}

