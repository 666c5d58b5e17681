/**
 * Group commit: concurrent callers submit work items; while one batch is being written, new items wait and
 * are written together in the next batch. One transaction then carries many writes, which is what makes
 * single-resource writes fast on PGlite (one statement costs ~150 µs whatever its size) and cuts round trips
 * on PostgreSQL. Each item gets its own result or error: a failed item never fails the others.
 */
export class GroupCommit<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    /** Writes a batch; returns one result or Error per item, in order. Throwing fails the whole batch. */
    private readonly execute: (items: T[]) => Promise<(R | Error)[]>,
    private readonly opts: {
      maxBatch: number;
      maxConcurrentBatches: number;
      /** Items sharing a key never share a batch (later ones wait for the next), e.g. one resource. */
      keysOf?: (item: T) => readonly string[];
      /**
       * Size of an item (e.g. the writes of a transaction), with `maxWeight` the most a batch carries: a batch
       * stops growing before it would pass it, but always takes its first item.
       */
      weightOf?: (item: T) => number;
      maxWeight?: number;
    } = { maxBatch: 200, maxConcurrentBatches: 1 },
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Batches start on the next turn of the event loop, after pending I/O callbacks: requests that arrived
   * meanwhile join the batch. Without this, on PGlite (whose statements run synchronously, never yielding to
   * the event loop) every batch would hold a single write.
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.opts.maxConcurrentBatches && this.queue.length > 0) {
      const batch = this.takeBatch();
      this.running++;
      void this.run(batch).finally(() => {
        this.running--;
        this.schedule();
      });
    }
  }

  private takeBatch() {
    const { keysOf, weightOf, maxWeight = Infinity } = this.opts;
    if (!keysOf && !weightOf) return this.queue.splice(0, this.opts.maxBatch);
    const keys = new Set<string>();
    const batch: typeof this.queue = [];
    const rest: typeof this.queue = [];
    let weight = 0;
    for (const q of this.queue) {
      const ks = keysOf?.(q.item) ?? [];
      const w = weightOf?.(q.item) ?? 1;
      if (batch.length < this.opts.maxBatch && (batch.length === 0 || weight + w <= maxWeight) && !ks.some((k) => keys.has(k))) {
        for (const k of ks) keys.add(k);
        batch.push(q);
        weight += w;
      } else rest.push(q);
    }
    this.queue = rest;
    return batch;
  }

  private async run(batch: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[]): Promise<void> {
    let results: (R | Error)[];
    try {
      results = await this.execute(batch.map((b) => b.item));
    } catch (e) {
      if (batch.length === 1) {
        batch[0]!.reject(e);
        return;
      }
      // The batch failed as a whole (e.g. a database error): retry each item alone so only the culprit fails.
      await Promise.all(
        batch.map(async (b) => {
          try {
            const [r] = await this.execute([b.item]);
            if (r instanceof Error) b.reject(r);
            else b.resolve(r as R);
          } catch (err) {
            b.reject(err);
          }
        }),
      );
      return;
    }
    batch.forEach((b, i) => {
      const r = results[i];
      if (r instanceof Error) b.reject(r);
      else b.resolve(r as R);
    });
  }
}
