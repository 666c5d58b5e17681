/**
 * Rebuilds a data.gouv.fr "FINESS Extraction du Fichier des établissements" file (etalab format: manifest,
 * structureet lines, then geolocalisation lines) from the real national FINESS of 2021-01-08 as converted to
 * FHIR by flrt/finess-fhir (shared/data/finess/flrt-finess-fhir, 95 333 EG with their WGS84 positions).
 *
 *   node --import tsx scripts/finess-rebuild-etalab.ts [SOURCE.ndjson.gz] [OUT.csv|.csv.gz|.csv.br] [--region DEPTS]
 *
 * The demo file shipped in data/finess/ is `finess-etalab-20210108.csv.br` (brotli: 4 MB against 6 MB gzip).
 *
 * What the FHIR conversion lost is rebuilt or left empty, never invented:
 * - commune code (3 digits) and département: from the INSEE commune found with the La Poste base of postal
 *   codes (postal code + name, else name within the département, else the nearest commune centroid);
 * - street parts (numvoie, compvoie, typvoie, voie) split back from the address line; a second line
 *   (BP, CS, lieu-dit) goes to lieuditbp;
 * - coordinates: flrt converted every FINESS point as if it were Lambert 93, overseas ones too (wrongly:
 *   they are UTM). Projecting its WGS84 back to Lambert 93 restores the original FINESS x/y exactly, which
 *   the importer then reads in the territory's projection; `sourcecoordet` says where the point comes from;
 * - rslongue, complrs, compldistrib, telecopie, codemft/libmft, dateautor: not in the source, left empty.
 * Streams both ways; geolocalisation lines go to a temporary file appended after the structures.
 */
import { createReadStream, createWriteStream, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { constants as zlib, createBrotliCompress, createGunzip, createGzip } from 'node:zlib';
import { fromWgs84, projectionFor, toWgs84 } from '../src/imports/finess/finess.geo.ts';

const SHARED = process.env.ROR_SHARED_DATA ?? '/work/shared/data';
const args = process.argv.slice(2);
const regionIdx = args.indexOf('--region');
const onlyDepts = regionIdx >= 0 ? new Set(args.splice(regionIdx, 2)[1]!.split(',')) : undefined;
const source = args[0] || `${SHARED}/finess/flrt-finess-fhir/finess-fhir-organization-location-20210108.ndjson.gz`;
const out = args[1] || 'finess-etalab-20210108.csv';

interface Commune {
  insee: string;
  name: string;
  postal: string;
  lat?: number;
  lon?: number;
}
const norm = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/\bCEDEX\b.*$/, '')
    .replace(/\bST\b/g, 'SAINT')
    .replace(/\bSTE\b/g, 'SAINTE')
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
const deptOfInsee = (insee: string) => (insee.startsWith('97') || insee.startsWith('98') ? insee.slice(0, 3) : insee.slice(0, 2));
const deptOfPostal = (cp: string) => (cp.startsWith('97') || cp.startsWith('98') ? cp.slice(0, 3) : cp.startsWith('20') ? (Number(cp) < 20200 ? '2A' : '2B') : cp.slice(0, 2));

// La Poste base of postal codes (Code_commune_INSEE;Nom_commune;Code_postal;Ligne_5;Libellé_d_acheminement;coordonnees_gps).
const communes: Commune[] = [];
for (const line of readFileSync(`${SHARED}/geo/laposte/laposte_hexasmal.csv`, 'utf8').split('\n').slice(1)) {
  const [insee, name, postal, , libelle, gps] = line.split(';');
  if (!insee || !postal) continue;
  const [lat, lon] = (gps ?? '').split(',').map(Number);
  const c: Commune = { insee, name: norm(libelle || name || ''), postal, ...(lat && lon ? { lat, lon } : {}) };
  communes.push(c);
  if (name && norm(name) !== c.name) communes.push({ ...c, name: norm(name) });
}
const byPostalName = new Map<string, Commune>();
const byDeptName = new Map<string, Commune>();
const byDept = new Map<string, Commune[]>();
for (const c of communes) {
  byPostalName.set(`${c.postal}|${c.name}`, c);
  byDeptName.set(`${deptOfInsee(c.insee)}|${c.name}`, c);
  if (c.lat !== undefined) byDept.set(deptOfInsee(c.insee), [...(byDept.get(deptOfInsee(c.insee)) ?? []), c]);
}

/**
 * flrt/finess-fhir kept the CSV quoting of the FINESS fields that hold quotes (1 722 names such as
 * `"ACCUEIL DE JOUR ""AUX  LUCIOLES"""`): the field as FINESS wrote it is that text unquoted once.
 */
function unquoteCsv(v: string): string {
  const m = /^"((?:[^"]|"")*)"$/s.exec(v);
  return m ? m[1]!.replace(/""/g, '"') : v;
}

function findCommune(postal: string, city: string, pos: { latitude: number; longitude: number } | undefined): Commune | undefined {
  const name = norm(city);
  const exact = byPostalName.get(`${postal}|${name}`);
  if (exact) return exact;
  const dept = deptOfPostal(postal);
  const named = byDeptName.get(`${dept}|${name}`);
  if (named) return named;
  if (!pos) return undefined;
  let best: Commune | undefined;
  let bestD = Infinity;
  for (const c of byDept.get(dept) ?? []) {
    const d = (c.lat! - pos.latitude) ** 2 + ((c.lon! - pos.longitude) * Math.cos((pos.latitude * Math.PI) / 180)) ** 2;
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

const FINESS_OM: Record<string, string> = { '971': '9A', '972': '9B', '973': '9C', '974': '9D', '975': '9E', '976': '9F', '986': '9J' };

/** FINESS département and 3-digit commune of an INSEE code (971xx → 9A, … ; 97701/97801 filed under 9A). */
function finessCommune(insee: string): { departement: string; commune: string } {
  if (insee === '97701') return { departement: '9A', commune: '123' };
  if (insee === '97801') return { departement: '9A', commune: '127' };
  const d3 = insee.slice(0, 3);
  if (FINESS_OM[d3]) return { departement: FINESS_OM[d3]!, commune: insee.slice(2) };
  return { departement: insee.slice(0, 2), commune: insee.slice(2) };
}

const VOIE_TYPES = new Set(
  'ALL AV BD CAR CHE CHS CHEM CITE COR CRS DOM ESC FG GR HAM HLE IMP LD LOT MAR MTE PARC PAS PL PLN PLT PRO PRV QUA QUAI R RES RLE ROC RPT RTE RUE SEN SQ TPL TRA VLA VLGE VOIE ZA ZAC ZAD ZI ZONE'.split(' '),
);
function splitStreet(line: string): { numvoie: string; compvoie: string; typvoie: string; voie: string } {
  const m = /^(\d+)\s*(?:(B|T|Q|C|A|BIS|TER)\s+)?(.*)$/.exec(line);
  let numvoie = '';
  let compvoie = '';
  let rest = line;
  if (m) {
    numvoie = m[1]!;
    compvoie = m[2] ? m[2][0]! : '';
    rest = m[3]!;
  }
  const [first, ...others] = rest.split(' ');
  if (first && VOIE_TYPES.has(first) && others.length) return { numvoie, compvoie, typvoie: first, voie: others.join(' ') };
  return { numvoie, compvoie, typvoie: '', voie: rest };
}

const csv = (v: string) => (/[;"\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

async function main(): Promise<void> {
  const gz = out.endsWith('.gz') || out.endsWith('.br');
  const geoTmp = `${out}.geo.tmp`;
  const file = createWriteStream(out);
  const gzip = !gz
    ? undefined
    : out.endsWith('.br')
      ? createBrotliCompress({ params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_LGWIN]: 24 } })
      : createGzip({ level: 9 });
  const structures: NodeJS.WritableStream = gzip ?? file;
  const done = gzip ? pipeline(gzip, file) : once(file, 'finish');
  const geoOut = createWriteStream(geoTmp);
  const write = async (s: NodeJS.WritableStream, text: string) => {
    if (!s.write(text)) await once(s, 'drain');
  };
  await write(structures, 'finess;etalab;95;2021-01-08\n');
  const rl = createInterface({ input: createReadStream(source).pipe(createGunzip()), crlfDelay: Infinity });
  let org: Record<string, any> | undefined;
  let count = 0;
  let located = 0;
  let unmatched = 0;
  const emit = async (o: Record<string, any>, loc: Record<string, any> | undefined) => {
    const [nofinessej, nofinesset] = (o.id as string).split('-') as [string, string];
    const a = o.address?.[0] ?? {};
    const postal: string = a.postalCode ?? '';
    const city: string = a.city ?? '';
    // flrt/finess-fhir converted every point as Lambert 93, overseas ones included (Réunion lands in
    // Scotland): projecting its WGS84 back to Lambert 93 gives the original FINESS coordinates exactly,
    // in the territory's own projection for overseas structures.
    const raw = loc?.position ? fromWgs84(loc.position.latitude, loc.position.longitude, 'LAMBERT_93') : undefined;
    const proj = projectionFor('', FINESS_OM[deptOfPostal(postal)] ?? '');
    const pos = raw ? toWgs84(raw.x, raw.y, proj) : undefined;
    const commune = postal ? findCommune(postal, city, pos) : undefined;
    if (!commune) unmatched++;
    const { departement, commune: com } = commune ? finessCommune(commune.insee) : { departement: '', commune: '' };
    if (onlyDepts && !onlyDepts.has(departement)) return;
    const lines: string[] = (a.line ?? []).map(unquoteCsv);
    const street = lines[0] && /^(BP|CS|TSA)\s*\d/.test(lines[0]) ? undefined : lines[0];
    const lieudit = street === undefined ? lines.join(' ') : lines.slice(1).join(' ');
    const s = street ? splitStreet(street) : { numvoie: '', compvoie: '', typvoie: '', voie: '' };
    const code = (sys: string) => (o.type as any[]).flatMap((t) => t.coding).find((c: any) => c.system.endsWith(sys));
    const cat = code('CAT_ETAB');
    const agr = code('CAT_AGR_ETAB');
    const ape = code('TRE-R75-InseeNAFrev2Niveau5');
    const sph = code('valuesets/SPH');
    const siret = (o.identifier as any[]).find((i) => i.system === 'http://sirene.fr')?.value ?? '';
    const phone = (o.telecom as any[] | undefined)?.find((t) => t.system === 'phone')?.value ?? '';
    const period = (o.extension as any[] | undefined)?.find((e) => e.url.endsWith('organization-period'))?.valuePeriod;
    const datemaj = (o.meta?.lastUpdated ?? '').slice(0, 10);
    const fields = [
      'structureet', nofinesset, nofinessej, unquoteCsv(o.name ?? ''), '', '', '', s.numvoie, s.typvoie, s.voie, s.compvoie, lieudit, com, departement, '',
      postal || city ? `${postal} ${city}`.trim() : '', phone, '', cat?.code ?? '', cat?.display ?? '', agr?.code ?? '', agr?.display ?? '', siret,
      ape?.code ?? '', '', '', sph?.code ?? '', sph?.display ?? '', period?.start ?? '', '', datemaj, '',
    ];
    await write(structures, fields.map(csv).join(';') + '\n');
    count++;
    if (raw) {
      await write(geoOut, `geolocalisation;${nofinesset};${raw.x.toFixed(2)};${raw.y.toFixed(2)};REBUILT,flrt/finess-fhir 2021,${proj};${datemaj}\n`);
      located++;
    }
  };
  for await (const line of rl) {
    if (!line) continue;
    const r = JSON.parse(line) as Record<string, any>;
    if (r.resourceType === 'Organization') {
      if (org) await emit(org, undefined);
      org = r;
    } else if (r.resourceType === 'Location' && org && r.managingOrganization?.reference === `Organization/${org.id}`) {
      await emit(org, r);
      org = undefined;
    }
  }
  if (org) await emit(org, undefined);
  geoOut.end();
  await once(geoOut, 'finish');
  for await (const chunk of createReadStream(geoTmp)) await write(structures, chunk.toString());
  rmSync(geoTmp);
  structures.end();
  await done;
  process.stderr.write(`${out}: ${count} structureet, ${located} geolocalisation, ${unmatched} sans commune INSEE retrouvée\n`);
}

await main();
