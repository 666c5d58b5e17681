import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Db } from '../db/db.ts';
import type { CodeChecker } from '../fhir/validation/validate.ts';
import { parsePackage } from './terminology.package.ts';
import { installPackage, readAll, readGeneration, type InstallOutcome, type StoredTerminology } from './terminology.store.ts';

/** Where the shipped nomenclatures live (written by scripts/derive-nos.ts). */
export const SHIPPED_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'nos');

/** Lists the shipped package files: data/nos/*.json and *.json.gz. */
export function shippedPackages(dir = SHIPPED_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => /\.json(\.gz)?$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

export interface TerminologyOptions {
  /** Package files to install on load(); the shipped ones by default. */
  packages?: string[];
  /** How often (ms) the cache checks the database generation for a release loaded by another instance. */
  refreshIntervalMs?: number;
  onError?: (err: unknown) => void;
}

export interface LoadReport {
  packages: { file: string; package: string; release: string; outcome: InstallOutcome }[];
  generation: number;
}

export interface Concept {
  system: string;
  code: string;
  display: string;
}

export interface LookupResult extends Concept {
  /** Name and version of the code system. */
  name: string;
  version?: string;
  title?: string;
  /** Set when the system given was an alias (TRE_R13-Commune, a JDV URL…): the canonical system. */
  aliasOf?: string;
}

export interface ValidateResult {
  result: boolean;
  message?: string;
  /** The display of the code in the value set, when the code was found. */
  display?: string;
  system?: string;
  code: string;
}

export interface ValueSetInfo {
  url: string;
  name: string;
  title?: string;
  version: string;
  status?: string;
  date?: string;
  description?: string;
}

export interface Expansion {
  valueSet: ValueSetInfo;
  total: number;
  offset: number;
  count: number;
  contains: Concept[];
}

/** Largest page an expansion returns (the communes value set has 35 000 codes). */
export const MAX_EXPANSION = 1000;

interface CachedSystem {
  url: string;
  name: string;
  title?: string;
  version?: string;
  concepts: Map<string, string>;
}

interface CachedValueSet extends ValueSetInfo {
  includes: { system: string; all: boolean; codes: Set<string>; order: string[] }[];
  /** Lazily built: every member in published order, with its normalised search text. */
  entries?: { concept: Concept; words: string[]; norm: string }[];
}

interface Snapshot {
  generation: number;
  systems: Map<string, CachedSystem>;
  aliases: Map<string, string>;
  valueSets: Map<string, CachedValueSet>;
}

const EMPTY: Snapshot = { generation: -1, systems: new Map(), aliases: new Map(), valueSets: new Map() };

/**
 * NOS code systems and value sets: installed in the database from the shipped packages, mirrored in memory
 * so that validation (isInValueSet, on every write) is a couple of map look-ups. The mirror follows the
 * database: every refreshIntervalMs it compares the generation row and reloads when another instance
 * installed a new release.
 */
export class Terminology implements CodeChecker {
  private snap: Snapshot = EMPTY;
  private lastCheck = 0;
  private refreshing: Promise<void> | undefined;
  private readonly refreshIntervalMs: number;

  constructor(
    private readonly db: Db,
    private readonly opts: TerminologyOptions = {},
  ) {
    this.refreshIntervalMs = opts.refreshIntervalMs ?? 30_000;
  }

  /** Installs the shipped packages that are new or changed, then fills the cache from the database. */
  async load(): Promise<LoadReport> {
    const packages: LoadReport['packages'] = [];
    for (const file of this.opts.packages ?? shippedPackages()) {
      const bytes = readFileSync(file);
      const text = file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
      const pkg = parsePackage(JSON.parse(text));
      const hash = createHash('sha256').update(text).digest('hex');
      packages.push({ file, package: pkg.package, release: pkg.release, outcome: await installPackage(this.db, pkg, hash) });
    }
    await this.reload();
    return { packages, generation: this.snap.generation };
  }

  /** Reloads the cache if the database generation moved (a release installed by another instance). */
  async refresh(): Promise<boolean> {
    this.lastCheck = Date.now();
    const generation = await readGeneration(this.db);
    if (generation === this.snap.generation) return false;
    await this.reload();
    return true;
  }

  get generation(): number {
    return this.snap.generation;
  }

  private async reload(): Promise<void> {
    this.snap = buildSnapshot(await readAll(this.db));
    this.lastCheck = Date.now();
  }

  /** Called by the synchronous readers: starts a background generation check when the last one is old. */
  private maybeRefresh(): void {
    if (this.refreshing || Date.now() - this.lastCheck < this.refreshIntervalMs) return;
    this.lastCheck = Date.now();
    this.refreshing = this.refresh()
      .then(() => undefined, (err: unknown) => this.opts.onError?.(err))
      .finally(() => {
        this.refreshing = undefined;
      });
  }

  /**
   * Resolves the system of a coding to the canonical code system: itself, an explicit alias
   * (TRE_R13-Commune → TRE_R13-CommuneOM) or a trailing-slash variant. A JDV URL used as a system is
   * reported separately (jdv), see docs/terminology.md.
   */
  private resolve(system: string): { system?: string; jdv?: CachedValueSet } {
    const s = this.snap;
    for (const url of system.endsWith('/') ? [system, system.replace(/\/+$/, '')] : [system]) {
      if (s.systems.has(url)) return { system: url };
      const alias = s.aliases.get(url);
      if (alias) return { system: alias };
      const jdv = s.valueSets.get(url);
      if (jdv) return { jdv };
    }
    return {};
  }

  /** A value set by the logical id of an instance-level call: its name, the last segment of its URL, or its URL. */
  valueSetById(id: string): ValueSetInfo | undefined {
    this.maybeRefresh();
    const s = this.snap;
    const direct = s.valueSets.get(id);
    if (direct) return info(direct);
    for (const vs of s.valueSets.values()) {
      if (vs.name === id || vs.url.slice(vs.url.lastIndexOf('/') + 1) === id) return info(vs);
    }
    return undefined;
  }

  /** A code system by the logical id of an instance-level call: its name or the last segment of its URL. */
  codeSystemById(id: string): { url: string; name: string; version?: string } | undefined {
    this.maybeRefresh();
    for (const cs of this.snap.systems.values()) {
      if (cs.url === id || cs.name === id || cs.url.slice(cs.url.lastIndexOf('/') + 1) === id) return { url: cs.url, name: cs.name, ...(cs.version ? { version: cs.version } : {}) };
    }
    return undefined;
  }

  /** The canonical code system a system URL stands for (itself, an alias or a trailing-slash variant), if known. */
  lookupSystem(system: string): string | undefined {
    return this.resolve(system).system;
  }

  /** Every code system held, with its version when it has one (for TerminologyCapabilities). */
  codeSystems(): { url: string; name: string; version?: string; count: number }[] {
    this.maybeRefresh();
    return [...this.snap.systems.values()].map((cs) => ({ url: cs.url, name: cs.name, ...(cs.version ? { version: cs.version } : {}), count: cs.concepts.size }));
  }

  /**
   * $expand of an ad-hoc compose (a ValueSet POSTed to $expand): code systems whole or by listed codes, and value
   * sets the server holds. Listed codes unknown to the system are skipped, as R4 expansions only carry known codes.
   */
  expandCompose(
    vsInfo: ValueSetInfo,
    includes: { system?: string; codes?: string[]; valueSets?: string[] }[],
    opts: { filter?: string | undefined; count?: number | undefined; offset?: number | undefined } = {},
  ): Expansion {
    this.maybeRefresh();
    const entries: NonNullable<CachedValueSet['entries']> = [];
    const seen = new Set<string>();
    const push = (e: NonNullable<CachedValueSet['entries']>[number]) => {
      const key = `${e.concept.system}|${e.concept.code}`;
      if (seen.has(key)) return;
      seen.add(key);
      entries.push(e);
    };
    for (const inc of includes) {
      const fromSets = (inc.valueSets ?? []).map((u) => this.snap.valueSets.get(u)).filter((v): v is CachedValueSet => v !== undefined);
      const canonical = inc.system !== undefined ? this.resolve(inc.system).system : undefined;
      const inSets = (e: { concept: Concept }) => fromSets.every((v) => this.entries(v).some((x) => x.concept.system === e.concept.system && x.concept.code === e.concept.code));
      if (canonical) {
        const cs = this.snap.systems.get(canonical)!;
        for (const code of inc.codes ?? cs.concepts.keys()) {
          const display = cs.concepts.get(code);
          if (display === undefined) continue;
          const norm = normalise(display);
          const e = { concept: { system: cs.url, code, display }, words: norm.split(' '), norm };
          if (inSets(e)) push(e);
        }
      } else {
        // Only value sets: their intersection (R4 semantics of several valueSet in one include).
        const [first, ...rest] = fromSets;
        for (const e of first ? this.entries(first) : []) {
          if (rest.every((v) => this.entries(v).some((x) => x.concept.system === e.concept.system && x.concept.code === e.concept.code))) push(e);
        }
      }
    }
    return this.page(vsInfo, entries, opts);
  }

  valueSet(url: string): ValueSetInfo | undefined {
    this.maybeRefresh();
    const vs = this.snap.valueSets.get(url);
    return vs ? info(vs) : undefined;
  }

  /** Systems (canonical) under which `code` is a member of the value set. */
  private memberSystems(vs: CachedValueSet, code: string): string[] {
    const out: string[] = [];
    for (const inc of vs.includes) {
      if (inc.all ? this.snap.systems.get(inc.system)?.concepts.has(code) : inc.codes.has(code)) out.push(inc.system);
    }
    return out;
  }

  /** Finds the member (system, code) of a value set matching a coding, with the tolerance rules applied. */
  private findMember(vs: CachedValueSet, system: string | undefined, code: string): { system: string; aliasOf?: string } | undefined {
    const systems = this.memberSystems(vs, code);
    if (systems.length === 0) return undefined;
    // No system (a FHIR `code` element): the code alone decides.
    if (system === undefined) return { system: systems[0]! };
    const r = this.resolve(system);
    if (r.system) return systems.includes(r.system) ? { system: r.system, ...(r.system !== system ? { aliasOf: r.system } : {}) } : undefined;
    if (r.jdv) {
      // A JDV URL as system: accepted when the code is in that JDV under a system that the bound value set includes.
      const inJdv = this.memberSystems(r.jdv, code);
      const hit = systems.find((s) => inJdv.includes(s));
      return hit ? { system: hit, aliasOf: hit } : undefined;
    }
    return undefined;
  }

  isInValueSet(valueSetUrl: string, system: string | undefined, code: string): boolean | undefined {
    this.maybeRefresh();
    const vs = this.snap.valueSets.get(valueSetUrl);
    if (!vs) return undefined;
    return this.findMember(vs, system, code) !== undefined;
  }

  /** The display and code-system details of a code, or undefined when the system or the code is unknown. */
  lookup(system: string, code: string): LookupResult | undefined {
    this.maybeRefresh();
    const r = this.resolve(system);
    let canonical = r.system;
    if (!canonical && r.jdv) canonical = this.memberSystems(r.jdv, code)[0];
    const cs = canonical ? this.snap.systems.get(canonical) : undefined;
    const display = cs?.concepts.get(code);
    if (!cs || display === undefined) return undefined;
    return {
      system: cs.url,
      code,
      display,
      name: cs.name,
      ...(cs.version ? { version: cs.version } : {}),
      ...(cs.title ? { title: cs.title } : {}),
      ...(cs.url !== system ? { aliasOf: cs.url } : {}),
    };
  }

  /** Whether the system is known (canonical, alias or JDV URL). */
  knowsSystem(system: string): boolean {
    const r = this.resolve(system);
    return r.system !== undefined || r.jdv !== undefined;
  }

  /** $validate-code: membership, then the display (compared ignoring case, accents and spacing) when given. */
  validateCode(valueSetUrl: string, coding: { system?: string | undefined; code: string; display?: string | undefined }): ValidateResult | undefined {
    this.maybeRefresh();
    const vs = this.snap.valueSets.get(valueSetUrl);
    if (!vs) return undefined;
    const { system, code, display } = coding;
    const hit = this.findMember(vs, system, code);
    if (!hit) {
      const where = system ? `${system}|${code}` : `« ${code} »`;
      const known = system && !this.knowsSystem(system) ? ` (système de codes inconnu : ${system})` : '';
      return { result: false, code, ...(system ? { system } : {}), message: `Le code ${where} n'appartient pas au jeu de valeurs ${vs.name}${known}` };
    }
    const expected = this.snap.systems.get(hit.system)?.concepts.get(code) ?? '';
    const base = { code, system: hit.system, display: expected };
    if (display !== undefined && normalise(display) !== normalise(expected)) {
      return { ...base, result: false, message: `Libellé incorrect pour ${hit.system}|${code} : « ${display} » (attendu « ${expected} »)` };
    }
    if (hit.aliasOf && system !== undefined) {
      return { ...base, result: true, message: `Système « ${system} » accepté comme alias de ${hit.system}` };
    }
    return { ...base, result: true };
  }

  /**
   * $expand: members in published order; with a filter, those whose display words (or code) start with every
   * word of the filter, ignoring case and accents — displays starting with the whole filter first.
   */
  expand(valueSetUrl: string, opts: { filter?: string | undefined; count?: number | undefined; offset?: number | undefined } = {}): Expansion | undefined {
    this.maybeRefresh();
    const vs = this.snap.valueSets.get(valueSetUrl);
    if (!vs) return undefined;
    return this.page(info(vs), this.entries(vs), opts);
  }

  /** Filters and pages the members of an expansion (see expand). */
  private page(
    vsInfo: ValueSetInfo,
    entries: NonNullable<CachedValueSet['entries']>,
    opts: { filter?: string | undefined; count?: number | undefined; offset?: number | undefined },
  ): Expansion {
    let matched = entries;
    const filter = normalise(opts.filter ?? '');
    if (filter) {
      const tokens = filter.split(' ');
      const hits = entries.filter((e) => tokens.every((t) => e.concept.code.toLowerCase().startsWith(t) || e.words.some((w) => w.startsWith(t))));
      // Displays starting with the filter first, shortest first (typeahead: "versa" → Versailles), then the rest.
      const starts = hits.filter((e) => e.norm.startsWith(filter)).sort((a, b) => a.norm.length - b.norm.length);
      matched = [...starts, ...hits.filter((e) => !e.norm.startsWith(filter))];
    }
    const offset = Math.max(0, opts.offset ?? 0);
    const count = Math.min(MAX_EXPANSION, Math.max(0, opts.count ?? MAX_EXPANSION));
    return { valueSet: vsInfo, total: matched.length, offset, count, contains: matched.slice(offset, offset + count).map((e) => e.concept) };
  }

  private entries(vs: CachedValueSet): NonNullable<CachedValueSet['entries']> {
    if (vs.entries) return vs.entries;
    const out: NonNullable<CachedValueSet['entries']> = [];
    for (const inc of vs.includes) {
      const cs = this.snap.systems.get(inc.system);
      if (!cs) continue;
      for (const code of inc.all ? cs.concepts.keys() : inc.order) {
        const display = cs.concepts.get(code) ?? '';
        const norm = normalise(display);
        out.push({ concept: { system: cs.url, code, display }, words: norm.split(' '), norm });
      }
    }
    vs.entries = out;
    return out;
  }
}

/** Lower case, no accents or ligatures, words separated by one space. */
export function normalise(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/œ/gi, 'oe')
    .replace(/æ/gi, 'ae')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The descriptive fields of a value set, optional ones only when set. */
function info(vs: Omit<ValueSetInfo, 'title' | 'status' | 'date' | 'description'> & { title?: string | null; status?: string | null; date?: string | null; description?: string | null }): ValueSetInfo {
  return {
    url: vs.url,
    name: vs.name,
    version: vs.version,
    ...(vs.title ? { title: vs.title } : {}),
    ...(vs.status ? { status: vs.status } : {}),
    ...(vs.date ? { date: vs.date } : {}),
    ...(vs.description ? { description: vs.description } : {}),
  };
}

function buildSnapshot(stored: StoredTerminology): Snapshot {
  const systems = new Map<string, CachedSystem>();
  for (const cs of stored.codeSystems) {
    systems.set(cs.url, { url: cs.url, name: cs.name, ...(cs.title ? { title: cs.title } : {}), ...(cs.version ? { version: cs.version } : {}), concepts: new Map() });
  }
  for (const c of stored.concepts) systems.get(c.system)?.concepts.set(c.code, c.display);
  const valueSets = new Map<string, CachedValueSet>();
  for (const vs of stored.valueSets) {
    valueSets.set(vs.url, { ...info(vs), includes: [] });
  }
  const byKey = new Map<string, CachedValueSet['includes'][number]>();
  for (const inc of stored.includes) {
    const entry = { system: inc.system, all: inc.all_codes, codes: new Set<string>(), order: [] as string[] };
    valueSets.get(inc.value_set)?.includes.push(entry);
    byKey.set(`${inc.value_set}\u0000${inc.ord}`, entry);
  }
  for (const m of stored.members) {
    const entry = byKey.get(`${m.value_set}\u0000${m.ord}`);
    if (!entry) continue;
    entry.codes.add(m.code);
    entry.order.push(m.code);
  }
  return { generation: stored.generation, systems, aliases: new Map(stored.aliases.map((a) => [a.alias_url, a.url])), valueSets };
}
