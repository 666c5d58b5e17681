import { badRequest, issue, OutcomeError } from './outcome.ts';
import type { Resource } from './types.ts';

export const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'Resource encoded in summary mode' };

/**
 * The elements FHIR R4 marks "summary" (Σ) in the base definition of each resource type the server stores
 * (Resource: id, meta, implicitRules), for `_summary=true`; and their mandatory top-level elements (min ≥ 1), which
 * `_summary=true` and `_summary=text` keep as well. Transcribed from the R4 (4.0.1) resource pages; extensions are
 * not summary elements, so a ROR resource in summary mode keeps its identity (identifiers, names, types, links) only.
 */
export const SUMMARY_ELEMENTS: Record<string, readonly string[]> = {
  Organization: ['identifier', 'active', 'type', 'name', 'partOf'],
  HealthcareService: ['identifier', 'active', 'providedBy', 'category', 'type', 'specialty', 'location', 'name', 'comment', 'photo'],
  Location: ['identifier', 'status', 'operationalStatus', 'name', 'description', 'mode', 'type', 'physicalType', 'managingOrganization'],
  Practitioner: ['identifier', 'active', 'name', 'telecom', 'address', 'gender', 'birthDate'],
  PractitionerRole: ['identifier', 'active', 'period', 'practitioner', 'organization', 'code', 'specialty', 'location', 'telecom'],
  Task: [
    'identifier', 'instantiatesCanonical', 'instantiatesUri', 'basedOn', 'groupIdentifier', 'partOf', 'status', 'statusReason', 'businessStatus',
    'intent', 'code', 'description', 'focus', 'for', 'encounter', 'executionPeriod', 'lastModified', 'requester', 'owner', 'location',
  ],
};
const MANDATORY_ELEMENTS: Record<string, readonly string[]> = { Task: ['status', 'intent'] };

/** Whether a resource carries the SUBSETTED tag: an incomplete copy (search.html#summary), never to be written back. */
export function isSubsetted(r: Resource): boolean {
  const tags = (r.meta as { tag?: unknown } | undefined)?.tag;
  return Array.isArray(tags) && tags.some((t) => !!t && typeof t === 'object' && (t as { system?: unknown }).system === SUBSETTED.system && (t as { code?: unknown }).code === SUBSETTED.code);
}

export type SummaryMode = 'true' | 'text' | 'data';

/** A `_summary` value: a summary mode, `count` (searches only), or undefined for `false`; anything else is a 400. */
export function parseSummary(value: string, allowed: readonly string[]): SummaryMode | 'count' | undefined {
  if (value === 'false') return undefined;
  if (allowed.includes(value)) return value as SummaryMode | 'count';
  throw new OutcomeError(400, [issue('not-supported', `_summary=${value} n'est pas pris en charge (${[...allowed, 'false'].join(', ')})`, { expression: '_summary' })]);
}

/** The top-level elements a subset keeps; undefined: all but the narrative (`_summary=data`, or `true` on a type without a table). */
function keptElements(resourceType: string, parsed: { elements?: string[] | undefined; summary?: SummaryMode | undefined }): Set<string> | undefined {
  const base = ['resourceType', 'id', 'meta'];
  const mandatory = MANDATORY_ELEMENTS[resourceType] ?? [];
  const summary = SUMMARY_ELEMENTS[resourceType];
  if (parsed.summary === 'true') return summary ? new Set([...base, 'implicitRules', ...summary, ...mandatory]) : undefined;
  if (parsed.summary === 'text') return new Set([...base, 'implicitRules', 'text', ...mandatory]);
  // search.html#elements: mandatory elements are returned whether asked or not.
  return parsed.elements ? new Set([...base, ...mandatory, ...parsed.elements]) : undefined;
}

/**
 * A resource restricted by `_elements` or `_summary` (true, text, data), tagged SUBSETTED (also used by read and
 * vread). `_summary=true` keeps the summary elements of the type, `text` the narrative, id, meta and mandatory
 * elements; `_elements` keeps the elements named (over `_summary=data`); `data` drops the narrative.
 */
export function subsetResource(r: Resource, parsed: { elements?: string[] | undefined; summary?: SummaryMode | undefined }): Resource {
  if (!parsed.elements && !parsed.summary) return r;
  const keep = keptElements(r.resourceType, parsed);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (keep ? keep.has(k) || keep.has(`${k.replace(/[A-Z].*$/, '')}[x]`) : k !== 'text') out[k] = v;
  }
  const meta = (out.meta ?? {}) as { tag?: unknown[] };
  out.meta = { ...meta, tag: [...(meta.tag ?? []), SUBSETTED] };
  return out as Resource;
}

/** The names of an `_elements` value (top-level elements, comma-separated), as read and search take them. */
export function parseElements(value: string): string[] {
  const names = value.split(',').map((x) => x.trim());
  if (names.some((x) => !/^[a-z][A-Za-z0-9]*(\[x\])?$/.test(x))) {
    throw badRequest(`_elements attend des noms d'éléments de premier niveau séparés par des virgules (reçu « ${value} »)`, '_elements');
  }
  return names;
}
