import { ownBases, stripOwnBase } from './bases.ts';
import type { Resource } from './types.ts';

/**
 * Every object of a resource holding a literal `reference`, with the FHIRPath of that `reference`
 * (`Organization.partOf.reference`, `HealthcareService.location[0].reference`): what the write path rewrites.
 */
export function referenceHolders(resource: Resource): { holder: Record<string, unknown>; path: string }[] {
  const out: { holder: Record<string, unknown>; path: string }[] = [];
  const walk = (node: unknown, path: string): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((x, i) => walk(x, `${path}[${i}]`));
    const obj = node as Record<string, unknown>;
    if (typeof obj.reference === 'string') out.push({ holder: obj, path: `${path}.reference` });
    for (const [k, v] of Object.entries(obj)) if (k !== 'reference' && v && typeof v === 'object') walk(v, `${path}.${k}`);
  };
  walk(resource, resource.resourceType);
  return out;
}

const LOCAL_REFERENCE = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/**
 * Rewrites, in place, the absolute references on this server's own bases (`{base}/Organization/123`, see
 * bases.ts) to the relative form (`Organization/123`) they designate (FHIR R4 references.html §2.3.0.3): they are
 * then checked to exist, indexed for search and includes, and protect their target from deletion like any local
 * reference. References to other servers stay as written.
 */
export function localReferences<T extends Resource>(resource: T, baseUrl: string): T {
  const bases = ownBases(baseUrl);
  for (const { holder } of referenceHolders(resource)) {
    const rest = stripOwnBase(holder.reference as string, bases);
    if (rest !== undefined && LOCAL_REFERENCE.test(rest)) holder.reference = rest;
  }
  return resource;
}
