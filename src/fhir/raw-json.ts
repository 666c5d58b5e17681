import type { Resource } from './types.ts';

/**
 * A stored resource as its JSON text, spliced verbatim into a response: a search page with its include tail is
 * hundreds of resources (1.7 MB for a national UC4 page), and parsing them from the database only to serialise them
 * again cost a large share of the search (in a probe, `JSON.parse` of such a page 7.4–12.7 ms, `JSON.stringify` 5.0–5.5 ms). The text comes from SQL
 * (`resourceJsonSql`), `resourceType` first; the other elements keep the stored (jsonb) order.
 *
 * `toJSON` parses, so a RawResource inside any object given to `JSON.stringify` still serialises right;
 * `toFhirJson` is the fast path used by the HTTP layer.
 */
export class RawResource {
  constructor(
    readonly resourceType: string,
    readonly id: string,
    readonly json: string,
  ) {}

  parse(): Resource {
    return JSON.parse(this.json) as Resource;
  }

  toJSON(): unknown {
    return this.parse();
  }
}

/**
 * SQL for the JSON text of the content of resource row `alias`, with `resourceType` first (jsonb sorts keys by
 * length, so `id` comes next). A stored content always has its `id` and `meta`, so the rest is never empty.
 */
export function resourceJsonSql(alias: string): string {
  return `'{"resourceType":' || to_json(${alias}.res_type)::text || ',' || substr((${alias}.content - 'resourceType')::text, 2)`;
}

/**
 * JSON text of a response body. RawResource texts are spliced where they stand: as the body, as the resource of a
 * Bundle entry, or deeper in a Bundle carried by an entry (a batch answering a search). Everything else is
 * `JSON.stringify`.
 */
export function toFhirJson(body: unknown): string {
  if (body instanceof RawResource) return body.json;
  if (!isBundleWithEntries(body)) return JSON.stringify(body);
  const parts: string[] = [];
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined) continue;
    if (k !== 'entry') {
      parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
      continue;
    }
    const entries = (v as unknown[]).map((e) => {
      if (!e || typeof e !== 'object') return JSON.stringify(e) ?? 'null';
      const fields: string[] = [];
      for (const [ek, ev] of Object.entries(e as Record<string, unknown>)) {
        if (ev === undefined) continue;
        fields.push(`${JSON.stringify(ek)}:${ek === 'resource' ? toFhirJson(ev) : JSON.stringify(ev)}`);
      }
      return `{${fields.join(',')}}`;
    });
    parts.push(`"entry":[${entries.join(',')}]`);
  }
  return `{${parts.join(',')}}`;
}

function isBundleWithEntries(v: unknown): v is { resourceType: 'Bundle'; entry: unknown[] } {
  return !!v && typeof v === 'object' && (v as { resourceType?: unknown }).resourceType === 'Bundle' && Array.isArray((v as { entry?: unknown }).entry);
}

/**
 * A RawResource where a Bundle entry takes a Resource. Only the HTTP path asks for raw results (`search(…, { raw:
 * true })`) and only reads `resourceType` and `id` of them before `toFhirJson`; any other reader gets parsed
 * resources.
 */
export function asEntryResource(raw: RawResource): Resource {
  return raw as unknown as Resource;
}
