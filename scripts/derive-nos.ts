/**
 * Derives the product's own terminology packages (data/nos/) from public NOS and INSEE/Etalab files.
 *
 *   npm run derive:nos                 # sources in ../shared/data (default)
 *   ROR_SHARED_DATA=/path npm run derive:nos
 *
 * Inputs (see ../shared/data/PROVENANCE.md):
 *   nos/JDV_*-FHIR.json        raw NOS FHIR ValueSet exports (ansforge/IG-NOS input/NOS/JDV/…)
 *   nos/ValueSet-JDV-*.json    IG Publisher renderings of the same JDVs (ansforge/IG-NOS ig/allNos2/…)
 *   geo/decoupage-administratif/communes.json.gz   COG communes (Etalab, millésime 2026)
 * Outputs (committed):
 *   data/nos/nos-ror.json       value sets of the ROR with their code systems (only codes and displays)
 *   data/nos/nos-ror-extra.json small ROR value sets transcribed from ansforge/IG-NOS (scripts/nos-extra.ts)
 *   data/nos/ror-ig.json        the ROR IG's own code systems and value sets (scripts/nos-extra/ig-local.ts)
 *   data/nos/communes.json.gz   JDV_J124-Commune over TRE_R13-CommuneOM (current communes + arrondissements municipaux)
 *   data/nos/PROVENANCE.md      where every package comes from
 * The format ("ror-terminology/1") is described in docs/terminology.md and read by src/terminology/terminology.package.ts.
 * The script is deterministic: re-running it on the same inputs rewrites identical files.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parsePackage, type TerminologyPackage } from '../src/terminology/terminology.package.ts';
import { EXTRA_VALUE_SETS, type ExtraValueSet, includesOf } from './nos-extra.ts';
import { IG, IG_CODE_SYSTEMS, IG_VALUE_SETS } from './nos-extra/ig-local.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = process.env.ROR_SHARED_DATA ?? join(ROOT, '..', 'shared', 'data');
const OUT = join(ROOT, 'data', 'nos');

const NOS_SOURCE = {
  repo: 'ansforge/IG-NOS',
  licence: 'données publiques NOS (Licence Ouverte / Etalab 2.0), dépôt sous licence MIT',
};
/** Source path and commit of each NOS file, as recorded in shared/data/PROVENANCE.md. */
const RAW_SOURCES: Record<string, string> = {
  'JDV_J17-ActiviteOperationnelle-ROR-FHIR.json': 'input/NOS/JDV/fhir/JDV_J17-ActiviteOperationnelle-ROR-FHIR.json @ 98220479891c02ad99771ae35c544718b8043e69',
  'JDV_J19-ModePriseEnCharge-ROR-FHIR.json': 'input/NOS/JDV/JDV_J19-ModePriseEnCharge-ROR-FHIR.json @ ed36958935243d0218465fc5d51c43e84a1fe0c2',
  'JDV_J29-PublicPrisEnCharge-ROR-FHIR.json': 'input/NOS/JDV/fhir/JDV_J29-PublicPrisEnCharge-ROR-FHIR.json @ 584267346aedae48d63a1479c85ca7bc0cc60d19',
  'JDV_J55-CategorieEG-ROR-FHIR.json': 'input/NOS/JDV/fhir/JDV_J55-CategorieEG-ROR-FHIR.json @ 7cd12aa953c8e215d9dbe028264ff1e609a7e1db',
};
const IG_COMMIT = 'b8b0cc32cc5e1471d417d6d3a3dd17bfb0fce3e9';

interface FhirValueSet {
  resourceType: string;
  url: string;
  name: string;
  title?: string;
  version?: string;
  status?: string;
  date?: string;
  description?: string;
  compose?: { include?: { system?: string; valueSet?: string[]; filter?: unknown[]; concept?: { code: string; display?: string }[] }[]; exclude?: unknown[] };
}

/** "2022-05-27T12:00:00+01:00" → "20220527120000" (the NOS version format). */
function nosVersion(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(date);
  if (!m) throw new Error(`date NOS illisible : ${date}`);
  return m.slice(1).join('');
}

/** TRE_R211-ActiviteOperationnelle from its canonical URL (…/NOS/TRE_R211-ActiviteOperationnelle/FHIR/…). */
function nameFromUrl(url: string): string {
  const m = /\/NOS\/([^/]+)\/FHIR\//.exec(url);
  if (!m?.[1]) throw new Error(`URL NOS inattendue : ${url}`);
  return m[1];
}

function deriveNos(): { pkg: TerminologyPackage; sources: string[] } {
  const dir = join(SHARED, 'nos');
  const files = readdirSync(dir)
    .filter((f) => /^(JDV_.*-FHIR|ValueSet-JDV-.*)\.json$/.test(f))
    .sort();
  const systems = new Map<string, Map<string, string>>();
  const valueSets: TerminologyPackage['valueSets'] = [];
  const sources: string[] = [];
  const superseded = new Set(EXTRA_VALUE_SETS.filter((vs) => vs.supersedes).map((vs) => vs.url));
  let newest = '';
  for (const file of files) {
    const vs = JSON.parse(readFileSync(join(dir, file), 'utf8')) as FhirValueSet;
    if (vs.resourceType !== 'ValueSet') throw new Error(`${file} : pas un ValueSet`);
    // A newer NOS version transcribed in scripts/nos-extra.ts replaces this stale copy (placed in nos-ror by placeExtra).
    if (superseded.has(vs.url)) {
      superseded.delete(vs.url);
      continue;
    }
    if (vs.compose?.exclude?.length) throw new Error(`${file} : compose.exclude non pris en charge`);
    const raw = file.startsWith('JDV_');
    if (!vs.date) throw new Error(`${file} : date absente`);
    // Raw NOS exports carry the NOS version; IG Publisher files carry the IG version (0.1.0), so use the NOS date.
    const version = raw && vs.version && /^\d{14}$/.test(vs.version) ? vs.version : nosVersion(vs.date);
    if (version > newest) newest = version;
    const include: TerminologyPackage['valueSets'][number]['include'] = [];
    for (const inc of vs.compose?.include ?? []) {
      if (!inc.system || inc.valueSet?.length || inc.filter?.length || !inc.concept?.length) {
        throw new Error(`${file} : seules les inclusions par liste de codes sont prises en charge`);
      }
      let concepts = systems.get(inc.system);
      if (!concepts) systems.set(inc.system, (concepts = new Map()));
      for (const c of inc.concept) {
        const display = (c.display ?? '').trim();
        const seen = concepts.get(c.code);
        if (seen !== undefined && seen !== display) throw new Error(`${inc.system}|${c.code} : libellés divergents « ${seen} » / « ${display} »`);
        concepts.set(c.code, display);
      }
      include.push({ system: inc.system, codes: inc.concept.map((c) => c.code) });
    }
    valueSets.push({
      url: vs.url,
      name: vs.name,
      ...(vs.title ? { title: vs.title } : {}),
      version,
      ...(vs.status ? { status: vs.status } : {}),
      date: vs.date,
      ...(vs.description ? { description: vs.description } : {}),
      include,
    });
    sources.push(`| ${vs.name} | ${include.reduce((n, i) => n + (i.codes?.length ?? 0), 0)} | ${raw ? RAW_SOURCES[file] ?? 'input/NOS/JDV/…' : `ig/allNos2/${file} @ ${IG_COMMIT}`} |`);
  }
  if (superseded.size) throw new Error(`copies partagées introuvables pour : ${[...superseded].join(', ')}`);
  const codeSystems = [...systems.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([url, concepts]) => ({
      url,
      name: nameFromUrl(url),
      concepts: [...concepts.entries()].sort(([a], [b]) => a.localeCompare(b)) as [string, string][],
    }));
  valueSets.sort((a, b) => a.url.localeCompare(b.url));
  return {
    pkg: { format: 'ror-terminology/1', package: 'nos-ror', release: newest, codeSystems, systemAliases: {}, valueSets },
    sources,
  };
}

/** Adds the concepts of `includes` to `systems` (url → code → display), refusing a code with two displays. */
function addConcepts(systems: Map<string, Map<string, string>>, includes: { system: string; concepts: [string, string][] }[]): void {
  for (const inc of includes) {
    let concepts = systems.get(inc.system);
    if (!concepts) systems.set(inc.system, (concepts = new Map()));
    for (const [code, display] of inc.concepts) {
      const seen = concepts.get(code);
      if (seen !== undefined && seen !== display) throw new Error(`${inc.system}|${code} : libellés divergents « ${seen} » / « ${display} »`);
      concepts.set(code, display);
    }
  }
}

function extraValueSet(vs: ExtraValueSet): TerminologyPackage['valueSets'][number] {
  return {
    url: vs.url,
    name: vs.name,
    version: vs.version,
    status: 'active',
    date: vs.date,
    ...(vs.description ? { description: vs.description } : {}),
    include: includesOf(vs).map((i) => ({ system: i.system, codes: i.concepts.map(([code]) => code) })),
  };
}

/**
 * A transcribed JDV whose TRE is already a code system of nos-ror (a code system belongs to one package) goes
 * into nos-ror, its codes added to that code system; the others make up nos-ror-extra.
 */
function placeExtra(nos: TerminologyPackage): { extra: TerminologyPackage; inNos: ExtraValueSet[] } {
  const nosSystems = new Set(nos.codeSystems.map((c) => c.url));
  const inNos = EXTRA_VALUE_SETS.filter((vs) => vs.supersedes || includesOf(vs).some((i) => nosSystems.has(i.system)));
  const rest = EXTRA_VALUE_SETS.filter((vs) => !inNos.includes(vs));
  if (inNos.length) {
    const systems = new Map(nos.codeSystems.map((c) => [c.url, new Map(c.concepts)]));
    addConcepts(systems, inNos.flatMap(includesOf));
    nos.codeSystems = [...systems.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([url, concepts]) => ({ url, name: nameFromUrl(url), concepts: [...concepts.entries()].sort(([a], [b]) => a.localeCompare(b)) }));
    nos.valueSets = [...nos.valueSets, ...inNos.map(extraValueSet)].sort((a, b) => a.url.localeCompare(b.url));
    const newest = inNos.map((vs) => vs.version).sort().at(-1)!;
    if (newest > nos.release) nos.release = newest;
  }
  // Several JDVs may list codes of one TRE (J186 and J229 over TRE_G15): one code system holding all their codes.
  const systems = new Map<string, Map<string, string>>();
  addConcepts(systems, rest.flatMap(includesOf));
  const extra: TerminologyPackage = {
    format: 'ror-terminology/1',
    package: 'nos-ror-extra',
    release: rest.map((vs) => vs.version).sort().at(-1)!,
    codeSystems: [...systems.entries()].map(([url, concepts]) => ({ url, name: nameFromUrl(url), concepts: [...concepts.entries()] })),
    systemAliases: {},
    valueSets: rest.map(extraValueSet),
  };
  return { extra, inNos };
}

/** Pretty JSON with one concept per line: reviewable diffs when a new NOS release changes a display. */
function formatPackage(pkg: TerminologyPackage): string {
  const json = JSON.stringify(parsePackage(JSON.parse(JSON.stringify(pkg))), null, 1);
  return `${json.replace(/\[\n\s*("(?:[^"\\]|\\.)*"),\n\s*("(?:[^"\\]|\\.)*")\n\s*\]/g, '[$1, $2]')}\n`;
}

interface EtalabCommune {
  code: string;
  nom: string;
  type: string;
}

const COMMUNE_OM = 'https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM';
const COMMUNE = 'https://mos.esante.gouv.fr/NOS/TRE_R13-Commune/FHIR/TRE-R13-Commune';
const J124 = 'https://mos.esante.gouv.fr/NOS/JDV_J124-Commune/FHIR/JDV-J124-Commune';

function deriveCommunes(): TerminologyPackage {
  const all = JSON.parse(gunzipSync(readFileSync(join(SHARED, 'geo', 'decoupage-administratif', 'communes.json.gz'))).toString('utf8')) as EtalabCommune[];
  // Current communes (the JDV keeps codes "where dateFin exists false") and the municipal arrondissements of
  // Paris, Lyon and Marseille, which addresses and FINESS use; communes déléguées/associées are not current codes.
  const kept = all.filter((c) => c.type === 'commune-actuelle' || c.type === 'arrondissement-municipal');
  const concepts = new Map<string, string>();
  for (const c of kept) {
    if (!/^[0-9][0-9AB][0-9]{3}$/.test(c.code)) throw new Error(`code commune inattendu : ${c.code}`);
    if (concepts.has(c.code)) throw new Error(`code commune en double : ${c.code}`);
    concepts.set(c.code, c.nom);
  }
  return {
    format: 'ror-terminology/1',
    package: 'communes',
    release: '20260101000000',
    codeSystems: [
      {
        url: COMMUNE_OM,
        name: 'TRE_R13-CommuneOM',
        title: 'Communes (COG INSEE, y compris outre-mer)',
        version: '2026',
        concepts: [...concepts.entries()].sort(([a], [b]) => a.localeCompare(b)),
      },
    ],
    // The ROR IG examples use both TRE_R13-Commune and TRE_R13-CommuneOM for the same COG codes.
    systemAliases: { [COMMUNE]: COMMUNE_OM },
    valueSets: [
      {
        url: J124,
        name: 'JDV_J124-Commune',
        version: '20240628120000',
        status: 'active',
        date: '2024-06-28T12:00:00+01:00',
        description: 'Communes actuelles (COG INSEE) et arrondissements municipaux',
        include: [{ system: COMMUNE_OM }],
      },
    ],
  };
}

/** The IG's own code systems and value sets (each value set takes its code systems whole). */
function deriveIgLocal(): TerminologyPackage {
  return {
    format: 'ror-terminology/1',
    package: 'ror-ig',
    // IG 0.7.0 (ballot of 2024-12); the FSH sources carry no date of their own.
    release: '20241201000000',
    codeSystems: IG_CODE_SYSTEMS.map((cs) => ({ url: `${IG}/CodeSystem/${cs.id}`, name: cs.id, title: cs.title, version: '0.7.0', concepts: cs.concepts })),
    systemAliases: {},
    valueSets: IG_VALUE_SETS.map((vs) => ({
      url: `${IG}/ValueSet/${vs.id}`,
      name: vs.id,
      title: vs.title,
      version: '0.7.0',
      status: 'active',
      include: vs.systems.map((id) => ({ system: `${IG}/CodeSystem/${id}` })),
    })),
  };
}

function sha256(buf: Buffer | string): string {
  return createHash('sha256').update(buf).digest('hex');
}

function main(): void {
  mkdirSync(OUT, { recursive: true });
  const { pkg: nos, sources } = deriveNos();
  const { extra, inNos } = placeExtra(nos);
  const communes = deriveCommunes();
  const igLocal = deriveIgLocal();
  const igText = formatPackage(igLocal);
  writeFileSync(join(OUT, 'ror-ig.json'), igText);
  // Round-trip through the loader's own parser: what we write is what the server accepts.
  const nosText = formatPackage(nos);
  writeFileSync(join(OUT, 'nos-ror.json'), nosText);
  const extraText = formatPackage(extra);
  writeFileSync(join(OUT, 'nos-ror-extra.json'), extraText);
  const communesText = JSON.stringify(parsePackage(JSON.parse(JSON.stringify(communes))));
  // mtime 0 and no file name in the gzip header: the output only depends on the input.
  const gz = gzipSync(Buffer.from(communesText), { level: 9 });
  writeFileSync(join(OUT, 'communes.json.gz'), gz);

  const communeSrc = join(SHARED, 'geo', 'decoupage-administratif', 'communes.json.gz');
  const provenance = `# data/nos — provenance of the shipped nomenclatures

Generated by \`scripts/derive-nos.ts\` (\`npm run derive:nos\`); do not edit by hand. The files are in the product's own
format \`ror-terminology/1\` (see \`docs/terminology.md\`): only codes, displays and value-set metadata are kept; no
third-party file is copied verbatim.

## nos-ror.json — release ${nos.release}

NOS (Nomenclatures des Objets de Santé) value sets used by the ROR, published by the Agence du Numérique en Santé in
github \`${NOS_SOURCE.repo}\`; licence: ${NOS_SOURCE.licence}. Read from the copies in \`shared/data/nos/\`
(see \`shared/data/PROVENANCE.md\`, section 3)${inNos.length ? `, plus ${inNos.map((vs) => vs.name).join(', ')} from \`scripts/nos-extra.ts\` (their TRE is a code system of this package; see the next table)` : ''}. ${nos.valueSets.length} value sets, ${nos.codeSystems.length} code systems,
${nos.codeSystems.reduce((n, c) => n + c.concepts.length, 0)} concepts. sha256 of the file: \`${sha256(nosText)}\`.

The code systems hold only the codes that some ROR value set retains (the full TRE tables are not shipped).
Value sets from IG Publisher files carry the IG version \`0.1.0\`; their NOS version is taken from \`date\`.

| value set | codes | source path @ commit |
|---|---|---|
${sources.join('\n')}

## nos-ror-extra.json — release ${extra.release}

Small NOS value sets bound by the ROR profiles that \`shared/data\` lacks, transcribed by hand (codes and displays only)
from github \`${NOS_SOURCE.repo}\`, read through a stored index of the repository; table in \`scripts/nos-extra.ts\`.
Licence: ${NOS_SOURCE.licence}. sha256 of the file: \`${sha256(extraText)}\`.

| value set | codes | source path @ commit | notes |
|---|---|---|---|
${EXTRA_VALUE_SETS.map((vs) => `| ${vs.name} | ${includesOf(vs).reduce((n, i) => n + i.concepts.length, 0)} | ${vs.source} | ${[inNos.includes(vs) ? 'shipped in nos-ror.json (its TRE is there)' : '', vs.retired?.length ? `retired but kept: ${vs.retired.join(', ')}` : '', vs.notes ?? ''].filter(Boolean).join('; ')} |`).join('\n')}

## ror-ig.json — release ${igLocal.release}

The ROR IG's own code systems and value sets (IG 0.7.0), transcribed by hand (codes and displays only) from the FSH
sources of github \`ansforge/IG-fhir-repertoire-offre-ressources-sante\`; table in \`scripts/nos-extra/ig-local.ts\`.
sha256 of the file: \`${sha256(igText)}\`.

| resource | codes | source path @ commit |
|---|---|---|
${[...IG_CODE_SYSTEMS.map((cs) => `| CodeSystem ${cs.id} | ${cs.concepts.length} | ${cs.source} |`), ...IG_VALUE_SETS.map((vs) => `| ValueSet ${vs.id} | whole ${vs.systems.join(', ')} | ${vs.source} |`)].join('\n')}

## communes.json.gz — release ${communes.release}

\`JDV_J124-Commune\` over \`TRE_R13-CommuneOM\` (alias \`TRE_R13-Commune\`): ${communes.codeSystems[0]!.concepts.length} codes =
current communes (type \`commune-actuelle\`) and municipal arrondissements (\`arrondissement-municipal\`) of the
Code officiel géographique, display = official name. Source: npm package \`@etalab/decoupage-administratif@6.0.0\`
(data millésime 2026: COG INSEE; data Licence Ouverte / Etalab 2.0, code MIT), copy in
\`shared/data/geo/decoupage-administratif/communes.json.gz\` (sha256 \`${sha256(readFileSync(communeSrc))}\`).
The NOS applicative code "Non renseigné" of JDV_J124 is not included (its code is not in the public sources used).
sha256 of the uncompressed content: \`${sha256(communesText)}\`.
`;
  writeFileSync(join(OUT, 'PROVENANCE.md'), provenance);
  console.log(`nos-ror: ${nos.valueSets.length} value sets, ${nos.codeSystems.length} code systems; communes: ${communes.codeSystems[0]!.concepts.length} codes (${gz.length} bytes gz)`);
}

main();
