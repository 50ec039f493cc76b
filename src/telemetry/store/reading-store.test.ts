import { afterEach, describe, expect, it } from 'vitest';
import { InProcessBus } from '../../platform/bus/in-process-bus.js';
import { migrate } from '../../platform/db/migrate.js';
import { openSqlite } from '../../platform/db/sqlite.js';
import { MIGRATIONS } from '../../storage.js';
import { SqliteReadingRepository } from './reading.repository.sqlite.js';
import type { ReadingRepository } from './reading.repository.js';
import { ReadingStore, type ReadingStoreOptions } from './reading-store.js';
import { TelemetryJobs } from './telemetry-jobs.js';
import { HOUR_MS, TELEMETRY_READINGS, type Reading, type ReadingBatch } from './reading.types.js';

const T0 = Date.UTC(2026, 0, 5, 8);
const readings = (key: number, n: number, from = T0): Reading[] =>
  Array.from({ length: n }, (_, i) => ({ key, ts: from + i, value: i }));
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A gate: `wait()` resolves once `open()` is called. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { wait: () => opened, open: () => open() };
}

/** An in-memory repository with some methods replaced. */
async function repository(overrides: (inner: ReadingRepository) => Partial<ReadingRepository> = () => ({})) {
  const database = openSqlite(':memory:');
  await migrate(database, MIGRATIONS);
  const inner = new SqliteReadingRepository(database);
  const methods = [
    'claimWriter',
    'appendLog',
    'readLog',
    'writePieces',
    'dropLog',
    'hasPieces',
    'dueForCompaction',
    'compact',
    'readSensor',
    'latestStored',
    'deleteBefore',
  ] as const;
  const repo = Object.fromEntries(
    methods.map((m) => [m, inner[m].bind(inner)]),
  ) as unknown as ReadingRepository;
  return { repo: Object.assign(repo, overrides(inner)), close: () => database.close() };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function open(repo: ReadingRepository, options: Partial<ReadingStoreOptions> = {}) {
  const bus = new InProcessBus();
  const published: ReadingBatch[] = [];
  bus.subscribe(TELEMETRY_READINGS, (m) => void published.push(...m.events), { name: 'test' });
  const store = await ReadingStore.open({ repository: repo, bus, onError: () => undefined, ...options });
  cleanup.push(async () => {
    await store.close();
    await bus.close();
  });
  return { store, bus, published };
}

describe('ReadingStore', () => {
  it('publishes and shows readings only after their commit, never before', async () => {
    const commit = gate();
    const { repo, close } = await repository((inner) => ({
      appendLog: async (bytes) => {
        await commit.wait();
        return inner.appendLog(bytes);
      },
    }));
    cleanup.push(close);
    const { store, bus, published } = await open(repo);
    let acked = false;
    const append = store.append(readings(1, 3)).then(() => (acked = true));
    await tick();
    await bus.drain();
    expect([acked, published.length, store.latestOf(1)]).toEqual([false, 0, undefined]);
    commit.open();
    await append;
    await bus.drain();
    expect(published.map((b) => b.keys.length)).toEqual([3]);
    expect(store.latestOf(1)).toMatchObject({ ts: T0 + 2 });
  });

  it('answers OVERLOADED beyond maxPending instead of queueing, and takes work again once drained', async () => {
    const commit = gate();
    const { repo, close } = await repository((inner) => ({
      appendLog: async (bytes) => {
        await commit.wait();
        return inner.appendLog(bytes);
      },
    }));
    cleanup.push(close);
    const { store } = await open(repo, { maxPending: 1000 });
    const accepted = [store.append(readings(1, 600)), store.append(readings(2, 400))];
    await expect(store.append(readings(3, 1))).rejects.toMatchObject({
      code: 'OVERLOADED',
      details: { retryAfterSeconds: expect.any(Number) as unknown },
    });
    expect(store.stats().pendingReadings).toBe(1000);
    commit.open();
    await Promise.all(accepted);
    await expect(store.append(readings(3, 1))).resolves.toMatchObject({ accepted: 1 });
  });

  it('answers OVERLOADED once flushing is a whole flush behind, and retries a failed flush', async () => {
    let failures = 1;
    const flush = gate();
    const { repo, close } = await repository((inner) => ({
      writePieces: async (pieces) => {
        await flush.wait();
        if (failures-- > 0) throw new Error('disk full');
        return inner.writePieces(pieces);
      },
    }));
    cleanup.push(close);
    const { store } = await open(repo, { flushReadings: 10 });
    await store.append(readings(1, 10)); // starts a flush, which waits
    await store.append(readings(1, 20, T0 + 100)); // now two flushes' worth wait in memory
    await expect(store.append(readings(1, 1, T0 + 200))).rejects.toMatchObject({ code: 'OVERLOADED' });
    // Readings waiting for a flush are still answered.
    expect((await store.series(1, { from: T0, to: T0 + 1000, bucket: 'raw' })).points).toHaveLength(30);
    flush.open();
    await expect(store.flush()).resolves.toBeUndefined(); // the first attempt failed; this one retried
    expect(store.stats().unflushedReadings).toBe(0);
    expect((await store.series(1, { from: T0, to: T0 + 1000, bucket: 'raw' })).points).toHaveLength(30);
    await expect(store.append(readings(1, 1, T0 + 200))).resolves.toMatchObject({ accepted: 1 });
  });

  it('answers OVERLOADED while the latest due hour waits for compaction, and recovers after it', async () => {
    const compaction = gate();
    const { repo, close } = await repository((inner) => ({
      compact: async (...args) => {
        await compaction.wait();
        return inner.compact(...args);
      },
    }));
    cleanup.push(close);
    let now = T0;
    const { store } = await open(repo, { clock: () => now });
    const jobs = new TelemetryJobs({ store, repository: repo, clock: () => now, maxCompactionLagMs: 0 });
    await store.append(readings(1, 5));
    await store.flush();
    now = T0 + 2 * HOUR_MS; // the readings' hour is now due
    const compacting = jobs.compactDue();
    await tick();
    await expect(store.append(readings(2, 1, now))).rejects.toMatchObject({
      code: 'OVERLOADED',
      details: { retryAfterSeconds: 2 },
    });
    compaction.open();
    expect((await compacting).readings).toBe(5);
    await expect(store.append(readings(2, 1, now))).resolves.toMatchObject({ accepted: 1 });
  });

  it('returns latest values as columns for many sensors at once', async () => {
    const { repo, close } = await repository();
    cleanup.push(close);
    const { store } = await open(repo);
    await store.append([...readings(1, 2), ...readings(3, 1)]);
    const columns = store.latestColumns(Int32Array.of(1, 2, 3));
    expect(Array.from(columns.keys)).toEqual([1, 3]);
    expect(Array.from(columns.ts)).toEqual([T0 + 1, T0]);
    expect(store.latest().map((r) => r.key)).toEqual([1, 3]);
  });
});
