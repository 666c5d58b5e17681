import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../db/db.ts';
import {
  conflict,
  gone,
  issue,
  notFound,
  OutcomeError,
  preconditionFailed,
  type OperationOutcomeIssue,
} from '../fhir/outcome.ts';
import type { Resource } from '../fhir/types.ts';
import { coreIndexer, extractReferences, resourceStore, type Indexer, type StoredVersion } from './resource.store.ts';

/** Who performs a write; recorded with every version. Access rules will hang on it. */
export interface Actor {
  id: string;
}

export const SYSTEM_ACTOR: Actor = { id: 'system' };

/** Checks a resource against its profile; returns the problems found (empty when valid). */
export type ResourceValidator = (resource: Resource) => OperationOutcomeIssue[];

export interface WriteOptions {
  /** Version the client based its change on (If-Match); a stale one fails with 412. */
  ifMatch?: number | undefined;
}

/**
 * The one write path of the directory: every create, update, patch and delete goes through here, in one
 * transaction, validated, with referential integrity checked and the actor recorded. Reads share the
 * read functions below, where redaction will apply.
 */
export class Directory {
  private readonly indexers: Indexer[];

  constructor(
    readonly db: Db,
    private readonly validate: ResourceValidator,
    extraIndexers: Indexer[] = [],
  ) {
    this.indexers = [coreIndexer, ...extraIndexers];
  }

  addIndexer(indexer: Indexer): void {
    this.indexers.push(indexer);
  }

  async create(actor: Actor, resource: Resource, opts: { id?: string } = {}): Promise<StoredVersion> {
    this.check(resource);
    const id = opts.id ?? randomUUID();
    return this.db.transaction(async (tx) => {
      await this.checkReferences(tx, resource);
      return resourceStore.writeVersion(tx, {
        resourceType: resource.resourceType,
        id,
        versionId: 1,
        method: 'POST',
        actor: actor.id,
        resource,
        indexers: this.indexers,
      });
    });
  }

  /** Update (PUT); creates the resource with the given id when it does not exist yet. */
  async update(actor: Actor, resource: Resource & { id: string }, opts: WriteOptions = {}): Promise<{ version: StoredVersion; created: boolean }> {
    this.check(resource);
    return this.db.transaction(async (tx) => {
      const current = await resourceStore.lockCurrent(tx, resource.resourceType, resource.id);
      checkVersion(current?.versionId, opts.ifMatch, `${resource.resourceType}/${resource.id}`);
      await this.checkReferences(tx, resource);
      const version = await resourceStore.writeVersion(tx, {
        resourceType: resource.resourceType,
        id: resource.id,
        versionId: (current?.versionId ?? 0) + 1,
        method: 'PUT',
        actor: actor.id,
        resource,
        indexers: this.indexers,
      });
      return { version, created: !current || current.deleted };
    });
  }

  /**
   * Patch: `change` receives the current content and returns the new one (it throws an OutcomeError when the
   * patch cannot apply). The row stays locked from read to write, so concurrent patches never lose updates.
   */
  async patch(
    actor: Actor,
    resourceType: string,
    id: string,
    change: (current: Resource) => Resource,
    opts: WriteOptions = {},
  ): Promise<StoredVersion> {
    return this.db.transaction(async (tx) => {
      const current = await resourceStore.lockCurrent(tx, resourceType, id);
      if (!current) throw notFound(`${resourceType}/${id} n'existe pas`, resourceType);
      if (current.deleted || !current.content) throw gone(`${resourceType}/${id} a été supprimé`);
      checkVersion(current.versionId, opts.ifMatch, `${resourceType}/${id}`);
      const next = change(structuredClone(current.content));
      if (next.resourceType !== resourceType || next.id !== id) {
        throw new OutcomeError(400, [issue('invalid', 'Un patch ne peut changer ni le type ni l\'id de la ressource', { expression: resourceType })]);
      }
      this.check(next);
      await this.checkReferences(tx, next);
      return resourceStore.writeVersion(tx, {
        resourceType,
        id,
        versionId: current.versionId + 1,
        method: 'PATCH',
        actor: actor.id,
        resource: next,
        indexers: this.indexers,
      });
    });
  }

  async delete(actor: Actor, resourceType: string, id: string, opts: WriteOptions = {}): Promise<StoredVersion | null> {
    return this.db.transaction(async (tx) => {
      const current = await resourceStore.lockCurrent(tx, resourceType, id);
      if (!current || current.deleted) return null;
      checkVersion(current.versionId, opts.ifMatch, `${resourceType}/${id}`);
      const referrers = await resourceStore.referrers(tx, resourceType, id);
      if (referrers.length > 0) {
        throw conflict(`${resourceType}/${id} est référencé par ${referrers.join(', ')} : supprimez ou modifiez d'abord ces ressources`, resourceType);
      }
      return resourceStore.writeVersion(tx, {
        resourceType,
        id,
        versionId: current.versionId + 1,
        method: 'DELETE',
        actor: actor.id,
        resource: null,
        indexers: this.indexers,
      });
    });
  }

  /**
   * Bulk create-or-update (imports): one transaction, set-based SQL, indexers called once. Each resource is
   * validated and its references checked (a reference to another resource of the same batch counts as
   * existing); a bad one is reported in the result, not thrown, and the others are written. `merge` builds
   * the version to write from the incoming resource and the current one; with `onlyIfChanged`, a resource
   * whose content equals the current one (meta aside) gets no new version. `alsoInTransaction` runs in the
   * same transaction after the writes (an importer's checkpoint), with the outcomes.
   */
  async upsertBatch(
    actor: Actor,
    resources: readonly (Resource & { id: string })[],
    opts: {
      onlyIfChanged?: boolean;
      merge?: (incoming: Resource & { id: string }, current: Resource | null) => Resource & { id: string };
      alsoInTransaction?: (tx: Queryable, results: BatchResult[]) => Promise<void>;
      /** Compute the outcomes (validation, references, changes) without writing; the transaction rolls back. */
      dryRun?: boolean;
    } = {},
  ): Promise<BatchResult[]> {
    const seen = new Set<string>();
    for (const r of resources) {
      const key = `${r.resourceType}/${r.id}`;
      if (seen.has(key)) throw new Error(`upsertBatch: ${key} appears twice in one batch`);
      seen.add(key);
    }
    return this.db.transaction(async (tx) => {
      const current = await resourceStore.lockCurrentBatch(tx, resources);
      const results: BatchResult[] = [];
      const candidates: { resource: Resource & { id: string }; versionId: number; created: boolean; index: number }[] = [];
      for (const incoming of resources) {
        const key = `${incoming.resourceType}/${incoming.id}`;
        const cur = current.get(key);
        const live = cur && !cur.deleted ? cur.content : null;
        const next = opts.merge ? opts.merge(incoming, live) : incoming;
        if (opts.onlyIfChanged && live && sameContent(live, next)) {
          results.push({ resourceType: incoming.resourceType, id: incoming.id, outcome: 'unchanged' });
          continue;
        }
        const problems = this.validate(next).filter((p) => p.severity === 'error' || p.severity === 'fatal');
        if (problems.length > 0) {
          results.push({ resourceType: incoming.resourceType, id: incoming.id, outcome: 'invalid', issues: problems });
          continue;
        }
        candidates.push({ resource: next, versionId: (cur?.versionId ?? 0) + 1, created: !live, index: results.length });
        results.push({ resourceType: incoming.resourceType, id: incoming.id, outcome: live ? 'updated' : 'created' });
      }
      // References: to existing resources, or to resources written in this batch.
      const inBatch = new Set(candidates.map((c) => `${c.resource.resourceType}/${c.resource.id}`));
      const refsOf = candidates.map((c) =>
        extractReferences(c.resource).filter((r) => !(r.resourceType === c.resource.resourceType && r.id === c.resource.id)),
      );
      const outside = refsOf.flat().filter((r) => !inBatch.has(`${r.resourceType}/${r.id}`));
      const found = await resourceStore.existing(tx, dedupeRefs(outside));
      const write: typeof candidates = [];
      candidates.forEach((c, k) => {
        const missing = refsOf[k]!.filter((r) => !inBatch.has(`${r.resourceType}/${r.id}`) && !found.has(`${r.resourceType}/${r.id}`));
        if (missing.length === 0) return write.push(c);
        results[c.index] = {
          resourceType: c.resource.resourceType,
          id: c.resource.id,
          outcome: 'invalid',
          issues: missing.map((r) =>
            issue('not-found', `La référence ${r.resourceType}/${r.id} ne désigne aucune ressource existante`, { expression: r.expression, rule: 'reference-not-found' }),
          ),
        };
        return undefined;
      });
      // A resource dropped for a missing reference may be the target of another one of the batch: those
      // would now dangle, so they are dropped too (rare; repeat until stable).
      let kept = write;
      for (;;) {
        const keys = new Set(kept.map((c) => `${c.resource.resourceType}/${c.resource.id}`));
        const next = kept.filter((c) => {
          const k = candidates.indexOf(c);
          return refsOf[k]!.every((r) => keys.has(`${r.resourceType}/${r.id}`) || found.has(`${r.resourceType}/${r.id}`));
        });
        if (next.length === kept.length) break;
        for (const c of kept) {
          if (!next.includes(c)) {
            results[c.index] = { resourceType: c.resource.resourceType, id: c.resource.id, outcome: 'invalid', issues: [issue('not-found', 'Une ressource référencée de ce lot est invalide', { rule: 'reference-not-found' })] };
          }
        }
        kept = next;
      }
      if (opts.dryRun) return results;
      const versions = await resourceStore.writeVersions(tx, {
        actor: actor.id,
        items: kept.map((c) => ({
          resourceType: c.resource.resourceType,
          id: c.resource.id,
          versionId: c.versionId,
          method: c.created ? 'POST' : 'PUT',
          resource: c.resource,
        })),
        indexers: this.indexers,
      });
      kept.forEach((c, k) => {
        results[c.index] = { ...results[c.index]!, version: versions[k]! };
      });
      await opts.alsoInTransaction?.(tx, results);
      return results;
    });
  }

  /** Ids of current resources of a type holding an identifier (value, or system|value). */
  findByIdentifier(resourceType: string, value: string, system?: string): Promise<string[]> {
    return resourceStore.findByIdentifier(this.db, resourceType, value, system);
  }

  read(resourceType: string, id: string) {
    return resourceStore.readCurrent(this.db, resourceType, id);
  }

  vread(resourceType: string, id: string, versionId: number) {
    return resourceStore.readVersion(this.db, resourceType, id, versionId);
  }

  history(q: Parameters<typeof resourceStore.history>[1]) {
    return resourceStore.history(this.db, q);
  }

  private check(resource: Resource): void {
    const problems = this.validate(resource);
    if (problems.some((p) => p.severity === 'error' || p.severity === 'fatal')) throw new OutcomeError(422, problems);
  }

  /** Every literal reference must point to an existing resource of the type it names. */
  private async checkReferences(tx: Queryable, resource: Resource): Promise<void> {
    const refs = extractReferences(resource).filter((r) => !(r.resourceType === resource.resourceType && r.id === resource.id));
    if (refs.length === 0) return;
    const found = await resourceStore.existing(tx, refs);
    const missing = refs.filter((r) => !found.has(`${r.resourceType}/${r.id}`));
    if (missing.length > 0) {
      throw new OutcomeError(
        422,
        missing.map((r) =>
          issue('not-found', `La référence ${r.resourceType}/${r.id} ne désigne aucune ressource existante`, {
            expression: r.expression,
            rule: 'reference-not-found',
          }),
        ),
      );
    }
  }
}

/** Outcome of one resource of a batch write. */
export interface BatchResult {
  resourceType: string;
  id: string;
  outcome: 'created' | 'updated' | 'unchanged' | 'invalid';
  issues?: OperationOutcomeIssue[];
  version?: StoredVersion;
}

function dedupeRefs(refs: { resourceType: string; id: string }[]): { resourceType: string; id: string }[] {
  const m = new Map<string, { resourceType: string; id: string }>();
  for (const r of refs) m.set(`${r.resourceType}/${r.id}`, { resourceType: r.resourceType, id: r.id });
  return [...m.values()];
}

/** Same resource content, ignoring meta.versionId and meta.lastUpdated and key order. */
export function sameContent(a: Resource, b: Resource): boolean {
  return canonical(withoutVersionMeta(a)) === canonical(withoutVersionMeta(b));
}

function withoutVersionMeta(r: Resource): Resource {
  const { versionId: _v, lastUpdated: _l, ...meta } = r.meta ?? {};
  const out: Resource = { ...r };
  if (Object.keys(meta).length > 0) out.meta = meta;
  else delete out.meta;
  return out;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function checkVersion(current: number | undefined, ifMatch: number | undefined, label: string): void {
  if (ifMatch === undefined) return;
  if (current === undefined) throw preconditionFailed(`${label} n'existe pas : If-Match ne peut pas s'appliquer`);
  if (current !== ifMatch) {
    throw preconditionFailed(`${label} : la version ${ifMatch} attendue (If-Match) n'est plus la version courante (${current}). Relisez la ressource puis réappliquez votre modification.`);
  }
}
