import { createHash } from 'node:crypto';
import type { Resource } from '../../fhir/types.ts';
import { importedMeta, mergeImportedMeta, regionOfCommune, regionOfDepartment } from '../../terminology/regions.ts';
import { EXT, SD, SYSTEMS } from '../finess/finess.map.ts';
import { CABINET_SECTORS, COL, LIBERAL_PROFESSIONS, MODES, RPPS_COLUMNS, RPPS_SYSTEMS, SAVOIR_FAIRE_SYSTEMS, SAVOIR_FAIRE_TYPES, SPECIALTY_ACTIVITY, type ColKey } from './rpps.format.ts';
import type { RppsRow } from './rpps.parse.ts';

/**
 * RPPS activity line → ROR resources (IG 0.7.0): the professional (`ror-practitioner`), the liberal practice
 * (cabinet `ror-organization`), the cabinet's offer for the profession (`ror-healthcareservice`, the
 * HealthcareService a PractitionerRole must reference) and the situation opérationnelle
 * (`ror-practitionerrole`). Ids are deterministic, so re-imports update the same resources. What RPPS owns in
 * each resource is replaced by a re-import (`mergeRpps`); everything else (entered by hand) is kept.
 */

export type RppsResource = Resource & { id: string };
type Ext = { url: string; [k: string]: unknown };

export const RPPS_PROFILES = {
  Practitioner: `${SD}ror-practitioner`,
  Organization: `${SD}ror-organization`,
  HealthcareService: `${SD}ror-healthcareservice`,
  PractitionerRole: `${SD}ror-practitionerrole`,
} as const;

export const RPPS_EXT = {
  exerciseMode: `${SD}ror-practitionerrole-unit-exercise-mode`,
  roleName: `${SD}ror-practitionerrole-name`,
  sensitiveUnit: `${SD}ror-healthcareservice-sensitive-unit`,
  patientType: `${SD}ror-healthcareservice-patient-type`,
};

/** Displays of the activités opérationnelles (TRE_R211, as JDV_J17 writes them) the mapping uses. */
export const ACTIVITY_LABELS: Record<string, string> = {
  '005': "Allergologie",
  '007': "Anesthésie",
  '009': "Biochimie",
  '010': "Biologie du développement et de la reproduction",
  '013': "Cardiologie générale",
  '016': "Chirurgie cervico-faciale et Oto-rhino-laryngologie (ORL)",
  '018': "Chirurgie cardiaque et gros vaisseaux (cardio-vasculaire)",
  '023': "Chirurgie maxillo-faciale",
  '025': "Chirurgie orthopédique et traumatologique",
  '031': "Urologie",
  '032': "Chirurgie vasculaire et endovasculaire",
  '033': "Chirurgie viscérale et digestive",
  '037': "Dermatologie",
  '040': "Diététique et Nutrition",
  '041': "Endocrinologie",
  '046': "Gastro-entérologie",
  '048': "Génétique chromosomique et moléculaire",
  '049': "Génétique médicale et clinique",
  '050': "Gériatrie, Gérontologie",
  '053': "Gynécologie médicale",
  '055': "Hématologie",
  '056': "Hématologie biologique",
  '077': "Maladies infectieuses, parasitaires et tropicales",
  '082': "Médecine du travail (pathologie professionnelle)",
  '085': "Médecine interne",
  '086': "Médecine légale",
  '087': "Médecine nucléaire",
  '088': "Médecine pédiatrique",
  '090': "Médecine physique et de réadaptation",
  '091': "Médecine vasculaire (Angiologie, Phlébologie)",
  '093': "Microbiologie",
  '095': "Néphrologie",
  '096': "Neurochirurgie",
  '097': "Neurologie",
  '102': "Oncologie-cancérologie",
  '103': "Ophtalmologie",
  '104': "Orthodontie ou orthopédie dento-faciale",
  '106': "Orthoptie",
  '114': "Pneumologie",
  '126': "Réanimation médicale",
  '131': "Rhumatologie",
  '137': "Stomatologie",
  '157': "Urgences polyvalentes",
  '163': "Anatomie et Cytologie pathologique",
  '168': "Radiothérapie",
  '178': "Chirurgie plastique et esthétique",
  '191': "Oncologie hématologique (cancérologie)",
  '199': "Chirurgie orale",
  '200': "Orthophonie",
  '201': "Podologie",
  '227': "Pédopsychiatrie infanto-juvénile",
  '229': "Psychiatrie adulte",
  '282': "Périnatalité (suivi de grossesse)",
  '283': "Rééducation - réadaptation",
  '287': "Soins techniques infirmiers",
  '334': "Activité de prévention",
  '339': "Kinésithérapie",
  '437': "Médecine générale",
  '441': "Médecine bucco-dentaire",
  '454': "Radiologie polyvalente générale",
  '493': "Psychomotricité",
};

/** The key of a liberal practice: its SIRET, else its FINESS, else RPPS's technical id of the structure. */
export function cabinetKey(row: RppsRow): { kind: 'siret' | 'finess' | 'st'; value: string } {
  if (row.siret) return { kind: 'siret', value: row.siret };
  if (row.finess) return { kind: 'finess', value: row.finess };
  return { kind: 'st', value: row.techId };
}

const fhirIdPart = (s: string) => s.replace(/[^A-Za-z0-9.-]/g, '-');
export const practitionerId = (idNat: string) => `rpps-${idNat}`;
export const cabinetId = (row: RppsRow) => {
  const k = cabinetKey(row);
  return `rpps-${k.kind}-${fhirIdPart(k.value)}`.slice(0, 64);
};
export const serviceId = (row: RppsRow, activity: string) => `${cabinetId(row).slice(0, 59)}-${activity}`;
export const roleId = (row: RppsRow) => {
  const h = createHash('sha1').update(`${cabinetId(row)}|${row.profession}|${row.sfType}|${row.sfCode}`).digest('base64url').slice(0, 12).replace(/_/g, '.');
  return `rpps-${row.idNat}-${h}`;
};

/**
 * The activité opérationnelle (TRE_R211) of the offer a line belongs to: from the spécialité ordinale when there
 * is one, else the profession's. A médecin's offer follows his spécialité only: a line with another savoir-faire
 * (compétence, capacité…), with none, or with a spécialité SPECIALTY_ACTIVITY lacks has no activity (general
 * medicine is not assumed); `why` tells which.
 */
export function activityOf(row: RppsRow): string | undefined {
  return activityFor(row).activity;
}
export function activityFor(row: RppsRow): { activity: string; why?: undefined } | { activity?: undefined; why: 'no-savoir-faire' | 'not-a-specialty' | 'unmapped-specialty' } {
  if (row.sfType === 'S') {
    const a = SPECIALTY_ACTIVITY[row.sfCode];
    if (a) return { activity: a };
    if (row.profession === '10') return { why: 'unmapped-specialty' };
  }
  if (row.profession === '10') return { why: row.sfType ? 'not-a-specialty' : 'no-savoir-faire' };
  const a = LIBERAL_PROFESSIONS[row.profession]?.activity;
  return a ? { activity: a } : { why: 'unmapped-specialty' };
}

const creation = (createdAt: string): Ext => ({ url: EXT.creationDate, valueDateTime: createdAt });

/**
 * The profile, and the région tag (codeRegion, TRE_R30) of what sits at the cabinet: from its INSEE commune,
 * else its département. The practitioner has none (he may practise in several régions).
 */
const metaOf = (profile: string, row: RppsRow) =>
  importedMeta(profile, (row.commune ? regionOfCommune(row.commune) : undefined) ?? (row.department ? regionOfDepartment(row.department) : undefined));

const coding = (system: string, code: string, display?: string) => ({ system, code, ...(display ? { display } : {}) });

export function toPractitioner(row: RppsRow, createdAt: string): RppsResource {
  return {
    resourceType: 'Practitioner',
    id: practitionerId(row.idNat),
    meta: { profile: [RPPS_PROFILES.Practitioner] },
    extension: [creation(createdAt)],
    identifier: [{ use: 'official', system: RPPS_SYSTEMS.idNatPs, value: row.idNat }],
    active: true,
    name: [
      {
        use: 'usual',
        family: row.lastName,
        ...(row.firstName ? { given: [row.firstName] } : {}),
        ...(row.civCode ? { prefix: [row.civCode] } : {}),
      },
    ],
  };
}

const idType = (code: string, display: string) => ({ coding: [{ system: SYSTEMS.G07, code, display }] });

/** The cabinet: identifiers (SIRET, SIREN, FINESS, idNatSt, technical id), name, secteur d'activité, address. */
export function toCabinet(row: RppsRow, createdAt: string): RppsResource {
  const identifier: Record<string, unknown>[] = [];
  if (row.siret) identifier.push({ use: 'official', type: idType('40', 'Identifiant national de structure'), system: SYSTEMS.idNatSt, value: `3${row.siret}` });
  else if (row.finess) identifier.push({ use: 'official', type: idType('40', 'Identifiant national de structure'), system: SYSTEMS.idNatSt, value: `1${row.finess}` });
  if (row.finess) identifier.push({ use: 'official', type: idType('1', 'FINESS'), system: SYSTEMS.finess, value: row.finess });
  if (row.siren) identifier.push({ use: 'official', type: idType('2', 'SIREN'), system: SYSTEMS.sirene, value: row.siren });
  if (row.siret) identifier.push({ use: 'official', type: idType('3', 'SIRET'), system: SYSTEMS.sirene, value: row.siret });
  if (row.techId) identifier.push({ use: 'secondary', type: { text: TECH_ID_TEXT }, value: row.techId });
  const sector = CABINET_SECTORS[row.sector];
  // A cabinet individuel is its professional's: named after him when RPPS gives no raison sociale.
  const name = row.name || row.brand || (row.sector === 'SA07' ? `Cabinet ${[row.firstName, row.lastName].filter(Boolean).join(' ')}` : '');
  const addr = cabinetAddress(row);
  return {
    resourceType: 'Organization',
    id: cabinetId(row),
    meta: metaOf(RPPS_PROFILES.Organization, row),
    extension: [creation(createdAt)],
    identifier,
    active: true,
    ...(sector ? { type: [{ coding: [coding(RPPS_SYSTEMS.R02, row.sector, sector)] }] } : {}),
    ...(name ? { name } : {}),
    ...(addr ? { address: [addr] } : {}),
  };
}
export const TECH_ID_TEXT = 'Identifiant technique de la structure (RPPS)';

function cabinetAddress(row: RppsRow): Record<string, unknown> | undefined {
  const lines: string[] = [];
  const lineExt: Ext[][] = [];
  for (const v of [row.recipient, row.geoComplement]) {
    if (!v) continue;
    lines.push(v);
    lineExt.push([{ url: EXT.additionalLocator, valueString: v }]);
  }
  const street = [row.houseNumber, row.repetition, row.streetTypeCode, row.street].filter(Boolean).join(' ');
  if (street) {
    lines.push(street);
    const ext: Ext[] = [];
    if (row.houseNumber) ext.push({ url: EXT.houseNumber, valueString: row.houseNumber });
    if (row.repetition) ext.push({ url: EXT.buildingNumberSuffix, valueString: row.repetition });
    if (row.streetTypeCode) ext.push({ url: EXT.streetNameType, valueString: row.streetTypeCode });
    if (row.street) ext.push({ url: EXT.streetNameBase, valueString: row.street });
    lineExt.push(ext);
  }
  if (row.distribution) {
    lines.push(row.distribution);
    const isBox = /^(BP|CS|TSA|B\.P\.)\s*\d/i.test(row.distribution);
    lineExt.push([{ url: isBox ? EXT.postBox : EXT.lieuDit, valueString: row.distribution }]);
  }
  const cedex = /^(\d{5})\s+(.+)$/.exec(row.cedex);
  const postalCode = row.postalCode || cedex?.[1];
  const city = row.communeLabel || cedex?.[2];
  const extension: Ext[] = row.commune ? [{ url: EXT.inseeCode, valueCoding: { system: SYSTEMS.R13, code: row.commune } }] : [];
  if (!lines.length && !postalCode && !city && !extension.length) return undefined;
  return {
    ...(extension.length ? { extension } : {}),
    use: 'work',
    type: 'both',
    ...(lines.length ? { line: lines, _line: lineExt.map((e) => ({ extension: e })) } : {}),
    ...(city ? { city } : {}),
    ...(postalCode ? { postalCode } : {}),
    country: 'FRA',
  };
}

/**
 * The cabinet's offer of one activité opérationnelle: what the ROR requires of an offer (champ d'activité
 * ambulatoire, mode de prise en charge consultation, patientèle all ages, not sensitive), as the IG's own
 * "offre de ville" example. RPPS only owns its link to the cabinet and whether it is active: the structure
 * completes or corrects the rest (horaires, patientèle, contacts…), and re-imports keep it.
 */
export function toService(row: RppsRow, activity: string, cabinetName: string | undefined, createdAt: string): RppsResource {
  const id = serviceId(row, activity);
  const label = ACTIVITY_LABELS[activity] ?? activity;
  return {
    resourceType: 'HealthcareService',
    id,
    meta: metaOf(RPPS_PROFILES.HealthcareService, row),
    extension: [
      creation(createdAt),
      { url: RPPS_EXT.sensitiveUnit, valueBoolean: false },
      {
        url: RPPS_EXT.patientType,
        extension: [{ url: 'ageRange', valueRange: { low: { value: 0, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' }, high: { value: 120, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' } } }],
      },
    ],
    identifier: [{ value: id }],
    active: true,
    providedBy: { reference: `Organization/${cabinetId(row)}` },
    type: [{ coding: [coding(RPPS_SYSTEMS.R227, '05', 'Ambulatoire')] }],
    specialty: [{ coding: [coding(RPPS_SYSTEMS.R211, activity, label)] }],
    characteristic: [{ coding: [coding(RPPS_SYSTEMS.R213, '32', 'Consultation (CS)')] }],
    name: `${label} — ${cabinetName || row.communeLabel || cabinetId(row)}`,
  };
}

/** The situation opérationnelle: profession, savoir-faire, mode d'exercice, exercise name, links. */
export function toRole(row: RppsRow, activity: string, createdAt: string): RppsResource {
  const specialty: Record<string, unknown>[] = [{ coding: [coding(RPPS_SYSTEMS.R04, row.sfType, SAVOIR_FAIRE_TYPES[row.sfType])] }];
  const sfSystem = SAVOIR_FAIRE_SYSTEMS[row.sfType];
  specialty.push({ coding: [{ ...(sfSystem ? { system: sfSystem } : {}), code: row.sfCode, ...(row.sfLabel ? { display: row.sfLabel } : {}) }] });
  const nameExt: Ext[] = [];
  if (row.civExCode) nameExt.push({ url: 'exerciseTitle', valueCodeableConcept: { coding: [coding(RPPS_SYSTEMS.R11, row.civExCode)] } });
  nameExt.push({ url: 'exerciseLastName', valueString: row.lastName });
  if (row.firstName) nameExt.push({ url: 'exerciseFirstName', valueString: row.firstName });
  return {
    resourceType: 'PractitionerRole',
    id: roleId(row),
    meta: metaOf(RPPS_PROFILES.PractitionerRole, row),
    extension: [
      creation(createdAt),
      { url: RPPS_EXT.exerciseMode, valueCodeableConcept: { coding: [coding(RPPS_SYSTEMS.R23, row.mode, MODES[row.mode])] } },
      { url: RPPS_EXT.roleName, extension: nameExt },
    ],
    active: true,
    practitioner: { reference: `Practitioner/${practitionerId(row.idNat)}` },
    organization: { reference: `Organization/${cabinetId(row)}` },
    healthcareService: [{ reference: `HealthcareService/${serviceId(row, activity)}` }],
    code: [{ coding: [coding(RPPS_SYSTEMS.G15, row.profession, LIBERAL_PROFESSIONS[row.profession]?.label)] }],
    specialty,
  };
}

// ——— merge: what RPPS owns in each resource type ———

const RPPS_SF_SYSTEMS = new Set([RPPS_SYSTEMS.R04, ...Object.values(SAVOIR_FAIRE_SYSTEMS)]);
const systemsOf = (cc: unknown) => ((cc as { coding?: { system?: string }[] }).coding ?? []).map((c) => c.system);
const idTypeCode = (i: unknown) => (i as { type?: { coding?: { system?: string; code?: string }[] } }).type?.coding?.find((c) => c.system === SYSTEMS.G07)?.code;
const isTechId = (i: unknown) => (i as { type?: { text?: string } }).type?.text === TECH_ID_TEXT;

interface Owned {
  /** Top-level keys replaced as a whole (removed when the incoming resource lacks them). */
  keys: string[];
  /** Items of these arrays RPPS owns: replaced by the incoming ones, the others kept after them. */
  identifier?: (i: unknown) => boolean;
  type?: (t: unknown) => boolean;
  specialty?: (s: unknown) => boolean;
  extension?: Set<string>;
}

const OWNED: Record<string, Owned> = {
  Practitioner: { keys: ['name', 'active'], identifier: (i) => (i as { system?: string }).system === RPPS_SYSTEMS.idNatPs },
  Organization: {
    keys: ['name', 'address', 'active'],
    identifier: (i) => ['1', '2', '3', '40'].includes(idTypeCode(i) ?? '') || isTechId(i),
    type: (t) => systemsOf(t).includes(RPPS_SYSTEMS.R02),
    extension: new Set([EXT.period, EXT.closingType]),
  },
  // The offer: RPPS only says which cabinet provides it and whether it is still provided.
  HealthcareService: { keys: ['providedBy', 'active'] },
  PractitionerRole: {
    keys: ['practitioner', 'organization', 'healthcareService', 'code', 'active', 'period'],
    specialty: (s) => systemsOf(s).some((x) => x !== undefined && RPPS_SF_SYSTEMS.has(x)) || systemsOf(s).every((x) => x === undefined),
    extension: new Set([RPPS_EXT.exerciseMode, RPPS_EXT.roleName]),
  },
};

function mergeArray(incoming: unknown, current: unknown, owns: (x: unknown) => boolean): unknown[] | undefined {
  const inc = Array.isArray(incoming) ? incoming : [];
  const cur = Array.isArray(current) ? current.filter((x) => !owns(x)) : [];
  const out = [...inc, ...cur];
  return out.length ? out : undefined;
}

/**
 * Incoming RPPS content merged into the current resource: the RPPS-owned parts (OWNED) replaced, the rest
 * kept — the creation date, and whatever a structure entered by hand (telecom, horaires, other savoir-faire
 * slices, comments…). A new resource is the incoming one.
 */
export function mergeRpps(incoming: RppsResource, current: Resource | null): RppsResource {
  if (!current) return incoming;
  const owned = OWNED[incoming.resourceType];
  if (!owned) throw new Error(`mergeRpps: ${incoming.resourceType}`);
  const out = structuredClone(current) as RppsResource & Record<string, unknown>;
  const inc = incoming as RppsResource & Record<string, unknown>;
  for (const k of owned.keys) {
    if (inc[k] !== undefined) out[k] = inc[k];
    else delete out[k];
  }
  for (const k of ['identifier', 'type', 'specialty'] as const) {
    const owns = owned[k];
    if (!owns) continue;
    const merged = mergeArray(inc[k], out[k], owns);
    if (merged) out[k] = merged;
    else delete out[k];
  }
  const curExt = (Array.isArray(current.extension) ? current.extension : []) as Ext[];
  const incExt = (incoming.extension ?? []) as Ext[];
  const created = curExt.find((e) => e.url === EXT.creationDate);
  const ownedExt = owned.extension ?? new Set<string>();
  out.extension = [
    ...(created ? [created] : incExt.filter((e) => e.url === EXT.creationDate)),
    ...incExt.filter((e) => e.url !== EXT.creationDate && ownedExt.has(e.url)),
    ...curExt.filter((e) => e.url !== EXT.creationDate && !ownedExt.has(e.url)),
  ];
  // A new HealthcareService is built whole; on an existing one only RPPS-owned extensions would apply (none).
  // The région tag follows the cabinet's address (RPPS's); other tags are kept.
  out.meta = mergeImportedMeta(incoming.meta, current.meta);
  return out;
}

/** A resource RPPS no longer lists (missing from a newer file): ended at the file's date, nothing deleted. */
export function endResource(current: Resource, date: string): RppsResource {
  const out = structuredClone(current) as RppsResource & Record<string, unknown>;
  out.active = false;
  if (out.resourceType === 'PractitionerRole') {
    out.period = { ...((out.period as Record<string, unknown> | undefined) ?? {}), end: date };
  } else if (out.resourceType === 'Organization') {
    const ext = (Array.isArray(out.extension) ? out.extension : []) as Ext[];
    const period = ext.find((e) => e.url === EXT.period) as (Ext & { valuePeriod?: Record<string, unknown> }) | undefined;
    out.extension = [
      ...ext.filter((e) => e.url !== EXT.period && e.url !== EXT.closingType),
      { url: EXT.period, valuePeriod: { ...(period?.valuePeriod ?? {}), end: date } },
      { url: EXT.closingType, valueCodeableConcept: { coding: [{ system: SYSTEMS.R286, code: 'DEF', display: 'Définitive' }] } },
    ];
  }
  return out;
}

/**
 * The RPPS column an element of a resource the import built comes from, for the column of a validation issue
 * (`PractitionerRole.code[0].coding[0]` → Code profession); undefined when the FHIRPath designates nothing the
 * import built or no single column.
 */
export function rppsColumn(expression: string, built: Resource): string | undefined {
  const m = /^(\w+)\.(_?\w+)(?:\[(\d+)\])?(?:\.(.+))?$/.exec(expression);
  if (!m || m[1] !== built.resourceType) return undefined;
  const [, type, element = '', index, rest = ''] = m;
  const value = built[element];
  const item = index === undefined ? value : Array.isArray(value) ? (value[Number(index)] as unknown) : undefined;
  if (item === undefined) return undefined;
  const col = (k: ColKey) => RPPS_COLUMNS[COL[k]];
  switch (`${type}.${element}`) {
    case 'Practitioner.identifier':
    case 'PractitionerRole.practitioner':
      return col('idNat');
    case 'Practitioner.name':
      return rest.startsWith('given') ? col('firstName') : rest.startsWith('prefix') ? col('civCode') : col('lastName');
    case 'Organization.identifier': {
      const i = item as { type?: { coding?: { code?: string }[] }; value?: string };
      const code = i.type?.coding?.[0]?.code;
      if (code === '3' || (code === '40' && i.value?.startsWith('3'))) return col('siret');
      if (code === '1' || code === '40') return col('finess');
      return code === '2' ? col('siren') : col('techId');
    }
    case 'Organization.type':
      return col('sector');
    case 'Organization.name':
      return col('name');
    case 'Organization.address':
      if (rest.startsWith('postalCode')) return col('postalCode');
      if (rest.startsWith('city')) return col('communeLabel');
      if (rest.startsWith('extension')) return col('commune');
      return rest.startsWith('line') || rest.startsWith('_line') ? col('street') : undefined;
    case 'PractitionerRole.code':
      return col('profession');
    case 'PractitionerRole.specialty':
      return col('sfCode');
    default:
      return undefined;
  }
}
