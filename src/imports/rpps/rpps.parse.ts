import { openDecoded, ImportAbort, type FinessManifest, type ParsedLine, type ReadStats, type RowIssue } from '../finess/finess.parse.ts';
import { CABINET_SECTORS, COL, COLUMN_ALIASES, columnKey, LIBERAL_PROFESSIONS, MODES, REQUIRED_COLUMNS, RPPS_COLUMNS, SAVOIR_FAIRE_TYPES, type ColKey } from './rpps.format.ts';

/**
 * Parser of the RPPS extract "PS_LibreAcces_Personne_activite" (format in rpps.format.ts): streamed line by
 * line (never loaded in memory), UTF-8 or Windows-1252/Latin-1 detected on the first MB (the FINESS decoder),
 * plain, gzip (*.gz) or brotli (*.br).
 */

export type RppsEncoding = FinessManifest['encoding'];

/** One activity line in the ROR's scope (a liberal profession, mode d'exercice L), values trimmed. */
export interface RppsRow {
  line: number;
  idType: string;
  idPP: string;
  idNat: string;
  civExCode: string;
  civCode: string;
  lastName: string;
  firstName: string;
  profession: string;
  professionLabel: string;
  sfType: string;
  sfCode: string;
  sfLabel: string;
  mode: string;
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
  streetTypeCode: string;
  street: string;
  distribution: string;
  cedex: string;
  postalCode: string;
  commune: string;
  communeLabel: string;
  department: string;
  sector: string;
  sectorLabel: string;
}

/** Why a well-formed line is left out of the ROR (not an error). */
export type SkipReason = 'profession' | 'mode';

/** Streams the lines of an RPPS file with their 1-based number (the header is line 1), split on `|`. */
export async function* readRppsLines(path: string, opts: { encoding?: RppsEncoding | undefined; stats?: ReadStats } = {}): AsyncGenerator<ParsedLine> {
  const decoder = openDecoded(path, opts.encoding, opts.stats);
  let rest = '';
  let lineNo = 0;
  for await (const chunk of decoder as AsyncIterable<string>) {
    if (opts.stats && !opts.stats.encoding) opts.stats.encoding = decoder.encoding;
    const text = rest + chunk;
    let from = 0;
    for (let nl = text.indexOf('\n', from); nl >= 0; nl = text.indexOf('\n', from)) {
      let l = text.slice(from, nl);
      from = nl + 1;
      lineNo++;
      if (l.endsWith('\r')) l = l.slice(0, -1);
      if (l !== '') yield { line: lineNo, fields: l.split('|') };
    }
    rest = text.slice(from);
  }
  if (rest !== '') {
    lineNo++;
    const l = rest.endsWith('\r') ? rest.slice(0, -1) : rest;
    if (l !== '') yield { line: lineNo, fields: l.split('|') };
  }
  if (opts.stats) {
    opts.stats.sha256 = decoder.hash.digest('hex');
    opts.stats.encoding = decoder.encoding ?? 'utf-8';
  }
}

/** Where each known column sits in a file, read from its header line. */
export interface RppsLayout {
  /** Number of values on a line (without the trailing empty one). */
  width: number;
  /** Position of each column in the file, -1 when the file does not have it. */
  at: Record<ColKey, number>;
  /** The names as the file's header writes them (used in the per-line report). */
  names: string[];
}

const KEY_OF = new Map<string, ColKey>();
for (const [k, i] of Object.entries(COL) as [ColKey, number][]) {
  KEY_OF.set(columnKey(RPPS_COLUMNS[i]!), k);
  for (const alias of COLUMN_ALIASES[k] ?? []) KEY_OF.set(columnKey(alias), k);
}

/** The layout of the generator (RPPS_COLUMNS in order). */
export const STANDARD_LAYOUT: RppsLayout = { width: RPPS_COLUMNS.length, at: { ...COL }, names: [...RPPS_COLUMNS] };

/**
 * Reads the header line (line 1): columns are found by name (in any order; unknown columns ignored; names
 * compared as `columnKey` does), so the 56-column extract, its older spellings and the recent layout without the
 * savoir-faire columns all import. A header without a required column, or with one twice, aborts.
 */
export function parseHeader(first: ParsedLine | undefined): RppsLayout {
  if (!first) throw new ImportAbort('Fichier RPPS vide', 'empty-file');
  const names = first.fields.map((f) => f.trim());
  if (names.length > 1 && names[names.length - 1] === '') names.pop();
  const at = Object.fromEntries(Object.keys(COL).map((k) => [k, -1])) as Record<ColKey, number>;
  names.forEach((name, i) => {
    const k = KEY_OF.get(columnKey(name));
    if (!k) return;
    if (at[k] >= 0) throw new ImportAbort(`Ligne 1 : colonne « ${name} » présente deux fois (colonnes ${at[k] + 1} et ${i + 1})`, 'bad-header');
    at[k] = i;
  });
  const missing = REQUIRED_COLUMNS.filter((k) => at[k] < 0);
  if (missing.length) {
    throw new ImportAbort(
      `Ligne 1 : en-tête RPPS « PS_LibreAcces_Personne_activite » attendu ; colonne(s) absente(s) : ${missing.map((k) => `« ${RPPS_COLUMNS[COL[k]]} »`).join(', ')} (trouvé « ${names.slice(0, 3).join('|').slice(0, 80)} »)`,
      'bad-header',
    );
  }
  if ((at.sfType < 0) !== (at.sfCode < 0)) {
    throw new ImportAbort('Ligne 1 : colonnes « Code type savoir-faire » et « Code savoir-faire » : l\'une sans l\'autre', 'bad-header');
  }
  return { width: names.length, at, names };
}

/** The values of a line: the extract ends every line with `|`, which leaves one empty field. */
function withoutTrailing(fields: string[], width: number): string[] {
  return fields.length === width + 1 && fields[fields.length - 1] === '' ? fields.slice(0, -1) : fields;
}

const RPPS_RE = /^\d{11}$/;
const ADELI_RE = /^(?:\d{2}|2[AB])[\dAB]\d{6}$/;
const FINESS_RE = /^(?:\d{2}|2[AB])\d{7}$/;
const COMMUNE_RE = /^(?:\d{5}|2[AB]\d{3})$/;

/** The person's idNat_PS when the line has a readable one (used to tell rejected lines from missing persons). */
export function readableIdNat(fields: string[], layout: RppsLayout = STANDARD_LAYOUT): string | undefined {
  const t = (fields[layout.at.idType] ?? '').trim();
  const id = (fields[layout.at.idPP] ?? '').trim();
  return (t === '8' && RPPS_RE.test(id)) || (t === '0' && ADELI_RE.test(id)) ? `${t}${id}` : undefined;
}

/**
 * Checks and normalises one activity line. Lines outside the ROR's scope (another profession, a salaried or
 * volunteer activity) are skipped, not rejected; lines in scope that cannot be imported return their issues.
 */
export function parseRow(rec: ParsedLine, layout: RppsLayout = STANDARD_LAYOUT): { row: RppsRow } | { skip: SkipReason } | { issues: RowIssue[] } {
  const values = withoutTrailing(rec.fields, layout.width);
  if (values.length !== layout.width) {
    return { issues: [{ line: rec.line, code: 'field-count', message: `${values.length} champs au lieu de ${layout.width} (séparateur « | »)` }] };
  }
  const v = (k: ColKey) => {
    const i = layout.at[k];
    return i < 0 ? '' : values[i]!.trim();
  };
  const issues: RowIssue[] = [];
  const bad = (column: ColKey, code: string, message: string) => issues.push({ line: rec.line, column: layout.names[layout.at[column]] ?? RPPS_COLUMNS[COL[column]], code, message });
  const idType = v('idType');
  const idPP = v('idPP');
  if (idType !== '8' && idType !== '0') bad('idType', 'invalid-id-type', `Type d'identifiant PP « ${idType} » inconnu (8 RPPS ou 0 ADELI attendu)`);
  else if (idType === '8' && !RPPS_RE.test(idPP)) bad('idPP', 'invalid-rpps', `Numéro RPPS invalide « ${idPP} » (11 chiffres attendus)`);
  else if (idType === '0' && !ADELI_RE.test(idPP)) bad('idPP', 'invalid-adeli', `Numéro ADELI invalide « ${idPP} » (9 caractères attendus)`);
  else if (v('idNat') !== `${idType}${idPP}`) bad('idNat', 'invalid-idnat', `Identification nationale PP « ${v('idNat')} » différente de ${idType}${idPP}`);
  const profession = v('profession');
  if (!/^\d{2}$/.test(profession)) bad('profession', 'invalid-profession', `Code profession invalide « ${profession} » (2 chiffres, TRE_G15)`);
  const mode = v('mode');
  if (issues.length) return { issues };
  if (!LIBERAL_PROFESSIONS[profession]) return { skip: 'profession' };
  if (mode !== 'L') {
    if (mode && !MODES[mode]) bad('mode', 'invalid-mode', `Mode d'exercice inconnu « ${mode} » (L, S ou B, TRE_R23)`);
    return issues.length ? { issues } : { skip: 'mode' };
  }
  const row: RppsRow = {
    line: rec.line,
    idType,
    idPP,
    idNat: `${idType}${idPP}`,
    civExCode: v('civExCode'),
    civCode: v('civCode'),
    lastName: v('lastName'),
    firstName: v('firstName'),
    profession,
    professionLabel: v('professionLabel'),
    sfType: v('sfType'),
    sfCode: v('sfCode'),
    sfLabel: v('sfLabel'),
    mode,
    siret: v('siret'),
    siren: v('siren'),
    finess: v('finess'),
    techId: v('techId'),
    name: v('name'),
    brand: v('brand'),
    recipient: v('recipient'),
    geoComplement: v('geoComplement'),
    houseNumber: v('houseNumber'),
    repetition: v('repetition'),
    streetTypeCode: v('streetTypeCode'),
    street: v('street'),
    distribution: v('distribution'),
    cedex: v('cedex'),
    postalCode: v('postalCode'),
    commune: v('commune'),
    communeLabel: v('communeLabel'),
    department: v('department'),
    sector: v('sector'),
    sectorLabel: v('sectorLabel'),
  };
  if (!row.lastName) bad('lastName', 'missing-name', "Nom d'exercice absent");
  if (row.civExCode && !/^[A-Z]{2}$/.test(row.civExCode)) bad('civExCode', 'invalid-civility', `Code civilité d'exercice invalide « ${row.civExCode} » (TRE_R11)`);
  if (row.civCode && !['M', 'MME', 'MLLE'].includes(row.civCode)) bad('civCode', 'invalid-civility', `Code civilité invalide « ${row.civCode} » (M, MME, TRE_R81)`);
  if (row.sfType && !SAVOIR_FAIRE_TYPES[row.sfType]) bad('sfType', 'invalid-savoir-faire-type', `Type de savoir-faire inconnu « ${row.sfType} » (TRE_R04)`);
  if (row.sfType && !row.sfCode) bad('sfCode', 'missing-savoir-faire', `Type de savoir-faire ${row.sfType} sans code de savoir-faire`);
  if (!row.sfType && row.sfCode) bad('sfType', 'missing-savoir-faire-type', `Savoir-faire « ${row.sfCode} » sans type de savoir-faire`);
  if (row.siret && !/^\d{14}$/.test(row.siret)) bad('siret', 'invalid-siret', `SIRET invalide « ${row.siret} » (14 chiffres attendus)`);
  if (row.siren && !/^\d{9}$/.test(row.siren)) bad('siren', 'invalid-siren', `SIREN invalide « ${row.siren} » (9 chiffres attendus)`);
  if (row.finess && !FINESS_RE.test(row.finess)) bad('finess', 'invalid-finess', `Numéro FINESS site invalide « ${row.finess} » (9 caractères attendus)`);
  if (!row.siret && !row.finess && !row.techId) {
    bad('techId', 'missing-structure', 'Ni SIRET, ni FINESS, ni identifiant technique de la structure : le lieu d\'exercice ne peut pas être identifié');
  }
  if (row.postalCode && !/^\d{5}$/.test(row.postalCode)) bad('postalCode', 'invalid-postal-code', `Code postal invalide « ${row.postalCode} » (5 chiffres attendus)`);
  if (row.commune && !COMMUNE_RE.test(row.commune)) bad('commune', 'invalid-commune', `Code commune invalide « ${row.commune} » (code INSEE à 5 caractères attendu)`);
  if (row.sector && !/^SA\d{2}$/.test(row.sector)) bad('sector', 'invalid-sector', `Code secteur d'activité invalide « ${row.sector} » (TRE_R02)`);
  return issues.length ? { issues } : { row };
}

/** True when the secteur d'activité is one JDV_J55 retains for a cabinet (the Organization's type). */
export const isCabinetSector = (code: string) => code in CABINET_SECTORS;
