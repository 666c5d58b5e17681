import { badRequest } from './outcome.ts';
import type { Resource } from './types.ts';

export const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'Resource encoded in summary mode' };

/** A resource restricted by `_elements` / `_summary=data`, tagged SUBSETTED (also used by read and vread). */
export function subsetResource(r: Resource, parsed: { elements?: string[] | undefined; summaryData?: boolean | undefined }): Resource {
  if (!parsed.elements && !parsed.summaryData) return r;
  const keep = parsed.elements ? new Set(['resourceType', 'id', 'meta', ...parsed.elements]) : undefined;
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
