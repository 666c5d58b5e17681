import { openDecoded, ImportAbort, type FinessManifest, type ParsedLine, type ReadStats, type RowIssue } from '../finess/finess.parse.ts';
import { CABINET_SECTORS, COL, LIBERAL_PROFESSIONS, MODES, RPPS_COLUMNS, SAVOIR_FAIRE_TYPES } from './rpps.format.ts';

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

/** Checks the header line (line 1): exactly the 56 columns of the extract, in order; anything else aborts. */
export function parseHeader(first: ParsedLine | undefined): void {
  if (!first) throw new ImportAbort('Fichier RPPS vide', 'empty-file');
  const names = withoutTrailing(first.fields).map((f) => f.trim());
  for (let i = 0; i < RPPS_COLUMNS.length; i++) {
    if (names[i] !== RPPS_COLUMNS[i]) {
      throw new ImportAbort(
        `Ligne 1 : en-tête RPPS « PS_LibreAcces_Personne_activite » attendu ; colonne ${i + 1} « ${(names[i] ?? '(absente)').slice(0, 60)} » au lieu de « ${RPPS_COLUMNS[i]} »`,
        'bad-header',
      );
    }
  }
  if (names.length !== RPPS_COLUMNS.length) {
    throw new ImportAbort(`Ligne 1 : en-tête RPPS de ${names.length} colonnes au lieu de ${RPPS_COLUMNS.length}`, 'bad-header');
  }
}

/** The 56 values of a line: the extract ends every line with `|`, which leaves one empty field. */
function withoutTrailing(fields: string[]): string[] {
  return fields.length === RPPS_COLUMNS.length + 1 && fields[fields.length - 1] === '' ? fields.slice(0, -1) : fields;
}

const RPPS_RE = /^\d{11}$/;
const ADELI_RE = /^\d{2}[\dAB]\d{6}$/;
const FINESS_RE = /^(?:\d{2}|2[AB])\d{7}$/;
const COMMUNE_RE = /^(?:\d{5}|2[AB]\d{3})$/;

/** The person's idNat_PS when the line has a readable one (used to tell rejected lines from missing persons). */
export function readableIdNat(fields: string[]): string | undefined {
  const t = (fields[COL.idType] ?? '').trim();
  const id = (fields[COL.idPP] ?? '').trim();
  return (t === '8' && RPPS_RE.test(id)) || (t === '0' && ADELI_RE.test(id)) ? `${t}${id}` : undefined;
}

/**
 * Checks and normalises one activity line. Lines outside the ROR's scope (another profession, a salaried or
 * volunteer activity) are skipped, not rejected; lines in scope that cannot be imported return their issues.
 */
export function parseRow(rec: ParsedLine): { row: RppsRow } | { skip: SkipReason } | { issues: RowIssue[] } {
  const values = withoutTrailing(rec.fields);
  if (values.length !== RPPS_COLUMNS.length) {
    return { issues: [{ line: rec.line, code: 'field-count', message: `${values.length} champs au lieu de ${RPPS_COLUMNS.length} (séparateur « | »)` }] };
  }
  const v = (i: number) => values[i]!.trim();
  const issues: RowIssue[] = [];
  const bad = (column: number, code: string, message: string) => issues.push({ line: rec.line, column: RPPS_COLUMNS[column], code, message });
  const idType = v(COL.idType);
  const idPP = v(COL.idPP);
  if (idType !== '8' && idType !== '0') bad(COL.idType, 'invalid-id-type', `Type d'identifiant PP « ${idType} » inconnu (8 RPPS ou 0 ADELI attendu)`);
  else if (idType === '8' && !RPPS_RE.test(idPP)) bad(COL.idPP, 'invalid-rpps', `Numéro RPPS invalide « ${idPP} » (11 chiffres attendus)`);
  else if (idType === '0' && !ADELI_RE.test(idPP)) bad(COL.idPP, 'invalid-adeli', `Numéro ADELI invalide « ${idPP} » (9 caractères attendus)`);
  else if (v(COL.idNat) !== `${idType}${idPP}`) bad(COL.idNat, 'invalid-idnat', `Identification nationale PP « ${v(COL.idNat)} » différente de ${idType}${idPP}`);
  const profession = v(COL.profession);
  if (!/^\d{2}$/.test(profession)) bad(COL.profession, 'invalid-profession', `Code profession invalide « ${profession} » (2 chiffres, TRE_G15)`);
  const mode = v(COL.mode);
  if (issues.length) return { issues };
  if (!LIBERAL_PROFESSIONS[profession]) return { skip: 'profession' };
  if (mode !== 'L') {
    if (mode && !MODES[mode]) bad(COL.mode, 'invalid-mode', `Mode d'exercice inconnu « ${mode} » (L, S ou B, TRE_R23)`);
    return issues.length ? { issues } : { skip: 'mode' };
  }
  const row: RppsRow = {
    line: rec.line,
    idType,
    idPP,
    idNat: `${idType}${idPP}`,
    civExCode: v(COL.civExCode),
    civCode: v(COL.civCode),
    lastName: v(COL.lastName),
    firstName: v(COL.firstName),
    profession,
    professionLabel: v(COL.professionLabel),
    sfType: v(COL.sfType),
    sfCode: v(COL.sfCode),
    sfLabel: v(COL.sfLabel),
    mode,
    siret: v(COL.siret),
    siren: v(COL.siren),
    finess: v(COL.finess),
    techId: v(COL.techId),
    name: v(COL.name),
    brand: v(COL.brand),
    recipient: v(COL.recipient),
    geoComplement: v(COL.geoComplement),
    houseNumber: v(COL.houseNumber),
    repetition: v(COL.repetition),
    streetTypeCode: v(COL.streetTypeCode),
    street: v(COL.street),
    distribution: v(COL.distribution),
    cedex: v(COL.cedex),
    postalCode: v(COL.postalCode),
    commune: v(COL.commune),
    communeLabel: v(COL.communeLabel),
    sector: v(COL.sector),
    sectorLabel: v(COL.sectorLabel),
  };
  if (!row.lastName) bad(COL.lastName, 'missing-name', "Nom d'exercice absent");
  if (row.civExCode && !/^[A-Z]{2}$/.test(row.civExCode)) bad(COL.civExCode, 'invalid-civility', `Code civilité d'exercice invalide « ${row.civExCode} » (TRE_R11)`);
  if (row.civCode && !['M', 'MME', 'MLLE'].includes(row.civCode)) bad(COL.civCode, 'invalid-civility', `Code civilité invalide « ${row.civCode} » (M, MME, TRE_R81)`);
  if (row.sfType && !SAVOIR_FAIRE_TYPES[row.sfType]) bad(COL.sfType, 'invalid-savoir-faire-type', `Type de savoir-faire inconnu « ${row.sfType} » (TRE_R04)`);
  if (row.sfType && !row.sfCode) bad(COL.sfCode, 'missing-savoir-faire', `Type de savoir-faire ${row.sfType} sans code de savoir-faire`);
  if (!row.sfType && row.sfCode) bad(COL.sfType, 'missing-savoir-faire-type', `Savoir-faire « ${row.sfCode} » sans type de savoir-faire`);
  if (row.siret && !/^\d{14}$/.test(row.siret)) bad(COL.siret, 'invalid-siret', `SIRET invalide « ${row.siret} » (14 chiffres attendus)`);
  if (row.siren && !/^\d{9}$/.test(row.siren)) bad(COL.siren, 'invalid-siren', `SIREN invalide « ${row.siren} » (9 chiffres attendus)`);
  if (row.finess && !FINESS_RE.test(row.finess)) bad(COL.finess, 'invalid-finess', `Numéro FINESS site invalide « ${row.finess} » (9 caractères attendus)`);
  if (!row.siret && !row.finess && !row.techId) {
    bad(COL.techId, 'missing-structure', 'Ni SIRET, ni FINESS, ni identifiant technique de la structure : le lieu d\'exercice ne peut pas être identifié');
  }
  if (row.postalCode && !/^\d{5}$/.test(row.postalCode)) bad(COL.postalCode, 'invalid-postal-code', `Code postal invalide « ${row.postalCode} » (5 chiffres attendus)`);
  if (row.commune && !COMMUNE_RE.test(row.commune)) bad(COL.commune, 'invalid-commune', `Code commune invalide « ${row.commune} » (code INSEE à 5 caractères attendu)`);
  if (row.sector && !/^SA\d{2}$/.test(row.sector)) bad(COL.sector, 'invalid-sector', `Code secteur d'activité invalide « ${row.sector} » (TRE_R02)`);
  return issues.length ? { issues } : { row };
}

/** True when the secteur d'activité is one JDV_J55 retains for a cabinet (the Organization's type). */
export const isCabinetSector = (code: string) => code in CABINET_SECTORS;
