/**
 * Builds data/geo/postal-codes.csv.gz: one line `COG;postal code` per distinct pair (a commune may have several
 * postal codes, a postal code several communes), sorted. Used by the synthetic RPPS generator
 * (scripts/rpps-generate.ts) to give its addresses a real commune and a postal code that belongs to it.
 *
 * Source: La Poste « Base officielle des codes postaux » (laposte_hexasmal.csv), as for commune-centroids.csv.gz.
 *
 *   npx tsx scripts/geo-postal-codes.ts [/work/shared/data/geo/laposte/laposte_hexasmal.csv]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const src = process.argv[2] ?? '/work/shared/data/geo/laposte/laposte_hexasmal.csv';
const lines = readFileSync(src, 'utf8').split(/\r?\n/);
const header = lines.shift()!.split(';');
const iCode = header.indexOf('Code_commune_INSEE');
const iPostal = header.indexOf('Code_postal');
if (iCode < 0 || iPostal < 0) throw new Error(`unexpected header: ${header.join(';')}`);
const pairs = new Set<string>();
for (const line of lines) {
  if (!line.trim()) continue;
  const cols = line.split(';');
  const code = cols[iCode]!.trim();
  const postal = cols[iPostal]!.trim();
  if (/^(\d{5}|2[AB]\d{3})$/.test(code) && /^\d{5}$/.test(postal)) pairs.add(`${code};${postal}`);
}
const body = [...pairs].sort().join('\n');
const gz = gzipSync(`${body}\n`, { level: 9 });
writeFileSync(new URL('../data/geo/postal-codes.csv.gz', import.meta.url), gz);
console.log(`${pairs.size} (commune, postal code) pairs written (${gz.length} bytes gzip)`);
