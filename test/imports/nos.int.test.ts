import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createValidator } from '../../src/fhir/validation/validate.ts';
import { ImportAbort } from '../../src/imports/finess/finess.parse.ts';
import { canonicalSystemUrl, importNos } from '../../src/imports/nos/nos.import.ts';
import { Terminology } from '../../src/terminology/terminology.service.ts';
import { openTestDatabase } from '../setup/db.ts';

/** `ror import nos DIR` on NOS FHIR files: a newer version of a shipped JDV (the real J19 with one code more),
 * a JDV the product does not ship (J210 spécialité ordinale), a raw TRE CodeSystem export, and bad files. */
const NOS = 'https://mos.esante.gouv.fr/NOS';
const J19 = JSON.parse(readFileSync('/work/shared/data/nos/JDV_J19-ModePriseEnCharge-ROR-FHIR.json', 'utf8'));
const J210_URL = `${NOS}/JDV_J210-SpecialiteOrdinale-ROR/FHIR/JDV-J210-SpecialiteOrdinale-ROR`;
const R38 = `${NOS}/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale`;
const R213 = `${NOS}/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge`;

function nosDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nos-'));
  const newer = structuredClone(J19);
  newer.version = '20250101120000';
  newer.date = '2025-01-01T12:00:00+01:00';
  newer.compose.include[0].concept.push({ code: '99', display: 'Mode de prise en charge de test' });
  writeFileSync(join(dir, 'JDV_J19-ModePriseEnCharge-ROR-FHIR.json'), JSON.stringify(newer, null, 2));
  mkdirSync(join(dir, 'ig'));
  writeFileSync(
    join(dir, 'ig', 'ValueSet-JDV-J210-SpecialiteOrdinale-ROR.json'),
    JSON.stringify({
      resourceType: 'ValueSet',
      url: J210_URL,
      name: 'JDV_J210-SpecialiteOrdinale-ROR',
      version: '0.1.0',
      status: 'active',
      date: '2024-06-28T12:00:00+02:00',
      compose: { include: [{ system: R38, concept: [{ code: 'SM54', display: 'Médecine générale (SM)' }, { code: 'SM04', display: 'Cardiologie et Maladies vasculaires (SM)' }] }] },
    }),
  );
  // A raw TRE export names its code system without /FHIR/…; it completes the displays of R38.
  writeFileSync(
    join(dir, 'TRE_R38-SpecialiteOrdinale-FHIR.json'),
    JSON.stringify({
      resourceType: 'CodeSystem',
      url: `${NOS}/TRE_R38-SpecialiteOrdinale`,
      name: 'TRE_R38-SpecialiteOrdinale',
      version: '20240628120000',
      concept: [{ code: 'SM54', display: 'Médecine générale (SM)' }, { code: 'SM04', display: 'Cardiologie et Maladies vasculaires (SM)' }, { code: 'SM48', display: 'Rhumatologie (SM)' }],
    }),
  );
  writeFileSync(join(dir, 'broken.json'), '{ "resourceType": "ValueSet", ');
  writeFileSync(join(dir, 'patient.json'), JSON.stringify({ resourceType: 'Patient' }));
  writeFileSync(join(dir, 'notes.txt'), 'ignored');
  return dir;
}

let db: Db;
beforeAll(async () => {
  db = await openTestDatabase();
  await migrate(db);
  await new Terminology(db).load();
});
afterAll(async () => {
  await db?.close();
});

describe('NOS import of a directory', () => {
  it('updates a shipped JDV, adds a new one, reports bad files, and validation uses them', async () => {
    const dir = nosDir();
    const dry = await importNos(db, dir, { dryRun: true });
    expect(dry.packages.map((p) => p.outcome)).toEqual(['dry-run', 'dry-run']);
    const before = new Terminology(db);
    await before.load();
    expect(before.isInValueSet(J210_URL, R38, 'SM54')).toBeUndefined();

    const report = await importNos(db, dir);
    expect(report).toMatchObject({ files: 5, valueSets: 2, codeSystems: 2, issueCount: 2 });
    expect(report.issues.map((i) => [i.file, i.code])).toEqual([
      ['broken.json', 'invalid-json'],
      ['patient.json', 'not-terminology'],
    ]);
    // J19 stays in the shipped package, rebuilt under the newer release; J210 and R38 go to nos-import.
    expect(report.packages).toEqual([
      { package: 'nos-import', release: '20250101120000', outcome: 'installed', valueSets: [J210_URL], codeSystems: [R38] },
      { package: 'nos-ror', release: '20250101120000', outcome: 'updated', valueSets: [J19.url], codeSystems: [R213] },
    ]);

    const t = new Terminology(db);
    await t.load(); // as a restart would: the shipped nos-ror (older release) does not undo the import
    expect(t.isInValueSet(J19.url, R213, '99')).toBe(true);
    expect(t.isInValueSet(J19.url, R213, '32')).toBe(true);
    expect(t.isInValueSet(J210_URL, R38, 'SM54')).toBe(true);
    expect(t.isInValueSet(J210_URL, R38, 'SM48')).toBe(false);
    expect(t.isInValueSet(J210_URL, `${NOS}/TRE_R38-SpecialiteOrdinale`, 'SM04')).toBe(true);
    expect(t.lookup(R38, 'SM48')?.display).toBe('Rhumatologie (SM)');

    // Validation now judges the PractitionerRole savoir-faire against J210 (unknown value set before: warning only).
    const validate = createValidator(t);
    const role = (code: string) => ({
      resourceType: 'PractitionerRole',
      meta: { profile: ['https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-practitionerrole'] },
      extension: [
        { url: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-meta-creation-date', valueDateTime: '2026-01-01T00:00:00Z' },
        { url: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-practitionerrole-unit-exercise-mode', valueCodeableConcept: { coding: [{ system: `${NOS}/TRE_R23-ModeExercice/FHIR/TRE-R23-ModeExercice`, code: 'L' }] } },
      ],
      practitioner: { reference: 'Practitioner/p' },
      healthcareService: [{ reference: 'HealthcareService/h' }],
      code: [{ coding: [{ system: `${NOS}/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante`, code: '10' }] }],
      specialty: [{ coding: [{ system: `${NOS}/TRE_R04-TypeSavoirFaire/FHIR/TRE-R04-TypeSavoirFaire`, code: 'S' }] }, { coding: [{ system: R38, code }] }],
    });
    const errors = (code: string) => validate(role(code)).filter((i) => i.severity === 'error');
    expect(errors('SM54')).toEqual([]);
    expect(errors('SM99').map((i) => i.details?.coding?.[0]?.code)).toEqual(['binding']);
    expect(createValidator(before)(role('SM99')).filter((i) => i.severity === 'error')).toEqual([]);

    // The same directory again: nothing to install.
    const again = await importNos(db, dir);
    expect(again.packages.map((p) => p.outcome)).toEqual(['unchanged', 'unchanged']);
  });

  it('aborts on a missing or empty directory, installing nothing', async () => {
    await expect(importNos(db, '/nonexistent/nos')).rejects.toBeInstanceOf(ImportAbort);
    const empty = mkdtempSync(join(tmpdir(), 'nos-empty-'));
    writeFileSync(join(empty, 'x.json'), JSON.stringify({ resourceType: 'Bundle' }));
    await expect(importNos(db, empty)).rejects.toThrow(/Aucun ValueSet ni CodeSystem/);
  });

  it('aborts when a value set names codes its code system does not define', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nos-bad-'));
    writeFileSync(
      join(dir, 'vs.json'),
      JSON.stringify({ resourceType: 'ValueSet', url: 'https://example.org/vs', name: 'VS', version: '20240101000000', compose: { include: [{ system: 'https://example.org/cs-absent' }] } }),
    );
    await expect(importNos(db, dir)).rejects.toThrow(/incohérent/);
  });

  it('canonicalises raw TRE URLs', () => {
    expect(canonicalSystemUrl(`${NOS}/TRE_R02-SecteurActivite`)).toBe(`${NOS}/TRE_R02-SecteurActivite/FHIR/TRE-R02-SecteurActivite`);
    expect(canonicalSystemUrl(R38)).toBe(R38);
  });
});
