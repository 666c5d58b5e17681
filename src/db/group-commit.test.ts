import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('GroupCommit', () => {
  it('batches items submitted in the same turn, and those submitted while a batch is running', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      await tick();
      return items.map((x) => x * 2);
    });
    const first = [1, 2].map((x) => gc.submit(x));
    // Submitted once the first batch has started: waits for the next one.
    const joined = new Promise<number>((resolve) => setImmediate(() => resolve(gc.submit(3))));
    await new Promise((r) => setTimeout(r, 1));
    const later = [4, 5].map((x) => gc.submit(x));
    const results = await Promise.all([...first, joined, ...later]);
    expect(results).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([[1, 2], [3, 4, 5]]);
  });

  it('fails only the items that fail', async () => {
    const gc = new GroupCommit<number, number>(async (items) => {
      await tick();
      return items.map((x) => (x % 2 ? new Error(`odd ${x}`) : x));
    });
    const settled = await Promise.allSettled([1, 2, 3, 4].map((x) => gc.submit(x)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
  });

  it('retries items one by one when a whole batch throws', async () => {
    const calls: number[][] = [];
    const gc = new GroupCommit<number, number>(async (items) => {
      calls.push(items);
      await tick();
      if (items.includes(3)) throw new Error('database error');
      return items;
    });
    const first = gc.submit(0);
    await new Promise((r) => setTimeout(r, 1));
    const settled = await Promise.allSettled([first, ...[1, 2, 3].map((x) => gc.submit(x))]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect(calls).toContainEqual([1, 2, 3]);
    expect(calls).toContainEqual([3]);
  });

  it('respects the maximum batch size', async () => {
    const sizes: number[] = [];
    const gc = new GroupCommit<number, number>(
      async (items) => {
        sizes.push(items.length);
        await tick();
        return items;
      },
      { maxBatch: 3, maxConcurrentBatches: 1 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => gc.submit(i)));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('never puts two items with the same key in one batch', async () => {
    const batches: string[][] = [];
    const gc = new GroupCommit<string, string>(
      async (items) => {
        batches.push(items);
        await tick();
        return items;
      },
      { maxBatch: 10, maxConcurrentBatches: 1, keysOf: (x) => [x.split(':')[0]!] },
    );
    await Promise.all(['a:1', 'a:2', 'b:1', 'a:3', 'c:1'].map((x) => gc.submit(x)));
    for (const b of batches) expect(new Set(b.map((x) => x.split(':')[0])).size).toBe(b.length);
    expect(batches.flat().filter((x) => x.startsWith('a:'))).toEqual(['a:1', 'a:2', 'a:3']);
  });

  it('keeps a batch under maxWeight, but always takes its first item even when heavier', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number, number>(
      async (items) => {
        batches.push(items);
        await tick();
        return items;
      },
      { maxBatch: 100, maxConcurrentBatches: 1, weightOf: (x) => x, maxWeight: 10 },
    );
    await Promise.all([12, 4, 4, 4, 1, 9].map((x) => gc.submit(x)));
    expect(batches.flat().sort((a, b) => a - b)).toEqual([1, 4, 4, 4, 9, 12]);
    for (const b of batches) if (b.length > 1) expect(b.reduce((a, c) => a + c, 0)).toBeLessThanOrEqual(10);
    expect(batches.some((b) => b.length === 1 && b[0] === 12)).toBe(true);
  });
});
