import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../db/db.ts';
import { parsePackage, type TerminologyPackage } from '../../terminology/terminology.package.ts';
import { installPackage, readPackages, type InstallOutcome } from '../../terminology/terminology.store.ts';
import { ImportAbort } from '../finess/finess.parse.ts';

/**
 * `ror import nos DIR`: NOS nomenclatures published as FHIR R4 JSON (ValueSet and CodeSystem resources, as in
 * ansforge/IG-NOS: raw exports `JDV_*-FHIR.json`, `TRE_*-FHIR.json`, IG Publisher `ValueSet-*.json`,
 * `CodeSystem-*.json`) turned into the terminology module's packages (format `ror-terminology/1`).
 *
 * A code system or value set belongs to one package. So each imported item goes into the package that
 * already holds it (or holds one of the code systems a value set draws on): that package is rebuilt with the
 * item replaced (value sets) or its concepts merged (code systems: imported codes and displays, plus the codes
 * other value sets of the package still use), under a newer release. Items new to the database go to the
 * package `nos-import` (or `--package`). Every rebuilt package is checked whole (parsePackage) and installed
 * in its own transaction; validation uses it at once in this process and within 30 s in others.
 */

export interface NosFileIssue {
  file: string;
  code: string;
  message: string;
}

export interface NosImportReport {
  source: 'nos';
  dir: string;
  dryRun: boolean;
  files: number;
  valueSets: number;
  codeSystems: number;
  concepts: number;
  packages: { package: string; release: string; outcome: InstallOutcome | 'dry-run'; valueSets: string[]; codeSystems: string[] }[];
  issueCount: number;
  issues: NosFileIssue[];
  durationMs: number;
}

interface Concept {
  code: string;
  display?: string;
  concept?: Concept[];
}
interface FhirTerminologyResource {
  resourceType?: string;
  url?: string;
  name?: string;
  title?: string;
  version?: string;
  status?: string;
  date?: string;
  description?: string;
  concept?: Concept[];
  compose?: { include?: { system?: string; valueSet?: string[]; filter?: unknown[]; concept?: Concept[] }[]; exclude?: unknown[] };
}

type CodeSystem = TerminologyPackage['codeSystems'][number];
type ValueSet = TerminologyPackage['valueSets'][number];

/** What a directory of NOS files contains, converted: value sets, code systems (and concepts from value sets). */
export interface NosContent {
  valueSets: ValueSet[];
  codeSystems: Map<string, CodeSystem>;
  /** URL aliases: the short TRE URL of raw CodeSystem exports (…/NOS/TRE_R02-SecteurActivite) → canonical one. */
  aliases: Record<string, string>;
  release: string;
  issues: NosFileIssue[];
  files: number;
}

const NOS = 'https://mos.esante.gouv.fr/NOS/';

/** "2022-05-27T12:00:00+01:00" → "20220527120000" (the NOS version format). */
function nosStamp(date: string | undefined): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?/.exec(date ?? '');
  return m ? `${m[1]}${m[2]}${m[3]}${m[4] ?? '00'}${m[5] ?? '00'}${m[6] ?? '00'}` : undefined;
}

/** Raw NOS CodeSystem exports name the code system `…/NOS/TRE_R02-SecteurActivite`; data use `…/FHIR/TRE-R02-…`. */
export function canonicalSystemUrl(url: string): string {
  const m = /^https:\/\/mos\.esante\.gouv\.fr\/NOS\/((?:TRE|JDV|ASS)_[^/]+)\/?$/.exec(url);
  return m ? `${NOS}${m[1]}/FHIR/${m[1]!.replace('_', '-')}` : url;
}

const nameOf = (url: string, fallback?: string) => fallback || /\/NOS\/([^/]+)\//.exec(url)?.[1] || url.split('/').filter(Boolean).pop() || url;

function flatten(concepts: Concept[] | undefined, out: [string, string][] = []): [string, string][] {
  for (const c of concepts ?? []) {
    if (typeof c.code === 'string' && c.code) out.push([c.code, (c.display ?? '').trim()]);
    flatten(c.concept, out);
  }
  return out;
}

/** The `*.json` files of a directory, subdirectories included, sorted (relative paths); aborts when it is not one. */
export function nosFilesOf(dir: string): string[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new ImportAbort(`Répertoire introuvable « ${dir} »`, 'unreadable');
  }
  if (!st.isDirectory()) throw new ImportAbort(`« ${dir} » n'est pas un répertoire`, 'unreadable');
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.toLowerCase().endsWith('.json')).sort();
}

/** Reads and converts every `*.json` of a directory (sorted, subdirectories included). Bad files are reported. */
export function readNosDirectory(dir: string): NosContent {
  const files = nosFilesOf(dir);
  const issues: NosFileIssue[] = [];
  const codeSystems = new Map<string, CodeSystem>();
  const fromValueSets = new Map<string, Map<string, string>>();
  const aliases: Record<string, string> = {};
  const valueSets = new Map<string, ValueSet>();
  let release = '';
  for (const file of files) {
    let res: FhirTerminologyResource;
    try {
      res = JSON.parse(readFileSync(join(dir, file), 'utf8').replace(/^\uFEFF/, '')) as FhirTerminologyResource;
    } catch (e) {
      issues.push({ file, code: 'invalid-json', message: `JSON illisible : ${(e as Error).message}` });
      continue;
    }
    if (res.resourceType !== 'ValueSet' && res.resourceType !== 'CodeSystem') {
      issues.push({ file, code: 'not-terminology', message: `Ressource ${String(res.resourceType ?? '(sans resourceType)')} ignorée : ValueSet ou CodeSystem attendu` });
      continue;
    }
    if (typeof res.url !== 'string' || !/^https?:\/\//.test(res.url)) {
      issues.push({ file, code: 'missing-url', message: `${res.resourceType} sans url canonique` });
      continue;
    }
    const stamp = (res.version && /^\d{14}$/.test(res.version) ? res.version : undefined) ?? nosStamp(res.date);
    if (!stamp) {
      issues.push({ file, code: 'missing-version', message: `${res.url} : ni version NOS (AAAAMMJJhhmmss) ni date` });
      continue;
    }
    if (res.resourceType === 'CodeSystem') {
      const url = canonicalSystemUrl(res.url);
      if (url !== res.url) aliases[res.url] = url;
      const concepts = flatten(res.concept);
      if (!concepts.length) {
        issues.push({ file, code: 'no-concept', message: `${res.url} : CodeSystem sans concept (content « not-present » ?)` });
        continue;
      }
      if (new Set(concepts.map(([c]) => c)).size !== concepts.length) {
        issues.push({ file, code: 'duplicate-code', message: `${res.url} : code en double` });
        continue;
      }
      codeSystems.set(url, { url, name: nameOf(url, res.name), ...(res.title ? { title: res.title } : {}), version: stamp, concepts });
    } else {
      if (res.compose?.exclude?.length) {
        issues.push({ file, code: 'unsupported-compose', message: `${res.url} : compose.exclude non pris en charge` });
        continue;
      }
      const include: ValueSet['include'] = [];
      let bad: string | undefined;
      for (const inc of res.compose?.include ?? []) {
        if (!inc.system || inc.valueSet?.length || inc.filter?.length) {
          bad = 'seules les inclusions d\'un système (par liste de codes ou entier) sont prises en charge';
          break;
        }
        const system = canonicalSystemUrl(inc.system);
        if (!inc.concept?.length) {
          include.push({ system });
          continue;
        }
        let seen = fromValueSets.get(system);
        if (!seen) fromValueSets.set(system, (seen = new Map()));
        for (const [code, display] of flatten(inc.concept)) if (!seen.has(code) || display) seen.set(code, display);
        include.push({ system, codes: [...new Set(flatten(inc.concept).map(([c]) => c))] });
      }
      if (bad || !include.length) {
        issues.push({ file, code: 'unsupported-compose', message: `${res.url} : ${bad ?? 'compose.include vide'}` });
        continue;
      }
      valueSets.set(res.url, {
        url: res.url,
        name: nameOf(res.url, res.name),
        ...(res.title ? { title: res.title } : {}),
        version: stamp,
        ...(res.status ? { status: res.status } : {}),
        ...(res.date ? { date: res.date } : {}),
        ...(res.description ? { description: res.description } : {}),
        include,
      });
    }
    if (stamp > release) release = stamp;
  }
  // Code systems known only through value sets: the codes (and displays) those value sets list.
  for (const [url, concepts] of fromValueSets) {
    const cs = codeSystems.get(url);
    if (cs) {
      const have = new Set(cs.concepts.map(([c]) => c));
      for (const [code, display] of concepts) if (!have.has(code)) cs.concepts.push([code, display]);
    } else codeSystems.set(url, { url, name: nameOf(url), concepts: [...concepts] });
  }
  return { valueSets: [...valueSets.values()], codeSystems, aliases, release, issues, files: files.length };
}

/** One second after a YYYYMMDDhhmmss release. */
function after(release: string): string {
  const d = new Date(Date.UTC(+release.slice(0, 4), +release.slice(4, 6) - 1, +release.slice(6, 8), +release.slice(8, 10), +release.slice(10, 12), +release.slice(12, 14) + 1));
  return d.toISOString().replace(/\D/g, '').slice(0, 14);
}

/**
 * The packages to install for an import: each touched package rebuilt with the imported items, and the
 * package of new items. Pure (given the stored packages), so dry runs and tests see exactly what would be installed.
 */
export function planNosImport(content: NosContent, stored: TerminologyPackage[], target = 'nos-import'): { pkg: TerminologyPackage; changed: boolean; valueSets: string[]; codeSystems: string[] }[] {
  const byName = new Map(stored.map((p) => [p.package, structuredClone(p)]));
  const ownerOfSystem = new Map<string, string>();
  const ownerOfValueSet = new Map<string, string>();
  for (const p of stored) {
    for (const cs of p.codeSystems) ownerOfSystem.set(cs.url, p.package);
    for (const [alias, url] of Object.entries(p.systemAliases)) if (!ownerOfSystem.has(alias)) ownerOfSystem.set(alias, p.package);
    for (const vs of p.valueSets) ownerOfValueSet.set(vs.url, p.package);
  }
  const touched = new Map<string, { valueSets: string[]; codeSystems: string[] }>();
  const packageFor = (name: string) => {
    let p = byName.get(name);
    if (!p) byName.set(name, (p = { format: 'ror-terminology/1', package: name, release: content.release || '19700101000000', codeSystems: [], systemAliases: {}, valueSets: [] }));
    if (!touched.has(name)) touched.set(name, { valueSets: [], codeSystems: [] });
    return p;
  };
  // Where each imported code system goes: its owner, else the owner of a value set drawing on it, else the target.
  const systemTarget = new Map<string, string>();
  for (const url of content.codeSystems.keys()) if (ownerOfSystem.has(url)) systemTarget.set(url, ownerOfSystem.get(url)!);
  for (const vs of content.valueSets) {
    const owner = ownerOfValueSet.get(vs.url) ?? vs.include.map((i) => systemTarget.get(i.system) ?? ownerOfSystem.get(i.system)).find((x) => x !== undefined);
    for (const inc of vs.include) if (!systemTarget.has(inc.system) && !ownerOfSystem.has(inc.system)) systemTarget.set(inc.system, owner ?? target);
  }
  for (const url of content.codeSystems.keys()) if (!systemTarget.has(url)) systemTarget.set(url, target);
  const addSystem = (url: string, into: string) => {
    const imported = content.codeSystems.get(url);
    const p = packageFor(into);
    const cur = p.codeSystems.find((c) => c.url === url);
    if (!imported) return;
    if (cur) {
      // Imported codes and displays, then the codes of the stored version the import does not list (other value sets may use them).
      const have = new Set(imported.concepts.map(([c]) => c));
      cur.concepts = [...imported.concepts, ...cur.concepts.filter(([c]) => !have.has(c))];
      if (imported.title) cur.title = imported.title;
      if (imported.version) cur.version = imported.version;
    } else p.codeSystems.push(structuredClone(imported));
    touched.get(into)!.codeSystems.push(url);
  };
  for (const [url, into] of systemTarget) addSystem(url, into);
  for (const vs of content.valueSets) {
    const into = ownerOfValueSet.get(vs.url) ?? systemTarget.get(vs.include[0]!.system) ?? ownerOfSystem.get(vs.include[0]!.system) ?? target;
    const p = packageFor(into);
    p.valueSets = [...p.valueSets.filter((v) => v.url !== vs.url), structuredClone(vs)];
    touched.get(into)!.valueSets.push(vs.url);
  }
  for (const [alias, url] of Object.entries(content.aliases)) {
    const into = systemTarget.get(url);
    if (into && !ownerOfSystem.has(alias)) packageFor(into).systemAliases[alias] = url;
  }
  const out: { pkg: TerminologyPackage; changed: boolean; valueSets: string[]; codeSystems: string[] }[] = [];
  const body = (p: TerminologyPackage) =>
    JSON.stringify({
      codeSystems: [...p.codeSystems].sort((a, b) => a.url.localeCompare(b.url)),
      systemAliases: Object.fromEntries(Object.entries(p.systemAliases).sort()),
      valueSets: [...p.valueSets].sort((a, b) => a.url.localeCompare(b.url)),
    });
  for (const [name, t] of touched) {
    const p = byName.get(name)!;
    const before = stored.find((s) => s.package === name);
    p.codeSystems.sort((a, b) => a.url.localeCompare(b.url));
    p.valueSets.sort((a, b) => a.url.localeCompare(b.url));
    const changed = !before || body(before) !== body(p);
    // A newer release than the stored one, so that a shipped file of the same release never undoes the import.
    if (before) p.release = !changed ? before.release : content.release > before.release ? content.release : after(before.release);
    out.push({ pkg: p, changed, ...t });
  }
  return out.sort((a, b) => a.pkg.package.localeCompare(b.pkg.package));
}

/** Reads DIR, plans and installs the packages (nothing with dryRun). A package that fails its checks aborts all. */
export async function importNos(db: Db, dir: string, opts: { dryRun?: boolean; packageName?: string; maxIssues?: number } = {}): Promise<NosImportReport> {
  const started = Date.now();
  const content = readNosDirectory(dir);
  if (!content.valueSets.length && !content.codeSystems.size) {
    throw new ImportAbort(`Aucun ValueSet ni CodeSystem importable dans « ${dir} » (${content.files} fichier(s) JSON, ${content.issues.length} rejeté(s))`, 'empty-dir');
  }
  const packageName = opts.packageName ?? 'nos-import';
  if (!/^[a-z0-9-]+$/.test(packageName)) throw new ImportAbort(`Nom de paquet invalide « ${packageName} » (minuscules, chiffres, tirets)`, 'bad-package');
  const plan = planNosImport(content, await readPackages(db), packageName);
  const checked = plan.map((p) => {
    try {
      return { ...p, pkg: parsePackage(p.pkg) };
    } catch (e) {
      throw new ImportAbort(`Paquet ${p.pkg.package} incohérent après import : ${(e as Error).message}`, 'inconsistent');
    }
  });
  const packages: NosImportReport['packages'] = [];
  for (const p of checked) {
    const json = JSON.stringify(p.pkg);
    const outcome = opts.dryRun ? 'dry-run' : !p.changed ? 'unchanged' : await installPackage(db, p.pkg, createHash('sha256').update(json).digest('hex'));
    packages.push({ package: p.pkg.package, release: p.pkg.release, outcome, valueSets: p.valueSets, codeSystems: p.codeSystems });
  }
  return {
    source: 'nos',
    dir,
    dryRun: !!opts.dryRun,
    files: content.files,
    valueSets: content.valueSets.length,
    codeSystems: content.codeSystems.size,
    concepts: [...content.codeSystems.values()].reduce((n, c) => n + c.concepts.length, 0),
    packages,
    issueCount: content.issues.length,
    issues: content.issues.slice(0, opts.maxIssues ?? 1000),
    durationMs: Date.now() - started,
  };
}
