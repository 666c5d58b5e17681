import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRppsLines, luhnKey, writeRppsFile } from '../../scripts/rpps-generate.ts';
import type { Db } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { Directory, SYSTEM_ACTOR } from '../../src/directory/directory.service.ts';
import type { Resource } from '../../src/fhir/types.ts';
import { createValidator } from '../../src/fhir/validation/validate.ts';
import { EXT, SYSTEMS } from '../../src/imports/finess/finess.map.ts';
import { ImportAbort } from '../../src/imports/finess/finess.parse.ts';
import { COL, LIBERAL_PROFESSIONS, RPPS_COLUMNS, RPPS_HEADER, RPPS_SYSTEMS } from '../../src/imports/rpps/rpps.format.ts';
import { dateFromFileName, importRpps } from '../../src/imports/rpps/rpps.import.ts';
import { activityOf, cabinetId, roleId, rppsColumn, serviceId, toCabinet, toPractitioner, toRole } from '../../src/imports/rpps/rpps.map.ts';
import { parseRow, type RppsRow } from '../../src/imports/rpps/rpps.parse.ts';
import { Terminology } from '../../src/terminology/terminology.service.ts';
import { openTestDatabase } from '../setup/db.ts';

/** RPPS import on synthetic extracts (scripts/rpps-generate.ts: real format and codes, invented people). */
const dir = mkdtempSync(join(tmpdir(), 'rpps-test-'));
let n = 0;
const file = (content: string | Buffer, name = `PS_LibreAcces_Personne_activite_2026061${n % 10}0830.txt`) => {
  const p = join(dir, `${++n}-${name}`);
  writeFileSync(p, content);
  return p;
};
const generated = (rows: number, seed = 3) => [...generateRppsLines({ rows, seed })];
const text = (lines: string[]) => `${lines.join('\n')}\n`;

let db: Db;
let directory: Directory;
let terminology: Terminology;
beforeAll(async () => {
  db = await openTestDatabase();
  await migrate(db);
  terminology = new Terminology(db);
  await terminology.load();
  directory = new Directory(db, createValidator(terminology));
});
afterAll(async () => {
  await db?.close();
});
async function fresh(): Promise<void> {
  for (const t of ['resource', 'resource_version', 'resource_identifier', 'resource_reference', 'rpps_resource', 'import_issue', 'import_run']) {
    await db.query(`DELETE FROM ${t}`);
  }
}
const read = async (type: string, id: string) => (await directory.read(type, id))?.content as Resource & Record<string, any>;
const ext = (r: Resource, url: string) => (r.extension as { url: string; [k: string]: any }[] | undefined)?.find((e) => e.url === url);
const versionCount = async () => Number((await db.query<{ n: number }>('SELECT count(*) AS n FROM resource_version')).rows[0]!.n);
const rowOf = (line: string, lineNo = 2): RppsRow => {
  const p = parseRow({ line: lineNo, fields: line.split('|') });
  if (!('row' in p)) throw new Error(`not an importable line: ${JSON.stringify(p)}`);
  return p.row;
};
const fieldsOf = (line: string) => line.split('|');

describe('synthetic RPPS generator', () => {
  it('writes the exact header, 56 columns and a trailing | per line, real codes, deterministically', async () => {
    const lines = generated(20000);
    expect(lines[0]).toBe(RPPS_HEADER);
    expect(lines[0]!.split('|')).toHaveLength(57);
    expect(lines).toHaveLength(20001);
    const bad = (pred: (f: string[]) => boolean) => rows.filter((f) => !pred(f)).map((f) => f.join('|')).slice(0, 3);
    expect(lines.filter((l) => !l.endsWith('|') || l.split('|').length !== RPPS_COLUMNS.length + 1)).toEqual([]);
    const rows = lines.slice(1).map(fieldsOf);
    // RPPS numbers: 11 digits with a Luhn key, idNat = type + number; several lines per person.
    expect(bad((f) => f[COL.idType] !== '8' || (/^\d{11}$/.test(f[COL.idPP]!) && luhnKey(f[COL.idPP]!.slice(0, 10)) === f[COL.idPP]!.slice(10) && f[COL.idNat] === `8${f[COL.idPP]}`))).toEqual([]);
    const persons = new Set(rows.map((f) => f[COL.idNat]));
    expect(persons.size).toBeLessThan(rows.length * 0.8);
    // SIRET: 14 digits, Luhn-valid, SIREN = its first 9 digits.
    expect(bad((f) => !f[COL.siret] || (luhnKey(f[COL.siret]!.slice(0, 13)) === f[COL.siret]!.slice(13) && f[COL.siret]!.slice(0, 9) === f[COL.siren]))).toEqual([]);
    // FINESS numbers (centres de santé, hospitals) begin with their département: 2A/2B, 971…976 overseas.
    expect(bad((f) => !f[COL.finess] || (/^(?:\d{2}|2[AB])\d{7}$/.test(f[COL.finess]!) && f[COL.finess]!.startsWith(f[COL.department]!)))).toEqual([]);
    expect(rows.some((f) => f[COL.finess]?.startsWith('97'))).toBe(true);
    // All 11 liberal professions in mode L, and out-of-scope lines (other professions, salaried).
    const liberal = new Set(rows.filter((f) => f[COL.mode] === 'L').map((f) => f[COL.profession]));
    for (const code of Object.keys(LIBERAL_PROFESSIONS)) expect(liberal, code).toContain(code);
    expect(rows.some((f) => f[COL.profession] === '21')).toBe(true);
    expect(new Set(rows.map((f) => f[COL.mode]))).toEqual(new Set(['L', 'S', 'B']));
    expect(new Set(rows.filter((f) => f[COL.mode] === 'L').map((f) => f[COL.sector]))).toEqual(new Set(['SA05', 'SA07', 'SA08', 'SA09']));
    // Communes: real COG codes with a postal code of theirs (La Poste), département from the commune.
    const communes = new Map<string, Set<string>>();
    for (const l of gunzipSync(readFileSync('data/geo/postal-codes.csv.gz')).toString().split('\n')) {
      const [c, p] = l.split(';');
      if (c && p) (communes.get(c) ?? communes.set(c, new Set()).get(c)!).add(p);
    }
    expect(bad((f) => !!communes.get(f[COL.commune]!)?.has(f[COL.postalCode]!) && f[COL.commune]!.startsWith(f[COL.department]!))).toEqual([]);
    // Same seed, same file; another seed, another file.
    const sha = (ls: string[]) => createHash('sha256').update(ls.join('\n')).digest('hex');
    expect(sha(generated(20000))).toBe(sha(lines));
    expect(sha(generated(20000, 4))).not.toBe(sha(lines));
  });
});

describe('RPPS import: scope', () => {
  it('imports the 11 liberal professions of the issue, a subset of JDV_J229, as docs/imports.md says', () => {
    const J229 = 'https://mos.esante.gouv.fr/NOS/JDV_J229-ProfessionSante-ROR/FHIR/JDV-J229-ProfessionSante-ROR';
    const codes = Object.keys(LIBERAL_PROFESSIONS);
    expect(codes).toHaveLength(11);
    for (const code of codes) expect(terminology.isInValueSet(J229, RPPS_SYSTEMS.G15, code), code).toBe(true);
    const total = terminology.expand(J229, { count: 1000 })!.contains.length;
    expect(total).toBeGreaterThan(codes.length);
    // The documentation lists the same codes and calls them what they are: a subset of JDV_J229, not the value set.
    const doc = readFileSync('docs/imports.md', 'utf8');
    const listed = /11 liberal professions\*\* of the ROR \(TRE_G15: ([^)]*)\)/.exec(doc.replace(/\s+/g, ' '))?.[1];
    expect(listed?.match(/\d+/g)).toEqual(codes);
    expect(doc.replace(/\s+/g, ' ')).toContain(`subset of JDV_J229-ProfessionSante-ROR**, whose ${total} codes`);
    expect(doc).not.toContain('checked against JDV_J229');
  });
});

describe('RPPS import: mapping', () => {
  it('maps a liberal médecin line field by field to Practitioner, cabinet, offer and PractitionerRole', async () => {
    await fresh();
    const lines = generated(2000);
    const path = file(text(lines), 'PS_LibreAcces_Personne_activite_202606150830.txt');
    const report = await importRpps(directory, path);
    expect(report.fileDate).toBe('2026-06-15');
    expect(report.encoding).toBe('utf-8');
    expect(report.issues).toEqual([]);
    const c = report.counters;
    expect(c.rowsRead).toBe(2000);
    expect(c.rowsRejected).toBe(0);
    expect(c.rowsSkipped).toBe(lines.slice(1).filter((l) => !(fieldsOf(l)[COL.mode] === 'L' && LIBERAL_PROFESSIONS[fieldsOf(l)[COL.profession]!])).length);
    expect(c.created).toBe(c.byType.Practitioner.created + c.byType.Organization.created + c.byType.HealthcareService.created + c.byType.PractitionerRole.created);
    expect(c.byType.PractitionerRole.created).toBeGreaterThan(50);

    // A médecin généraliste in a cabinet with a SIRET, its line read column by column.
    const line = lines.find((l) => {
      const f = fieldsOf(l);
      return f[COL.mode] === 'L' && f[COL.profession] === '10' && f[COL.sfCode] === 'SM54' && f[COL.siret] && f[COL.houseNumber] && f[COL.civExCode] === 'DR';
    })!;
    const f = fieldsOf(line);
    const row = rowOf(line);
    const practitioner = await read('Practitioner', `rpps-8${f[COL.idPP]}`);
    expect(practitioner.meta?.profile).toEqual(['https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-practitioner']);
    expect(practitioner.identifier).toEqual([{ use: 'official', system: 'urn:oid:1.2.250.1.71.4.2.1', value: f[COL.idNat] }]);
    expect(practitioner.name).toEqual([{ use: 'usual', family: f[COL.lastName], given: [f[COL.firstName]], prefix: [f[COL.civCode]] }]);
    expect(practitioner.active).toBe(true);
    expect(ext(practitioner, EXT.creationDate)?.valueDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    const cabinet = await read('Organization', `rpps-siret-${f[COL.siret]}`);
    // The région tag of the cabinet, its offer and the role: the commune's région (COG, read independently).
    const departements = JSON.parse(readFileSync('/work/shared/data/geo/decoupage-administratif/departements.json', 'utf8')) as { code: string; region: string }[];
    const commune = f[COL.commune]!;
    const region = departements.find((d) => d.code === (commune.startsWith('97') ? commune.slice(0, 3) : commune.slice(0, 2)))!.region;
    expect(cabinet.meta!.tag).toEqual([expect.objectContaining({ system: 'https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM', code: region })]);
    expect((await read('HealthcareService', serviceId(row, '437'))).meta!.tag!.map((t) => t.code)).toEqual([region]);
    expect((await read('Practitioner', `rpps-8${f[COL.idPP]}`)).meta!.tag).toBeUndefined();
    expect(cabinet.identifier).toEqual([
      { use: 'official', type: { coding: [{ system: SYSTEMS.G07, code: '40', display: 'Identifiant national de structure' }] }, system: 'urn:oid:1.2.250.1.71.4.2.2', value: `3${f[COL.siret]}` },
      { use: 'official', type: { coding: [{ system: SYSTEMS.G07, code: '2', display: 'SIREN' }] }, system: 'https://sirene.fr', value: f[COL.siren] },
      { use: 'official', type: { coding: [{ system: SYSTEMS.G07, code: '3', display: 'SIRET' }] }, system: 'https://sirene.fr', value: f[COL.siret] },
      { use: 'secondary', type: { text: 'Identifiant technique de la structure (RPPS)' }, value: f[COL.techId] },
    ]);
    expect(cabinet.type).toEqual([{ coding: [{ system: RPPS_SYSTEMS.R02, code: f[COL.sector], display: f[COL.sectorLabel] }] }]);
    expect(cabinet.name).toBe(f[COL.name] || f[COL.brand] || (f[COL.sector] === 'SA07' ? `Cabinet ${f[COL.firstName]} ${f[COL.lastName]}` : undefined));
    const a = cabinet.address[0];
    const street = [f[COL.houseNumber], f[COL.repetition], f[COL.streetTypeCode], f[COL.street]].filter(Boolean).join(' ');
    expect(a.line).toContain(street);
    expect(a._line[a.line.indexOf(street)].extension).toEqual([
      { url: EXT.houseNumber, valueString: f[COL.houseNumber] },
      ...(f[COL.repetition] ? [{ url: EXT.buildingNumberSuffix, valueString: f[COL.repetition] }] : []),
      { url: EXT.streetNameType, valueString: f[COL.streetTypeCode] },
      { url: EXT.streetNameBase, valueString: f[COL.street] },
    ]);
    expect([a.postalCode, a.city, a.country]).toEqual([f[COL.postalCode], f[COL.communeLabel], 'FRA']);
    expect(a.extension).toEqual([{ url: EXT.inseeCode, valueCoding: { system: SYSTEMS.R13, code: f[COL.commune] } }]);

    const service = await read('HealthcareService', serviceId(row, '437'));
    expect(service.providedBy).toEqual({ reference: `Organization/${cabinetId(row)}` });
    expect(service.type).toEqual([{ coding: [{ system: RPPS_SYSTEMS.R227, code: '05', display: 'Ambulatoire' }] }]);
    expect(service.specialty).toEqual([{ coding: [{ system: RPPS_SYSTEMS.R211, code: '437', display: 'Médecine générale' }] }]);
    expect(service.characteristic).toEqual([{ coding: [{ system: RPPS_SYSTEMS.R213, code: '32', display: 'Consultation (CS)' }] }]);

    const role = await read('PractitionerRole', roleId(row));
    expect(role.practitioner).toEqual({ reference: `Practitioner/rpps-${f[COL.idNat]}` });
    expect(role.organization).toEqual({ reference: `Organization/rpps-siret-${f[COL.siret]}` });
    expect(role.healthcareService).toEqual([{ reference: `HealthcareService/${serviceId(row, '437')}` }]);
    expect(role.code).toEqual([{ coding: [{ system: RPPS_SYSTEMS.G15, code: '10', display: 'Médecin' }] }]);
    expect(role.specialty).toEqual([
      { coding: [{ system: RPPS_SYSTEMS.R04, code: 'S', display: 'Spécialité ordinale' }] },
      { coding: [{ system: RPPS_SYSTEMS.R38, code: 'SM54', display: f[COL.sfLabel] }] },
    ]);
    expect(ext(role, 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-practitionerrole-unit-exercise-mode')?.valueCodeableConcept).toEqual({
      coding: [{ system: RPPS_SYSTEMS.R23, code: 'L', display: 'Libéral, indépendant, artisan, commerçant' }],
    });
    expect(ext(role, 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-practitionerrole-name')?.extension).toEqual([
      { url: 'exerciseTitle', valueCodeableConcept: { coding: [{ system: RPPS_SYSTEMS.R11, code: 'DR' }] } },
      { url: 'exerciseLastName', valueString: f[COL.lastName] },
      { url: 'exerciseFirstName', valueString: f[COL.firstName] },
    ]);

    // Out of scope: a salaried activity and a pharmacien have no role.
    const salaried = lines.find((l) => fieldsOf(l)[COL.mode] === 'S' && fieldsOf(l)[COL.profession] === '60')!;
    expect((await db.query(`SELECT 1 FROM resource WHERE id LIKE $1 AND res_type = 'PractitionerRole' AND content->'organization'->>'reference' LIKE '%' || $2`, [`rpps-${fieldsOf(salaried)[COL.idNat]}-%`, fieldsOf(salaried)[COL.siret]])).rows).toEqual([]);
    const pharmacien = lines.find((l) => fieldsOf(l)[COL.profession] === '21' && !lines.some((m) => fieldsOf(m)[COL.idNat] === fieldsOf(l)[COL.idNat] && fieldsOf(m)[COL.profession] !== '21'))!;
    expect(await directory.read('Practitioner', `rpps-${fieldsOf(pharmacien)[COL.idNat]}`)).toBeNull();
    // A masseur-kinésithérapeute line has no savoir-faire: practitioner, cabinet and offer, no role (counted).
    const mk = lines.find((l) => fieldsOf(l)[COL.profession] === '70' && fieldsOf(l)[COL.mode] === 'L')!;
    expect(await read('HealthcareService', serviceId(rowOf(mk), '339'))).toMatchObject({ specialty: [{ coding: [{ code: '339', display: 'Kinésithérapie' }] }] });
    expect(c.rolesWithoutSavoirFaire).toBe(lines.filter((l) => fieldsOf(l)[COL.mode] === 'L' && LIBERAL_PROFESSIONS[fieldsOf(l)[COL.profession]!] && !fieldsOf(l)[COL.sfType]).length);
  });

  it('reads a Latin-1 (Windows-1252) extract to the same resources', async () => {
    const lines = generated(600, 9);
    expect(lines.join('\n')).toMatch(/[éèçëÉ]/);
    const canonical = async () => {
      const r = await db.query<{ res_type: string; id: string; content: Resource }>(`SELECT res_type, id, content FROM resource ORDER BY res_type, id`);
      return r.rows.map((x) => JSON.stringify({ ...x.content, meta: undefined, extension: ((x.content.extension ?? []) as any[]).filter((e) => e.url !== EXT.creationDate) }));
    };
    await fresh();
    await importRpps(directory, file(text(lines)));
    const utf8 = await canonical();
    await fresh();
    const latin1 = file(Buffer.from(text(lines), 'latin1'));
    const report = await importRpps(directory, latin1);
    expect(report.encoding).toBe('windows-1252');
    expect(await canonical()).toEqual(utf8);
    // UTF-8 for the first MB, Latin-1 further down (a badly concatenated file): the whole file is checked before
    // anything is written, so the import aborts on the header (read as Latin-1) instead of failing midway.
    await fresh();
    const big = generated(6000, 9);
    const mixed = Buffer.concat([Buffer.from(text(big.slice(0, 4000)), 'utf8'), Buffer.from(text(big.slice(4000)), 'latin1')]);
    // (the last character of the prefix may be cut in the middle of its bytes)
    expect(mixed.subarray(0, 1 << 20).toString('utf8').slice(0, -1)).not.toContain('\ufffd');
    await expect(importRpps(directory, file(mixed))).rejects.toThrow(/en-tête RPPS/);
    expect(await versionCount()).toBe(0);
    // The generator writes the same Latin-1 bytes.
    const out = join(dir, 'gen-latin1.txt');
    await writeRppsFile(out, { rows: 600, seed: 9, encoding: 'latin1' });
    expect(readFileSync(out)).toEqual(readFileSync(latin1));
  });

  it('finds columns by name: older spellings, another order, and the layout without savoir-faire', async () => {
    const lines = generated(600, 11);
    const canonical = async () => {
      const r = await db.query<{ res_type: string; id: string; content: Resource }>(`SELECT res_type, id, content FROM resource ORDER BY res_type, id`);
      return r.rows.map((x) => JSON.stringify({ ...x.content, meta: undefined, extension: ((x.content.extension ?? []) as any[]).filter((e) => e.url !== EXT.creationDate) }));
    };
    await fresh();
    const standard = await importRpps(directory, file(text(lines)));
    const expected = await canonical();
    // The header of extracts before 2026: other spellings of five columns, same positions.
    const older = RPPS_HEADER.replace("Libellé civilité d'exercice", 'Libellé civilité exercice')
      .replace('Indice répétition voie (coord. structure)', 'Indice répétition voie (coord. Structure)')
      .replace('Code Département (structure)', 'Code département (coord. structure)')
      .replace('Libellé Département (structure)', 'Libellé département (coord. structure)')
      .replace('Code rôle|Libellé rôle|Code genre activité|Libellé genre activité', "Code fonction|Libellé fonction|Code genre d'activité|Libellé genre d'activité");
    expect(older).not.toBe(RPPS_HEADER);
    await fresh();
    expect((await importRpps(directory, file(text([older, ...lines.slice(1)])))).issues).toEqual([]);
    expect(await canonical()).toEqual(expected);
    // Columns in another order (the last name moved to the end, before the trailing `|`).
    const move = (l: string) => {
      const f = fieldsOf(l);
      const [name] = f.splice(COL.lastName, 1);
      f.splice(f.length - 1, 0, name!);
      return f.join('|');
    };
    await fresh();
    await importRpps(directory, file(text(lines.map(move))));
    expect(await canonical()).toEqual(expected);
    // Recent extracts publish savoir-faire apart: 52 columns. Same people and cabinets, no PractitionerRole, and
    // médecins without their spécialité give no offer; nothing is reported as an error.
    const without = (l: string) => {
      const f = fieldsOf(l);
      f.splice(COL.sfType, 4);
      return f.join('|');
    };
    expect(fieldsOf(without(lines[0]!))).toHaveLength(53);
    await fresh();
    const slim = await importRpps(directory, file(text(lines.map(without))));
    expect(slim.issues).toEqual([]);
    expect(slim.counters.rowsRejected).toBe(0);
    expect(slim.counters.byType.Practitioner.created).toBe(standard.counters.byType.Practitioner.created);
    expect(slim.counters.byType.Organization.created).toBe(standard.counters.byType.Organization.created);
    expect(slim.counters.byType.PractitionerRole.created).toBe(0);
    const medecins = lines.slice(1).filter((l) => fieldsOf(l)[COL.mode] === 'L' && fieldsOf(l)[COL.profession] === '10').length;
    expect(medecins).toBeGreaterThan(10);
    expect(slim.counters.rolesWithoutSavoirFaire).toBe(lines.slice(1).filter((l) => fieldsOf(l)[COL.mode] === 'L' && LIBERAL_PROFESSIONS[fieldsOf(l)[COL.profession]!]).length);
  });

  it("gives a médecin the offer of any spécialité ordinale of JDV_J210; other savoir-faire give none, without error", async () => {
    // Every code of JDV_J210-SpecialiteOrdinale-ROR but SM47 (recherche médicale) maps to an activity of JDV_J17.
    const j17 = JSON.parse(readFileSync('/work/shared/data/nos/JDV_J17-ActiviteOperationnelle-ROR-FHIR.json', 'utf8'));
    const activities = new Set<string>(j17.compose.include.flatMap((i: any) => (i.concept ?? []).map((c: any) => c.code)));
    const j210 = ['SCD01', 'SCD02', 'SCD03', 'SI01', 'SI02', 'SI03', 'SI04', 'SI05', ...Array.from({ length: 72 }, (_, i) => `SM${String(i + 1).padStart(2, '0')}`)];
    const base = rowOf(generated(400, 8).find((l) => fieldsOf(l)[COL.mode] === 'L' && fieldsOf(l)[COL.profession] === '10')!);
    for (const code of j210) {
      const activity = activityOf({ ...base, profession: code.startsWith('SCD') ? '40' : code.startsWith('SI') ? '60' : '10', sfType: 'S', sfCode: code });
      if (code === 'SM47') expect(activity).toBeUndefined();
      else expect(activities.has(activity!), `${code} → ${activity}`).toBe(true);
    }
    // An ophthalmologist's line: his cabinet offers ophtalmologie (103); a second line with a capacité gives no offer.
    await fresh();
    const lines = generated(400, 8);
    const i = lines.findIndex((l) => fieldsOf(l)[COL.mode] === 'L' && fieldsOf(l)[COL.profession] === '10');
    const f = fieldsOf(lines[i]!);
    f[COL.sfType] = 'S';
    f[COL.sfCode] = 'SM38';
    f[COL.sfLabel] = 'Ophtalmologie (SM)';
    const capa = [...f];
    capa[COL.sfType] = 'CAPA';
    capa[COL.sfTypeLabel] = 'Capacité';
    capa[COL.sfCode] = 'CAPA04';
    capa[COL.sfLabel] = 'Capacité de gérontologie';
    lines.splice(i, 1, f.join('|'), capa.join('|'));
    const report = await importRpps(directory, file(text(lines)));
    expect(report.issues).toEqual([]);
    expect(report.counters.rolesWithoutActivity).toBe(1 + lines.filter((l, k) => k > 0 && k !== i + 1 && fieldsOf(l)[COL.mode] === 'L' && fieldsOf(l)[COL.profession] === '10' && fieldsOf(l)[COL.sfType] && fieldsOf(l)[COL.sfType] !== 'S').length);
    const row = rowOf(f.join('|'));
    const offer = await read('HealthcareService', serviceId(row, '103'));
    expect(offer.specialty).toEqual([{ coding: [{ system: RPPS_SYSTEMS.R211, code: '103', display: 'Ophtalmologie' }] }]);
    expect((await read('PractitionerRole', roleId(row))).healthcareService).toEqual([{ reference: `HealthcareService/${serviceId(row, '103')}` }]);
  });
});

describe('RPPS import: incremental semantics', () => {
  it('creates new, updates changed, ends missing, keeps unchanged and hand-entered data', async () => {
    await fresh();
    const lines = generated(1500, 5);
    const first = await importRpps(directory, file(text(lines), 'PS_LibreAcces_Personne_activite_202606010830.txt'));
    expect(first.counters.updated).toBe(0);
    const inScope = (l: string) => fieldsOf(l)[COL.mode] === 'L' && LIBERAL_PROFESSIONS[fieldsOf(l)[COL.profession]!] && fieldsOf(l)[COL.sfType];
    // Three people with one role line each, in distinct cabinets with a SIRET: one leaves, one moves street, one is hand-completed.
    const singles = lines.slice(1).filter((l) => inScope(l) && fieldsOf(l)[COL.siret] && lines.filter((m) => fieldsOf(m)[COL.idNat] === fieldsOf(l)[COL.idNat]).length === 1
      && lines.filter((m) => fieldsOf(m)[COL.siret] === fieldsOf(l)[COL.siret]).length === 1);
    const [leaving, moving, completed] = singles as [string, string, string];
    const leaver = rowOf(leaving);
    const mover = rowOf(moving);
    const kept = rowOf(completed);

    // Hand-entered data: an MSS mailbox on a practitioner, horaires on its role and offer, a contact on its cabinet.
    const telecom = [{ system: 'email', value: 'dr@exemple.mssante.fr', extension: [
      { url: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-telecom-communication-channel', valueCodeableConcept: { coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R200-CanalCommunication/FHIR/TRE-R200-CanalCommunication', code: '3' }] } },
      { url: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-telecom-confidentiality-level', valueCodeableConcept: { coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R283-NiveauConfidentialite/FHIR/TRE-R283-NiveauConfidentialite', code: '2' }] } },
    ] }];
    const hours = [{ availableStartTime: '09:00:00', availableEndTime: '12:00:00' }];
    for (const [type, id, patch] of [
      ['Practitioner', `rpps-${kept.idNat}`, { telecom }],
      ['PractitionerRole', roleId(kept), { availableTime: hours }],
      ['HealthcareService', serviceId(kept, activityOf(kept)!), { availableTime: hours, comment: 'Sur rendez-vous' }],
      ['PractitionerRole', roleId(leaver), { availableTime: hours }],
    ] as const) {
      const cur = await read(type, id);
      if (cur) await directory.update(SYSTEM_ACTOR, { ...cur, id, ...patch });
    }
    const before = await versionCount();

    // The next extract: the leaver gone, the mover at a new address, a new person, everything else the same.
    const newcomer = (() => {
      const f = fieldsOf(completed);
      f[COL.idPP] = '19999999997';
      f[COL.idNat] = '819999999997';
      f[COL.lastName] = 'NOUVEAU';
      return f.join('|');
    })();
    const next = lines.filter((l) => l !== leaving).map((l) => (l === moving ? l.split('|').map((v, i) => (i === COL.street ? 'des Nouveaux Cabinets' : v)).join('|') : l));
    next.push(newcomer);
    const second = await importRpps(directory, file(text(next), 'PS_LibreAcces_Personne_activite_202607010830.txt'));
    expect(second.issues).toEqual([]);
    const b = second.counters.byType;
    // The mover's cabinet updated; the newcomer: practitioner and role created (cabinet and offer shared).
    expect(b.Organization).toMatchObject({ created: 0, updated: 1 });
    expect(b.Practitioner).toMatchObject({ created: 1, updated: 0, ended: 1 });
    expect(b.PractitionerRole).toMatchObject({ created: 1, updated: 0, ended: 1 });
    expect(b.HealthcareService.created).toBe(0);
    expect(second.counters.ended).toBe(b.Practitioner.ended + b.PractitionerRole.ended + b.Organization.ended + b.HealthcareService.ended);
    expect(b.Organization.ended).toBe(1); // the leaver's cabinet was his alone
    expect(await versionCount()).toBe(before + second.counters.created + second.counters.updated + second.counters.ended);

    const movedCabinet = await read('Organization', cabinetId(mover));
    expect(movedCabinet.address[0].line.join(' ')).toContain('des Nouveaux Cabinets');
    const endedRole = await read('PractitionerRole', roleId(leaver));
    expect(endedRole).toMatchObject({ active: false, period: { end: '2026-07-01' }, availableTime: hours });
    expect(await read('Practitioner', `rpps-${leaver.idNat}`)).toMatchObject({ active: false });
    const closedCabinet = await read('Organization', cabinetId(leaver));
    expect(closedCabinet.active).toBe(false);
    expect(ext(closedCabinet, EXT.period)?.valuePeriod).toEqual({ end: '2026-07-01' });
    expect(ext(closedCabinet, EXT.closingType)?.valueCodeableConcept.coding[0]).toMatchObject({ code: 'DEF' });
    expect((await read('Practitioner', `rpps-${kept.idNat}`)).telecom).toEqual(telecom);
    expect((await read('PractitionerRole', roleId(kept))).availableTime).toEqual(hours);
    expect(await read('HealthcareService', serviceId(kept, activityOf(kept)!))).toMatchObject({ comment: 'Sur rendez-vous', availableTime: hours });

    // The same file again: nothing at all.
    const again = await importRpps(directory, file(text(next), 'PS_LibreAcces_Personne_activite_202607010830.txt'));
    expect(again.counters).toMatchObject({ created: 0, updated: 0, ended: 0 });
    expect(again.counters.unchanged).toBe(second.counters.unchanged + second.counters.created + second.counters.updated);
    const versions = await versionCount();

    // A hand edit of an RPPS-owned field is undone by the next import (fast path notices the new version).
    const p = await read('Practitioner', `rpps-${kept.idNat}`);
    await directory.update(SYSTEM_ACTOR, { ...p, id: p.id!, name: [{ family: 'SAISI À LA MAIN' }] });
    const restore = await importRpps(directory, file(text(next), 'PS_LibreAcces_Personne_activite_202607010830.txt'));
    expect(restore.counters).toMatchObject({ created: 0, updated: 1, ended: 0 });
    expect((await read('Practitioner', `rpps-${kept.idNat}`)).name[0].family).toBe(kept.lastName);
    expect(await versionCount()).toBe(versions + 2);

    // The leaver comes back: role and practitioner active again, period end removed, hand-entered horaires kept.
    const back = await importRpps(directory, file(text(lines), 'PS_LibreAcces_Personne_activite_202608010830.txt'));
    expect(back.counters.byType.PractitionerRole.updated).toBeGreaterThanOrEqual(1);
    const reopened = await read('PractitionerRole', roleId(leaver));
    expect(reopened.active).toBe(true);
    expect(reopened.period).toBeUndefined();
    expect(reopened.availableTime).toEqual(hours);
    expect(ext(await read('Organization', cabinetId(leaver)), EXT.closingType)).toBeUndefined();
  });

  it('dry run reports the changes and writes nothing', async () => {
    await fresh();
    const lines = generated(800, 6);
    const dry = await importRpps(directory, file(text(lines)), { dryRun: true });
    expect(dry.counters.created).toBeGreaterThan(100);
    expect(await versionCount()).toBe(0);
    const real = await importRpps(directory, file(text(lines)));
    expect(real.counters.created).toBe(dry.counters.created);
    expect(real.counters.byType).toEqual(dry.counters.byType);
    const dry2 = await importRpps(directory, file(text(lines.slice(0, 770))), { dryRun: true });
    expect(dry2.counters).toMatchObject({ created: 0, updated: 0 });
    expect(dry2.counters.ended).toBeGreaterThan(10);
    expect(await versionCount()).toBe(real.counters.created);
    expect((await db.query('SELECT 1 FROM import_run WHERE dry_run')).rows).toEqual([]);
  });
});

describe('RPPS import: a dry run predicts the real run', () => {
  /** What a dry run must predict: counters, issues and so the exit code. */
  const prediction = (r: Awaited<ReturnType<typeof importRpps>>) => ({ counters: r.counters, issueCount: r.issueCount, warningCount: r.warningCount, issues: r.issues });
  const expectPredicted = async (path: string, batchSize: number) => {
    const before = await versionCount();
    const dry = await importRpps(directory, path, { dryRun: true, batchSize });
    expect(await versionCount()).toBe(before);
    const real = await importRpps(directory, path, { batchSize });
    expect(prediction(dry)).toEqual(prediction(real));
    return real;
  };

  it('same counters and issues on a first import whose cabinets and offers are shared by several batches', async () => {
    for (const batchSize of [100, 1000]) {
      await fresh();
      const real = await expectPredicted(file(text(generated(3000, 7))), batchSize);
      expect(real.issues).toEqual([]);
      expect(real.counters.byType.PractitionerRole.created).toBeGreaterThan(100);
    }
  });

  it('same counters and issues on a re-import that changes, ends, and rejects lines with a readable RPPS number', async () => {
    await fresh();
    const lines = generated(2000, 9);
    await importRpps(directory, file(text(lines), 'PS_LibreAcces_Personne_activite_202606010830.txt'), { batchSize: 100 });
    const inScope = (l: string) => fieldsOf(l)[COL.mode] === 'L' && LIBERAL_PROFESSIONS[fieldsOf(l)[COL.profession]!] && fieldsOf(l)[COL.sfType];
    const scoped = lines.map((l, i) => [l, i] as const).filter(([l, i]) => i > 0 && inScope(l));
    const set = (l: string, col: number, v: string) => l.split('|').map((x, i) => (i === col ? v : x)).join('|');
    const next = [...lines];
    next[scoped[5]![1]] = set(scoped[5]![0], COL.street, 'des Nouveaux Cabinets');
    next[scoped[40]![1]] = set(scoped[40]![0], COL.siret, '1234567890123X'); // rejected, its person still listed
    const leaving = new Set([scoped[80]![1], scoped[120]![1]]);
    await expectPredicted(file(text(next.filter((_, i) => !leaving.has(i))), 'PS_LibreAcces_Personne_activite_202607010830.txt'), 100);
  });
});

describe('RPPS import: partial files', () => {
  it('a file that no longer lists a large share of the running resources ends nothing unless told to', async () => {
    await fresh();
    const lines = generated(800, 6);
    const first = await importRpps(directory, file(text(lines)));
    const versions = await versionCount();
    const half = file(text(lines.slice(0, 400)));
    const dry = await importRpps(directory, half, { dryRun: true });
    expect(dry.counters.ended).toBe(0);
    expect(dry.issues.find((i) => i.code === 'endings-skipped')?.message).toMatch(/--allow-mass-closure/);
    const partial = await importRpps(directory, half);
    expect(partial.counters).toMatchObject({ created: 0, updated: 0, ended: 0 });
    expect(partial.issues).toContainEqual(expect.objectContaining({ code: 'endings-skipped', severity: 'warning' }));
    expect(await versionCount()).toBe(versions);
    const forced = await importRpps(directory, half, { allowMassClosure: true });
    expect(forced.counters.ended).toBeGreaterThan(100);
    expect(forced.counters.ended).toBeLessThan(first.counters.created);
    expect(await versionCount()).toBe(versions + forced.counters.ended);
  });
});

describe('RPPS import: bad input', () => {
  it('reports bad lines with line number, column and code, and imports the others', async () => {
    await fresh();
    const lines = generated(400, 8);
    const liberalAt = (from: number) => lines.findIndex((l, i) => i >= from && fieldsOf(l)[COL.mode] === 'L' && fieldsOf(l)[COL.profession] === '10');
    const set = (i: number, col: number, v: string) => {
      const f = fieldsOf(lines[i]!);
      f[col] = v;
      lines[i] = f.join('|');
    };
    const a = liberalAt(1), b = liberalAt(a + 1), c = liberalAt(b + 1), d = liberalAt(c + 1), e = liberalAt(d + 1);
    set(a, COL.idPP, '1234'); // unreadable RPPS number
    set(b, COL.siret, '1234567890123X');
    lines[c] = fieldsOf(lines[c]!).slice(0, 30).join('|'); // truncated
    set(d, COL.sfCode, 'SM99'); // a spécialité the mapping does not know
    set(e, COL.mode, 'X');
    const report = await importRpps(directory, file(text(lines)));
    expect(report.issues.map((i) => [i.line, i.column, i.code])).toEqual([
      [a + 1, "Identifiant PP", 'invalid-rpps'],
      [b + 1, 'Numéro SIRET site', 'invalid-siret'],
      [c + 1, undefined, 'field-count'],
      [d + 1, 'Code savoir-faire', 'unmapped-specialty'],
      [e + 1, 'Code mode exercice', 'invalid-mode'],
      [0, undefined, 'endings-skipped'],
    ].sort((x, y) => (x[0] === 0 ? 1 : y[0] === 0 ? -1 : (x[0] as number) - (y[0] as number))));
    expect(report.counters).toMatchObject({ rowsRead: 400, rowsRejected: 4, ended: 0, unidentified: 1 });
    // The unknown spécialité and the skipped endings are warnings, not rejected lines.
    expect(report.issues.filter((i) => i.severity === 'warning').map((i) => i.code)).toEqual(['unmapped-specialty', 'endings-skipped']);
    expect(report.warningCount).toBe(2);
    const stored = await db.query<{ line: number }>('SELECT line FROM import_issue WHERE run_id = $1 ORDER BY line', [report.runId]);
    expect(stored.rows.map((r) => Number(r.line))).toEqual([a, b, c, d, e].map((x) => x + 1).sort((x, y) => x - y));
    // The valid lines were imported.
    expect(report.counters.created).toBeGreaterThan(50);

    // A line rejected with a readable RPPS number keeps its person's resources from being ended.
    await fresh();
    const clean = generated(400, 8);
    await importRpps(directory, file(text(clean)));
    const i = clean.findIndex((l) => fieldsOf(l)[COL.mode] === 'L' && fieldsOf(l)[COL.sfType] && fieldsOf(l)[COL.siret]);
    const person = rowOf(clean[i]!);
    const broken = [...clean];
    broken[i] = broken[i]!.replace(`|${person.siret}|`, '|12345|');
    const later = await importRpps(directory, file(text(broken)));
    expect(later.issues.map((x) => [x.line, x.code])).toEqual([[i + 1, 'invalid-siret']]);
    expect(later.counters.byType.PractitionerRole.ended).toBe(0);
    expect(later.counters.byType.Practitioner.ended).toBe(0);
    expect((await read('PractitionerRole', roleId(person))).active).toBe(true);
  });

  it('reports a line whose RPPS number a hand-entered Practitioner already holds, and imports the rest', async () => {
    await fresh();
    const lines = generated(200, 8);
    const i = lines.findIndex((l) => fieldsOf(l)[COL.mode] === 'L' && LIBERAL_PROFESSIONS[fieldsOf(l)[COL.profession]!]);
    const idNat = fieldsOf(lines[i]!)[COL.idNat]!;
    const byHand = await directory.create(SYSTEM_ACTOR, {
      resourceType: 'Practitioner',
      meta: { profile: ['https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-practitioner'] },
      extension: [{ url: EXT.creationDate, valueDateTime: '2026-01-01T00:00:00Z' }],
      identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: idNat }],
      name: [{ family: 'SAISI', given: ['A la main'] }],
    });
    const report = await importRpps(directory, file(text(lines)));
    const dup = report.issues.filter((x) => x.code === 'identifier-unique');
    expect(dup.length).toBeGreaterThan(0);
    expect(dup[0]!.line).toBe(i + 1);
    expect(dup[0]!.message).toContain(`Practitioner/${byHand.id}`);
    // The column is the RPPS column the identifier comes from, the FHIRPath is in the message.
    expect(dup[0]!.column).toBe('Identification nationale PP');
    expect(dup[0]!.message).toMatch(/\(Practitioner\.identifier\[0\][^)]*\)$/);
    expect(report.counters.rowsRejected).toBeGreaterThan(0);
    expect(report.counters.created).toBeGreaterThan(100);
    expect(await directory.read('Practitioner', `rpps-${idNat}`)).toBeNull();
  });

  it('names the RPPS column of the element a validation issue designates (rppsColumn)', () => {
    const line = generated(400, 8).find((l) => fieldsOf(l)[COL.mode] === 'L' && fieldsOf(l)[COL.profession] === '10' && fieldsOf(l)[COL.sfType] === 'S' && fieldsOf(l)[COL.siret])!;
    const row = rowOf(line);
    const at = '2026-01-01T00:00:00Z';
    const cabinet = toCabinet(row, at);
    const role = toRole(row, activityOf(row)!, at);
    const siretAt = (cabinet.identifier as any[]).findIndex((i) => i.type?.coding?.[0]?.code === '3');
    expect(rppsColumn(`Organization.identifier[${siretAt}].value`, cabinet)).toBe('Numéro SIRET site');
    expect(rppsColumn('Organization.address[0].postalCode', cabinet)).toBe('Code postal (coord. structure)');
    expect(rppsColumn('PractitionerRole.code[0].coding[0]', role)).toBe('Code profession');
    expect(rppsColumn('PractitionerRole.specialty[1].coding[0].code', role)).toBe('Code savoir-faire');
    expect(rppsColumn('Practitioner.name[0].family', toPractitioner(row, at))).toBe("Nom d'exercice");
    expect(rppsColumn('PractitionerRole.telecom[0]', role)).toBeUndefined();
    expect(rppsColumn('Practitioner.name[0]', role)).toBeUndefined();
  });

  it('rejects an activity described twice in the file, whatever the batch size', async () => {
    const lines = generated(400, 8);
    const role = lines.find((l, i) => i > 3 && fieldsOf(l)[COL.mode] === 'L' && fieldsOf(l)[COL.profession] === '10' && fieldsOf(l)[COL.sfType] === 'S')!;
    const dup = [lines[0]!, role, lines[1]!, lines[2]!, role];
    for (const batchSize of [1, 1000]) {
      await fresh();
      const report = await importRpps(directory, file(text(dup)), { batchSize });
      expect(report.counters.rowsRejected).toBe(1);
      expect(report.issues.filter((i) => i.code === 'duplicate').map((i) => [i.line, i.message])).toEqual([
        [5, 'Activité déjà décrite ligne 2 (même personne, structure, profession et savoir-faire)'],
      ]);
      expect(report.counters.byType.PractitionerRole).toMatchObject({ created: 1, updated: 0 });
    }
    // Also when the first description was committed by an interrupted run that this one resumes.
    await fresh();
    const path = file(text(dup));
    const crash = importRpps(directory, path, { batchSize: 1, onProgress: (p) => { if (p.phase === 'load') throw new Error('crash simulé'); } });
    await expect(crash).rejects.toThrow('crash simulé');
    const resumed = await importRpps(directory, path, { batchSize: 1 });
    expect(resumed.resumedAfterLine).toBe(2);
    expect(resumed.issues.filter((i) => i.code === 'duplicate').map((i) => [i.line, i.message])).toEqual([
      [5, 'Activité déjà décrite ligne 2 (même personne, structure, profession et savoir-faire)'],
    ]);
  });

  it('aborts on a bad header without writing anything', async () => {
    await fresh();
    const lines = generated(50);
    const bad = file(text([lines[0]!.replace('Code profession', 'Profession'), ...lines.slice(1)]));
    await expect(importRpps(directory, bad)).rejects.toBeInstanceOf(ImportAbort);
    await expect(importRpps(directory, bad)).rejects.toThrow(/colonne\(s\) absente\(s\) : « Code profession »/);
    const twice = file(text([lines[0]!.replace('Libellé profession', 'Code profession'), ...lines.slice(1)]));
    await expect(importRpps(directory, twice)).rejects.toThrow(/« Code profession » présente deux fois \(colonnes 10 et 11\)/);
    await expect(importRpps(directory, file(text(lines.slice(1))))).rejects.toThrow(/en-tête RPPS/);
    await expect(importRpps(directory, file(''))).rejects.toThrow(/vide/);
    expect(await versionCount()).toBe(0);
    expect((await db.query('SELECT 1 FROM import_run')).rows).toEqual([]);
  });

  it('reads the extraction date from the file name', () => {
    expect(dateFromFileName('PS_LibreAcces_Personne_activite_202401150830.txt')).toBe('2024-01-15');
    expect(dateFromFileName('/x/Extraction_RPPS_20231301.txt')).toBeUndefined();
    expect(dateFromFileName('rpps.txt')).toBeUndefined();
  });
});

describe('RPPS import: database failure, crash and resume', () => {
  const canonical = async () => {
    const r = await db.query<{ res_type: string; id: string; content: Resource }>(`SELECT res_type, id, content FROM resource ORDER BY res_type, id`);
    return r.rows.map((x) => JSON.stringify({ ...x.content, meta: { profile: x.content.meta?.profile }, extension: ((x.content.extension ?? []) as any[]).filter((e) => e.url !== EXT.creationDate) }));
  };

  it('a database failure rolls the batch back; the re-run resumes and ends as one clean run', async () => {
    const lines = generated(1200, 11);
    await fresh();
    await importRpps(directory, file(text(lines)), { batchSize: 100 });
    const clean = await canonical();

    await fresh();
    // The third batch's bookkeeping fails inside its transaction.
    await db.exec(`
      CREATE FUNCTION rpps_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'panne simulée'; END $$;
      CREATE TRIGGER rpps_test_fail BEFORE UPDATE ON import_run FOR EACH ROW WHEN (NEW.checkpoint > 500) EXECUTE FUNCTION rpps_test_fail();
    `);
    const path = file(text(lines));
    await expect(importRpps(directory, path, { batchSize: 100 })).rejects.toThrow(/panne simulée/);
    await db.exec('DROP TRIGGER rpps_test_fail ON import_run; DROP FUNCTION rpps_test_fail()');
    const run = (await db.query<{ status: string; checkpoint: number }>('SELECT status, checkpoint FROM import_run')).rows[0]!;
    expect(run.status).toBe('failed');
    // Nothing of the failed batch is left: every written resource is accounted for by a committed batch.
    const written = Number((await db.query<{ n: number }>('SELECT count(*) AS n FROM resource')).rows[0]!.n);
    const tracked = Number((await db.query<{ n: number }>('SELECT count(*) AS n FROM rpps_resource')).rows[0]!.n);
    expect(written).toBe(tracked);
    const resumed = await importRpps(directory, path, { batchSize: 100 });
    expect(resumed.resumedAfterLine).toBe(Number(run.checkpoint));
    expect(resumed.counters.rowsRead).toBe(1200);
    expect(await canonical()).toEqual(clean);
    expect((await db.query('SELECT 1 FROM resource_version WHERE version_id > 1')).rows).toEqual([]);
  });

  it('a crash between batches resumes after the last committed one', async () => {
    const lines = generated(900, 12);
    await fresh();
    await importRpps(directory, file(text(lines)), { batchSize: 80 });
    const clean = await canonical();
    await fresh();
    const path = file(text(lines));
    let batches = 0;
    await expect(
      importRpps(directory, path, {
        batchSize: 80,
        onProgress: (p) => {
          if (p.phase === 'load' && ++batches === 2) throw new Error('crash simulé');
        },
      }),
    ).rejects.toThrow('crash simulé');
    const resumed = await importRpps(directory, path, { batchSize: 80 });
    expect(resumed.resumedAfterLine).toBeGreaterThan(1);
    expect(await canonical()).toEqual(clean);
    const again = await importRpps(directory, path, { batchSize: 80 });
    expect(again.counters).toMatchObject({ created: 0, updated: 0, ended: 0 });
  });
});
