/**
 * The base paths of the national ROR's FHIR API, served here as aliases of `/fhir` (IG open question 23): the
 * diffusion API, the bed-availability synchronisation API and the anomaly reports (Task).
 */
export const NATIONAL_BASE_PATHS = ['ws-diffusion-fhir', 'ws-synchro-dispo-lits-fhir', 'anomalies'] as const;

/**
 * Every base URL designating this server, each ending with `/`: the FHIR base itself and, when it is the usual
 * `{origin}/fhir`, the national aliases on the same origin. A reference or search value starting with one of them
 * designates a local resource.
 */
export function ownBases(baseUrl: string): string[] {
  const base = baseUrl.replace(/\/$/, '');
  const out = [`${base}/`];
  if (base.endsWith('/fhir')) {
    const origin = base.slice(0, -'/fhir'.length);
    for (const p of NATIONAL_BASE_PATHS) out.push(`${origin}/${p}/`);
  }
  return out;
}

/** The part of `url` after whichever of this server's bases it starts with, or undefined. */
export function stripOwnBase(url: string, bases: readonly string[]): string | undefined {
  const b = bases.find((x) => url.startsWith(x));
  return b === undefined ? undefined : url.slice(b.length);
}
