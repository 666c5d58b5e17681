/**
 * National-scale search dataset, shaped by real data: the ≈95k real EG of the FINESS FHIR extract
 * (/work/shared/data/finess/flrt-finess-fhir: name, address, category, position, parent EJ), real NOS codes
 * (data/nos/nos-ror.json: TRE_R211 activités opérationnelles, TRE_R213, TRE_R227, TRE_R66) and real commune
 * codes (La Poste postal code → COG). Per EG: offers (HealthcareService, many for hospitals, few for
 * medico-social places), one Location per offer with 5 capacity indicators, a practitioner role on every
 * other offer. At scale 1: ≈95k EG, ≈60k EJ, ≥400k HealthcareService and Location, ≥2M indicators, ≥200k
 * PractitionerRole and Practitioner. Deterministic (seeded), written through the real write path
 * (Directory.upsertBatch: validation, references, write-time indexing).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Db } from '../src/db/db.ts';
import { SYSTEM_ACTOR, type Directory } from '../src/directory/directory.service.ts';
import { coreIndexer, resourceStore } from '../src/directory/resource.store.ts';
import type { Resource } from '../src/fhir/types.ts';
import { searchIndexer } from '../src/search/search.indexer.ts';
import { mulberry32 } from '../scripts/prng.ts';

const FINESS_FHIR = '/work/shared/data/finess/flrt-finess-fhir/finess-fhir-organization-location-20210108.ndjson.gz';
const LAPOSTE = '/work/shared/data/geo/laposte/laposte_hexasmal.csv';
const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';
const tre = (name: string) => `https://mos.esante.gouv.fr/NOS/TRE_${name}/FHIR/TRE-${name}`;
const cc = (system: string, code: string, display?: string) => ({ coding: [{ system, code, ...(display ? { display } : {}) }] });
const created = { url: `${SD}ror-meta-creation-date`, valueDateTime: '2024-01-15T10:00:00+01:00' };
export const FINESS_SYSTEM = 'https://finess.esante.gouv.fr';

export interface SourceEg {
  ej: string;
  eg: string;
  name: string;
  city: string;
  postalCode: string;
  line: string[];
  category: string | undefined;
  lat: number | undefined;
  lon: number | undefined;
}

/** The real EG of the FINESS FHIR extract, with their EJ and position. */
export function readRealEg(): SourceEg[] {
  const lines = gunzipSync(readFileSync(FINESS_FHIR)).toString('utf8').split('\n');
  const byId = new Map<string, SourceEg>();
  const positions = new Map<string, { lat: number; lon: number }>();
  for (const line of lines) {
    if (!line) continue;
    const r = JSON.parse(line) as Record<string, any>;
    if (r.resourceType === 'Organization') {
      const [ej, eg] = String(r.id).split('-');
      if (!ej || !eg) continue;
      const addr = r.address?.[0] ?? {};
      const cat = (r.type?.[0]?.coding ?? []).find((c: { system?: string }) => c.system === 'http://finess.sante.gouv.fr/valuesets/CAT_ETAB')?.code;
      byId.set(r.id, { ej, eg, name: r.name ?? `Établissement ${eg}`, city: addr.city ?? '', postalCode: addr.postalCode ?? '', line: addr.line ?? [], category: cat, lat: undefined, lon: undefined });
    } else if (r.resourceType === 'Location' && r.position) {
      positions.set(String(r.managingOrganization?.reference ?? '').replace('Organization/', ''), { lat: r.position.latitude, lon: r.position.longitude });
    }
  }
  for (const [id, p] of positions) {
    const eg = byId.get(id);
    if (eg) Object.assign(eg, p);
  }
  return [...byId.values()];
}

/**
 * Postal code → COG of its first commune still in the current COG (La Poste + data/nos/communes.json.gz), to
 * give Locations a real, valid ror-commune-cog.
 */
function postalToCog(): Map<string, string> {
  const current = JSON.parse(gunzipSync(readFileSync(new URL('../data/nos/communes.json.gz', import.meta.url))).toString('utf8')) as {
    codeSystems: { concepts: [string, string][] }[];
  };
  const valid = new Set(current.codeSystems.flatMap((c) => c.concepts.map((x) => x[0])));
  const m = new Map<string, string>();
  for (const line of readFileSync(LAPOSTE, 'utf8').split('\n').slice(1)) {
    const [cog, , cp] = line.split(';');
    if (cog && cp && !m.has(cp) && valid.has(cog)) m.set(cp, cog);
  }
  return m;
}

function nosCodes(): { R211: [string, string][]; R213: [string, string][]; R227: [string, string][]; R66: [string, string][] } {
  const nos = JSON.parse(readFileSync(new URL('../data/nos/nos-ror.json', import.meta.url), 'utf8')) as { codeSystems: { name: string; concepts: [string, string][] }[] };
  const get = (n: string) => nos.codeSystems.find((c) => c.name === n)?.concepts ?? [];
  return { R211: get('TRE_R211-ActiviteOperationnelle'), R213: get('TRE_R213-ModePriseEnCharge'), R227: get('TRE_R227-ChampActivite'), R66: get('TRE_R66-CategorieEtablissement') };
}

const rng = mulberry32;

const HOSPITAL = new Set(['101', '106', '355', '362', '365', '122', '128', '129', '109', '292', '114', '131']);

export interface GeneratedCounts {
  ej: number;
  eg: number;
  healthcareService: number;
  location: number;
  indicators: number;
  practitionerRole: number;
  practitioner: number;
  invalid: number;
  ms: number;
}

/** Samples the generated data the benchmark draws its query values from. */
export interface Samples {
  ejFiness: string[];
  hsIdentifiers: string[];
  locIdentifiers: string[];
  specialties: string[];
  cogs: string[];
  departments: string[];
}

/** Where generated batches go; returns how many resources of the batch were rejected. */
export type Sink = (batch: (Resource & { id: string })[]) => Promise<number>;

/** The real write path: Directory.upsertBatch (validation, reference checks, write-time indexing). */
export function directorySink(directory: Directory): Sink {
  return async (batch) => (await directory.upsertBatch(SYSTEM_ACTOR, batch)).filter((r) => r.outcome === 'invalid').length;
}

/**
 * Set-based load for national-scale benchmarks: the store's own batch write (resourceStore.writeVersions:
 * current row + history, meta.versionId/lastUpdated stamped by the database) with the server's indexers
 * (coreIndexer, searchIndexer: the same rows the server writes), but without validation and reference checks
 * (the generator's output passes both: 0 rejected through the write path at scale 0.1). The index rows of
 * batch n+1 are derived (searchIndexer.prepare) while batch n is in the database, so both cores work.
 */
export function bulkSink(db: Db, part?: { k: number; of: number }): Sink & { drain(): Promise<void> } {
  let pending: Promise<void> = Promise.resolve();
  let n = -1;
  const sink = async (batch: (Resource & { id: string })[]) => {
    // Parallel load (`--part k/K`): every process generates the same deterministic sequence of batches and
    // writes batches n ≡ k (mod K) that are not in the database yet (resumable).
    n++;
    if (part) {
      if (n % part.of !== part.k) return 0;
      const first = batch[0]!;
      const there = await db.query('SELECT 1 FROM resource WHERE res_type = $1 AND id = $2', [first.resourceType, first.id]);
      if (there.rows.length > 0) return 0;
    }
    for (const r of batch) searchIndexer.prepare!(r, r.id);
    await pending;
    pending = db.transaction(async (tx) => {
      await resourceStore.writeVersions(tx, {
        actor: SYSTEM_ACTOR.id,
        items: batch.map((r) => ({ resourceType: r.resourceType, id: r.id, versionId: 1, method: 'POST' as const, resource: r })),
        indexers: [coreIndexer, searchIndexer],
      });
    });
    return 0;
  };
  return Object.assign(sink, { drain: () => pending });
}

/**
 * Generates the dataset (scale 1 = national) into a sink, in batches of 1000 (EJ first, then each EG with
 * its places, offers, practitioners and roles, so references always point backwards).
 * `onProgress` is called every 1000 EG.
 */
export async function generate(sink: Sink, scale: number, onProgress?: (msg: string) => void): Promise<{ counts: GeneratedCounts; samples: Samples }> {
  const t0 = Date.now();
  const all = readRealEg();
  const step = Math.max(1, Math.round(1 / scale));
  const egs = all.filter((_, i) => i % step === 0);
  const cogOf = postalToCog();
  const codes = nosCodes();
  const r211 = codes.R211.map((c) => c[0]);
  const r66 = new Set(codes.R66.map((c) => c[0]));
  const rand = rng(20260123);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const counts: GeneratedCounts = { ej: 0, eg: 0, healthcareService: 0, location: 0, indicators: 0, practitionerRole: 0, practitioner: 0, invalid: 0, ms: 0 };
  const samples: Samples = { ejFiness: [], hsIdentifiers: [], locIdentifiers: [], specialties: [], cogs: [], departments: [] };
  let batch: (Resource & { id: string })[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const b = batch;
    batch = [];
    counts.invalid += await sink(b);
  };
  const push = async (r: Resource & { id: string }) => {
    batch.push(r);
    if (batch.length >= 1000) await flush();
  };

  // EJ first (references must exist), then per EG: the EG, its Locations, offers, practitioners and roles.
  const ejs = [...new Set(egs.map((e) => e.ej))];
  for (const ej of ejs) {
    await push({
      resourceType: 'Organization',
      id: `ej-${ej}`,
      meta: { profile: [`${SD}ror-organization`] },
      extension: [created],
      identifier: [{ type: cc(tre('G07-TypeIdentifiantStructure'), '1'), system: FINESS_SYSTEM, value: ej }],
      name: `Entité juridique ${ej}`,
    });
    counts.ej++;
    if (rand() < 0.05) samples.ejFiness.push(ej);
  }
  await flush();
  onProgress?.(`${counts.ej} EJ`);

  for (const [n, src] of egs.entries()) {
    const category = src.category && r66.has(src.category) ? src.category : '500';
    await push({
      resourceType: 'Organization',
      id: `eg-${src.eg}`,
      meta: { profile: [`${SD}ror-organization`] },
      extension: [created],
      identifier: [{ type: cc(tre('G07-TypeIdentifiantStructure'), '1'), system: FINESS_SYSTEM, value: src.eg }],
      type: [cc(tre('R66-CategorieEtablissement'), category)],
      name: src.name,
      partOf: { reference: `Organization/ej-${src.ej}` },
    });
    counts.eg++;
    const nOffers = HOSPITAL.has(category) ? 12 + Math.floor(rand() * 20) : 2 + Math.floor(rand() * 4);
    const cog = cogOf.get(src.postalCode) ?? '75056';
    if (rand() < 0.02) {
      samples.cogs.push(cog);
      if (src.postalCode.length === 5) samples.departments.push(src.postalCode.slice(0, 2));
    }
    for (let i = 0; i < nOffers; i++) {
      const locId = `loc-${src.eg}-${i}`;
      const sync = `${src.eg}/${i}`;
      const nb = () => Math.floor(rand() * 20);
      const ind = (status: string, count: number, more: Record<string, unknown>[] = []) => ({
        url: `${SD}ror-location-supported-capacity`,
        extension: [
          { url: 'capacityType', valueCodeableConcept: cc(tre('R329-NatureCapacite'), rand() < 0.8 ? '01' : '02') },
          { url: 'capacityStatus', valueCodeableConcept: cc(tre('R330-TypeStatutCapacite'), status) },
          { url: 'temporalityCapacity', valueCodeableConcept: cc(tre('R331-TemporaliteCapacite'), '01') },
          { url: 'nbCapacity', valueInteger: count },
          { url: 'capacitySourceType', valueCodeableConcept: cc(tre('R335-TypeSourceCapacite'), '02') },
          { url: 'capacityUpdateDate', valueDateTime: '2025-02-26T15:17:33Z' },
          { url: 'temporaryAssignement', valueCodeableConcept: cc(tre('R337-AffectationTemporaire'), '01') },
          ...more,
        ],
      });
      const gender = (g: string) => ({ url: 'genderCapacityAvailable', valueCodeableConcept: cc(tre('R332-GenreCapacite'), g) });
      const jitter = () => (rand() - 0.5) * 0.004;
      await push({
        resourceType: 'Location',
        id: locId,
        meta: { profile: [`${SD}ror-location`] },
        extension: [
          { url: `${SD}ror-commune-cog`, valueCodeableConcept: cc(tre('R13-Commune'), cog) },
          created,
          ind('01', 10 + nb()),
          ind('02', nb(), [gender('01')]),
          ind('02', nb(), [gender('02')]),
          ind('03', nb()),
          ind('05', nb(), [{ url: 'capacityClosingType', valueCodeableConcept: cc(tre('R333-TypeFermetureCapacite'), pick(['01', '02', '03'])) }]),
        ],
        identifier: [{ type: { coding: [{ code: '26' }] }, value: sync }],
        name: `Unité ${i + 1} — ${src.name}`,
        type: [cc(tre('R343-FonctionLieu'), '001', 'Hébergement')],
        address: { line: src.line.length ? src.line : ['Adresse inconnue'], city: src.city || 'Inconnue', postalCode: src.postalCode || '00000' },
        ...(src.lat !== undefined && src.lon !== undefined ? { position: { latitude: src.lat + jitter(), longitude: src.lon + jitter() } } : {}),
      });
      counts.location++;
      counts.indicators += 5;
      if (rand() < 0.003) samples.locIdentifiers.push(sync);
      // Activities: a long-tailed pick in the 449 real TRE_R211 codes.
      const spec = r211[Math.floor(rand() ** 2 * r211.length)] ?? '227';
      const ageRange = () => {
        const low = pick([0, 0, 16, 18, 18, 60]);
        return { low: { value: low }, high: { value: low === 0 ? pick([17, 90, 120]) : pick([90, 99, 120]) } };
      };
      const hsId = `hs-${src.eg}-${i}`;
      const offerId = `OFF-${src.eg}-${i}`;
      await push({
        resourceType: 'HealthcareService',
        id: hsId,
        meta: { profile: [`${SD}ror-healthcareservice`] },
        extension: [
          created,
          { url: `${SD}ror-healthcareservice-sensitive-unit`, valueBoolean: false },
          { url: `${SD}ror-healthcareservice-patient-type`, extension: [{ url: 'ageRange', valueRange: ageRange()  }] },
        ],
        identifier: [{ system: 'https://ror.example.org/offre', value: offerId }],
        providedBy: { reference: `Organization/eg-${src.eg}` },
        type: [cc(tre('R227-ChampActivite'), pick(codes.R227).at(0)!)],
        specialty: [cc(tre('R211-ActiviteOperationnelle'), spec)],
        location: [{ reference: `Location/${locId}` }],
        name: `${codes.R211.find((c) => c[0] === spec)?.[1] ?? 'Offre'} (${src.name})`,
        characteristic: [cc(tre('R213-ModePriseEnCharge'), pick(codes.R213).at(0)!)],
      });
      counts.healthcareService++;
      if (rand() < 0.003) samples.hsIdentifiers.push(offerId);
      if (rand() < 0.001) samples.specialties.push(spec);
      if (i % 2 === 0) {
        const pid = `p-${src.eg}-${i}`;
        await push({
          resourceType: 'Practitioner',
          id: pid,
          meta: { profile: [`${SD}ror-practitioner`] },
          extension: [created],
          identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: `8${src.eg}${String(i).padStart(2, '0')}` }],
          name: [{ family: `Nom${n % 997}`, given: ['Claire'] }],
        });
        await push({
          resourceType: 'PractitionerRole',
          id: `pr-${src.eg}-${i}`,
          meta: { profile: [`${SD}ror-practitionerrole`] },
          extension: [created, { url: `${SD}ror-practitionerrole-unit-exercise-mode`, valueCodeableConcept: cc(tre('R23-ModeExercice'), 'S') }],
          identifier: [{ system: 'https://ror.example.org/situation', value: `SO-${src.eg}-${i}` }],
          practitioner: { reference: `Practitioner/${pid}` },
          healthcareService: [{ reference: `HealthcareService/${hsId}` }],
          code: [cc('https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante', '10')],
          specialty: [cc(tre('R04-TypeSavoirFaire'), 'S')],
        });
        counts.practitioner++;
        counts.practitionerRole++;
      }
    }
    if (n % 1000 === 999) onProgress?.(`${counts.eg} EG, ${counts.healthcareService} HS, ${Math.round((Date.now() - t0) / 1000)} s`);
  }
  await flush();
  if (samples.specialties.length === 0) samples.specialties.push('227');
  counts.ms = Date.now() - t0;
  return { counts, samples };
}
