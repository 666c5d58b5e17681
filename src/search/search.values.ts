/**
 * Value normalisation shared by the indexer and the query compiler, so that both sides of a comparison
 * are computed by the same code (no dependency on a database collation or on unaccent's dictionary).
 */

/** Folds a string for French accent- and case-insensitive matching: "Évry-Courcouronnes" → "evry-courcouronnes". */
export function normalizeText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/œ/g, 'oe')
    .replace(/Œ/g, 'OE')
    .replace(/æ/g, 'ae')
    .replace(/Æ/g, 'AE')
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** Midnight UTC of a day; months and days past their end roll over (`Date.UTC` would read years 0–99 as 1900–1999). */
function utc(year: number, month: number, day: number): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  return d;
}

/**
 * A FHIR date, dateTime or instant (possibly partial) as the half-open UTC interval [lo, hi) it denotes.
 * A value without time zone is read as UTC. Returns null when the text is not a valid FHIR date.
 */
export function dateInterval(v: string): { lo: Date; hi: Date } | null {
  const m = DATE_RE.exec(v);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const year = Number(y);
  // FHIR's date type has no year 0000 (its regex starts at 0001).
  if (year === 0) return null;
  const month = mo !== undefined ? Number(mo) : undefined;
  const day = d !== undefined ? Number(d) : undefined;
  if (month !== undefined && (month < 1 || month > 12)) return null;
  if (day !== undefined) {
    const last = utc(year, month!, 0).getUTCDate();
    if (day < 1 || day > last) return null;
  }
  if (h === undefined) {
    const lo = utc(year, (month ?? 1) - 1, day ?? 1);
    const hi = day !== undefined ? utc(year, month! - 1, day + 1) : month !== undefined ? utc(year, month, 1) : utc(year + 1, 0, 1);
    return { lo, hi };
  }
  if (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59)) return null;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${frac ?? ''}${tz ?? 'Z'}`;
  const lo = new Date(iso);
  if (Number.isNaN(lo.getTime())) return null;
  const step = s === undefined ? 60_000 : frac !== undefined ? 1 : 1000;
  return { lo, hi: new Date(lo.getTime() + step) };
}

/** The number of decimal places written in a decimal literal ("1.50" → 2), for implicit precision. */
export function decimalPlaces(v: string): number {
  const m = /\.(\d+)$/.exec(v.replace(/e.*$/i, ''));
  return m ? m[1]!.length : 0;
}

export const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/;

const US = '\u001f';

/** The keys of a token in `sp_group.toks`: matched by `code`, `system|code` and `|code` criteria. */
export function groupTokenKeys(code: string, system: string | null, value: string): string[] {
  return [`${code}${US}*${US}${value}`, system === null ? `${code}${US}-${US}${value}` : `${code}${US}S${system}${US}${value}`];
}

/**
 * Postal codes are also indexed by their first 2 and 3 characters (département, overseas département) as
 * tokens of this code, so that `address-postalcode=92` pages in id order from the token index.
 */
export const POSTAL_PREFIX_CODE = 'address-postalcode:prefix';
/**
 * Their `system`: a constant (the empty string), so that `system = ''` joins the equality prefix of
 * sp_token_value (res_type, code, value, system, id) and the ids come in order; with `system IS NULL` the planner
 * walked the whole (res_type, id) index instead (1.2 s for a département).
 */
export const POSTAL_PREFIX_SYSTEM = '';
export const POSTAL_PREFIX_LENGTHS: readonly number[] = [2, 3];
