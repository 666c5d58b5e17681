import type { Value } from './search.parse.ts';

/**
 * Code systems that name the same codes under several URLs, so that a search by one finds values indexed
 * under another (docs/search.md § Equivalent systems):
 * - TRE_R13-Commune and TRE_R13-CommuneOM (the IG and the national documentation use both for the same COG
 *   codes; the terminology holds the first as an alias of the second);
 * - UCUM: `http://unitsofmeasure.org`, its `https` misspelling in the national documentation's age queries,
 *   and TRE_R247-UcumUniteMesure, the NOS table of the same units (the IG's age ranges use it).
 */
const NOS = (t: string) => `https://mos.esante.gouv.fr/NOS/${t}/FHIR/${t.replace('_', '-')}`;
const CLASSES: string[][] = [
  [NOS('TRE_R13-CommuneOM'), NOS('TRE_R13-Commune')],
  ['http://unitsofmeasure.org', 'https://unitsofmeasure.org', NOS('TRE_R247-UcumUniteMesure')],
];
const BY_SYSTEM = new Map<string, string[]>();
for (const c of CLASSES) for (const s of c) BY_SYSTEM.set(s, c);

/** The systems equivalent to `system`, itself first. */
export function equivalentSystems(system: string): string[] {
  const c = BY_SYSTEM.get(system) ?? BY_SYSTEM.get(system.replace(/\/+$/, ''));
  return c ? [system, ...c.filter((s) => s !== system)] : [system];
}

/** A token or quantity value with a system, repeated for each equivalent system (the values of a criterion are OR-ed). */
export function withEquivalentSystems(v: Value): Value[] {
  if (v.type === 'token' && v.v.kind === 'code' && typeof v.v.system === 'string') {
    const code = v.v;
    return equivalentSystems(code.system!).map((system) => ({ ...v, v: { ...code, system } }));
  }
  if (v.type === 'number' && v.system) return equivalentSystems(v.system).map((system) => ({ ...v, system }));
  return [v];
}
