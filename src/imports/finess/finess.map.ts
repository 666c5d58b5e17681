import { importedMeta, mergeImportedMeta, regionOfDepartment, regionOfFiness } from '../../terminology/regions.ts';
import type { Resource } from '../../fhir/types.ts';
import type { FinessEtablissement, FinessGeo } from './finess.parse.ts';
import { projectionFor, toWgs84 } from './finess.geo.ts';

/**
 * FINESS → ROR Organization (IG 0.7.0 `ror-organization`). A `structureet` line gives an EG, and the EJ it
 * belongs to (only its FINESS number, idNatStruct and SIREN are known from the établissements file).
 * What FINESS owns (OWNED_*, and per kind in `mergeFiness`) is replaced on re-import, everything else kept.
 */

export const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';
export const PROFILE = `${SD}ror-organization`;
const nos = (tre: string) => `https://mos.esante.gouv.fr/NOS/${tre}/FHIR/${tre.replace('_', '-')}`;
export const SYSTEMS = {
  G07: nos('TRE_G07-TypeIdentifiantStructure'),
  R66: nos('TRE_R66-CategorieEtablissement'),
  R13: nos('TRE_R13-Commune'),
  R286: nos('TRE_R286-TypeFermeture'),
  finess: 'https://finess.esante.gouv.fr',
  sirene: 'https://sirene.fr',
  idNatSt: 'urn:oid:1.2.250.1.71.4.2.2',
};
export const EXT = {
  creationDate: `${SD}ror-meta-creation-date`,
  closingType: `${SD}ror-organization-closing-type`,
  period: 'http://hl7.org/fhir/StructureDefinition/organization-period',
  inseeCode: 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code',
  geolocation: 'http://hl7.org/fhir/StructureDefinition/geolocation',
  additionalName: `${SD}ror-organization-additional-name`,
  houseNumber: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-houseNumber',
  buildingNumberSuffix: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-buildingNumberSuffix',
  streetNameType: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-streetNameType',
  streetNameBase: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-streetNameBase',
  additionalLocator: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-additionalLocator',
  postBox: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-postBox',
  lieuDit: 'https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-lieu-dit',
};

/** Identifier type codes (TRE_G07) FINESS owns on an Organization. */
const OWNED_ID_TYPES = new Set(['1', '2', '3', '40']);
/** Identifier types FINESS owns on an EJ: the établissements file gives it no SIRET of its own. */
const EJ_OWNED_ID_TYPES = new Set(['1', '2', '40']);
/** Extensions FINESS owns (the creation date is set once, never replaced). */
const OWNED_EXT = new Set([EXT.period, EXT.closingType]);

export const egId = (nofinesset: string) => `finess-${nofinesset}`;
export const ejId = (nofinessej: string) => `finess-${nofinessej}`;

type Org = Resource & { id: string };
type Ext = { url: string; [k: string]: unknown };

const identifier = (code: string, display: string, system: string, value: string) => ({
  use: 'official',
  type: { coding: [{ system: SYSTEMS.G07, code, display }] },
  system,
  value,
});

/** INSEE commune code from FINESS département + commune (9A…9F → 97x, 9J → 98x: the overseas codes). */
export function inseeCode(departement: string, commune: string): string | undefined {
  if (!departement || !commune) return undefined;
  const m = /^9([A-J])$/.exec(departement);
  const code = m ? `${m[1] === 'J' ? '98' : '97'}${commune}` : `${departement}${commune}`;
  // FINESS still files Saint-Barthélemy and Saint-Martin as communes of Guadeloupe (pre-2007 codes).
  return RENAMED_COMMUNES[code] ?? code;
}
const RENAMED_COMMUNES: Record<string, string> = { '97123': '97701', '97127': '97801' };

/** `ligneacheminement` "97306 CAYENNE CEDEX" → postal code and city. */
export function splitAcheminement(v: string): { postalCode?: string; city?: string } {
  const m = /^(\d{5})\s*(.*)$/.exec(v.trim());
  if (!m) return v.trim() ? { city: v.trim() } : {};
  return { postalCode: m[1]!, ...(m[2] ? { city: m[2] } : {}) };
}

/** The FHIR address of a structure (fr-core / ROR address pattern), with its INSEE code and geolocation. */
export function address(row: FinessEtablissement, geo: FinessGeo | undefined): Record<string, unknown> | undefined {
  const lines: string[] = [];
  const lineExt: (Ext[] | null)[] = [];
  const street = [row.numvoie, row.compvoie, row.typvoie, row.voie].filter(Boolean).join(' ');
  if (row.compldistrib) {
    lines.push(row.compldistrib);
    lineExt.push([{ url: EXT.additionalLocator, valueString: row.compldistrib }]);
  }
  if (street) {
    lines.push(street);
    const ext: Ext[] = [];
    if (row.numvoie) ext.push({ url: EXT.houseNumber, valueString: row.numvoie });
    if (row.compvoie) ext.push({ url: EXT.buildingNumberSuffix, valueString: row.compvoie });
    if (row.typvoie) ext.push({ url: EXT.streetNameType, valueString: row.typvoie });
    if (row.voie) ext.push({ url: EXT.streetNameBase, valueString: row.voie });
    lineExt.push(ext);
  }
  if (row.lieuditbp) {
    lines.push(row.lieuditbp);
    const isBox = /^(BP|CS|TSA|B\.P\.)\s*\d/i.test(row.lieuditbp);
    lineExt.push([{ url: isBox ? EXT.postBox : EXT.lieuDit, valueString: row.lieuditbp }]);
  }
  const { postalCode, city } = splitAcheminement(row.ligneacheminement);
  const insee = inseeCode(row.departement, row.commune);
  const extension: Ext[] = [];
  if (insee) extension.push({ url: EXT.inseeCode, valueCoding: { system: SYSTEMS.R13, code: insee } });
  if (geo) {
    const { latitude, longitude } = toWgs84(geo.x, geo.y, projectionFor(geo.source, row.departement));
    extension.push({ url: EXT.geolocation, extension: [{ url: 'latitude', valueDecimal: latitude }, { url: 'longitude', valueDecimal: longitude }] });
  }
  if (!lines.length && !postalCode && !city && !extension.length) return undefined;
  return {
    ...(extension.length ? { extension } : {}),
    use: 'work',
    type: 'both',
    ...(lines.length ? { line: lines, _line: lineExt.map((e) => (e && e.length ? { extension: e } : null)) } : {}),
    ...(city ? { city } : {}),
    ...(postalCode ? { postalCode } : {}),
    country: 'FRA',
  };
}

/** The EG (entité géographique) of a `structureet` line: FINESS-owned content only. */
export function toEg(row: FinessEtablissement, geo: FinessGeo | undefined, createdAt: string): Org {
  const ids = [identifier('40', 'Identifiant national de structure', SYSTEMS.idNatSt, `1${row.nofinesset}`), identifier('1', 'FINESS', SYSTEMS.finess, row.nofinesset)];
  if (row.siret) ids.push(identifier('3', 'SIRET', SYSTEMS.sirene, row.siret));
  const extension: Ext[] = [{ url: EXT.creationDate, valueDateTime: createdAt }];
  if (row.dateouv) extension.push({ url: EXT.period, valuePeriod: { start: row.dateouv } });
  const name = row.rslongue || row.rs;
  const addr = address(row, geo);
  return {
    resourceType: 'Organization',
    id: egId(row.nofinesset),
    meta: importedMeta(PROFILE, regionOfDepartment(row.departement) ?? regionOfFiness(row.nofinesset)),
    extension,
    identifier: ids,
    active: true,
    type: [{ coding: [{ system: SYSTEMS.R66, code: row.categetab, ...(row.libcategetab ? { display: row.libcategetab } : {}) }] }],
    ...(name ? { name } : {}),
    ...(row.complrs ? { _name: { extension: [{ url: EXT.additionalName, valueString: row.complrs }] } } : {}),
    ...(addr ? { address: [addr] } : {}),
    partOf: { reference: `Organization/${ejId(row.nofinessej)}` },
  };
}

/** The EJ (entité juridique) an EG belongs to, as far as the établissements file knows it. */
export function toEj(nofinessej: string, siren: string | undefined, createdAt: string): Org {
  const ids = [identifier('40', 'Identifiant national de structure', SYSTEMS.idNatSt, `1${nofinessej}`), identifier('1', 'FINESS', SYSTEMS.finess, nofinessej)];
  if (siren) ids.push(identifier('2', 'SIREN', SYSTEMS.sirene, siren));
  return {
    resourceType: 'Organization',
    id: ejId(nofinessej),
    meta: importedMeta(PROFILE, regionOfFiness(nofinessej)),
    extension: [{ url: EXT.creationDate, valueDateTime: createdAt }],
    identifier: ids,
    active: true,
  };
}

const idTypeCode = (i: unknown) => (i as { type?: { coding?: { system?: string; code?: string }[] } }).type?.coding?.find((c) => c.system === SYSTEMS.G07)?.code;
const isR66 = (t: unknown) => !!(t as { coding?: { system?: string }[] }).coding?.some((c) => c.system === SYSTEMS.R66);

/**
 * Incoming FINESS content merged into the current resource: FINESS-owned fields replaced, everything else kept
 * (contacts, telecom, other types and extensions, the creation date).
 *
 * What FINESS owns depends on what the établissements file gives. For an EG: identifiers FINESS, SIRET, idNatSt;
 * name; TRE_R66 category; address; partOf; opening/closing period and closing type; active; région tag. For an EJ
 * (recognised by having no `partOf`: an EG always has one), the file gives only its FINESS number, idNatSt, SIREN,
 * that it is listed (active, not closed) and its région: its name (raison sociale), address, legal status, period
 * start and SIRET are the ROR's (or the EJ file's, cs1100501, not read yet) and are kept.
 * An EJ's SIREN, derived from the SIRET of one of its EGs, is kept once set (the établissements file only
 * tells it indirectly, and EGs without SIRET must not remove it).
 */
export function mergeFiness(incoming: Org, current: Resource | null): Org {
  if (!current) return incoming;
  const isEj = incoming.partOf === undefined;
  const out: Org = { ...(structuredClone(current) as Org) };
  const curIds = (Array.isArray(current.identifier) ? current.identifier : []) as unknown[];
  let inIds = incoming.identifier as unknown[];
  const curSiren = curIds.filter((i) => idTypeCode(i) === '2');
  if (curSiren.length) inIds = [...inIds.filter((i) => idTypeCode(i) !== '2'), ...curSiren];
  const ownedIds = isEj ? EJ_OWNED_ID_TYPES : OWNED_ID_TYPES;
  out.identifier = [...inIds, ...curIds.filter((i) => !ownedIds.has(idTypeCode(i) ?? ''))];
  const curExt = (Array.isArray(current.extension) ? current.extension : []) as Ext[];
  const created = curExt.find((e) => e.url === EXT.creationDate);
  out.extension = [
    ...(created ? [created] : (incoming.extension as Ext[]).filter((e) => e.url === EXT.creationDate)),
    ...(incoming.extension as Ext[]).filter((e) => e.url !== EXT.creationDate),
    ...(isEj ? ejPeriod(curExt) : []),
    ...curExt.filter((e) => e.url !== EXT.creationDate && !OWNED_EXT.has(e.url)),
  ];
  if (!isEj) {
    const curTypes = (Array.isArray(current.type) ? current.type : []) as unknown[];
    const inTypes = (incoming.type ?? []) as unknown[];
    const types = [...inTypes, ...curTypes.filter((t) => !isR66(t))];
    if (types.length) out.type = types;
    else delete out.type;
  }
  for (const k of isEj ? (['active'] as const) : (['name', '_name', 'address', 'partOf', 'active'] as const)) {
    if (incoming[k] !== undefined) out[k] = incoming[k];
    else delete out[k];
  }
  // The région tag is FINESS's (from the FINESS number and département); other tags are kept.
  out.meta = mergeImportedMeta(incoming.meta, current.meta);
  return out;
}

/**
 * An EJ listed by the file is open: the end of its period and its closing type (a closure by an earlier import)
 * go, a start entered in the ROR stays.
 */
function ejPeriod(curExt: Ext[]): Ext[] {
  const period = curExt.find((e) => e.url === EXT.period) as (Ext & { valuePeriod?: { start?: string; end?: string } }) | undefined;
  const rest = { ...(period?.valuePeriod ?? {}) };
  delete rest.end;
  return Object.keys(rest).length ? [{ ...period!, valuePeriod: rest }] : [];
}

/** A structure that left FINESS (missing from a newer file): closed definitively at the file's date. */
export function closeStructure(current: Resource, date: string): Org {
  const out = structuredClone(current) as Org;
  const ext = (Array.isArray(out.extension) ? out.extension : []) as Ext[];
  const period = ext.find((e) => e.url === EXT.period) as (Ext & { valuePeriod?: { start?: string; end?: string } }) | undefined;
  const rest = ext.filter((e) => e.url !== EXT.period && e.url !== EXT.closingType);
  out.extension = [
    ...rest,
    { url: EXT.period, valuePeriod: { ...(period?.valuePeriod ?? {}), end: date } },
    { url: EXT.closingType, valueCodeableConcept: { coding: [{ system: SYSTEMS.R286, code: 'DEF', display: 'Définitive' }] } },
  ];
  out.active = false;
  return out;
}

/** `structureet` fields of the address parts (iso21090-ADXP extensions of `address.line`). */
const ADDRESS_PART_FIELD: Record<string, string> = {
  [EXT.houseNumber]: 'numvoie',
  [EXT.buildingNumberSuffix]: 'compvoie',
  [EXT.streetNameType]: 'typvoie',
  [EXT.streetNameBase]: 'voie',
  [EXT.additionalLocator]: 'compldistrib',
  [EXT.postBox]: 'lieuditbp',
  [EXT.lieuDit]: 'lieuditbp',
};

/**
 * The `structureet` field an element of an Organization the import built comes from, for the column of a validation
 * issue (`Organization.type[0].coding[0]` → categetab); undefined when the FHIRPath designates nothing the import
 * built (an element entered in the ROR, kept by the merge after the FINESS ones).
 */
export function finessField(expression: string, built: Resource): string | undefined {
  const m = /^Organization\.(_?\w+)(?:\[(\d+)\])?(?:\.(.+))?$/.exec(expression);
  if (!m) return undefined;
  const [, element = '', index, rest = ''] = m;
  const value = built[element];
  const item = index === undefined ? value : Array.isArray(value) ? (value[Number(index)] as unknown) : undefined;
  if (item === undefined) return undefined;
  const isEj = built.partOf === undefined;
  switch (element) {
    case 'identifier': {
      const code = idTypeCode(item);
      return code === '2' || code === '3' ? 'siret' : isEj ? 'nofinessej' : 'nofinesset';
    }
    case 'type':
      return 'categetab';
    case 'name':
      return 'rslongue';
    case '_name':
      return 'complrs';
    case 'partOf':
      return 'nofinessej';
    case 'extension':
      return (item as Ext).url === EXT.period ? 'dateouv' : undefined;
    case 'meta':
      return rest.startsWith('tag') ? (isEj ? 'nofinessej' : 'departement') : undefined;
    case 'address':
      return addressField(rest, item as Record<string, unknown>);
    default:
      return undefined;
  }
}

function addressField(path: string, address: Record<string, unknown>): string | undefined {
  if (path.startsWith('postalCode') || path.startsWith('city')) return 'ligneacheminement';
  const ext = /^extension\[(\d+)\]/.exec(path);
  if (ext) {
    const url = (address.extension as Ext[] | undefined)?.[Number(ext[1])]?.url;
    return url === EXT.inseeCode ? 'commune' : url === EXT.geolocation ? 'coordxet' : undefined;
  }
  const line = /^_?line\[(\d+)\](?:\.extension\[(\d+)\])?/.exec(path);
  if (!line) return undefined;
  const parts = ((address._line as ({ extension?: Ext[] } | null)[] | undefined)?.[Number(line[1])]?.extension ?? []) as Ext[];
  const part = line[2] !== undefined ? parts[Number(line[2])] : parts.length === 1 ? parts[0] : parts.find((p) => p.url === EXT.streetNameBase);
  return part ? ADDRESS_PART_FIELD[part.url] : 'voie';
}
