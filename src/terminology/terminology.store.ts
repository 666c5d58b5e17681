import type { Db, Queryable } from '../db/db.ts';
import type { TerminologyPackage } from './terminology.package.ts';

/** SQL of the terminology tables (migration 0002): install a package, read everything back, read the generation. */

const LOAD_LOCK = 727275;

export type InstallOutcome = 'installed' | 'updated' | 'unchanged' | 'older';

/**
 * Installs a package unless the database already holds the same content or a newer release. One transaction
 * under an advisory lock, so several instances starting together load it once; bumps the generation when it
 * changes something.
 */
export async function installPackage(db: Db, pkg: TerminologyPackage, contentHash: string): Promise<InstallOutcome> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOAD_LOCK]);
    const { rows } = await tx.query<{ release: string; content_hash: string }>(
      'SELECT release, content_hash FROM terminology_package WHERE name = $1',
      [pkg.package],
    );
    const current = rows[0];
    if (current && current.content_hash === contentHash) return 'unchanged';
    if (current && current.release > pkg.release) return 'older';
    if (current) await tx.query('DELETE FROM terminology_package WHERE name = $1', [pkg.package]);
    await insertPackage(tx, pkg, contentHash);
    await tx.query('UPDATE terminology_state SET generation = generation + 1, changed_at = now() WHERE id = 1');
    return current ? 'updated' : 'installed';
  });
}

async function insertPackage(tx: Queryable, pkg: TerminologyPackage, contentHash: string): Promise<void> {
  await tx.query('INSERT INTO terminology_package (name, release, content_hash) VALUES ($1, $2, $3)', [pkg.package, pkg.release, contentHash]);
  for (const cs of pkg.codeSystems) {
    await tx.query('INSERT INTO code_system (url, package, name, title, version) VALUES ($1, $2, $3, $4, $5)', [
      cs.url,
      pkg.package,
      cs.name,
      cs.title ?? null,
      cs.version ?? null,
    ]);
    for (let i = 0; i < cs.concepts.length; i += 5000) {
      const batch = cs.concepts.slice(i, i + 5000);
      await tx.query(
        `INSERT INTO concept (system, code, display, ord)
         SELECT $1, t.code, t.display, t.ord FROM unnest($2::text[], $3::text[], $4::int[]) AS t(code, display, ord)`,
        [cs.url, batch.map(([c]) => c), batch.map(([, d]) => d), batch.map((_, j) => i + j)],
      );
    }
  }
  for (const [alias, url] of Object.entries(pkg.systemAliases)) {
    // An alias may already be claimed by another package: the first one keeps it.
    await tx.query('INSERT INTO code_system_alias (alias_url, url) VALUES ($1, $2) ON CONFLICT (alias_url) DO NOTHING', [alias, url]);
  }
  for (const vs of pkg.valueSets) {
    await tx.query(
      'INSERT INTO value_set (url, package, name, title, version, status, date, description) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [vs.url, pkg.package, vs.name, vs.title ?? null, vs.version, vs.status ?? null, vs.date ?? null, vs.description ?? null],
    );
    for (const [ord, inc] of vs.include.entries()) {
      await tx.query('INSERT INTO value_set_include (value_set, ord, system, all_codes) VALUES ($1, $2, $3, $4)', [vs.url, ord, inc.system, !inc.codes]);
      if (!inc.codes?.length) continue;
      await tx.query(
        `INSERT INTO value_set_member (value_set, ord, system, code, pos)
         SELECT $1, $2, $3, t.code, t.pos FROM unnest($4::text[], $5::int[]) AS t(code, pos)`,
        [vs.url, ord, inc.system, inc.codes, inc.codes.map((_, j) => j)],
      );
    }
  }
}

export async function readGeneration(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ generation: number }>('SELECT generation FROM terminology_state WHERE id = 1');
  return Number(rows[0]?.generation ?? 0);
}

export interface StoredTerminology {
  generation: number;
  codeSystems: { url: string; name: string; title: string | null; version: string | null }[];
  aliases: { alias_url: string; url: string }[];
  concepts: { system: string; code: string; display: string }[];
  valueSets: { url: string; name: string; title: string | null; version: string; status: string | null; date: string | null; description: string | null }[];
  includes: { value_set: string; ord: number; system: string; all_codes: boolean }[];
  members: { value_set: string; ord: number; code: string }[];
}

/** Everything, in published order, read in one transaction (a consistent snapshot for the cache). */
export async function readAll(db: Db): Promise<StoredTerminology> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const generation = await readGeneration(tx);
    const codeSystems = (await tx.query<StoredTerminology['codeSystems'][number]>('SELECT url, name, title, version FROM code_system ORDER BY url')).rows;
    const aliases = (await tx.query<StoredTerminology['aliases'][number]>('SELECT alias_url, url FROM code_system_alias')).rows;
    const concepts = (await tx.query<StoredTerminology['concepts'][number]>('SELECT system, code, display FROM concept ORDER BY system, ord')).rows;
    const valueSets = (
      await tx.query<StoredTerminology['valueSets'][number]>('SELECT url, name, title, version, status, date, description FROM value_set ORDER BY url')
    ).rows;
    const includes = (await tx.query<StoredTerminology['includes'][number]>('SELECT value_set, ord, system, all_codes FROM value_set_include ORDER BY value_set, ord')).rows;
    const members = (await tx.query<StoredTerminology['members'][number]>('SELECT value_set, ord, code FROM value_set_member ORDER BY value_set, ord, pos')).rows;
    return { generation, codeSystems, aliases, concepts, valueSets, includes, members };
  });
}

/** Every installed package rebuilt in the package format (for `ror import nos`, which rebuilds the packages it touches). */
export async function readPackages(db: Db): Promise<TerminologyPackage[]> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const pkgs = (await tx.query<{ name: string; release: string }>('SELECT name, release FROM terminology_package ORDER BY name')).rows;
    const out = new Map<string, TerminologyPackage>(
      pkgs.map((p) => [p.name, { format: 'ror-terminology/1', package: p.name, release: p.release, codeSystems: [], systemAliases: {}, valueSets: [] }]),
    );
    const systems = new Map<string, TerminologyPackage['codeSystems'][number]>();
    for (const cs of (await tx.query<{ url: string; package: string; name: string; title: string | null; version: string | null }>('SELECT url, package, name, title, version FROM code_system ORDER BY url')).rows) {
      const item = { url: cs.url, name: cs.name, ...(cs.title ? { title: cs.title } : {}), ...(cs.version ? { version: cs.version } : {}), concepts: [] as [string, string][] };
      systems.set(cs.url, item);
      out.get(cs.package)?.codeSystems.push(item);
    }
    for (const c of (await tx.query<{ system: string; code: string; display: string }>('SELECT system, code, display FROM concept ORDER BY system, ord')).rows) {
      systems.get(c.system)?.concepts.push([c.code, c.display]);
    }
    for (const a of (await tx.query<{ alias_url: string; package: string; url: string }>('SELECT a.alias_url, a.url, s.package FROM code_system_alias a JOIN code_system s ON s.url = a.url')).rows) {
      const p = out.get(a.package);
      if (p) p.systemAliases[a.alias_url] = a.url;
    }
    const sets = new Map<string, TerminologyPackage['valueSets'][number]>();
    for (const vs of (
      await tx.query<{ url: string; package: string; name: string; title: string | null; version: string; status: string | null; date: string | null; description: string | null }>(
        'SELECT url, package, name, title, version, status, date, description FROM value_set ORDER BY url',
      )
    ).rows) {
      const item = {
        url: vs.url,
        name: vs.name,
        ...(vs.title ? { title: vs.title } : {}),
        version: vs.version,
        ...(vs.status ? { status: vs.status } : {}),
        ...(vs.date ? { date: vs.date } : {}),
        ...(vs.description ? { description: vs.description } : {}),
        include: [] as { system: string; codes?: string[] }[],
      };
      sets.set(vs.url, item);
      out.get(vs.package)?.valueSets.push(item);
    }
    const includes = new Map<string, { system: string; codes?: string[] }>();
    for (const i of (await tx.query<{ value_set: string; ord: number; system: string; all_codes: boolean }>('SELECT value_set, ord, system, all_codes FROM value_set_include ORDER BY value_set, ord')).rows) {
      const inc = i.all_codes ? { system: i.system } : { system: i.system, codes: [] as string[] };
      includes.set(`${i.value_set}|${i.ord}`, inc);
      sets.get(i.value_set)?.include.push(inc);
    }
    for (const m of (await tx.query<{ value_set: string; ord: number; code: string }>('SELECT value_set, ord, code FROM value_set_member ORDER BY value_set, ord, pos')).rows) {
      includes.get(`${m.value_set}|${m.ord}`)?.codes?.push(m.code);
    }
    return [...out.values()];
  });
}
