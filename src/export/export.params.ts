/**
 * The kick-off request of a bulk export (FHIR Bulk Data Access 2.0.0, system level `[base]/$export`, as the ROR
 * server CapabilityStatement declares it), parsed and checked before a job is accepted: a wrong parameter is a
 * 400 now, never a failed job later.
 */
import { badRequest, OutcomeError, issue } from '../fhir/outcome.ts';
import { checkSince } from '../fhir/rest.ts';
import { isResourceType, RESOURCE_TYPES } from '../fhir/types.ts';
import { matchingIdsSql } from '../search/search.service.ts';

/** What a job exports, as stored in `export_job.params`. */
export interface ExportParams {
  types: string[];
  /** Only resources whose current version was written after this instant (exclusive). */
  since?: string;
  /** Per type, the searches of its `_typeFilter`s (a resource is exported when it matches one of them). */
  typeFilters: Record<string, [string, string][][]>;
  /** `includeAssociatedData=_myCompleteExtract`: with the offers, everything they refer to (see export.store.ts). */
  associated: boolean;
}

/**
 * `_outputFormat` values accepted. The files are always NDJSON; `application/fhir+json` and `application/json` are
 * accepted as the national server accepts them (digest §4 UC2) and answered with NDJSON all the same.
 */
const OUTPUT_FORMATS = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson', 'application/fhir+json', 'application/json']);

/** The value the ROR documentation asks for: the complete related set of the offers. */
export const COMPLETE_EXTRACT = '_myCompleteExtract';

export function parseExportRequest(query: [string, string][], opts: { type?: string; lenient?: boolean } = {}): ExportParams {
  const typeFilters: Record<string, [string, string][][]> = {};
  let types: string[] | undefined = opts.type ? [opts.type] : undefined;
  let since: string | undefined;
  let associated = false;
  for (const [k, v] of query) {
    switch (k) {
      case '_outputFormat':
        if (!OUTPUT_FORMATS.has(v)) throw badRequest(`_outputFormat non pris en charge : « ${v} » (application/fhir+ndjson)`, '_outputFormat');
        break;
      case '_type': {
        const list = v.split(',').map((x) => x.trim()).filter(Boolean);
        const unknown = list.filter((x) => !isResourceType(x));
        if (unknown.length > 0) throw badRequest(`_type : type(s) non servi(s) par ce serveur : ${unknown.join(', ')} (${RESOURCE_TYPES.join(', ')})`, '_type');
        if (opts.type && list.some((x) => x !== opts.type)) throw badRequest(`_type : un export de ${opts.type} ne porte que sur ${opts.type}`, '_type');
        types = [...new Set([...(opts.type ? [] : (types ?? [])), ...list])];
        break;
      }
      case '_since':
        since = checkSince(v);
        break;
      case '_typeFilter':
        for (const filter of v.split(',').map((x) => x.trim()).filter(Boolean)) {
          const q = filter.indexOf('?');
          const type = q < 0 ? filter : filter.slice(0, q);
          if (!isResourceType(type)) throw badRequest(`_typeFilter : « ${filter} » doit être de la forme Type?critères, avec un type servi (${RESOURCE_TYPES.join(', ')})`, '_typeFilter');
          const params = [...new URLSearchParams(q < 0 ? '' : filter.slice(q + 1))] as [string, string][];
          // Checked now with the search engine's own parser: a wrong criterion is this request's 400.
          try {
            matchingIdsSql(type, params);
          } catch (e) {
            if (!(e instanceof OutcomeError)) throw e;
            throw new OutcomeError(400, e.outcome.issue.map((x) => ({ ...x, diagnostics: `_typeFilter « ${filter} » : ${x.diagnostics ?? ''}`, expression: ['_typeFilter'] })));
          }
          (typeFilters[type] ??= []).push(params);
        }
        break;
      case 'includeAssociatedData':
        for (const value of v.split(',').map((x) => x.trim())) {
          if (value !== COMPLETE_EXTRACT) throw badRequest(`includeAssociatedData : seule la valeur ${COMPLETE_EXTRACT} est prise en charge (reçu « ${value} »)`, 'includeAssociatedData');
          associated = true;
        }
        break;
      case '_format':
      case '_pretty':
        break;
      default:
        if (!opts.lenient) {
          throw new OutcomeError(400, [issue('not-supported', `Paramètre non pris en charge pour $export : « ${k} » (_outputFormat, _type, _since, _typeFilter, includeAssociatedData)`, { expression: k })]);
        }
    }
  }
  const chosen = types ?? [...RESOURCE_TYPES];
  for (const type of Object.keys(typeFilters)) {
    if (!chosen.includes(type)) throw badRequest(`_typeFilter porte sur ${type}, absent de _type (${chosen.join(', ')})`, '_typeFilter');
  }
  return { types: chosen, ...(since ? { since } : {}), typeFilters, associated };
}
