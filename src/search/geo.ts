import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Commune centroids (COG → WGS84) shipped in data/geo (see data/geo/PROVENANCE.md), loaded on first use. */
let centroids: Map<string, { lat: number; lon: number }> | undefined;

export function communeCentroid(cog: string): { lat: number; lon: number } | undefined {
  if (!centroids) {
    const text = gunzipSync(readFileSync(new URL('../../data/geo/commune-centroids.csv.gz', import.meta.url))).toString('utf8');
    centroids = new Map();
    for (const line of text.split('\n')) {
      const [code, lat, lon] = line.split(';');
      if (code && lat && lon) centroids.set(code, { lat: Number(lat), lon: Number(lon) });
    }
  }
  return centroids.get(cog);
}

/** Mean Earth radius (IUGG), km: distances are great-circle distances on this sphere (haversine). */
export const EARTH_RADIUS_KM = 6371.0088;

export function greatCircleKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const h = Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lon - a.lon) * rad) / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
