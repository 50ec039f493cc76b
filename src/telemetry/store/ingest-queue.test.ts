import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../errors.js';
import { IngestQueue } from './ingest-queue.js';
import { toColumns } from './reading-codec.js';
import type { ReadingColumns } from './reading.types.js';

const batch = (n: number): ReadingColumns =>
  toColumns(Array.from({ length: n }, (_, i) => ({ key: 1, ts: i, value: i }))).columns;

/** A commit that waits until released, recording each group's batch sizes. */
function gatedCommit() {
  const groups: number[][] = [];
  let release: () => void = () => undefined;
  const commit = vi.fn(async (batches: readonly ReadingColumns[]) => {
    groups.push(batches.map((b) => b.keys.length));
    await new Promise<void>((resolve) => (release = resolve));
    return groups.length;
  });
  return { groups, commit, release: () => release() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('IngestQueue', () => {
  it('commits batches that arrive during a commit together, in one group', async () => {
    const gate = gatedCommit();
    const queue = new IngestQueue({
      maxPending: 100,
      maxGroup: 100,
      commit: gate.commit,
      onError: () => undefined,
    });
    const first = queue.enqueue(batch(1));
    const rest = [queue.enqueue(batch(2)), queue.enqueue(batch(3))];
    await tick();
    gate.release();
    await first;
    await tick();
    gate.release();
    await Promise.all(rest);
    expect(gate.groups).toEqual([[1], [2, 3]]);
    expect(queue.pendingReadings).toBe(0);
  });

  it('refuses at once with OVERLOADED and a Retry-After hint when the bound would be passed', async () => {
    const gate = gatedCommit();
    const queue = new IngestQueue({
      maxPending: 10,
      maxGroup: 100,
      commit: gate.commit,
      onError: () => undefined,
    });
    const accepted = queue.enqueue(batch(8));
    const refused = queue.enqueue(batch(3));
    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({ code: 'OVERLOADED', status: 503 });
    const error = (await refused.catch((e: unknown) => e)) as AppError;
    expect((error.details as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(queue.pendingReadings).toBe(8);
    await tick();
    gate.release();
    await accepted;
    expect(queue.pendingReadings).toBe(0);
  });

  it('also refuses while the store says it is behind', async () => {
    const queue = new IngestQueue({
      maxPending: 10,
      maxGroup: 10,
      commit: async () => 0,
      behind: () => 4,
      onError: () => undefined,
    });
    await expect(queue.enqueue(batch(1))).rejects.toMatchObject({
      code: 'OVERLOADED',
      details: { retryAfterSeconds: 4 },
    });
  });

  it('rejects a failed group with the storage error and carries on with the next', async () => {
    let calls = 0;
    const queue = new IngestQueue({
      maxPending: 100,
      maxGroup: 1,
      commit: async () => {
        if (++calls === 1) throw new Error('disk full');
        return calls;
      },
      onError: () => undefined,
    });
    const [a, b] = [queue.enqueue(batch(1)), queue.enqueue(batch(1))];
    await expect(a).rejects.toThrow('disk full');
    await expect(b).resolves.toBeUndefined();
  });

  it('answers callers without waiting for afterCommit, which holds back only the next group', async () => {
    let release: () => void = () => undefined;
    const published: number[] = [];
    const queue = new IngestQueue({
      maxPending: 100,
      maxGroup: 100,
      commit: async (batches) => batches.length,
      afterCommit: async (n) => {
        await new Promise<void>((resolve) => (release = resolve));
        published.push(n);
      },
      onError: () => undefined,
    });
    await queue.enqueue(batch(1)); // acknowledged while afterCommit is still waiting
    const second = queue.enqueue(batch(1));
    await tick();
    expect(published).toEqual([]);
    release();
    await tick();
    release();
    await second;
    await queue.close();
    expect(published).toEqual([1, 1]);
  });

  it('reports an afterCommit failure without failing the acknowledged batch', async () => {
    const onError = vi.fn();
    const queue = new IngestQueue({
      maxPending: 100,
      maxGroup: 100,
      commit: async () => 1,
      afterCommit: async () => Promise.reject(new Error('publish failed')),
      onError,
    });
    await expect(queue.enqueue(batch(1))).resolves.toBeUndefined();
    await queue.close();
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'publish failed' }));
    await expect(queue.enqueue(batch(1))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('commits a batch enqueued while the previous drain is winding down (any microtask depth)', async () => {
    for (let depth = 0; depth < 8; depth++) {
      const queue = new IngestQueue({
        maxPending: 100,
        maxGroup: 100,
        commit: async () => 1,
        onError: () => undefined,
      });
      const second = queue.enqueue(batch(1)).then(async () => {
        for (let i = 0; i < depth; i++) await Promise.resolve();
        return queue.enqueue(batch(1));
      });
      await expect(
        Promise.race([
          second.then(() => 'committed'),
          tick()
            .then(tick)
            .then(() => 'stranded'),
        ]),
      ).resolves.toBe('committed');
      await queue.close();
      expect(queue.pendingReadings).toBe(0);
    }
  });

  it('admit tells whether a batch would fit, without enqueuing it', async () => {
    const gate = gatedCommit();
    const queue = new IngestQueue({
      maxPending: 10,
      maxGroup: 100,
      commit: gate.commit,
      onError: () => undefined,
    });
    expect(queue.admit(10)).toBeUndefined();
    const first = queue.enqueue(batch(8));
    expect(queue.admit(2)).toBeUndefined();
    expect(queue.admit(3)).toMatchObject({ code: 'OVERLOADED', details: { retryAfterSeconds: 1 } });
    expect(queue.pendingReadings).toBe(8);
    await tick();
    gate.release();
    await first;
    expect(queue.admit(10)).toBeUndefined();
  });
});
