/**
 * Builds data/geo/commune-centroids.csv.gz: one line `COG;lat;lon` per commune (WGS84, 4 decimals ≈ 11 m),
 * the reference point of `near-insee-code` searches.
 *
 * Source: La Poste « Base officielle des codes postaux » (laposte_hexasmal.csv: Code_commune_INSEE;…;
 * coordonnees_gps). A commune with several postal codes has one row per code: the centroid is the mean of
 * its distinct points. Paris, Lyon and Marseille (75056, 69123, 13055) only appear as arrondissements: their
 * centroid is the mean of their arrondissements'. Communes created by a merger after the La Poste base (a
 * current COG code it lacks) get the mean of their communes déléguées or associées that it has, read from the
 * COG communes of Etalab's découpage administratif (`chefLieu` of each commune déléguée).
 *
 *   npx tsx scripts/geo-communes.ts [laposte_hexasmal.csv] [communes.json.gz]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

const src = process.argv[2] ?? '/work/shared/data/geo/laposte/laposte_hexasmal.csv';
const cogSrc = process.argv[3] ?? '/work/shared/data/geo/decoupage-administratif/communes.json.gz';
const lines = readFileSync(src, 'utf8').split(/\r?\n/);
const header = lines.shift()!.split(';');
const iCode = header.indexOf('Code_commune_INSEE');
const iGps = header.indexOf('coordonnees_gps');
if (iCode < 0 || iGps < 0) throw new Error(`unexpected header: ${header.join(';')}`);

const points = new Map<string, Map<string, [number, number]>>();
let rows = 0;
let withoutGps = 0;
for (const line of lines) {
  if (!line.trim()) continue;
  rows++;
  const cols = line.split(';');
  const code = cols[iCode]!.trim();
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(cols[iGps] ?? '');
  if (!/^(\d{5}|2[AB]\d{3})$/.test(code)) continue;
  if (!m) {
    withoutGps++;
    continue;
  }
  const lat = Number(m[1]);
  const lon = Number(m[2]);
  let set = points.get(code);
  if (!set) points.set(code, (set = new Map()));
  set.set(`${lat},${lon}`, [lat, lon]);
}

const centroid = (pts: [number, number][]): [number, number] => [pts.reduce((s, p) => s + p[0], 0) / pts.length, pts.reduce((s, p) => s + p[1], 0) / pts.length];
const out = new Map<string, [number, number]>();
for (const [code, set] of points) out.set(code, centroid([...set.values()]));
for (const [city, prefix] of [['75056', '751'], ['69123', '6938'], ['13055', '132']] as const) {
  const arr = [...out].filter(([c]) => c.startsWith(prefix) && c !== city && (city !== '13055' || Number(c) >= 13201 && Number(c) <= 13216)).map(([, p]) => p);
  if (arr.length > 0 && !out.has(city)) out.set(city, centroid(arr));
}

// Merged communes: the mean of their former communes (communes déléguées / associées) known to La Poste.
const cog = JSON.parse(gunzipSync(readFileSync(cogSrc)).toString('utf8')) as { code: string; type: string; chefLieu?: string }[];
const parts = new Map<string, [number, number][]>();
for (const c of cog) {
  if ((c.type !== 'commune-deleguee' && c.type !== 'commune-associee') || !c.chefLieu) continue;
  const p = out.get(c.code);
  if (p) parts.set(c.chefLieu, [...(parts.get(c.chefLieu) ?? []), p]);
}
let merged = 0;
const missing: string[] = [];
for (const c of cog) {
  if (c.type !== 'commune-actuelle' || out.has(c.code)) continue;
  const pts = parts.get(c.code);
  if (pts && pts.length > 0) {
    out.set(c.code, centroid(pts));
    merged++;
  } else missing.push(c.code);
}

const body = [...out]
  .sort(([a], [b]) => (a < b ? -1 : 1))
  .map(([code, [lat, lon]]) => `${code};${lat.toFixed(4)};${lon.toFixed(4)}`)
  .join('\n');
const gz = gzipSync(`${body}\n`, { level: 9 });
writeFileSync(new URL('../data/geo/commune-centroids.csv.gz', import.meta.url), gz);
console.log(`${rows} rows read, ${withoutGps} without coordinates, ${merged} merged communes from their former communes, ${out.size} communes written (${gz.length} bytes gzip); current communes without a point: ${missing.length} (${missing.join(' ')})`);
