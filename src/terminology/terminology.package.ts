import { z } from 'zod';

/**
 * The product's own format for shipped nomenclatures ("ror-terminology/1"): one package = code systems
 * (codes and displays), system aliases and value sets. Written by scripts/derive-nos.ts, read by the loader.
 */
const concept = z.tuple([z.string().min(1), z.string()]);

export const packageSchema = z.object({
  format: z.literal('ror-terminology/1'),
  /** Stable package name: one row in terminology_package, replaced as a whole by a newer release. */
  package: z.string().regex(/^[a-z0-9-]+$/),
  /** Sortable release (YYYYMMDDhhmmss of the newest source): an older release never overwrites a newer one. */
  release: z.string().regex(/^\d{14}$/),
  codeSystems: z.array(
    z.object({
      url: z.string().url(),
      name: z.string().min(1),
      title: z.string().optional(),
      version: z.string().optional(),
      concepts: z.array(concept),
    }),
  ),
  /** alias URL → canonical code system URL of this package (e.g. TRE_R13-Commune → TRE_R13-CommuneOM). */
  systemAliases: z.record(z.string().url(), z.string().url()),
  valueSets: z.array(
    z.object({
      url: z.string().url(),
      name: z.string().min(1),
      title: z.string().optional(),
      version: z.string().min(1),
      status: z.string().optional(),
      date: z.string().optional(),
      description: z.string().optional(),
      /** codes absent = the whole code system. */
      include: z.array(z.object({ system: z.string().url(), codes: z.array(z.string().min(1)).optional() })).min(1),
    }),
  ),
});

export type TerminologyPackage = z.infer<typeof packageSchema>;

/** Parses and checks a package: every value-set member and alias must point to a concept/code system of it. */
export function parsePackage(json: unknown): TerminologyPackage {
  const pkg = packageSchema.parse(json);
  const systems = new Map(pkg.codeSystems.map((cs) => [cs.url, new Set(cs.concepts.map(([code]) => code))]));
  if (systems.size !== pkg.codeSystems.length) throw new Error(`${pkg.package} : système de codes en double`);
  for (const cs of pkg.codeSystems) {
    if (systems.get(cs.url)!.size !== cs.concepts.length) throw new Error(`${pkg.package} : code en double dans ${cs.url}`);
  }
  for (const [alias, target] of Object.entries(pkg.systemAliases)) {
    if (!systems.has(target)) throw new Error(`${pkg.package} : alias ${alias} vers un système absent ${target}`);
  }
  const vsUrls = new Set<string>();
  for (const vs of pkg.valueSets) {
    if (vsUrls.has(vs.url)) throw new Error(`${pkg.package} : jeu de valeurs en double ${vs.url}`);
    vsUrls.add(vs.url);
    for (const inc of vs.include) {
      const codes = systems.get(inc.system);
      if (!codes) throw new Error(`${vs.name} : système ${inc.system} absent du paquet`);
      for (const code of inc.codes ?? []) if (!codes.has(code)) throw new Error(`${vs.name} : code ${code} absent de ${inc.system}`);
    }
  }
  return pkg;
}
