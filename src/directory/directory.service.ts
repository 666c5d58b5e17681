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

function checkVersion(current: number | undefined, ifMatch: number | undefined, label: string): void {
  if (ifMatch === undefined) return;
  if (current === undefined) throw preconditionFailed(`${label} n'existe pas : If-Match ne peut pas s'appliquer`);
  if (current !== ifMatch) {
    throw preconditionFailed(`${label} : la version ${ifMatch} attendue (If-Match) n'est plus la version courante (${current}). Relisez la ressource puis réappliquez votre modification.`);
  }
}
