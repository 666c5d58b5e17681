/**
 * Région of a département (TRE_R30-RegionOM codes, the JDV_J237-RegionOM-ROR value set of the `meta.tag`
 * codeRegion slice). Derived from the COG (INSEE, millésime 2026) as published by `@etalab/decoupage-administratif`
 * (departements.json: département → région); Saint-Barthélemy and Saint-Martin, filed under Guadeloupe by FINESS,
 * belong to Guadeloupe's ARS. Saint-Pierre-et-Miquelon, Wallis-et-Futuna and the other collectivités have no
 * code in JDV_J237: no région.
 */
export const REGION_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM';

/** Display of each code, as JDV_J237 writes it. */
export const REGIONS: Record<string, string> = {
  '01': 'Guadeloupe',
  '02': 'Martinique',
  '03': 'Guyane',
  '04': 'La Réunion',
  '06': 'Mayotte',
  '11': 'Ile-de-france',
  '24': 'Centre-Val-de-Loire',
  '27': 'Bourgogne-Franche-Comté',
  '28': 'Normandie',
  '32': 'Hauts-de-France',
  '44': 'Grand-Est',
  '52': 'Pays de la Loire',
  '53': 'Bretagne',
  '75': 'Nouvelle-Aquitaine',
  '76': 'Occitanie',
  '84': 'Auvergne-Rhône-Alpes',
  '93': "Provence-Alpes-Côte d'Azur",
  '94': 'Corse',
};

const DEPARTMENTS: Record<string, string[]> = {
  '11': ['75', '77', '78', '91', '92', '93', '94', '95'],
  '24': ['18', '28', '36', '37', '41', '45'],
  '27': ['21', '25', '39', '58', '70', '71', '89', '90'],
  '28': ['14', '27', '50', '61', '76'],
  '32': ['02', '59', '60', '62', '80'],
  '44': ['08', '10', '51', '52', '54', '55', '57', '67', '68', '88'],
  '52': ['44', '49', '53', '72', '85'],
  '53': ['22', '29', '35', '56'],
  '75': ['16', '17', '19', '23', '24', '33', '40', '47', '64', '79', '86', '87'],
  '76': ['09', '11', '12', '30', '31', '32', '34', '46', '48', '65', '66', '81', '82'],
  '84': ['01', '03', '07', '15', '26', '38', '42', '43', '63', '69', '73', '74'],
  '93': ['04', '05', '06', '13', '83', '84'],
  '94': ['2A', '2B'],
  // Overseas: INSEE codes, FINESS's own codes (9A…9F), and the collectivités FINESS files under Guadeloupe.
  '01': ['971', '9A', '977', '978'],
  '02': ['972', '9B'],
  '03': ['973', '9C'],
  '04': ['974', '9D'],
  '06': ['976', '9F'],
};
const REGION_OF = new Map<string, string>();
for (const [region, deps] of Object.entries(DEPARTMENTS)) for (const d of deps) REGION_OF.set(d, region);

/** The région code of a département code (INSEE `01`…`95`, `2A`, `971`…, or FINESS `9A`…), if it has one. */
export function regionOfDepartment(department: string): string | undefined {
  return REGION_OF.get(department.trim().toUpperCase());
}

/** The région of an INSEE commune code (`01001`, `2A004`, `97105`…). */
export function regionOfCommune(commune: string): string | undefined {
  const c = commune.trim().toUpperCase();
  return c.startsWith('97') ? regionOfDepartment(c.slice(0, 3)) : regionOfDepartment(c.slice(0, 2));
}

/** The `meta.tag` codeRegion slice (IG: source region, target of `_tag` searches). */
export function regionTag(region: string): { system: string; code: string; display: string } {
  return { system: REGION_SYSTEM, code: region, display: REGIONS[region]! };
}

/** FINESS numbers start with their département: `01…95`, `2A`/`2B`; overseas `9701`… (Guadeloupe…), `9805` Mayotte. */
const OVERSEAS_FINESS: Record<string, string> = { '9701': '01', '9702': '02', '9703': '03', '9704': '04', '9805': '06' };

/** The région of a FINESS number (EJ or EG), from the département its number starts with. */
export function regionOfFiness(nofiness: string): string | undefined {
  if (/^9[78]/.test(nofiness)) return OVERSEAS_FINESS[nofiness.slice(0, 4)];
  return regionOfDepartment(nofiness.slice(0, 2));
}

type Meta = { profile?: string[]; tag?: { system?: string; code?: string; display?: string }[]; [k: string]: unknown };

/** `meta` of an imported resource: its profile, and the région tag when the région is known. */
export function importedMeta(profile: string, region: string | undefined): { profile: string[]; tag?: ReturnType<typeof regionTag>[] } {
  return { profile: [profile], ...(region ? { tag: [regionTag(region)] } : {}) };
}

/**
 * `meta` of a re-imported resource: the current one with the incoming profiles added and the région tag the
 * import's (other tags kept, as entered).
 */
export function mergeImportedMeta(incoming: Meta | undefined, current: Meta | undefined): Meta {
  const { tag: _tag, ...rest } = current ?? {};
  const profiles = new Set([...(current?.profile ?? []), ...(incoming?.profile ?? [])]);
  const tags = [...(incoming?.tag ?? []), ...(current?.tag ?? []).filter((t) => t.system !== REGION_SYSTEM)];
  return { ...rest, profile: [...profiles], ...(tags.length ? { tag: tags } : {}) };
}
