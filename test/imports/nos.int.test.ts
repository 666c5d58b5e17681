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
import { healthcareService } from '../fixtures/ror.ts';
import { openTestDatabase } from '../setup/db.ts';

/** `ror import nos DIR` on NOS FHIR files: a newer version of a shipped JDV (the real J19 with one code more),
 * a JDV the product does not ship (a synthetic J900 over a synthetic TRE_R900: every real JDV the ROR binds that
 * the stored NOS sources hold is shipped now), a raw TRE CodeSystem export, and bad files. */
const NOS = 'https://mos.esante.gouv.fr/NOS';
const J19 = JSON.parse(readFileSync('/work/shared/data/nos/JDV_J19-ModePriseEnCharge-ROR-FHIR.json', 'utf8'));
const J238_URL = `${NOS}/JDV_J900-EssaiImport-ROR/FHIR/JDV-J900-EssaiImport-ROR`;
const R244 = `${NOS}/TRE_R900-EssaiImport/FHIR/TRE-R900-EssaiImport`;
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
    join(dir, 'ig', 'ValueSet-JDV-J900-EssaiImport-ROR.json'),
    JSON.stringify({
      resourceType: 'ValueSet',
      url: J238_URL,
      name: 'JDV_J900-EssaiImport-ROR',
      version: '0.1.0',
      status: 'active',
      date: '2024-06-28T12:00:00+02:00',
      compose: { include: [{ system: R244, concept: [{ code: '11', display: 'Hôpital De Jour (HDJ)' }, { code: '16', display: "Unité d'hospitalisation (hors HDJ)" }] }] },
    }),
  );
  // A raw TRE export names its code system without /FHIR/…; it completes the displays of R244.
  writeFileSync(
    join(dir, 'TRE_R900-EssaiImport-FHIR.json'),
    JSON.stringify({
      resourceType: 'CodeSystem',
      url: `${NOS}/TRE_R900-EssaiImport`,
      name: 'TRE_R900-EssaiImport',
      version: '20240628120000',
      concept: [{ code: '11', display: 'Hôpital De Jour (HDJ)' }, { code: '16', display: "Unité d'hospitalisation (hors HDJ)" }, { code: '69', display: 'Consultation externe en établissement de santé' }],
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
    expect(before.isInValueSet(J238_URL, R244, '11')).toBeUndefined();

    const report = await importNos(db, dir);
    expect(report).toMatchObject({ files: 5, valueSets: 2, codeSystems: 2, issueCount: 2 });
    expect(report.issues.map((i) => [i.file, i.code])).toEqual([
      ['broken.json', 'invalid-json'],
      ['patient.json', 'not-terminology'],
    ]);
    // J19 stays in the shipped package, rebuilt under the newer release; J238 and R244 go to nos-import.
    expect(report.packages).toEqual([
      { package: 'nos-import', release: '20250101120000', outcome: 'installed', valueSets: [J238_URL], codeSystems: [R244] },
      // The shipped package's release is newer (J198 of 2026): the import's rebuild is numbered after it.
      { package: 'nos-ror', release: expect.stringMatching(/^2026\d{10}$/), outcome: 'updated', valueSets: [J19.url], codeSystems: [R213] },
    ]);

    const t = new Terminology(db);
    await t.load(); // as a restart would: the shipped nos-ror (older release) does not undo the import
    expect(t.isInValueSet(J19.url, R213, '99')).toBe(true);
    expect(t.isInValueSet(J19.url, R213, '32')).toBe(true);
    expect(t.isInValueSet(J238_URL, R244, '11')).toBe(true);
    expect(t.isInValueSet(J238_URL, R244, '69')).toBe(false);
    expect(t.isInValueSet(J238_URL, `${NOS}/TRE_R900-EssaiImport`, '16')).toBe(true);
    expect(t.lookup(R244, '69')?.display).toBe('Consultation externe en établissement de santé');

    // Validation uses the imported codes: the careMode code J19 gained is accepted now, refused before.
    const offer = (code: string) => healthcareService('o', [], { characteristic: [{ coding: [{ system: R213, code }] }] });
    const errors = (v: ReturnType<typeof createValidator>, code: string) => v(offer(code)).filter((i) => i.severity === 'error');
    expect(errors(createValidator(t), '99')).toEqual([]);
    expect(errors(createValidator(before), '99').map((i) => i.details?.coding?.[0]?.code)).toContain('binding');

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
    expect(canonicalSystemUrl(R244)).toBe(R244);
  });
});
