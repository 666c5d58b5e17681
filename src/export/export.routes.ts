/**
 * HTTP routes of the bulk export (Bulk Data Access 2.0.0): kick-off at `[base]/$export` (and `[base]/{type}/$export`
 * for one type), status at `[base]/$export-poll-status?_jobId=…` (the national server's form, digest §4 UC2),
 * DELETE on it to cancel, files at `[base]/$export-file/{job}/{type}-{n}.ndjson` (and `{type}-deleted-{n}.ndjson`).
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, issue, notFound, outcome, OutcomeError } from '../fhir/outcome.ts';
import { queryPairs } from '../fhir/rest.ts';
import { isResourceType } from '../fhir/types.ts';
import { parseExportRequest } from './export.params.ts';
import type { ExportService } from './export.service.ts';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const NDJSON = 'application/fhir+ndjson';

/** Operation declared in the CapabilityStatement (`rest.operation`), as the IG's ror-serveur declares it. */
export const EXPORT_OPERATION = {
  name: 'export',
  definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export|2.0.0',
  documentation:
    'Export asynchrone (Bulk Data 2.0) : _type, _since, _typeFilter, includeAssociatedData=_myCompleteExtract (les offres avec leurs organisations et celles au-dessus, leurs lieux, leurs situations opérationnelles et leurs professionnels) ; fichiers NDJSON ; suivi sur $export-poll-status?_jobId=…',
};

export function exportRoutes(exports: ExportService) {
  return (app: FastifyInstance, ctx: { baseUrl: (req: FastifyRequest) => string }): void => {
    const kickOff = async (req: FastifyRequest, reply: FastifyReply, type?: string) => {
      const lenient = /handling\s*=\s*lenient/i.test(String(req.headers.prefer ?? ''));
      const params = parseExportRequest([...queryPairs(req.url), ...parametersOf(req.body)], { ...(type ? { type } : {}), lenient });
      const base = ctx.baseUrl(req);
      const id = await exports.kickOff(`${base}${req.url.replace(/^\/fhir/, '')}`, params);
      const status = `${base}/$export-poll-status?_jobId=${id}`;
      return reply
        .code(202)
        .header('Content-Location', status)
        .type(FHIR_JSON)
        .send(JSON.stringify(outcome([issue('informational', `Export accepté : suivre ${status}`, { severity: 'information' })])));
    };
    app.get('/fhir/$export', (req, reply) => kickOff(req, reply));
    app.post('/fhir/$export', (req, reply) => kickOff(req, reply));
    const typed = async (req: FastifyRequest<{ Params: { type: string } }>, reply: FastifyReply) => {
      const { type } = req.params;
      if (!isResourceType(type)) throw notFound(`Type de ressource inconnu : ${type}`, type);
      return kickOff(req, reply, type);
    };
    app.get<{ Params: { type: string } }>('/fhir/:type/$export', typed);
    app.post<{ Params: { type: string } }>('/fhir/:type/$export', typed);

    const jobOf = async (req: FastifyRequest) => {
      const id = queryPairs(req.url).find(([k]) => k === '_jobId')?.[1];
      if (!id) throw badRequest('_jobId manquant (URL donnée par Content-Location au lancement de l\'export)', '_jobId');
      const job = await exports.status(id);
      if (!job) throw notFound(`Export inconnu ou expiré : ${id}`);
      return job;
    };
    app.get('/fhir/$export-poll-status', async (req, reply) => {
      const job = await jobOf(req);
      if (job.status === 'accepted' || job.status === 'in-progress') {
        return reply.code(202).header('X-Progress', job.status === 'accepted' ? 'en attente' : 'en cours').header('Retry-After', '2').send();
      }
      if (job.status === 'failed') {
        throw new OutcomeError(500, [issue('exception', `L'export ${job.id} a échoué : ${job.error ?? 'erreur inconnue'}`)]);
      }
      const manifest = await exports.manifest(job, `${ctx.baseUrl(req)}/$export-file/${job.id}`);
      return reply.code(200).header('Expires', exports.expiresAt(job).toUTCString()).type('application/json; charset=utf-8').send(JSON.stringify(manifest));
    });
    app.delete('/fhir/$export-poll-status', async (req, reply) => {
      const job = await jobOf(req);
      await exports.cancel(job.id);
      return reply.code(202).type(FHIR_JSON).send(JSON.stringify(outcome([issue('informational', `Export ${job.id} annulé, fichiers supprimés`, { severity: 'information' })])));
    });

    app.get<{ Params: { job: string; file: string } }>('/fhir/$export-file/:job/:file', async (req, reply) => {
      // Parts are numbered from 1; a number the manifest cannot hold (0, leading zeros, over 9 digits) names no file.
      const m = /^([A-Za-z]+)(-deleted)?-([1-9]\d{0,8})\.ndjson$/.exec(req.params.file);
      const job = await exports.status(req.params.job);
      if (!m || !job || job.status !== 'completed') throw notFound(`Fichier d'export inconnu ou expiré : ${req.params.job}/${req.params.file}`);
      const lines = await exports.file(job, m[1]!, Number(m[3]) - 1, m[2] !== undefined);
      if (!lines) throw notFound(`Fichier d'export inconnu : ${req.params.job}/${req.params.file}`);
      return reply.code(200).header('Expires', exports.expiresAt(job).toUTCString()).type(NDJSON).send(Readable.from(lines));
    });
  };
}

/** A POST kick-off's Parameters resource as query pairs (valueString, valueInstant, valueCode…). */
function parametersOf(body: unknown): [string, string][] {
  if (body === undefined || body === null || body === '') return [];
  const p = body as { resourceType?: string; parameter?: Record<string, unknown>[] };
  if (p.resourceType !== 'Parameters') throw badRequest('Le corps d\'un $export POST doit être une ressource Parameters');
  return (p.parameter ?? []).map((x) => {
    const value = Object.entries(x).find(([k]) => k.startsWith('value'))?.[1];
    if (typeof x.name !== 'string' || (typeof value !== 'string' && typeof value !== 'number')) throw badRequest('Parameters : chaque paramètre a un nom et une valeur simple', 'Parameters.parameter');
    return [x.name, String(value)];
  });
}
