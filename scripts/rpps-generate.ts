/**
 * Synthetic RPPS extract generator: writes files in the exact format of the public Annuaire Santé extract
 * "PS_LibreAcces_Personne_activite" (header of 56 columns, `|`-separated, a trailing `|` on every line), at any
 * size, streamed, deterministic for a given seed. **The people, cabinets and numbers are invented**; no real
 * RPPS extract is public in the sources this project may use (shared/data/PROVENANCE.md, "RPPS").
 *
 *   npm run rpps:generate -- --rows 2000000 [--seed 1] [--encoding utf-8|latin1] [--out FILE]   (stdout without --out)
 *
 * What is real: the format and every code (TRE_G15 professions, TRE_R23 modes d'exercice, TRE_R04/TRE_R38
 * savoir-faire, TRE_R02 secteurs d'activité, TRE_R11/TRE_R81 civilités, TRE_R09 catégories professionnelles),
 * and the communes with their postal codes (data/geo/postal-codes.csv.gz, La Poste; names from
 * data/nos/communes.json.gz, COG). What is invented: names, RPPS numbers (11 digits, Luhn key), SIRET (valid
 * Luhn), FINESS, addresses' streets and numbers, phone numbers.
 *
 * Shape: each person has 1–3 activity lines (a cabinet principal, a cabinet secondaire, a salaried activity
 * in a hospital), médecins one line per savoir-faire; about 45 % of the lines are in the ROR's scope (one of
 * the 11 liberal professions in mode L); the rest are salaried/volunteer activities or other professions
 * (pharmaciens, opticiens, manipulateurs ERM) that the importer skips. Cabinets de groupe are shared by
 * several people (same SIRET on their lines).
 */
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { CABINET_SECTORS, LIBERAL_PROFESSIONS, MODES, RPPS_COLUMNS, RPPS_HEADER, SAVOIR_FAIRE_TYPES } from '../src/imports/rpps/rpps.format.ts';
import { mulberry32 } from './prng.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface GenerateOptions {
  rows: number;
  seed?: number;
  encoding?: 'utf-8' | 'latin1';
}

const prng = mulberry32;

/** Luhn check digit of a string of digits (RPPS numbers and SIRET use it). */
export function luhnKey(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

const SURNAMES = [
  'MARTIN', 'BERNARD', 'THOMAS', 'PETIT', 'ROBERT', 'RICHARD', 'DURAND', 'DUBOIS', 'MOREAU', 'LAURENT', 'SIMON', 'MICHEL',
  'LEFEBVRE', 'LEROY', 'ROUX', 'DAVID', 'BERTRAND', 'MOREL', 'FOURNIER', 'GIRARD', 'BONNET', 'DUPONT', 'LAMBERT', 'FONTAINE',
  'ROUSSEAU', 'VINCENT', 'MULLER', 'LEFÈVRE', 'FAURE', 'ANDRÉ', 'MERCIER', 'BLANC', 'GUÉRIN', 'BOYER', 'GARNIER', 'CHEVALIER',
  'FRANÇOIS', 'LEGRAND', 'GAUTHIER', 'GARCIA', 'PERRIN', 'ROBIN', 'CLÉMENT', 'MORIN', 'NICOLAS', 'HENRY', 'ROUSSEL', 'MATHIEU',
  'GAUTIER', 'MASSON', 'MARCHAND', 'DUVAL', 'DENIS', 'DUMONT', 'MARIE', 'LEMAIRE', 'NOËL', 'MEYER', 'DUFOUR', 'MEUNIER',
  'BRUN', 'BLANCHARD', 'GIRAUD', 'JOLY', 'RIVIÈRE', 'LUCAS', 'BRUNET', 'GAILLARD', 'BARBIER', 'ARNAUD', 'MARTÍNEZ', 'GÉRARD',
  'ROCHE', 'RENARD', 'SCHMITT', 'ROY', 'LEROUX', 'COLIN', 'VIDAL', 'CARON', 'PICARD', 'ROGER', 'FABRE', 'AUBERT', 'LEMOINE',
  'RENAUD', 'DUMAS', 'LACROIX', 'OLIVIER', 'PHILIPPE', 'BOURGEOIS', 'PIERRE', 'BENOÎT', 'REY', 'LECLERC', 'PAYET', 'ROLLAND',
  'LECLERCQ', 'GUILLAUME', 'LECOMTE', 'LOPEZ', 'JEAN', 'DUPUY', 'GUILLOT', 'HUBERT', 'BERGER', 'CARPENTIER', 'SANCHEZ', 'DUPUIS',
  'MOULIN', 'LOUIS', 'DESCHAMPS', 'HUET', 'VASSEUR', 'PEREZ', 'BOUCHER', 'FLEURY', 'ROYER', 'KLEIN', 'JACQUET', 'ADAM', 'PARIS',
  'POIRIER', 'MARTY', 'AUBRY', 'GUYOT', 'CARRÉ', 'CHARLES', 'RENAULT', 'CHARPENTIER', 'MÉNARD', 'MAILLARD', 'BARON', 'BERTIN',
  'BAILLY', 'HERVÉ', 'SCHNEIDER', 'FERNANDEZ', 'LE GALL', 'COLLET', 'LÉGER', 'BOUVIER', 'JULIEN', 'PRÉVOST', 'MILLET', 'PERROT',
  'DANIEL', 'LE ROUX', 'COUSIN', 'GERMAIN', 'BRETON', 'BESSON', 'LANGLOIS', 'RÉMY', 'LE GOFF', 'PELLETIER', 'LÉVÊQUE', 'PERRIER',
];
const FIRST_F = [
  'Marie', 'Nathalie', 'Isabelle', 'Sylvie', 'Catherine', 'Françoise', 'Valérie', 'Christine', 'Sandrine', 'Sophie', 'Céline',
  'Stéphanie', 'Véronique', 'Aurélie', 'Julie', 'Émilie', 'Camille', 'Laura', 'Léa', 'Manon', 'Chloé', 'Sarah', 'Pauline',
  'Mathilde', 'Hélène', 'Anne', 'Claire', 'Agnès', 'Élodie', 'Mélanie', 'Laetitia', 'Audrey', 'Virginie', 'Noémie', 'Inès',
  'Clémence', 'Anaïs', 'Océane', 'Zoé', 'Maëlle', 'Joëlle', 'Bénédicte', 'Geneviève', 'Marion', 'Lucie', 'Justine', 'Margaux',
];
const FIRST_M = [
  'Jean', 'Philippe', 'Michel', 'Alain', 'Patrick', 'Nicolas', 'Christophe', 'Pierre', 'Christian', 'Éric', 'Frédéric',
  'Laurent', 'Stéphane', 'David', 'Pascal', 'Daniel', 'Sébastien', 'Julien', 'Thierry', 'Olivier', 'Bernard', 'Thomas',
  'Alexandre', 'Guillaume', 'Antoine', 'Maxime', 'Hugo', 'Lucas', 'Théo', 'Mathieu', 'Benoît', 'Jérôme', 'François',
  'Cédric', 'Damien', 'Grégoire', 'Loïc', 'Gaël', 'Raphaël', 'Noël', 'Hervé', 'Jérémy', 'Yannick', 'Bruno', 'Arnaud',
];
const STREETS = [
  'de la République', 'Victor Hugo', 'Jean Jaurès', 'du Général de Gaulle', 'Pasteur', 'de la Gare', 'des Écoles', "de l'Église",
  'du Moulin', 'Nationale', 'de la Mairie', 'Gambetta', 'du Maréchal Foch', 'Jules Ferry', 'de Verdun', 'de la Liberté',
  'Émile Zola', 'Carnot', 'du 8 Mai 1945', 'des Lilas', 'Saint-Martin', 'de Paris', 'du Château', 'de la Fontaine', 'Voltaire',
  'Aristide Briand', 'Anatole France', 'Louis Pasteur', 'des Tilleuls', 'du Stade', 'Paul Bert', 'de Lattre de Tassigny',
];
const STREET_TYPES: [string, string][] = [
  ['R', 'Rue'], ['AV', 'Avenue'], ['BD', 'Boulevard'], ['PL', 'Place'], ['CHE', 'Chemin'], ['ALL', 'Allée'], ['IMP', 'Impasse'], ['RTE', 'Route'], ['QU', 'Quai'],
];
const COMPLEMENTS = ['Bâtiment A', 'Résidence les Pins', 'Centre médical', 'Maison de santé', '1er étage', 'Pôle santé', 'Cabinet médical'];

/** Profession weights of the whole RPPS (liberal professions and a few others the ROR does not take). */
const PROFESSIONS: { code: string; label: string; weight: number; liberal: number; authority: string }[] = [
  { code: '10', label: 'Médecin', weight: 230, liberal: 0.55, authority: 'CNOM' },
  { code: '40', label: 'Chirurgien-Dentiste', weight: 45, liberal: 0.9, authority: 'CNOCD' },
  { code: '50', label: 'Sage-Femme', weight: 25, liberal: 0.3, authority: 'CNOSF' },
  { code: '60', label: 'Infirmier', weight: 420, liberal: 0.25, authority: 'ONI' },
  { code: '70', label: 'Masseur-Kinésithérapeute', weight: 100, liberal: 0.8, authority: 'CNOMK' },
  { code: '80', label: 'Pédicure-Podologue', weight: 14, liberal: 0.95, authority: 'CNOPP' },
  { code: '91', label: 'Orthophoniste', weight: 27, liberal: 0.8, authority: 'ARS' },
  { code: '92', label: 'Orthoptiste', weight: 5, liberal: 0.6, authority: 'ARS' },
  { code: '94', label: 'Ergothérapeute', weight: 14, liberal: 0.2, authority: 'ARS' },
  { code: '95', label: 'Diététicien', weight: 12, liberal: 0.4, authority: 'ARS' },
  { code: '96', label: 'Psychomotricien', weight: 14, liberal: 0.35, authority: 'ARS' },
  { code: '21', label: 'Pharmacien', weight: 75, liberal: 0.5, authority: 'CNOP' },
  { code: '28', label: 'Opticien-Lunetier', weight: 40, liberal: 0.3, authority: 'ARS' },
  { code: '98', label: 'Manipulateur ERM', weight: 38, liberal: 0, authority: 'ARS' },
];
for (const p of PROFESSIONS) if (LIBERAL_PROFESSIONS[p.code] && LIBERAL_PROFESSIONS[p.code]!.label !== p.label) throw new Error(`profession ${p.code}`);
const TOTAL_WEIGHT = PROFESSIONS.reduce((s, p) => s + p.weight, 0);

/** Spécialités ordinales (TRE_R38) of médecins, with weights; dentists' and nurses' ones below. */
const MEDICAL_SPECIALTIES: [string, string, number][] = [
  ['SM54', 'Médecine générale (SM)', 45],
  ['SM53', 'Spécialiste en Médecine générale (SM)', 10],
  ['SM26', 'Qualifié en Médecine générale (SM)', 5],
  ['SM04', 'Cardiologie et Maladies vasculaires (SM)', 6],
  ['SM20', 'Gynécologie-obstétrique (SM)', 4],
  ['SM48', 'Rhumatologie (SM)', 3],
  ['SM38', 'Ophtalmologie (SM)', 4],
  ['SM15', 'Dermatologie et Vénéréologie (SM)', 3],
  ['SM40', 'Pédiatrie (SM)', 3],
  ['SM42', 'Psychiatrie (SM)', 4],
  ['SM39', 'Oto-rhino-laryngologie (SM)', 2],
  ['SM24', 'Gastro-entérologie et Hépatologie (SM)', 2],
  ['SM44', 'Radio-diagnostic (SM)', 3],
  ['SM08', 'Chirurgie orthopédique et Traumatologie (SM)', 2],
  ['SM02', 'Anesthésie-réanimation (SM)', 6],
  ['SM25', 'Médecine du travail (SM)', 4],
];
const MEDICAL_WEIGHT = MEDICAL_SPECIALTIES.reduce((s, x) => s + x[2], 0);

interface Site {
  siret: string;
  siren: string;
  finess: string;
  techId: string;
  name: string;
  brand: string;
  recipient: string;
  geoComplement: string;
  houseNumber: string;
  repetition: string;
  streetType: [string, string];
  street: string;
  distribution: string;
  cedex: string;
  postalCode: string;
  commune: string;
  communeLabel: string;
  department: string;
  phone: string;
  phone2: string;
  fax: string;
  email: string;
  sector: string;
  sectorLabel: string;
}

function loadCommunes(): { code: string; postal: string; name: string }[] {
  const names = new Map<string, string>();
  const pkg = JSON.parse(gunzipSync(readFileSync(join(ROOT, 'data', 'nos', 'communes.json.gz'))).toString('utf8')) as { codeSystems: { concepts: [string, string][] }[] };
  for (const [code, name] of pkg.codeSystems[0]!.concepts) names.set(code, name);
  const out: { code: string; postal: string; name: string }[] = [];
  for (const line of gunzipSync(readFileSync(join(ROOT, 'data', 'geo', 'postal-codes.csv.gz'))).toString('utf8').split('\n')) {
    const [code, postal] = line.split(';');
    const name = code ? names.get(code) : undefined;
    // Paris, Lyon, Marseille: the La Poste base lists the arrondissements, which the COG package holds too.
    if (code && postal && name) out.push({ code, postal, name });
  }
  if (out.length < 1000) throw new Error('communes: data/geo/postal-codes.csv.gz or data/nos/communes.json.gz unreadable');
  return out;
}

/** Upper case without accents, as La Poste writes a "ligne d'acheminement". */
const acheminement = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().replace(/['-]/g, ' ');

/**
 * The lines of a synthetic extract (header first), without line ends. `rows` counts the activity lines (the
 * header aside). Deterministic: the same options give the same lines.
 */
export function* generateRppsLines(opts: GenerateOptions): Generator<string> {
  const rnd = prng(opts.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const digits = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(rnd() * 10);
    return s;
  };
  const communes = loadCommunes();
  let siteSeq = 0;
  const newSite = (sector: string, withFiness: boolean, ownerName: string): Site => {
    siteSeq++;
    const c = pick(communes);
    const department = c.code.startsWith('97') ? c.code.slice(0, 3) : c.code.slice(0, 2);
    const useSiret = withFiness || rnd() < 0.85;
    const siren = useSiret ? ((s) => s + luhnKey(s))(`${1 + Math.floor(rnd() * 9)}${digits(7)}`) : '';
    const siret = useSiret ? ((s) => s + luhnKey(s))(`${siren}${String(1 + Math.floor(rnd() * 99)).padStart(4, '0')}`) : '';
    const type = pick(STREET_TYPES);
    const cedex = rnd() < 0.03;
    return {
      siret,
      siren,
      // FINESS numbers begin with the département (97x overseas: 971… for Guadeloupe, 2A/2B for Corsica).
      finess: withFiness ? `${department}${digits(9 - department.length)}` : '',
      techId: `R1${String(10000000000 + siteSeq * 7 + Math.floor(rnd() * 7)).padStart(13, '0')}`,
      name: sector === 'SA05' ? `CENTRE DE SANTE ${acheminement(c.name)}` : sector === 'SA09' ? `SELARL ${ownerName}` : sector === 'SA08' ? `CABINET MEDICAL ${acheminement(pick(STREETS))}` : '',
      brand: rnd() < 0.05 ? `Cabinet ${pick(STREETS)}` : '',
      recipient: rnd() < 0.08 ? pick(COMPLEMENTS) : '',
      geoComplement: rnd() < 0.05 ? pick(COMPLEMENTS) : '',
      houseNumber: rnd() < 0.92 ? String(1 + Math.floor(rnd() * 120)) : '',
      repetition: rnd() < 0.05 ? pick(['B', 'T']) : '',
      streetType: type,
      street: pick(STREETS),
      distribution: rnd() < 0.04 ? `BP ${10 + Math.floor(rnd() * 900)}` : '',
      cedex: `${c.postal} ${acheminement(c.name)}${cedex ? ' CEDEX' : ''}`,
      postalCode: c.postal,
      commune: c.code,
      communeLabel: c.name,
      department,
      phone: rnd() < 0.7 ? `0${1 + Math.floor(rnd() * 5)}${digits(8)}` : '',
      phone2: rnd() < 0.05 ? `06${digits(8)}` : '',
      fax: rnd() < 0.15 ? `0${1 + Math.floor(rnd() * 5)}${digits(8)}` : '',
      email: '',
      sector,
      sectorLabel: CABINET_SECTORS[sector] ?? (sector === 'SA01' ? 'Etablissement public de santé' : sector === 'SA03' ? 'Etablissement privé PSPH' : ''),
    };
  };
  const hospitals = Array.from({ length: 200 }, () => newSite(rnd() < 0.7 ? 'SA01' : 'SA03', true, ''));
  for (const h of hospitals) h.name = `CENTRE HOSPITALIER ${acheminement(h.communeLabel)}`;
  const groups: Site[] = [];

  yield RPPS_HEADER;
  let written = 0;
  let person = 0;
  while (written < opts.rows) {
    person++;
    let r = rnd() * TOTAL_WEIGHT;
    const prof = PROFESSIONS.find((p) => (r -= p.weight) < 0) ?? PROFESSIONS[0]!;
    const female = rnd() < (prof.code === '50' || prof.code === '60' || prof.code === '91' ? 0.88 : 0.52);
    const adeli = (prof.code === '94' || prof.code === '96' || prof.code === '95') && rnd() < 0.05;
    const idPP = adeli ? `${String(1 + Math.floor(rnd() * 95)).padStart(2, '0')}${prof.code === '94' ? '8' : '9'}${String(person % 1000000).padStart(6, '0')}` : ((s) => s + luhnKey(s))(`1${String(person).padStart(9, '0')}`);
    const idType = adeli ? '0' : '8';
    const lastName = pick(SURNAMES);
    const firstName = pick(female ? FIRST_F : FIRST_M);
    const doctor = prof.code === '10' || prof.code === '40';
    const civEx = doctor ? (prof.code === '10' && rnd() < 0.02 ? ['PR', 'Professeur'] : ['DR', 'Docteur']) : ['', ''];
    const civ = female ? ['MME', 'Madame'] : ['M', 'Monsieur'];
    const category = rnd() < 0.01 ? ['M', 'Militaire'] : rnd() < 0.01 ? ['E', 'Etudiant'] : ['C', 'Civil'];
    // Savoir-faire: one per line of the person (the extract repeats an activity for each savoir-faire).
    const savoirFaire: [string, string, string, string][] = [];
    if (prof.code === '10') {
      let w = rnd() * MEDICAL_WEIGHT;
      const s = MEDICAL_SPECIALTIES.find((x) => (w -= x[2]) < 0) ?? MEDICAL_SPECIALTIES[0]!;
      savoirFaire.push(['S', SAVOIR_FAIRE_TYPES.S!, s[0], s[1]]);
    } else if (prof.code === '40') {
      const x = rnd();
      if (x < 0.15) savoirFaire.push(['S', SAVOIR_FAIRE_TYPES.S!, 'SCD01', 'Orthopédie dento-faciale (SCD)']);
      else if (x < 0.25) savoirFaire.push(['S', SAVOIR_FAIRE_TYPES.S!, 'SCD03', 'Médecine bucco-dentaire (SCD)']);
    } else if (prof.code === '60' && rnd() < 0.03) {
      savoirFaire.push(['S', SAVOIR_FAIRE_TYPES.S!, 'SI01', 'Exercice infirmier en pratique avancée pathologies chroniques stabilisées (SI)']);
    }
    if (savoirFaire.length === 0) savoirFaire.push(['', '', '', '']);
    // Activities: a main one, sometimes a secondary cabinet or a salaried activity.
    const x = rnd();
    const nActivities = x < 0.62 ? 1 : x < 0.92 ? 2 : 3;
    // Anesthésistes and médecins du travail are salaried here (their specialty has no liberal offer mapped).
    const salariedOnly = savoirFaire[0]![2] === 'SM02' || savoirFaire[0]![2] === 'SM25';
    const liberalFirst = !salariedOnly && rnd() < prof.liberal;
    const sites = new Set<Site>();
    for (let a = 0; a < nActivities && written < opts.rows; a++) {
      const liberal = !salariedOnly && (a === 0 ? liberalFirst : a === 1 && liberalFirst ? rnd() < 0.6 : rnd() < prof.liberal * 0.5);
      const mode = liberal ? 'L' : rnd() < 0.97 ? 'S' : 'B';
      let site: Site;
      if (!liberal) site = pick(hospitals);
      else if (groups.length > 20 && rnd() < 0.3) site = groups[Math.floor(rnd() * groups.length)]!;
      else {
        const y = rnd();
        const sector = y < 0.62 ? 'SA07' : y < 0.86 ? 'SA08' : y < 0.96 ? 'SA09' : 'SA05';
        site = newSite(sector, sector === 'SA05', lastName);
        if (sector === 'SA08' || sector === 'SA05') {
          if (groups.length < 500) groups.push(site);
          else groups[Math.floor(rnd() * groups.length)] = site;
        }
      }
      // One activity per site and person (the extract has one line per activity and savoir-faire).
      if (sites.has(site)) continue;
      sites.add(site);
      for (const sf of savoirFaire) {
        if (written >= opts.rows) break;
        const f: string[] = new Array(RPPS_COLUMNS.length).fill('');
        f[0] = idType; f[1] = idPP; f[2] = `${idType}${idPP}`;
        f[3] = civEx[0]!; f[4] = civEx[1]!; f[5] = civ[0]!; f[6] = civ[1]!;
        f[7] = lastName; f[8] = firstName; f[9] = prof.code; f[10] = prof.label; f[11] = category[0]!; f[12] = category[1]!;
        [f[13], f[14], f[15], f[16]] = sf;
        f[17] = mode; f[18] = MODES[mode]!;
        f[19] = site.siret; f[20] = site.siren; f[21] = site.finess; f[22] = site.finess ? `${site.department}${digits(9 - site.department.length)}` : '';
        f[23] = site.techId; f[24] = site.name; f[25] = site.brand; f[26] = site.recipient; f[27] = site.geoComplement;
        f[28] = site.houseNumber; f[29] = site.repetition; f[30] = site.streetType[0]; f[31] = site.streetType[1]; f[32] = site.street;
        f[33] = site.distribution; f[34] = site.cedex; f[35] = site.postalCode; f[36] = site.commune; f[37] = site.communeLabel;
        f[40] = site.phone; f[41] = site.phone2; f[42] = site.fax; f[43] = site.email;
        f[44] = site.department;
        f[47] = `${prof.authority}/${prof.authority}/${prof.authority}`;
        f[48] = site.sector; f[49] = site.sectorLabel;
        if (prof.code === '21') [f[50], f[51]] = mode === 'L' ? ['A', 'Pharmaciens titulaires d\'officine'] : ['H', 'Pharmaciens des établissements de santé'];
        f[54] = 'GENR01'; f[55] = 'Activité standard';
        yield `${f.join('|')}|`;
        written++;
      }
    }
  }
}

/** Writes a synthetic extract to a stream (backpressure respected); returns the number of activity lines. */
export async function writeRpps(out: Writable, opts: GenerateOptions): Promise<number> {
  const latin1 = opts.encoding === 'latin1';
  let n = -1;
  let buf = '';
  for (const line of generateRppsLines(opts)) {
    buf += `${line}\n`;
    n++;
    if (buf.length >= 1 << 16) {
      if (!out.write(latin1 ? Buffer.from(buf, 'latin1') : buf)) await once(out, 'drain');
      buf = '';
    }
  }
  if (buf) out.write(latin1 ? Buffer.from(buf, 'latin1') : buf);
  return n;
}

/** Writes a synthetic extract to a file. */
export async function writeRppsFile(path: string, opts: GenerateOptions): Promise<number> {
  const out = createWriteStream(path);
  const n = await writeRpps(out, opts);
  out.end();
  await once(out, 'finish');
  return n;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const usage = 'usage: npm run rpps:generate -- --rows N [--seed S] [--encoding utf-8|latin1] [--out FILE]\n';
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage}Writes a synthetic RPPS extract (PS_LibreAcces_Personne_activite format, invented people) to FILE or stdout.\n`);
    process.exit(0);
  }
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const rows = Number(opt('--rows') ?? 1000);
  const seed = Number(opt('--seed') ?? 1);
  const encoding = (opt('--encoding') ?? 'utf-8') as 'utf-8' | 'latin1';
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(seed) || !['utf-8', 'latin1'].includes(encoding)) {
    process.stderr.write(usage);
    process.exit(2);
  }
  const file = opt('--out');
  const started = Date.now();
  const n = file ? await writeRppsFile(file, { rows, seed, encoding }) : await writeRpps(process.stdout, { rows, seed, encoding });
  if (file) process.stderr.write(`${n} lignes d'activité RPPS synthétiques écrites dans ${file} en ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
