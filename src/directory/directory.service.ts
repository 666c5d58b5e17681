import { randomUUID } from 'node:crypto';
import { capacityProblems } from '../capacity/indicator.ts';
import type { Db, Queryable } from '../db/db.ts';
import { GroupCommit } from '../db/group-commit.ts';
import {
  conflict,
  gone,
  issue,
  notFound,
  OutcomeError,
  preconditionFailed,
  type OperationOutcomeIssue,
} from '../fhir/outcome.ts';
import type { IfMatch, TransactionWrite } from '../fhir/rest.ts';
import { RESOURCE_PROFILES, type Resource } from '../fhir/types.ts';
import { ASSERTION_FAILED, coreIndexer, dedupeKeys, extractIdentifiers, extractReferences, resourceStore, UNIQUE_IDENTIFIER_TYPES, UNIQUE_VIOLATION, type CurrentRow, type Indexer, type StoredVersion } from './resource.store.ts';

/** Who performs a write; recorded with every version. Access rules will hang on it. */
export interface Actor {
  id: string;
}

export const SYSTEM_ACTOR: Actor = { id: 'system' };

/** Checks a resource against its profile; returns the problems found (empty when valid). */
export type ResourceValidator = (resource: Resource) => OperationOutcomeIssue[];

type WriteOp = { actor: Actor; resourceType: string; id: string; ifMatch?: IfMatch | undefined } & (
  | { kind: 'create'; resource: Resource; /** server-generated id: cannot exist yet */ fresh: boolean }
  | { kind: 'update'; resource: Resource; mustBeAbsent?: 409 | 412 | undefined }
  | { kind: 'patch'; change: (current: Resource) => Resource }
  | { kind: 'delete' }
);

export interface WriteResult {
  version: StoredVersion | null;
  created: boolean;
  /**
   * An update or patch whose result is the current content (meta.versionId and lastUpdated aside): nothing is
   * written, no version is made, and `version` is the current one. An incremental consumer then does not fetch
   * a resource again that did not change (a PUT of the same body, a capacity patch sent twice).
   */
  unchanged?: true;
}

/** Writes that commit together or not at all: one single write, or the writes of a transaction Bundle. */
interface WriteUnit {
  ops: WriteOp[];
  /** A transaction Bundle's writes: a failure names its write (TransactionWriteError), even when it has one. */
  transaction?: boolean;
}

export interface WriteOptions {
  /** Version the client based its change on (If-Match); a stale one fails with 412. `*`: any current version. */
  ifMatch?: IfMatch | undefined;
  /**
   * Updates only: the resource must not exist (deleted counts as absent), else this status: 412 for
   * `If-None-Match: *`, 409 for a conditional update that matched nothing but names an existing id.
   */
  mustBeAbsent?: 409 | 412 | undefined;
}

/** A write of a transaction failed, so none of its writes happened; `index` is the failed write's position. */
export class TransactionWriteError extends Error {
  constructor(
    readonly index: number,
    readonly error: Error,
  ) {
    super(error.message);
    this.name = 'TransactionWriteError';
  }
}

/**
 * The one write path of the directory: every create, update, patch and delete goes through here, in one
 * transaction, validated, with referential integrity checked and the actor recorded. Reads share the
 * read functions below, where redaction will apply.
 */
export class Directory {
  private readonly indexers: Indexer[];

  /** Writes from concurrent requests are gathered and committed together (see db/group-commit.ts). */
  private readonly writes: GroupCommit<WriteUnit, WriteResult[]>;

  constructor(
    readonly db: Db,
    private readonly validate: ResourceValidator,
    extraIndexers: Indexer[] = [],
  ) {
    this.indexers = [coreIndexer, ...extraIndexers];
    this.writes = new GroupCommit((units) => this.executeWrites(units), {
      maxBatch: 100,
      maxConcurrentBatches: db.kind === 'postgres' ? 2 : 1,
      keysOf: (unit) => unit.ops.map((op) => `${op.resourceType}/${op.id}`),
      // A batch of writes is one statement: transactions of many writes go alone or with a few others.
      weightOf: (unit) => unit.ops.length,
      maxWeight: 1000,
    });
  }

  private async submit(op: WriteOp): Promise<WriteResult> {
    return (await this.writes.submit({ ops: [op] }))[0]!;
  }

  async create(actor: Actor, resource: Resource, opts: { id?: string } = {}): Promise<StoredVersion> {
    this.check(resource);
    const id = opts.id ?? randomUUID();
    this.prepareIndexes(resource, id);
    const r = await this.submit({ kind: 'create', actor, resourceType: resource.resourceType, id, resource, fresh: opts.id === undefined });
    return r.version!;
  }

  /** Update (PUT); creates the resource with the given id when it does not exist yet. */
  async update(actor: Actor, resource: Resource & { id: string }, opts: WriteOptions = {}): Promise<{ version: StoredVersion; created: boolean }> {
    this.check(resource);
    this.prepareIndexes(resource, resource.id);
    const r = await this.submit({ kind: 'update', actor, resourceType: resource.resourceType, id: resource.id, resource, ifMatch: opts.ifMatch, mustBeAbsent: opts.mustBeAbsent });
    return { version: r.version!, created: r.created };
  }

  /**
   * Patch: `change` receives the current content and returns the new one (it throws an OutcomeError when the
   * patch cannot apply). The row stays locked from read to write, so concurrent patches never lose updates.
   */
  async patch(actor: Actor, resourceType: string, id: string, change: (current: Resource) => Resource, opts: WriteOptions = {}): Promise<StoredVersion> {
    const r = await this.submit({ kind: 'patch', actor, resourceType, id, change, ifMatch: opts.ifMatch });
    return r.version!;
  }

  async delete(actor: Actor, resourceType: string, id: string, opts: WriteOptions = {}): Promise<StoredVersion | null> {
    const r = await this.submit({ kind: 'delete', actor, resourceType, id, ifMatch: opts.ifMatch });
    return r.version;
  }

  /**
   * Several writes that all happen or none (a FHIR transaction Bundle): validated first, then written in one
   * database transaction, where a reference to a resource another write of the same transaction creates or
   * updates counts as existing. A failure throws a TransactionWriteError naming the write at fault. Each
   * resource appears once. Creates carry their id (the caller assigned it, to resolve references to them).
   */
  async transaction(actor: Actor, writes: readonly TransactionWrite[]): Promise<WriteResult[]> {
    const ops: WriteOp[] = writes.map((w, index) => {
      try {
        switch (w.kind) {
          case 'create':
          case 'update':
            this.check(w.resource);
            this.prepareIndexes(w.resource, w.resource.id);
            return w.kind === 'create'
              ? { kind: 'create', actor, resourceType: w.resource.resourceType, id: w.resource.id, resource: w.resource, fresh: true }
              : { kind: 'update', actor, resourceType: w.resource.resourceType, id: w.resource.id, resource: w.resource, ifMatch: w.ifMatch, mustBeAbsent: w.mustBeAbsent };
          case 'patch':
            return { kind: 'patch', actor, resourceType: w.resourceType, id: w.id, change: w.change, ifMatch: w.ifMatch };
          case 'delete':
            return { kind: 'delete', actor, resourceType: w.resourceType, id: w.id, ifMatch: w.ifMatch };
        }
      } catch (e) {
        throw new TransactionWriteError(index, e as Error);
      }
    });
    const seen = new Map<string, number>();
    ops.forEach((op, index) => {
      const key = `${op.resourceType}/${op.id}`;
      if (seen.has(key)) {
        throw new TransactionWriteError(index, new OutcomeError(400, [issue('invalid', `${key} apparaît deux fois dans la transaction (déjà à l'entrée ${seen.get(key)}) : une ressource n'y est écrite qu'une fois`, { rule: 'transaction-duplicate-resource' })]));
      }
      seen.set(key, index);
    });
    if (ops.length === 0) return [];
    return this.writes.submit({ ops, transaction: true });
  }

  /**
   * Executes a batch of units (gathered by the group commit) in one transaction: rows locked, If-Match
   * checked, patches applied and validated, references and referrers checked, then all surviving versions
   * written with set-based SQL. A unit that fails gets its own error; the others go on.
   */
  private async executeWrites(units: WriteUnit[]): Promise<(WriteResult[] | Error)[]> {
    try {
      return await this.executeWritesOnce(units);
    } catch (e) {
      // Two writes raced past the identifier check (the unique index caught it). A batch fails whole and the
      // group commit retries each of its units alone; alone, the duplicate gets its 409.
      if ((e as { code?: string }).code === UNIQUE_VIOLATION && units.length === 1) {
        const error = conflict('Un identifiant métier de la ressource est déjà porté par une autre ressource de ce type (écriture concurrente)', units[0]!.ops[0]!.resourceType);
        return [units[0]!.transaction ? new TransactionWriteError(0, error) : error];
      }
      throw e;
    }
  }

  private async executeWritesOnce(units: WriteUnit[]): Promise<(WriteResult[] | Error)[]> {
    const ops = units.flatMap((u) => u.ops);
    const unitOf = units.flatMap((u, n) => u.ops.map(() => n));
    if (ops.every((op) => op.kind === 'create' && op.fresh)) {
      const created = await this.createFresh(ops as (WriteOp & { kind: 'create' })[]);
      if (created) return gather(units, created);
    }
    return this.db.transaction(async (tx) => {
      // Server-assigned ids of creates are fresh: only the other writes need their current row locked.
      const current = await resourceStore.lockCurrentBatch(tx, ops.filter((op) => op.kind !== 'create' || !op.fresh));
      const results: (WriteResult | Error)[] = new Array(ops.length);
      // `previous`: the content being replaced, for the checks and indexers that only look at what changes.
      const planned: { k: number; versionId: number; method: StoredVersion['method']; resource: Resource | null; created: boolean; previous: Resource | null }[] = [];
      ops.forEach((op, k) => {
        try {
          const cur = current.get(`${op.resourceType}/${op.id}`);
          const label = `${op.resourceType}/${op.id}`;
          const versionId = (cur?.versionId ?? 0) + 1;
          switch (op.kind) {
            case 'create':
              if (cur) throw conflict(`${label} existe déjà`, op.resourceType);
              planned.push({ k, versionId, method: 'POST', resource: op.resource, created: true, previous: null });
              return;
            case 'update':
              if (op.mustBeAbsent && cur && !cur.deleted) {
                throw op.mustBeAbsent === 412
                  ? preconditionFailed(`${label} existe déjà (If-None-Match: *) : rien n'est écrit`)
                  : conflict(`${label} existe déjà mais ne correspond pas aux critères de la mise à jour conditionnelle : rien n'est écrit`, op.resourceType);
              }
              checkVersion(cur?.versionId, op.ifMatch, label, cur?.deleted);
              if (unchanged(cur, op.resource)) {
                results[k] = { version: currentVersion(op, cur!, 'PUT'), created: false, unchanged: true };
                return;
              }
              planned.push({ k, versionId, method: 'PUT', resource: op.resource, created: !cur || cur.deleted, previous: cur?.content ?? null });
              return;
            case 'patch': {
              if (!cur) throw notFound(`${label} n'existe pas`, op.resourceType);
              if (cur.deleted || !cur.content) throw gone(`${label} a été supprimé`);
              checkVersion(cur.versionId, op.ifMatch, label);
              const next = op.change(structuredClone(cur.content));
              if (next.resourceType !== op.resourceType || next.id !== op.id) {
                throw new OutcomeError(400, [issue('invalid', 'Un patch ne peut changer ni le type ni l\'id de la ressource', { expression: op.resourceType })]);
              }
              this.check(next);
              if (unchanged(cur, next)) {
                results[k] = { version: currentVersion(op, cur, 'PATCH'), created: false, unchanged: true };
                return;
              }
              planned.push({ k, versionId, method: 'PATCH', resource: next, created: false, previous: cur.content });
              return;
            }
            case 'delete':
              if (!cur || cur.deleted) {
                results[k] = { version: null, created: false };
                return;
              }
              checkVersion(cur.versionId, op.ifMatch, label);
              planned.push({ k, versionId, method: 'DELETE', resource: null, created: false, previous: cur.content });
              return;
          }
        } catch (e) {
          results[k] = e as Error;
        }
      });
      const referenceErrors = await this.referenceErrors(tx, ops, planned, unitOf);
      // A new version holding the same identifiers as the current one (a capacity patch) cannot create a duplicate:
      // the resource already holds them alone (unique index), so it skips the lookup.
      // An identifier held by a resource the same unit deletes or rewrites is free for the unit's other writes (a
      // transaction replacing an offer): if the rewrite keeps it, the in-batch check below catches the clash.
      const plannedInUnit = new Set(planned.map((p) => `${unitOf[p.k]}:${ops[p.k]!.resourceType}/${ops[p.k]!.id}`));
      const duplicates = await this.duplicateErrors(
        tx,
        planned
          .filter((p) => !referenceErrors.has(p.k) && !sameIdentifiers(p.resource, p.previous))
          .map((p) => ({ k: p.k, resourceType: ops[p.k]!.resourceType, id: ops[p.k]!.id, resource: p.resource })),
        (k, holder) => plannedInUnit.has(`${unitOf[k]}:${holder}`),
      );
      for (const p of planned) {
        const error = referenceErrors.get(p.k) ?? duplicates.get(p.k);
        if (error) results[p.k] = error;
      }
      // A unit with a failed write writes nothing.
      const failedUnits = new Set<number>();
      results.forEach((r, k) => {
        if (r instanceof Error) failedUnits.add(unitOf[k]!);
      });
      const writable = planned.filter((p) => !failedUnits.has(unitOf[p.k]!));
      const versions = await resourceStore.writeVersions(tx, {
        actor: SYSTEM_ACTOR.id,
        items: writable.map((p) => ({
          resourceType: ops[p.k]!.resourceType,
          id: ops[p.k]!.id,
          versionId: p.versionId,
          method: p.method,
          resource: p.resource,
          actor: ops[p.k]!.actor.id,
          previous: p.previous,
        })),
        indexers: this.indexers,
      });
      writable.forEach((p, n) => {
        results[p.k] = { version: versions[n]!, created: p.created };
      });
      return gather(units, results);
    });
  }

  /**
   * The common case in one round trip: creates with server-assigned ids (nothing to lock, no previous
   * version) are written by a single statement that also checks their references. When a reference is
   * missing the statement aborts whole and this answers null: the transaction path then finds out which
   * write is at fault and writes the others.
   */
  private async createFresh(ops: (WriteOp & { kind: 'create' })[]): Promise<WriteResult[] | null> {
    // A reference to another resource of the batch (in the same transaction Bundle) is written by this statement.
    const inBatch = new Set(ops.map((op) => `${op.resourceType}/${op.id}`));
    const references = ops.flatMap((op) => extractReferences(op.resource).filter((r) => !inBatch.has(`${r.resourceType}/${r.id}`)));
    try {
      const versions = await resourceStore.createNew(this.db, {
        actor: SYSTEM_ACTOR.id,
        items: ops.map((op) => ({ resourceType: op.resourceType, id: op.id, versionId: 1, method: 'POST' as const, resource: op.resource, actor: op.actor.id })),
        indexers: this.indexers,
        references,
      });
      return versions.map((version) => ({ version, created: true }));
    } catch (e) {
      // A missing reference or a business identifier already held: the transaction path tells which write.
      const code = (e as { code?: string }).code;
      if (code === ASSERTION_FAILED || code === UNIQUE_VIOLATION) return null;
      throw e;
    }
  }

  /**
   * Writes whose business identifier (types in UNIQUE_IDENTIFIER_TYPES) another current resource of the type
   * already holds, or an earlier write of the same batch: 409, naming the holder.
   */
  private async duplicateErrors(
    db: Queryable,
    writes: { k: number; resourceType: string; id: string; resource: Resource | null }[],
    /** A current holder that write `k`'s unit itself deletes or rewrites (`Type/id`): not a clash. */
    releasedFor: (k: number, holder: string) => boolean = () => false,
  ): Promise<Map<number, OutcomeError>> {
    const errors = new Map<number, OutcomeError>();
    const items: { k: number; resourceType: string; id: string; system: string | null; value: string; expression: string }[] = [];
    const inBatch = new Map<string, string>();
    for (const w of writes) {
      if (!w.resource || !UNIQUE_IDENTIFIER_TYPES.has(w.resourceType)) continue;
      extractIdentifiers(w.resource).forEach((i, n) => {
        const key = `${w.resourceType}|${i.s ?? ''}|${i.v}`;
        const other = inBatch.get(key);
        if (other !== undefined && other !== w.id && !errors.has(w.k)) errors.set(w.k, duplicateError(w.resourceType, i.s, i.v, other, `${w.resourceType}.identifier[${n}]`));
        inBatch.set(key, w.id);
        items.push({ k: w.k, resourceType: w.resourceType, id: w.id, system: i.s, value: i.v, expression: `${w.resourceType}.identifier[${n}]` });
      });
    }
    if (items.length === 0) return errors;
    // One row per identifier asked (n = its index in items) another resource holds.
    const held = await resourceStore.identifierHolders(db, items.map((i, n) => ({ ...i, n })));
    for (const h of held) {
      const item = items[h.n]!;
      if (releasedFor(item.k, `${item.resourceType}/${h.id}`)) continue;
      if (!errors.has(item.k)) errors.set(item.k, duplicateError(item.resourceType, item.system, item.value, h.id, item.expression));
    }
    return errors;
  }

  /**
   * Every literal reference of a written resource must point to an existing resource (locked against a
   * concurrent delete); a deleted resource must not be referenced by any other.
   */
  private async referenceErrors(
    tx: Queryable,
    ops: WriteOp[],
    planned: { k: number; resource: Resource | null; method: StoredVersion['method']; previous: Resource | null }[],
    unitOf: readonly number[],
  ): Promise<Map<number, OutcomeError>> {
    const errors = new Map<number, OutcomeError>();
    const refsOf = new Map<number, ReturnType<typeof extractReferences>>();
    // Resources a unit writes (not deletes): its other writes may reference them.
    const writtenByUnit = new Set(planned.filter((p) => p.resource).map((p) => `${unitOf[p.k]}:${ops[p.k]!.resourceType}/${ops[p.k]!.id}`));
    const deletedByUnit = new Set(planned.filter((p) => !p.resource).map((p) => `${unitOf[p.k]}:${ops[p.k]!.resourceType}/${ops[p.k]!.id}`));
    for (const p of planned) {
      if (!p.resource) continue;
      const op = ops[p.k]!;
      // References the current version already holds need no check: a target cannot be deleted while a current
      // version references it (the delete checks its referrers), and this write keeps the row locked.
      const held = p.previous ? new Set(extractReferences(p.previous).map((r) => `${r.resourceType}/${r.id}`)) : undefined;
      refsOf.set(
        p.k,
        extractReferences(p.resource).filter(
          (r) =>
            !(r.resourceType === op.resourceType && r.id === op.id) &&
            !writtenByUnit.has(`${unitOf[p.k]}:${r.resourceType}/${r.id}`) &&
            !(held?.has(`${r.resourceType}/${r.id}`) && !deletedByUnit.has(`${unitOf[p.k]}:${r.resourceType}/${r.id}`)),
        ),
      );
    }
    const all = [...refsOf.values()].flat();
    const found = await resourceStore.existing(tx, dedupeKeys(all));
    for (const [k, refs] of refsOf) {
      const missing = refs.filter((r) => !found.has(`${r.resourceType}/${r.id}`) || deletedByUnit.has(`${unitOf[k]}:${r.resourceType}/${r.id}`));
      if (missing.length > 0) {
        errors.set(
          k,
          new OutcomeError(
            422,
            missing.map((r) =>
              issue('not-found', `La référence ${r.resourceType}/${r.id} ne désigne aucune ressource existante`, { expression: r.expression, rule: 'reference-not-found' }),
            ),
          ),
        );
      }
    }
    // Referrers the same unit rewrites or deletes do not block a delete: their new versions are what counts (a
    // rewrite still referencing the target fails above, the target being deleted by the unit).
    const inUnit = new Set(planned.map((p) => `${unitOf[p.k]}:${ops[p.k]!.resourceType}/${ops[p.k]!.id}`));
    for (const p of planned) {
      if (p.method !== 'DELETE') continue;
      const op = ops[p.k]!;
      const referrers = (await resourceStore.referrers(tx, op.resourceType, op.id, 5 + inUnit.size)).filter((r) => !inUnit.has(`${unitOf[p.k]}:${r}`)).slice(0, 5);
      if (referrers.length > 0) {
        errors.set(p.k, conflict(`${op.resourceType}/${op.id} est référencé par ${referrers.join(', ')} : supprimez ou modifiez d'abord ces ressources`, op.resourceType));
      }
    }
    return errors;
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
      /**
       * Dry run only: `Type/id` of the resources earlier batches of the same dry run would have written. Nothing
       * was written, so references to them count as existing here, as they will in the real run.
       */
      writtenEarlierInDryRun?: ReadonlySet<string>;
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
      const candidates: { resource: Resource & { id: string }; versionId: number; created: boolean; index: number; previous: Resource | null }[] = [];
      for (const incoming of resources) {
        const key = `${incoming.resourceType}/${incoming.id}`;
        const cur = current.get(key);
        const live = cur && !cur.deleted ? cur.content : null;
        const ahead = live ? undefined : this.preparedCreates.get(incoming);
        this.preparedCreates.delete(incoming);
        const next = ahead ? ahead.next : opts.merge ? opts.merge(incoming, live) : incoming;
        if (opts.onlyIfChanged && live && sameContent(live, next)) {
          results.push({ resourceType: incoming.resourceType, id: incoming.id, outcome: 'unchanged', versionId: cur!.versionId });
          continue;
        }
        const problems = ahead ? ahead.problems : this.errorsOf(next);
        if (problems.length > 0) {
          results.push({ resourceType: incoming.resourceType, id: incoming.id, outcome: 'invalid', issues: problems });
          continue;
        }
        candidates.push({ resource: next, versionId: (cur?.versionId ?? 0) + 1, created: !live, index: results.length, previous: live });
        results.push({ resourceType: incoming.resourceType, id: incoming.id, outcome: live ? 'updated' : 'created' });
      }
      // Business identifiers held by another resource: the candidate is invalid (reported by the import).
      const dup = await this.duplicateErrors(tx, candidates.map((c, k) => ({ k, resourceType: c.resource.resourceType, id: c.resource.id, resource: c.resource })));
      for (const [k, error] of dup) {
        const c = candidates[k]!;
        results[c.index] = { resourceType: c.resource.resourceType, id: c.resource.id, outcome: 'invalid', issues: error.outcome.issue };
      }
      if (dup.size > 0) candidates.splice(0, candidates.length, ...candidates.filter((_, k) => !dup.has(k)));
      // References: to existing resources, or to resources written in this batch.
      const inBatch = new Set(candidates.map((c) => `${c.resource.resourceType}/${c.resource.id}`));
      const refsOf = candidates.map((c) =>
        extractReferences(c.resource).filter((r) => !(r.resourceType === c.resource.resourceType && r.id === c.resource.id)),
      );
      const outside = refsOf.flat().filter((r) => !inBatch.has(`${r.resourceType}/${r.id}`));
      const found = await resourceStore.existing(tx, dedupeKeys(outside));
      if (opts.dryRun && opts.writtenEarlierInDryRun) {
        for (const r of outside) if (opts.writtenEarlierInDryRun.has(`${r.resourceType}/${r.id}`)) found.add(`${r.resourceType}/${r.id}`);
      }
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
      const refsOfCandidate = new Map(candidates.map((c, k) => [c, refsOf[k]!]));
      let kept = write;
      for (;;) {
        const keys = new Set(kept.map((c) => `${c.resource.resourceType}/${c.resource.id}`));
        const next = kept.filter((c) => refsOfCandidate.get(c)!.every((r) => keys.has(`${r.resourceType}/${r.id}`) || found.has(`${r.resourceType}/${r.id}`)));
        if (next.length === kept.length) break;
        const stays = new Set(next);
        for (const c of kept) {
          if (!stays.has(c)) {
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
          previous: c.previous,
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

  /**
   * Given versions of one type as stored JSON text, in id order: what a bulk export's files hold (src/export/),
   * read here so that what will restrict reads applies to exports alike.
   */
  versionTexts(resourceType: string, keys: readonly { id: string; versionId: number }[]): Promise<{ id: string; json: string }[]> {
    return resourceStore.versionTexts(this.db, resourceType, keys);
  }

  vread(resourceType: string, id: string, versionId: number) {
    return resourceStore.readVersion(this.db, resourceType, id, versionId);
  }

  history(q: Parameters<typeof resourceStore.history>[1]) {
    return resourceStore.history(this.db, q);
  }

  /**
   * The part of `upsertBatch` that needs no database, done ahead for resources expected to be new: merge onto
   * nothing, validation and index rows. A bulk importer calls it for batch n + 1 while batch n's transaction
   * runs, so that both cores work (the database, or PGlite's worker thread, and this thread). `upsertBatch`
   * uses the result only when the resource is indeed absent, and recomputes otherwise.
   */
  prepareCreates(
    resources: readonly (Resource & { id: string })[],
    merge?: (incoming: Resource & { id: string }, current: Resource | null) => Resource & { id: string },
  ): void {
    for (const incoming of resources) {
      const next = merge ? merge(incoming, null) : incoming;
      const problems = this.errorsOf(next);
      if (problems.length === 0) this.prepareIndexes(next, next.id);
      this.preparedCreates.set(incoming, { next, problems });
    }
  }

  private readonly preparedCreates = new WeakMap<Resource, { next: Resource & { id: string }; problems: OperationOutcomeIssue[] }>();

  /** Lets indexers derive their rows now, outside the (serialised) write transaction. */
  private prepareIndexes(resource: Resource, id: string): void {
    for (const indexer of this.indexers) indexer.prepare?.(resource, id);
  }

  /** The validation issues that forbid writing (errors and fatal ones; warnings do not). */
  private errorsOf(resource: Resource): OperationOutcomeIssue[] {
    return this.problemsOf(resource).filter((p) => p.severity === 'error' || p.severity === 'fatal');
  }

  /** The profile's verdict, then the business rules of the capacity indicators (src/capacity/indicator.ts). */
  private problemsOf(resource: Resource): OperationOutcomeIssue[] {
    const problems = this.validate(resource);
    return resource.resourceType === 'Location' ? [...problems, ...capacityProblems(resource)] : problems;
  }

  /**
   * Validates a resource about to be written, and has it claim its ROR profile: `meta.profile` gets the
   * profile of its type when the writer did not state it (it was validated against it).
   */
  private check(resource: Resource): void {
    const profile = (RESOURCE_PROFILES as Record<string, string>)[resource.resourceType];
    // Only on a well-formed meta: a meta or meta.profile of the wrong JSON type is the validator's to report.
    const meta: unknown = resource.meta;
    const wellFormed = meta === undefined || (typeof meta === 'object' && meta !== null && !Array.isArray(meta) && (resource.meta!.profile === undefined || Array.isArray(resource.meta!.profile)));
    if (profile && wellFormed && !(resource.meta?.profile ?? []).includes(profile)) resource.meta = { ...(resource.meta ?? {}), profile: [...(resource.meta?.profile ?? []), profile] };
    const problems = this.problemsOf(resource);
    if (problems.some((p) => p.severity === 'error' || p.severity === 'fatal')) throw new OutcomeError(422, problems);
  }


}

/** Outcome of one resource of a batch write. */
export interface BatchResult {
  resourceType: string;
  id: string;
  outcome: 'created' | 'updated' | 'unchanged' | 'invalid';
  issues?: OperationOutcomeIssue[];
  version?: StoredVersion;
  /** Current version of an unchanged resource. */
  versionId?: number;
}

/** Both versions hold the same business identifiers (system and value), in any order. */
function sameIdentifiers(next: Resource | null, current: Resource | null): boolean {
  if (!next || !current) return false;
  const keys = (r: Resource) => extractIdentifiers(r).map((i) => `${i.s ?? ''}|${i.v}`).sort().join('\n');
  return keys(next) === keys(current);
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

/**
 * Per-unit results from per-write ones: a single write answers its own result or error; a unit of several
 * (a transaction) answers all its results, or the first error as a TransactionWriteError with its position.
 */
function gather(units: readonly WriteUnit[], results: readonly (WriteResult | Error)[]): (WriteResult[] | Error)[] {
  let k = 0;
  return units.map((u) => {
    const mine = results.slice(k, (k += u.ops.length));
    const failed = mine.findIndex((r) => r instanceof Error);
    if (failed < 0) return mine as WriteResult[];
    return u.transaction ? new TransactionWriteError(failed, mine[failed] as Error) : (mine[0] as Error);
  });
}

/** The new content is the current, live one (see WriteResult.unchanged). */
function unchanged(cur: CurrentRow | undefined, next: Resource): boolean {
  return !!cur && !cur.deleted && !!cur.content && sameContent(next, cur.content);
}

/**
 * The current version, as the answer to a write that changed nothing (`method` that of the request; `seq`, which
 * only history reads, is not read back for it: 0).
 */
function currentVersion(op: { resourceType: string; id: string }, cur: CurrentRow, method: 'PUT' | 'PATCH'): StoredVersion {
  return { resourceType: op.resourceType, id: op.id, versionId: cur.versionId, seq: 0, lastUpdated: cur.lastUpdated, deleted: false, method, content: cur.content };
}

function checkVersion(current: number | undefined, ifMatch: IfMatch | undefined, label: string, deleted = false): void {
  if (ifMatch === undefined) return;
  if (current === undefined || (ifMatch === '*' && deleted)) throw preconditionFailed(`${label} n'existe pas : If-Match ne peut pas s'appliquer`);
  if (ifMatch === '*') return;
  if (Array.isArray(ifMatch) ? !ifMatch.includes(current) : current !== ifMatch) {
    const expected = Array.isArray(ifMatch) ? `les versions ${ifMatch.join(', ')} attendues (If-Match) ne sont pas` : `la version ${ifMatch} attendue (If-Match) n'est plus`;
    throw preconditionFailed(`${label} : ${expected} la version courante (${current}). Relisez la ressource puis réappliquez votre modification.`);
  }
}

function duplicateError(resourceType: string, system: string | null, value: string, holder: string, expression: string): OutcomeError {
  return new OutcomeError(409, [
    issue('duplicate', `L'identifiant ${system ? `${system}|` : ''}${value} est déjà porté par ${resourceType}/${holder} : un identifiant métier désigne une seule ressource`, {
      expression,
      rule: 'identifier-unique',
    }),
  ]);
}
