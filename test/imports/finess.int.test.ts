import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { Directory, SYSTEM_ACTOR } from '../../src/directory/directory.service.ts';
import type { Resource } from '../../src/fhir/types.ts';
import { DEMO_FINESS, isEmptyDirectory, seedDemo } from '../../src/imports/demo-seed.ts';
import { importFiness } from '../../src/imports/finess/finess.import.ts';
import { EXT, SYSTEMS } from '../../src/imports/finess/finess.map.ts';
import { ImportAbort } from '../../src/imports/finess/finess.parse.ts';
import { openTestDatabase } from '../setup/db.ts';

/** The real 14-line excerpt of the data.gouv.fr FINESS file of 2026-05-12 (see shared/data/PROVENANCE.md). */
const EXCERPT = '/work/shared/data/finess/etalab-format-sample/etalab-cs1100502-stock-20260512-excerpt.csv';
const REAL = readFileSync(EXCERPT, 'utf8');
const LINES = REAL.trimEnd().split('\n');
const dir = mkdtempSync(join(tmpdir(), 'finess-test-'));
let n = 0;
const file = (text: string | Buffer) => {
  const p = join(dir, `f${++n}.csv`);
  writeFileSync(p, text);
  return p;
};

let db: Db;
let directory: Directory;
beforeAll(async () => {
  db = await openTestDatabase();
  await migrate(db);
});
afterAll(async () => {
  await db?.close();
});
/** Each test on an empty directory: clear what the previous one imported. */
async function fresh(): Promise<Directory> {
  for (const t of ['resource', 'resource_version', 'resource_identifier', 'resource_reference', 'finess_structure', 'import_issue', 'import_run']) {
    await db.query(`DELETE FROM ${t}`);
  }
  directory = new Directory(db, () => []);
  return directory;
}
const read = async (id: string) => (await directory.read('Organization', id))?.content as Resource & Record<string, any>;
const ext = (r: Resource, url: string) => (r.extension as { url: string; [k: string]: any }[] | undefined)?.find((e) => e.url === url);
const versionCount = async () => (await db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM resource_version')).rows[0]!.n;

/** IGN algorithm ALG0003 (geographic → Lambert conformal conic) with the published Lambert 93 constants:
 * an implementation independent of proj4, to check the importer's conversion. */
function lambert93(latDeg: number, lonDeg: number): { x: number; y: number } {
  const e = 0.0818191910428158;
  const n = 0.725607765053267;
  const c = 11754255.4260960;
  const xs = 700000;
  const ys = 12655612.0499;
  const phi = (latDeg * Math.PI) / 180;
  const lambda = (lonDeg * Math.PI) / 180;
  const L = Math.log(Math.tan(Math.PI / 4 + phi / 2) * ((1 - e * Math.sin(phi)) / (1 + e * Math.sin(phi))) ** (e / 2));
  const r = c * Math.exp(-n * L);
  const g = n * (lambda - (3 * Math.PI) / 180);
  return { x: xs + r * Math.sin(g), y: ys - r * Math.cos(g) };
}
/** Distance in metres between two WGS84 points (equirectangular, fine at this scale). */
function metres(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const k = Math.PI / 180;
  const x = (b.longitude - a.longitude) * k * Math.cos(((a.latitude + b.latitude) / 2) * k);
  const y = (b.latitude - a.latitude) * k;
  return Math.sqrt(x * x + y * y) * 6371008.8;
}
const geoOf = (r: Resource) => {
  const g = ((r.address as any[])[0].extension as any[]).find((e) => e.url === EXT.geolocation);
  return g && { latitude: g.extension.find((x: any) => x.url === 'latitude').valueDecimal, longitude: g.extension.find((x: any) => x.url === 'longitude').valueDecimal };
};

describe('FINESS import: the real 2026 excerpt', () => {
  it('maps every field of an EG and its EJ', async () => {
    await fresh();
    const report = await importFiness(directory, EXCERPT);
    expect(report.fileDate).toBe('2026-05-12');
    expect(report.encoding).toBe('utf-8');
    expect(report.counters).toMatchObject({ rowsRead: 14, rowsRejected: 0, created: 14 + 13, updated: 0, unchanged: 0, closed: 0 });
    expect(report.issues).toEqual([]);

    const eg = await read('finess-010000024');
    expect(eg.meta?.profile).toEqual(['https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-organization']);
    // The région tag (codeRegion slice, TRE_R30): from the EG's département, the EJ's own FINESS number.
    const R30 = 'https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM';
    expect(eg.meta?.tag).toEqual([{ system: R30, code: '84', display: 'Auvergne-Rhône-Alpes' }]);
    const tagOf = async (id: string) => (await read(id)).meta?.tag?.map((t) => t.code);
    expect(await tagOf('finess-010780054')).toEqual(['84']);
    expect(await tagOf('finess-970216057')).toEqual(['02']); // Martinique, its EJ in the Nord
    expect(await tagOf('finess-590799730')).toEqual(['32']);
    expect(await tagOf('finess-970102018')).toEqual(['01']); // Saint-Barthélemy: ARS de Guadeloupe
    expect(await tagOf('finess-980501506')).toEqual(['06']);
    expect(await tagOf('finess-980600027')).toBeUndefined(); // Wallis-et-Futuna: no région of JDV_J237
    expect(ext(eg, EXT.creationDate)?.valueDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(eg.identifier).toEqual([
      { use: 'official', type: { coding: [{ system: SYSTEMS.G07, code: '40', display: 'Identifiant national de structure' }] }, system: 'urn:oid:1.2.250.1.71.4.2.2', value: '1010000024' },
      { use: 'official', type: { coding: [{ system: SYSTEMS.G07, code: '1', display: 'FINESS' }] }, system: 'https://finess.esante.gouv.fr', value: '010000024' },
      { use: 'official', type: { coding: [{ system: SYSTEMS.G07, code: '3', display: 'SIRET' }] }, system: 'https://sirene.fr', value: '26010004500012' },
    ]);
    expect(eg.name).toBe('CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT');
    expect(eg.type).toEqual([{ coding: [{ system: SYSTEMS.R66, code: '355', display: 'Centre Hospitalier (C.H.)' }] }]);
    expect(eg.partOf).toEqual({ reference: 'Organization/finess-010780054' });
    expect(ext(eg, EXT.period)?.valuePeriod).toEqual({ start: '1979-02-13' });
    const a = eg.address[0];
    expect(a.line).toEqual(['900 RTE DE PARIS']);
    expect(a._line[0].extension).toEqual([
      { url: EXT.houseNumber, valueString: '900' },
      { url: EXT.streetNameType, valueString: 'RTE' },
      { url: EXT.streetNameBase, valueString: 'DE PARIS' },
    ]);
    expect([a.postalCode, a.city, a.country]).toEqual(['01440', 'VIRIAT', 'FRA']);
    expect(a.extension).toEqual([{ url: EXT.inseeCode, valueCoding: { system: SYSTEMS.R13, code: '01451' } }]);

    const ej = await read('finess-010780054');
    expect(ej.identifier.map((i: any) => [i.type.coding[0].code, i.system, i.value])).toEqual([
      ['40', 'urn:oid:1.2.250.1.71.4.2.2', '1010780054'],
      ['1', 'https://finess.esante.gouv.fr', '010780054'],
      ['2', 'https://sirene.fr', '260100045'],
    ]);
    expect(ej.partOf).toBeUndefined();
    expect(ext(ej, EXT.period)).toBeUndefined();
  });

  it('reads quoted fields, overseas communes, CEDEX, BP and complements', async () => {
    await fresh();
    await importFiness(directory, EXCERPT);
    const mayotte = await read('finess-980501506');
    expect(mayotte.name).toBe('LIEU DE VIE ET D\'ACCUEIL "MAVOUNA MEMA 1"');
    expect(mayotte._name.extension).toEqual([{ url: EXT.additionalName, valueString: 'ASSOCIATION MESSO' }]);
    expect(mayotte.address[0].extension[0].valueCoding.code).toBe('97606');
    const cayenne = await read('finess-970300026');
    expect(cayenne.address[0]).toMatchObject({ postalCode: '97306', city: 'CAYENNE CEDEX', line: ['AV ALEXIS BLAISE', 'BP 6006'] });
    expect(cayenne.address[0]._line[1].extension).toEqual([{ url: EXT.postBox, valueString: 'BP 6006' }]);
    expect(cayenne.address[0].extension[0].valueCoding.code).toBe('97302');
    // Saint-Barthélemy is filed by FINESS under Guadeloupe (9A, 123): its current INSEE code is 97701.
    expect((await read('finess-970102018')).address[0].extension[0].valueCoding.code).toBe('97701');
    const pmi = await read('finess-970102018');
    expect(pmi.address[0].line).toEqual(['4 R AUGUST NYMAN']);
    expect(pmi._name.extension[0].valueString).toBe('PMI CMS DE GUSTAVIA');
    expect(ext(pmi, EXT.period)?.valuePeriod).toEqual({ start: '1964-01-01' });
    expect(pmi.identifier.map((i: any) => i.type.coding[0].code)).toEqual(['40', '1']);
    const wallis = await read('finess-980600027');
    expect(wallis.address[0]).toMatchObject({ postalCode: '98600', city: 'UVEA', line: ['BP 4 - MATA\'UTU'] });
    expect(wallis.address[0].extension[0].valueCoding.code).toBe('98613');
    // Two EGs of one EJ (CH de Cayenne and its EHPAD): one EJ.
    expect((await read('finess-970302287')).partOf.reference).toBe('Organization/finess-970302022');
    const eds = await db.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM resource_reference WHERE target_id = 'finess-970302022'`);
    expect(eds.rows[0]!.n).toBe(2);
  });

  it('reads an old Latin-1 file with dd/mm/yyyy dates to the same resources', async () => {
    await fresh();
    await importFiness(directory, EXCERPT);
    const utf8 = await read('finess-970409645');
    await fresh();
    const old = REAL.replace(/(\d{4})-(\d{2})-(\d{2})/g, '$3/$2/$1');
    const report = await importFiness(directory, file(Buffer.from(old, 'latin1')));
    expect(report.encoding).toBe('windows-1252');
    expect(report.counters.created).toBe(27);
    const latin = await read('finess-970409645');
    const strip = (r: Resource) => JSON.stringify({ ...r, meta: undefined, extension: (r.extension as any[]).filter((e) => e.url !== EXT.creationDate) });
    expect(strip(latin)).toBe(strip(utf8));
    expect((await read('finess-980502199')).address[0].line).toEqual(['ZI VALLÉE 3 BP 208']);
  });


  it('accepts a filled numuai, lines without it, and CRLF files with a quoted line break', async () => {
    await fresh();
    const lines = [...LINES];
    // Line 2 with the 32nd field filled (numéro UAI of a school health service), line 3 without the field at all.
    lines[1] = `${lines[1]!}0010001W`;
    lines[2] = lines[2]!.replace(/;$/, '');
    // Line 4's complement quoted over two physical lines, the whole file in CRLF.
    lines[3] = lines[3]!.replace(';CH LOUIS CONSTANT FLEMING;', ';"CH LOUIS\r\nCONSTANT FLEMING";');
    const report = await importFiness(directory, file(lines.join('\r\n') + '\r\n'));
    expect(report.issues).toEqual([]);
    expect(report.counters).toMatchObject({ rowsRead: 14, rowsRejected: 0 });
    expect((await read('finess-010000024')).name).toBe('CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT');
    expect((await read('finess-970102018')).address[0].city).toBe('ST BARTHELEMY');
    const fleming = await read('finess-970100400');
    expect(fleming._name.extension[0].valueString).toBe('CH LOUIS\nCONSTANT FLEMING');
    // The last field of the CRLF line after the quoted break keeps no stray carriage return.
    expect(ext(fleming, EXT.period)?.valuePeriod).toEqual({ start: '1951-01-01' });
    expect(JSON.stringify(fleming)).not.toContain('\\r');
  });
  it('converts Lambert 93 and overseas UTM geolocations to WGS84 within 1 m', async () => {
    await fresh();
    // Known WGS84 positions of two structures of the excerpt, from the national FINESS 2021 converted by
    // flrt/finess-fhir (shared/data/finess/flrt-finess-fhir): CH de Fleyriat (Ain) and CHU Félix Guyon (Réunion).
    const fleyriat = { latitude: 46.22274479119414, longitude: 5.2085961326419605 };
    const l93 = lambert93(fleyriat.latitude, fleyriat.longitude);
    // Réunion: UTM 40 south, definitional point (central meridian 57°E on the equator ↔ 500000, 10000000),
    // and the structure placed on a round UTM coordinate whose position proj4 and the zone must agree on.
    const lines = [
      ...LINES,
      `geolocalisation;010000024;${l93.x.toFixed(1)};${l93.y.toFixed(1)};1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2020-02-04`,
      'geolocalisation;970400024;500000;10000000;;2023-11-13',
      'geolocalisation;970300026;353000.0;546000.0;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_N22;2024-04-22',
    ];
    const report = await importFiness(directory, file(lines.join('\n') + '\n'));
    expect(report.counters.geolocated).toBe(3);
    expect(metres(geoOf(await read('finess-010000024')), fleyriat)).toBeLessThan(1);
    expect(metres(geoOf(await read('finess-970400024')), { latitude: 0, longitude: 57 })).toBeLessThan(1);
    const cayenne = geoOf(await read('finess-970300026'));
    // UTM 22N: central meridian 51°W; 353 km east of the false easting origin lies west of it, near Cayenne (4.9°N, 52.3°W).
    expect(cayenne.latitude).toBeCloseTo(4.94, 1);
    expect(cayenne.longitude).toBeCloseTo(-52.33, 1);
  });
});

describe('FINESS import: incremental semantics', () => {
  it('updates only FINESS-owned fields, creates new, closes missing, leaves unchanged rows alone', async () => {
    await fresh();
    await importFiness(directory, EXCERPT);
    // Hand-entered data on two EGs: a contact, a telecom, an extra type and extension.
    const contact = [{ extension: [{ url: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-contact-confidentiality-level', valueCodeableConcept: { coding: [{ code: '1' }] } }], name: { text: 'Accueil' } }];
    const dropZone = { url: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-organization-drop-zone', valueBoolean: true };
    for (const id of ['finess-010000024', 'finess-970100400']) {
      const cur = await read(id);
      await directory.update(SYSTEM_ACTOR, { ...cur, id, contact, extension: [...cur.extension, dropZone] });
    }
    const before = await versionCount();

    // The next file: Fleyriat renamed and moved category, Saint-Martin CH gone, a new structure, the rest unchanged.
    const next = LINES.filter((l) => !l.startsWith('structureet;970100400;'))
      .map((l) => (l.startsWith('finess;') ? 'finess;etalab;112;2026-06-01' : l))
      .map((l) => (l.startsWith('structureet;010000024;') ? l.replace('CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT', 'CH DE BOURG-EN-BRESSE').replace(';355;Centre Hospitalier (C.H.);', ';101;Centre Hospitalier Régional (C.H.R.);') : l));
    next.push('structureet;010000032;010780054;NOUVEAU SITE;NOUVEAU SITE DE FLEYRIAT;;;1;RTE;DE PARIS;;;451;01;AIN;01440 VIRIAT;;;355;Centre Hospitalier (C.H.);1102;Centres Hospitaliers;;;03;x;1;y;2026-05-20;2026-05-20;2026-05-20;');
    const report = await importFiness(directory, file(next.join('\n') + '\n'));
    // Updated: Fleyriat. Created: the new EG. Closed: the Saint-Martin CH and its EJ (no EG left).
    expect(report.counters).toMatchObject({ rowsRead: 14, created: 1, updated: 1, closed: 2, rowsRejected: 0 });
    expect(report.counters.unchanged).toBe(12 + 12);
    expect(await versionCount()).toBe(before + 4);

    const fleyriat = await read('finess-010000024');
    expect(fleyriat.meta?.versionId).toBe('3');
    expect(fleyriat.name).toBe('CH DE BOURG-EN-BRESSE');
    expect(fleyriat.type[0].coding[0].code).toBe('101');
    expect(fleyriat.contact).toEqual(contact);
    expect(ext(fleyriat, dropZone.url)).toEqual(dropZone);

    const gone = await read('finess-970100400');
    expect(ext(gone, EXT.period)?.valuePeriod).toEqual({ start: '1951-01-01', end: '2026-06-01' });
    expect(ext(gone, EXT.closingType)?.valueCodeableConcept.coding[0]).toMatchObject({ system: SYSTEMS.R286, code: 'DEF' });
    expect(gone.active).toBe(false);
    expect(gone.contact).toEqual(contact);
    expect(ext(gone, EXT.period)).toBeDefined();
    expect(ext(await read('finess-970100186'), EXT.closingType)).toBeDefined();

    expect((await read('finess-010000032')).partOf.reference).toBe('Organization/finess-010780054');
    expect((await read('finess-970102018')).meta?.versionId).toBe('1');

    // The same file again: nothing changes.
    const again = await importFiness(directory, file(next.join('\n') + '\n'));
    expect(again.counters).toMatchObject({ created: 0, updated: 0, closed: 0 });
    expect(await versionCount()).toBe(before + 4);

    // A hand edit of a FINESS-owned field is undone by the next import of the same file (the unchanged-row
    // fast path must notice the resource moved on), and only that resource gets a version.
    const pmi = await read('finess-970102018');
    await directory.update(SYSTEM_ACTOR, { ...pmi, id: pmi.id!, name: 'Nom saisi à la main' });
    const restore = await importFiness(directory, file(next.join('\n') + '\n'));
    expect(restore.counters).toMatchObject({ created: 0, updated: 1, closed: 0 });
    expect((await read('finess-970102018')).name).toBe('PMI SAINT BARTHELEMY');

    // The structure comes back in FINESS: reopened, its hand-entered contact still there.
    const back = await importFiness(directory, EXCERPT);
    expect(back.counters.updated).toBeGreaterThanOrEqual(3);
    const reopened = await read('finess-970100400');
    expect(ext(reopened, EXT.period)?.valuePeriod).toEqual({ start: '1951-01-01' });
    expect(ext(reopened, EXT.closingType)).toBeUndefined();
    expect(reopened.active).toBe(true);
    expect(reopened.contact).toEqual(contact);
  });

  it("keeps an EJ's hand-entered name, address, legal status, SIRET and period start: the file gives none of them", async () => {
    await fresh();
    await importFiness(directory, EXCERPT);
    const R72 = 'https://mos.esante.gouv.fr/NOS/TRE_R72-FinessStatutJuridique/FHIR/TRE-R72-FinessStatutJuridique';
    const cur = await read('finess-010780054');
    const hand = {
      name: 'CENTRE HOSPITALIER DE BOURG-EN-BRESSE',
      address: [{ line: ['900 ROUTE DE PARIS'], postalCode: '01440', city: 'VIRIAT' }],
      type: [{ coding: [{ system: R72, code: '13' }] }],
      identifier: [...cur.identifier, { type: { coding: [{ system: SYSTEMS.G07, code: '3' }] }, system: SYSTEMS.sirene, value: '26010004500020' }],
      extension: [...cur.extension, { url: EXT.period, valuePeriod: { start: '1970-01-01' } }],
    };
    await directory.update(SYSTEM_ACTOR, { ...cur, id: cur.id!, ...hand });
    const before = await versionCount();

    // The same file again: nothing FINESS-side changed, so no version, and the hand-entered data stays.
    const again = await importFiness(directory, file(REAL));
    expect(again.counters).toMatchObject({ created: 0, updated: 0, unchanged: 27 });
    expect(await versionCount()).toBe(before);
    const ej = await read('finess-010780054');
    expect(ej.meta?.versionId).toBe('2');
    expect({ name: ej.name, address: ej.address, type: ej.type, identifier: ej.identifier, extension: ej.extension }).toEqual(hand);

    // FINESS still owns what it gives: its SIREN derivation, and reopening a closed EJ (end and closing type go,
    // the hand-entered start stays).
    const shorter = LINES.filter((l) => !l.startsWith('structureet;010000024;'));
    await importFiness(directory, file(shorter.join('\n') + '\n'));
    expect(ext(await read('finess-010780054'), EXT.closingType)).toBeDefined();
    await importFiness(directory, file(REAL));
    const reopened = await read('finess-010780054');
    expect(reopened.active).toBe(true);
    expect(ext(reopened, EXT.closingType)).toBeUndefined();
    expect(ext(reopened, EXT.period)?.valuePeriod).toEqual({ start: '1970-01-01' });
    expect(reopened.name).toBe(hand.name);
  });

  it('counts an EJ shared by EGs of several batches once', async () => {
    await fresh();
    expect((await importFiness(directory, EXCERPT, { batchSize: 1 })).counters).toMatchObject({ created: 27, updated: 0, unchanged: 0 });
    // Same file again, one structure per batch: the EJ of the CH de Cayenne and its EHPAD is seen by two batches.
    expect((await importFiness(directory, file(REAL), { batchSize: 1 })).counters).toMatchObject({ created: 0, updated: 0, unchanged: 27 });
  });

  it('dry run reports the changes and writes nothing', async () => {
    await fresh();
    const dry = await importFiness(directory, EXCERPT, { dryRun: true });
    expect(dry.counters).toMatchObject({ created: 27, updated: 0 });
    expect(await versionCount()).toBe(0);
    await importFiness(directory, EXCERPT);
    const shorter = LINES.filter((l) => !l.startsWith('structureet;980600027;'));
    const dry2 = await importFiness(directory, file(shorter.join('\n')), { dryRun: true });
    expect(dry2.counters).toMatchObject({ created: 0, updated: 0, closed: 2 });
    expect(await versionCount()).toBe(27);
    const runs = await db.query('SELECT 1 FROM import_run WHERE dry_run OR file_name LIKE $1', ['f%']);
    expect(runs.rows).toEqual([]);
  });

  it('dry run predicts the real run: same counters and issues, whatever the batch size', async () => {
    const prediction = (r: Awaited<ReturnType<typeof importFiness>>) => ({ counters: r.counters, issueCount: r.issueCount, warningCount: r.warningCount, issues: r.issues });
    const expectPredicted = async (path: string, batchSize: number) => {
      const dry = await importFiness(directory, path, { dryRun: true, batchSize });
      const real = await importFiness(directory, path, { batchSize });
      expect(prediction(dry)).toEqual(prediction(real));
      return real;
    };
    for (const batchSize of [1, 2, 1000]) {
      await fresh();
      // A first import: the EJ of the CH de Cayenne's EHPAD (line 14) is created by an earlier batch.
      expect((await expectPredicted(EXCERPT, batchSize)).counters).toMatchObject({ created: 27, rowsRejected: 0 });
      // The next file: a renamed EG, a structure gone (closed with its EJ), a bad line.
      const next = LINES.filter((l) => !l.startsWith('structureet;970100400;'))
        .map((l) => (l.startsWith('finess;') ? 'finess;etalab;112;2026-06-01' : l))
        .map((l) => (l.startsWith('structureet;010000024;') ? l.replace('CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT', 'CH DE BOURG-EN-BRESSE') : l))
        .map((l) => (l.startsWith('structureet;970102059;') ? l.replace(';1964-01-01;1964-01-01;', ';1964-13-01;1964-01-01;') : l));
      expect((await expectPredicted(file(next.join('\n') + '\n'), batchSize)).counters).toMatchObject({ updated: 1, closed: 2, rowsRejected: 1 });
    }
  });

  it('a file that no longer lists a large share of the open structures closes nothing unless told to', async () => {
    await fresh();
    // 150 more EGs under the CH de Bourg-en-Bresse's EJ, then the real excerpt alone: 150 of 177 structures missing.
    const template = LINES.find((l) => l.startsWith('structureet;010000024;'))!;
    const many = Array.from({ length: 150 }, (_, i) => template.replace('structureet;010000024;', `structureet;01${String(5000000 + i)};`));
    const big = [...LINES.filter((l) => !l.startsWith('geolocalisation')), ...many];
    expect((await importFiness(directory, file(big.join('\n') + '\n'))).counters.created).toBe(27 + 150);
    const versions = await versionCount();

    const dry = await importFiness(directory, EXCERPT, { dryRun: true });
    expect(dry.counters.closed).toBe(0);
    expect(dry.issues.find((i) => i.code === 'closures-skipped')?.message).toMatch(/150 des 177 structures/);

    const partial = await importFiness(directory, EXCERPT);
    expect(partial.counters).toMatchObject({ closed: 0, rowsRejected: 0 });
    expect(partial.issues).toContainEqual(expect.objectContaining({ code: 'closures-skipped', severity: 'warning', message: expect.stringMatching(/--allow-mass-closure/) }));
    expect((await read('finess-015000000')).active).toBe(true);
    expect(await versionCount()).toBe(versions + partial.counters.updated);

    const forced = await importFiness(directory, file(REAL), { allowMassClosure: true });
    expect(forced.counters.closed).toBe(150);
    expect((await read('finess-015000000')).active).toBe(false);
    expect(ext(await read('finess-015000149'), EXT.closingType)).toBeDefined();
  });
});

describe('FINESS import: bad input', () => {
  it('reports bad rows with line and column and imports the others', async () => {
    await fresh();
    const lines = [...LINES];
    lines[2] = lines[2]!.replace('970102018', '97010201'); // line 3: FINESS number one digit short
    lines[4] = lines[4]!.replace('2016-09-09', '2016-13-09'); // line 5: no 13th month
    lines[6] = lines[6]!.split(';').slice(0, 20).join(';'); // line 7: truncated
    lines[8] = lines[8]!.replace('31822647900117', '3182264790011X'); // line 9: bad SIRET
    lines.push('autrechose;1;2');
    const report = await importFiness(directory, file(lines.join('\n')));
    expect(report.issues.map((i) => [i.line, i.column, i.code])).toEqual([
      [3, 'nofinesset', 'invalid-finess'],
      [5, 'datemaj', 'invalid-date'],
      [7, undefined, 'field-count'],
      [9, 'siret', 'invalid-siret'],
      [16, 'type', 'unknown-record'],
      // Line 3's FINESS number is unreadable: the file cannot say which structures left FINESS.
      [0, undefined, 'closures-skipped'],
    ]);
    expect(report.counters.closed).toBe(0);
    expect(report.counters).toMatchObject({ rowsRead: 14, rowsRejected: 4 });
    expect(await read('finess-970100400')).toBeDefined();
    // A row rejected with a readable FINESS number keeps its structure open.
    const next = [...LINES];
    next[5] = next[5]!.replace('2017-02-21', '2017-02-30');
    const later = await importFiness(directory, file(next.join('\n')));
    expect(later.counters.closed).toBe(0);
    expect(later.issues.map((i) => [i.line, i.code])).toEqual([[6, 'invalid-date']]);
    expect(ext(await read('finess-970210126'), EXT.closingType)).toBeUndefined();
    const stored = await db.query<{ line: number; code: string }>('SELECT line, code FROM import_issue WHERE run_id = $1 ORDER BY line', [report.runId]);
    expect(stored.rows.map((r) => Number(r.line))).toEqual([3, 5, 7, 9, 16]);
  });

  it('rejects a structure described twice in the file, whatever the batch size, and keeps the first description', async () => {
    const dup = [...LINES.slice(0, 4), LINES[1]!.replace('CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT', 'DOUBLON')];
    for (const batchSize of [1, 2, 1000]) {
      await fresh();
      const report = await importFiness(directory, file(dup.join('\n') + '\n'), { batchSize });
      expect(report.counters).toMatchObject({ rowsRead: 4, rowsRejected: 1, updated: 0 });
      expect(report.issues.filter((i) => i.code === 'duplicate').map((i) => [i.line, i.column])).toEqual([[5, 'nofinesset']]);
      expect((await read('finess-010000024')).name).toBe('CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT');
    }
    // Also when the first description was committed by an interrupted run that this one resumes.
    await fresh();
    const path = file(dup.join('\n') + '\n');
    const crash = importFiness(directory, path, { batchSize: 1, onProgress: (p) => { if (p.phase === 'load') throw new Error('crash simulé'); } });
    await expect(crash).rejects.toThrow('crash simulé');
    const resumed = await importFiness(directory, path, { batchSize: 1 });
    expect(resumed.resumedAfterLine).toBe(2);
    expect(resumed.issues.filter((i) => i.code === 'duplicate').map((i) => i.line)).toEqual([5]);
    expect((await read('finess-010000024')).name).toBe('CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT');
  });

  it('creates no EJ for a line the validator rejects: only an accepted EG line of the file creates its EJ', async () => {
    const rejects208 = (r: Resource) =>
      (r.type as any)?.[0]?.coding?.[0]?.code === '208'
        ? [{ severity: 'error' as const, code: 'code-invalid' as const, expression: ['Organization.type[0].coding[0]'], diagnostics: 'Catégorie hors JDV_J55', details: { coding: [{ system: 'https://example.org/rules', code: 'binding' }] } }]
        : [];
    const line = (et: string, ej: string, cat: string) => {
      const f = LINES[1]!.split(';');
      [f[1], f[2], f[18], f[22]] = [et, ej, cat, ''];
      return f.join(';');
    };
    // Line 2: its EJ listed by no accepted line. Lines 3 and 4: one EJ, listed by a rejected then an accepted line.
    const path = file([LINES[0], line('750000019', '750000027', '208'), line('750000035', '750000043', '208'), line('750000050', '750000043', '355')].join('\n') + '\n');
    for (const batchSize of [1, 2, 1000]) {
      await fresh();
      const validating = new Directory(db, rejects208);
      const dry = await importFiness(validating, path, { batchSize, dryRun: true });
      const report = await importFiness(validating, path, { batchSize });
      expect(report.counters).toMatchObject({ rowsRead: 3, rowsRejected: 2, created: 2 });
      // The column is the FINESS field (categetab), the FHIRPath is in the message.
      expect(report.issues.map((i) => [i.line, i.column, i.code])).toEqual([[2, 'categetab', 'binding'], [3, 'categetab', 'binding']]);
      expect(report.issues[0]!.message).toBe('finess-750000019 : Catégorie hors JDV_J55 (Organization.type[0].coding[0])');
      expect({ counters: dry.counters, issues: dry.issues }).toEqual({ counters: report.counters, issues: report.issues });
      expect((await db.query<{ id: string }>('SELECT id FROM resource ORDER BY id')).rows.map((r) => r.id)).toEqual(['finess-750000043', 'finess-750000050']);
      expect(await versionCount()).toBe(2);
    }
  });

  it('aborts on a bad header without writing anything', async () => {
    await fresh();
    const bad = file(['nofinesset;nofinessej;rs', ...LINES.slice(1)].join('\n'));
    await expect(importFiness(directory, bad)).rejects.toBeInstanceOf(ImportAbort);
    await expect(importFiness(directory, bad)).rejects.toThrow(/Ligne 1 : en-tête FINESS attendu/);
    expect(await versionCount()).toBe(0);
  });
});

describe('FINESS import: crash and resume', () => {
  it('resumes after the last committed batch and ends as one clean run', async () => {
    const canonical = async () => {
      const r = await db.query<{ id: string; content: Resource }>(`SELECT id, content FROM resource ORDER BY id`);
      return r.rows.map((x) => JSON.stringify({ ...x.content, meta: { profile: x.content.meta?.profile }, extension: (x.content.extension as any[]).filter((e) => e.url !== EXT.creationDate) }));
    };
    await fresh();
    await importFiness(directory, EXCERPT, { batchSize: 3 });
    const clean = await canonical();

    await fresh();
    let batches = 0;
    const crash = importFiness(directory, EXCERPT, {
      batchSize: 3,
      onProgress: (p) => {
        if (p.phase === 'load' && ++batches === 2) throw new Error('crash simulé');
      },
    });
    await expect(crash).rejects.toThrow('crash simulé');
    const run = await db.query<{ status: string; checkpoint: number }>('SELECT status, checkpoint FROM import_run');
    expect(run.rows[0]).toMatchObject({ status: 'failed' });
    expect(Number(run.rows[0]!.checkpoint)).toBeGreaterThan(1);
    const resumed = await importFiness(directory, EXCERPT, { batchSize: 3 });
    expect(resumed.resumedAfterLine).toBe(Number(run.rows[0]!.checkpoint));
    expect(resumed.counters.rowsRead).toBe(14);
    expect(await canonical()).toEqual(clean);
    expect((await db.query('SELECT 1 FROM resource_version WHERE version_id > 1')).rows).toEqual([]);
  });
});

describe('first-start demo seed', () => {
  it('loads on an empty directory only, and finishes an interrupted load', async () => {
    await fresh();
    expect(existsSync(DEMO_FINESS)).toBe(true);
    expect(await isEmptyDirectory(directory)).toBe(true);
    const logs: string[] = [];
    const first = await seedDemo(directory, (m) => logs.push(m), EXCERPT);
    expect(first?.counters.created).toBe(27);
    expect(logs[0]).toContain('Premier démarrage');
    expect(await seedDemo(directory, () => undefined, EXCERPT)).toBeUndefined();

    // Interrupted after its first batch (server stopped): the next start finishes it.
    await fresh();
    let n = 0;
    await expect(
      importFiness(directory, EXCERPT, { batchSize: 5, onProgress: (p) => { if (p.phase === 'load' && ++n === 1) throw new Error('arrêt'); } }),
    ).rejects.toThrow('arrêt');
    const resumed = await seedDemo(directory, () => undefined, EXCERPT);
    expect(resumed?.resumedAfterLine).toBe(6);
    expect((await db.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM resource WHERE res_type = 'Organization'`)).rows[0]!.n).toBe(27);
  });
});
