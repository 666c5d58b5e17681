import proj4 from 'proj4';

/**
 * FINESS coordinates are projected: Lambert 93 in metropolitan France, the legal UTM projection of each
 * overseas territory elsewhere. The projection is read from the end of `sourcecoordet` when it names one
 * (`…,LAMBERT_93`, `…,UTM_N20`), otherwise chosen from the département. The legal geodetic systems (RGF93,
 * RGAF09, RGFG95, RGR92, RGM04, RGSPM06) coincide with WGS84 to well under a metre.
 */
export const PROJECTIONS = {
  LAMBERT_93: {
    epsg: 'EPSG:2154',
    def: '+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  },
  /** Guadeloupe, Martinique, Saint-Martin, Saint-Barthélemy: RGAF09 / UTM 20N. */
  UTM_N20: { epsg: 'EPSG:5490', def: '+proj=utm +zone=20 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs' },
  /** Saint-Pierre-et-Miquelon: RGSPM06 / UTM 21N. */
  UTM_N21: { epsg: 'EPSG:4467', def: '+proj=utm +zone=21 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs' },
  /** Guyane: RGFG95 / UTM 22N. */
  UTM_N22: { epsg: 'EPSG:2972', def: '+proj=utm +zone=22 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs' },
  /** Mayotte: RGM04 / UTM 38S. */
  UTM_S38: { epsg: 'EPSG:4471', def: '+proj=utm +zone=38 +south +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs' },
  /** La Réunion: RGR92 / UTM 40S. */
  UTM_S40: { epsg: 'EPSG:2975', def: '+proj=utm +zone=40 +south +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs' },
  /** Wallis-et-Futuna: WGS 84 / UTM 1S. */
  UTM_S1: { epsg: 'EPSG:32701', def: '+proj=utm +zone=1 +south +datum=WGS84 +units=m +no_defs' },
} as const;
export type ProjectionName = keyof typeof PROJECTIONS;

const BY_DEPARTMENT: Record<string, ProjectionName> = {
  '9A': 'UTM_N20', // Guadeloupe (and Saint-Martin, Saint-Barthélemy)
  '9B': 'UTM_N20', // Martinique
  '9C': 'UTM_N22', // Guyane
  '9D': 'UTM_S40', // La Réunion
  '9E': 'UTM_N21', // Saint-Pierre-et-Miquelon
  '9F': 'UTM_S38', // Mayotte
  '9J': 'UTM_S1', // Wallis-et-Futuna
};

const converters = new Map<ProjectionName, proj4.Converter>();
function converter(name: ProjectionName): proj4.Converter {
  let c = converters.get(name);
  if (!c) {
    c = proj4(PROJECTIONS[name].def, 'WGS84');
    converters.set(name, c);
  }
  return c;
}

/** The projection of a FINESS point: named by its source, else by the département of the structure. */
export function projectionFor(source: string, departement: string): ProjectionName {
  const named = source.split(',').pop()?.trim().toUpperCase().replace(/^UTM_([NS])0?/, 'UTM_$1');
  if (named && named in PROJECTIONS) return named as ProjectionName;
  return BY_DEPARTMENT[departement] ?? 'LAMBERT_93';
}

/** Projected (x, y) in metres → WGS84 latitude/longitude in degrees, rounded to 7 decimals (≈1 cm). */
export function toWgs84(x: number, y: number, projection: ProjectionName): { latitude: number; longitude: number } {
  const [lon, lat] = converter(projection).forward([x, y]) as [number, number];
  return { latitude: round(lat, 7), longitude: round(lon, 7) };
}

/** WGS84 → projected (x, y) in metres, rounded to the centimetre (used to rebuild etalab files). */
export function fromWgs84(latitude: number, longitude: number, projection: ProjectionName): { x: number; y: number } {
  const [x, y] = converter(projection).inverse([longitude, latitude]) as [number, number];
  return { x: round(x, 2), y: round(y, 2) };
}

function round(v: number, d: number): number {
  const f = 10 ** d;
  return Math.round(v * f) / f;
}
