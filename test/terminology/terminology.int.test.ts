import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { IG_VALUE_SETS } from '../../scripts/nos-extra/ig-local.ts';
import type { TerminologyPackage } from '../../src/terminology/terminology.package.ts';
import { normalise, Terminology } from '../../src/terminology/terminology.service.ts';
import { openTestDatabase } from '../setup/db.ts';
import { prepareDatabase } from '../setup/prepare.ts';
import { EXTRA_VALUE_SETS } from '../../scripts/nos-extra.ts';

const NOS = 'https://mos.esante.gouv.fr/NOS';
const R211 = `${NOS}/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle`;
const J19 = `${NOS}/JDV_J19-ModePriseEnCharge-ROR/FHIR/JDV-J19-ModePriseEnCharge-ROR`;
const R213 = `${NOS}/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge`;
const J190 = `${NOS}/JDV_J190-GenreCapacite-ROR/FHIR/JDV-J190-GenreCapacite-ROR`;
const R332 = `${NOS}/TRE_R332-GenreCapacite/FHIR/TRE-R332-GenreCapacite`;
const J55 = `${NOS}/JDV_J55-CategorieEG-ROR/FHIR/JDV-J55-CategorieEG-ROR`;
const R66 = `${NOS}/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement`;
const R02 = `${NOS}/TRE_R02-SecteurActivite/FHIR/TRE-R02-SecteurActivite`;
const J124 = `${NOS}/JDV_J124-Commune/FHIR/JDV-J124-Commune`;
const COMMUNE = `${NOS}/TRE_R13-Commune/FHIR/TRE-R13-Commune`;
const COMMUNE_OM = `${NOS}/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM`;

let db: Db;
let term: Terminology;
beforeAll(async () => {
  db = await openTestDatabase();
  // PGlite test databases come from a template that is already migrated and prepared; a PostgreSQL schema is new.
  await migrate(db);
  if (process.env.DATABASE_URL) await prepareDatabase(db);
  term = new Terminology(db);
  await term.load();
});
afterAll(async () => {
  await db?.close();
});

describe('shipped nomenclatures', () => {
  it('are already in the prepared database: loading again changes nothing', async () => {
    const again = await new Terminology(db).load();
    expect(again.packages.map((p) => [p.package, p.outcome])).toEqual([
      ['communes', 'unchanged'],
      ['nos-ror-extra', 'unchanged'],
      ['nos-ror', 'unchanged'],
      ['ror-ig', 'unchanged'],
    ]);
    const counts = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM value_set');
    // 31 shared copies, those with `supersedes` (J41, J198, J17, J18, J20, J29, J33, J35, J221) replaced by newer
    // transcriptions; communes; the IG's own value sets.
    const superseded = EXTRA_VALUE_SETS.filter((vs) => vs.supersedes).length;
    expect(counts.rows[0]!.n).toBe(31 - superseded + EXTRA_VALUE_SETS.length + 1 + IG_VALUE_SETS.length);
    const concepts = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM concept WHERE system = $1`, [COMMUNE_OM]);
    expect(concepts.rows[0]!.n).toBe(35014);
  });

  it('looks up a display', () => {
    expect(term.lookup(R211, '183')).toEqual({ system: R211, code: '183', display: 'Traitement neurochirurgical de la douleur', name: 'TRE_R211-ActiviteOperationnelle' });
    expect(term.lookup(R211, 'nope')).toBeUndefined();
    expect(term.lookup('https://example.org/unknown', '183')).toBeUndefined();
  });

  it('includes the value sets transcribed from IG-NOS (EJ, PractitionerRole, Task)', () => {
    const J229 = `${NOS}/JDV_J229-ProfessionSante-ROR/FHIR/JDV-J229-ProfessionSante-ROR`;
    const G15 = `${NOS}/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante`;
    expect(term.isInValueSet(J229, G15, '60')).toBe(true);
    expect(term.lookup(G15, '60')?.display).toBe('Infirmier');
    const J244 = `${NOS}/JDV_J244-StatutMetierAnomalie-ROR/FHIR/JDV-J244-StatutMetierAnomalie-ROR`;
    expect(term.expand(J244)!.contains.map((c) => c.code)).toEqual(['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11']);
    const J199 = `${NOS}/JDV_J199-StatutJuridique-ROR/FHIR/JDV-J199-StatutJuridique-ROR`;
    const R72 = `${NOS}/TRE_R72-FinessStatutJuridique/FHIR/TRE-R72-FinessStatutJuridique`;
    expect(term.expand(J199)!.total).toBe(79);
    expect(term.validateCode(J199, { system: R72, code: '72' })).toMatchObject({ result: true, display: 'Société à responsabilité limitée (SARL)' });
  });

  it('checks membership of a value set, synchronously', () => {
    expect(term.isInValueSet(J190, R332, '01')).toBe(true);
    expect(term.isInValueSet(J190, R332, '09')).toBe(false);
    expect(term.isInValueSet(J190, R213, '01')).toBe(false);
    expect(term.isInValueSet('https://example.org/ValueSet/unknown', R332, '01')).toBeUndefined();
    // Two code systems in one JDV.
    expect(term.isInValueSet(J55, R66, '355')).toBe(true);
    expect(term.isInValueSet(J55, R02, 'SA07')).toBe(true);
    expect(term.isInValueSet(J55, R66, 'SA07')).toBe(false);
  });

  it('accepts the JDV URL (with or without trailing slash) as an alias of its TRE system, and a code without system', () => {
    expect(term.isInValueSet(J190, J190, '02')).toBe(true);
    expect(term.isInValueSet(J190, `${J190}/`, '02')).toBe(true);
    expect(term.isInValueSet(J190, J190, '99')).toBe(false);
    expect(term.isInValueSet(J190, J19, '02')).toBe(false);
    expect(term.isInValueSet(J190, undefined, '03')).toBe(true);
    expect(term.isInValueSet(J190, 'https://mos.esante.gouv.fr/NOS', '03')).toBe(false);
    expect(term.validateCode(J190, { system: J190, code: '02' })).toEqual({
      result: true,
      code: '02',
      system: R332,
      display: 'Homme',
      message: `Système « ${J190} » accepté comme alias de ${R332}`,
    });
    expect(term.lookup(J190, '04')?.display).toBe('Indéterminé');
  });

  it('validates communes under TRE_R13-CommuneOM and its alias TRE_R13-Commune', () => {
    expect(term.isInValueSet(J124, COMMUNE, '78646')).toBe(true);
    expect(term.isInValueSet(J124, COMMUNE_OM, '78646')).toBe(true);
    expect(term.isInValueSet(J124, COMMUNE_OM, '97411')).toBe(true);
    expect(term.isInValueSet(J124, COMMUNE_OM, '75112')).toBe(true);
    expect(term.isInValueSet(J124, COMMUNE_OM, '99999')).toBe(false);
    expect(term.lookup(COMMUNE, '78646')).toMatchObject({ system: COMMUNE_OM, display: 'Versailles', name: 'TRE_R13-CommuneOM', aliasOf: COMMUNE_OM });
    expect(term.validateCode(J124, { system: COMMUNE_OM, code: '78646', display: 'VERSAILLES' })).toMatchObject({ result: true, display: 'Versailles' });
    expect(term.validateCode(J124, { system: COMMUNE_OM, code: '78646', display: 'Paris' })).toMatchObject({ result: false, display: 'Versailles' });
  });

  it('answers isInValueSet in microseconds', () => {
    const start = performance.now();
    for (let i = 0; i < 10_000; i++) term.isInValueSet(J124, COMMUNE, '78646');
    expect((performance.now() - start) / 10_000).toBeLessThan(0.05); // ms per call
  });

  it('expands a value set, whole or paged', () => {
    const all = term.expand(J19)!;
    expect(all.total).toBe(37);
    expect(all.contains).toHaveLength(37);
    expect(all.contains[0]).toEqual({ system: R213, code: '01', display: 'Accueil Permanence des soins en établissement de santé' });
    const page = term.expand(J19, { count: 5, offset: 35 })!;
    expect(page.contains.map((c) => c.code)).toEqual(['58', '59']);
    expect(term.expand('https://example.org/nope')).toBeUndefined();
  });

  it('filters on display and code, ignoring case and accents', () => {
    const codes = (filter: string) => term.expand(J19, { filter })!.contains.map((c) => c.code);
    expect(codes('tele')).toEqual(['27', '35', '36', '37']);
    expect(codes('TÉLÉ')).toEqual(['27', '35', '36', '37']);
    expect(codes('précarité')).toEqual(['17']);
    expect(codes('PRECARITE')).toEqual(['17']);
    expect(codes('hospitalisation jour')).toEqual(['29']);
    expect(codes('3')).toEqual(['30', '31', '32', '33', '34', '35', '36', '37', '38', '39']);
    expect(codes('zzz')).toEqual([]);
    const versailles = term.expand(J124, { filter: 'versailles', count: 3 })!;
    expect(versailles.contains[0]).toEqual({ system: COMMUNE_OM, code: '78646', display: 'Versailles' });
    expect(term.expand(J124, { filter: 'saint etienne', count: 1 })!.contains[0]!.display).toBe('Saint-Étienne');
  });

  it('normalises text for filtering', () => {
    expect(normalise("  L'Haÿ-les-Roses  Œuvre ")).toBe('l hay les roses oeuvre');
  });
});

describe('versioned packages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ror-term-'));
  const VS = 'https://example.org/fhir/ValueSet/test-couleurs';
  const CS = 'https://example.org/fhir/CodeSystem/test-couleurs';
  const write = (release: string, rouge: string, extra: [string, string][] = []) => {
    const pkg: TerminologyPackage = {
      format: 'ror-terminology/1',
      package: 'test-couleurs',
      release,
      codeSystems: [{ url: CS, name: 'Couleurs', concepts: [['R', rouge], ['V', 'Vert'], ...extra] }],
      systemAliases: {},
      valueSets: [{ url: VS, name: 'Couleurs', version: release, include: [{ system: CS }] }],
    };
    const file = join(dir, `test-couleurs-${release}-${rouge}.json`);
    writeFileSync(file, JSON.stringify(pkg));
    return file;
  };

  it('installs, updates to a newer release, ignores an older one, and other instances notice', async () => {
    const a = new Terminology(db, { packages: [write('20250101000000', 'Rouge')], refreshIntervalMs: 0 });
    const b = new Terminology(db, { refreshIntervalMs: 60_000 });
    expect((await a.load()).packages[0]!.outcome).toBe('installed');
    await b.load();
    expect(b.lookup(CS, 'R')?.display).toBe('Rouge');

    const newer = new Terminology(db, { packages: [write('20260101000000', 'Rouge vif', [['B', 'Bleu']])] });
    expect((await newer.load()).packages[0]!.outcome).toBe('updated');
    expect(newer.isInValueSet(VS, CS, 'B')).toBe(true);

    // Instance b still serves its cache until it checks the generation row…
    expect(b.isInValueSet(VS, CS, 'B')).toBe(false);
    expect(await b.refresh()).toBe(true);
    expect(b.isInValueSet(VS, CS, 'B')).toBe(true);
    expect(b.lookup(CS, 'R')?.display).toBe('Rouge vif');
    expect(await b.refresh()).toBe(false);

    // …and an instance with a short interval checks by itself, in the background of a synchronous call.
    expect(a.isInValueSet(VS, CS, 'B')).toBe(false);
    await waitFor(() => a.isInValueSet(VS, CS, 'B') === true);

    const older = new Terminology(db, { packages: [write('20250601000000', 'Rouge ancien')] });
    expect((await older.load()).packages[0]!.outcome).toBe('older');
    expect(older.lookup(CS, 'R')?.display).toBe('Rouge vif');
  });

  it('rejects an inconsistent package before touching the database', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'ror-terminology/1',
        package: 'bad',
        release: '20250101000000',
        codeSystems: [{ url: CS + '-bad', name: 'Bad', concepts: [['A', 'a']] }],
        systemAliases: {},
        valueSets: [{ url: VS + '-bad', name: 'Bad', version: '1', include: [{ system: CS + '-bad', codes: ['Z'] }] }],
      }),
    );
    await expect(new Terminology(db, { packages: [file] }).load()).rejects.toThrow(/code Z absent/);
    const { rows } = await db.query(`SELECT 1 FROM terminology_package WHERE name = 'bad'`);
    expect(rows).toHaveLength(0);
  });
});

async function waitFor(ok: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
