import { afterEach, expect, it } from 'vitest';
import { InProcessBus } from '../../platform/bus/in-process-bus.js';
import { describeContract } from '../../test-support/engines.js';
import { ReadingStore } from './reading-store.js';
import { TelemetryJobs } from './telemetry-jobs.js';
import {
  HOUR_MS,
  MINUTE_MS,
  TELEMETRY_READINGS,
  type Reading,
  type ReadingBatch,
  type Series,
} from './reading.types.js';

const T0 = Date.UTC(2026, 0, 5, 8); // an hour boundary
const DAY = 24 * HOUR_MS;

/** The values of a raw series. */
const valuesOf = (s: Series): number[] => s.points.map((p) => ('value' in p ? p.value : NaN));

/** `count` readings of one sensor, `step` ms apart from `from`, value = index unless given. */
function series(key: number, from: number, count: number, step: number, value = (i: number) => i): Reading[] {
  return Array.from({ length: count }, (_, i) => ({ key, ts: from + i * step, value: value(i) }));
}

describeContract('ReadingStore', (ctx) => {
  let now = T0 + 2 * HOUR_MS;
  const open: { store: ReadingStore; bus: InProcessBus }[] = [];
  const repository = () => ctx().repositories.readings;

  async function openStore(options: { flushReadings?: number } = {}) {
    const bus = new InProcessBus();
    const batches: ReadingBatch[] = [];
    bus.subscribe(TELEMETRY_READINGS, (m) => void batches.push(...m.events), { name: 'test' });
    const store = await ReadingStore.open({ repository: repository(), bus, clock: () => now, ...options });
    const jobs = new TelemetryJobs({ store, repository: repository(), clock: () => now });
    open.push({ store, bus });
    return { store, bus, batches, jobs };
  }

  // Leave nothing in the shared log for the next test's store to replay.
  afterEach(async () => {
    for (const { store, bus } of open.splice(0)) {
      await store.flush();
      await store.close();
      await bus.close();
    }
    now = T0 + 2 * HOUR_MS;
  });

  it('acknowledges after commit; latest, series and the bus then see the readings', async () => {
    const { store, bus, batches } = await openStore();
    const result = await store.append(series(1, T0, 3, 1000, (i) => 10 + i));
    expect(result).toEqual({ accepted: 3, rejected: [] });
    expect(store.latestOf(1)).toEqual({ key: 1, ts: T0 + 2000, value: 12 });
    const raw = await store.series(1, { from: T0, to: T0 + HOUR_MS, bucket: 'raw' });
    expect(raw.points).toEqual([
      { ts: T0, value: 10 },
      { ts: T0 + 1000, value: 11 },
      { ts: T0 + 2000, value: 12 },
    ]);
    await bus.drain();
    expect(batches.flatMap((b) => Array.from(b.keys))).toEqual([1, 1, 1]);
    expect(batches[0]!.seq).toBeGreaterThan(0);
  });

  it('keeps the last arrival of a repeated (sensor, ts) in memory, after a flush and after compaction', async () => {
    const { store, jobs } = await openStore();
    const value = async () =>
      (await store.series(2, { from: T0, to: T0, bucket: 'raw' })).points.map((p) =>
        'value' in p ? p.value : NaN,
      );
    await store.append([
      { key: 2, ts: T0, value: 1 },
      { key: 2, ts: T0, value: 2 },
    ]);
    expect(await value()).toEqual([2]);
    await store.flush();
    expect(await value()).toEqual([2]);
    await store.append([{ key: 2, ts: T0, value: 3 }]);
    expect(await value()).toEqual([3]);
    await store.flush();
    now = T0 + 3 * HOUR_MS;
    expect((await jobs.runOnce()).compacted.pairs).toBeGreaterThan(0);
    expect(await value()).toEqual([3]);
    await store.append([{ key: 2, ts: T0, value: 4 }]);
    expect(await value()).toEqual([4]);
    expect(store.latestOf(2)).toMatchObject({ ts: T0, value: 4 });
    const minute = await store.series(2, { from: T0, to: T0, bucket: '1m' });
    expect(minute.points).toEqual([{ ts: T0, min: 4, max: 4, avg: 4, count: 1, last: 4 }]);
  });

  it('rolls up per minute and per hour, the same before and after compaction', async () => {
    const { store, jobs } = await openStore();
    // Minute 0: 0..5, minute 1: 6..11 (values = index), then one reading in the next hour.
    await store.append(series(3, T0, 12, 10_000));
    await store.append([{ key: 3, ts: T0 + HOUR_MS, value: 100 }]);
    const query = async (bucket: '1m' | '1h') =>
      (await store.series(3, { from: T0, to: T0 + 2 * HOUR_MS, bucket })).points;
    const expected1m = [
      { ts: T0, min: 0, max: 5, avg: 2.5, count: 6, last: 5 },
      { ts: T0 + MINUTE_MS, min: 6, max: 11, avg: 8.5, count: 6, last: 11 },
      { ts: T0 + HOUR_MS, min: 100, max: 100, avg: 100, count: 1, last: 100 },
    ];
    const expected1h = [
      { ts: T0, min: 0, max: 11, avg: 5.5, count: 12, last: 11 },
      { ts: T0 + HOUR_MS, min: 100, max: 100, avg: 100, count: 1, last: 100 },
    ];
    expect(await query('1m')).toEqual(expected1m);
    expect(await query('1h')).toEqual(expected1h);
    await store.flush();
    now = T0 + 3 * HOUR_MS;
    await jobs.runOnce();
    expect(await query('1m')).toEqual(expected1m);
    expect(await query('1h')).toEqual(expected1h);
    // A bucket overlapping the range counts whole; one outside it does not.
    const narrow = await store.series(3, { from: T0 + 90_000, to: T0 + 100_000, bucket: '1m' });
    expect(narrow.points).toEqual([expected1m[1]]);
  });

  it('rebuilds latest values and unflushed readings after a restart', async () => {
    const first = await openStore();
    await first.store.append(series(4, T0, 5, 1000));
    await first.store.flush();
    await first.store.append([
      { key: 5, ts: T0, value: 7 },
      { key: 4, ts: T0 + 10_000, value: 99 },
    ]);
    await first.store.close(); // no flush: key 5 and the last key-4 reading live only in the log
    const { store, batches, bus } = await openStore();
    expect(store.latestOf(4)).toEqual({ key: 4, ts: T0 + 10_000, value: 99 });
    expect(store.latestOf(5)).toEqual({ key: 5, ts: T0, value: 7 });
    const raw = await store.series(4, { from: T0, to: T0 + HOUR_MS, bucket: 'raw' });
    expect(valuesOf(raw)).toEqual([0, 1, 2, 3, 4, 99]);
    await bus.drain();
    // The replayed log entry is published again: at least once across a restart.
    expect(batches.some((b) => Array.from(b.keys).includes(5))).toBe(true);
  });

  it('deletes raw data after rawDays and rollups after rollupDays; late readings join an expired hour', async () => {
    const { store, jobs } = await openStore();
    await store.append(series(6, T0, 3, 1000, () => 5));
    await store.flush();
    now = T0 + 3 * HOUR_MS;
    await jobs.runOnce();
    now = T0 + 31 * DAY;
    expect((await jobs.runOnce()).deleted).toBeGreaterThan(0);
    expect((await store.series(6, { from: T0, to: T0 + HOUR_MS, bucket: 'raw' })).points).toEqual([]);
    const hour = async () => (await store.series(6, { from: T0, to: T0, bucket: '1h' })).points;
    expect(await hour()).toEqual([{ ts: T0, min: 5, max: 5, avg: 5, count: 3, last: 5 }]);
    // A reading for that hour arriving now can only be added to the rollup (its raw data is gone).
    await store.append([{ key: 6, ts: T0 + 5000, value: 9 }]);
    const combined = [{ ts: T0, min: 5, max: 9, avg: 6, count: 4, last: 9 }];
    expect(await hour()).toEqual(combined);
    await store.flush();
    await jobs.compactDue();
    expect(await hour()).toEqual(combined);
    now = T0 + 366 * DAY;
    await new TelemetryJobs({ store, repository: repository(), clock: () => now }).runOnce();
    expect(await hour()).toEqual([]);
  });

  it('refuses a second writer while one store is open (PostgreSQL; a SQLite file has one process)', async () => {
    const { store } = await openStore();
    const second = ReadingStore.open({ repository: repository(), bus: new InProcessBus() });
    if (ctx().engine === 'postgres') {
      await expect(second).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      await store.close();
      const third = await ReadingStore.open({ repository: repository(), bus: new InProcessBus() });
      await third.close();
    } else {
      await (await second).close();
    }
  });

  it('picks the bucket for auto by range, and never raw before raw retention', async () => {
    const { store } = await openStore();
    await store.append([{ key: 7, ts: T0, value: 1 }]);
    const bucket = async (from: number, to: number) => (await store.series(7, { from, to })).bucket;
    expect(await bucket(T0, T0 + HOUR_MS)).toBe('raw');
    expect(await bucket(T0, T0 + DAY)).toBe('1m');
    expect(await bucket(T0, T0 + 7 * DAY)).toBe('1h');
    now = T0 + 40 * DAY;
    expect(await bucket(T0, T0 + HOUR_MS)).toBe('1m');
    await expect(store.series(7, { from: T0 + 1, to: T0 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('refuses invalid readings one by one and stores the rest', async () => {
    const { store } = await openStore();
    const result = await store.append([
      { key: 8, ts: T0, value: 1 },
      { key: -1, ts: T0, value: 1 },
      { key: 8, ts: T0 + 0.5, value: 1 },
      { key: 8, ts: T0 + 1000, value: Number.NaN },
      { key: 8, ts: T0 + 2000, value: 2 },
    ]);
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((r) => r.index)).toEqual([1, 2, 3]);
    const points = (await store.series(8, { from: T0, to: T0 + HOUR_MS, bucket: 'raw' })).points;
    expect(points).toEqual([
      { ts: T0, value: 1 },
      { ts: T0 + 2000, value: 2 },
    ]);
  });

  it('spreads a sensor over hours and merges pieces from several flushes into one chunk per hour', async () => {
    const { store, jobs } = await openStore({ flushReadings: 50 });
    // Compact what earlier tests left, so the counts below are this test's alone.
    now = T0 + 5 * DAY;
    await jobs.compactDue();
    const start = T0 + 10 * DAY;
    const readings = series(9, start, 240, 30_000); // two hours, 240 readings
    for (let i = 0; i < readings.length; i += 40) await store.append(readings.slice(i, i + 40));
    await store.flush();
    const all = async () =>
      valuesOf(await store.series(9, { from: start, to: start + 2 * HOUR_MS, bucket: 'raw' }));
    const expected = readings.map((r) => r.value);
    expect(await all()).toEqual(expected);
    now = start + 3 * HOUR_MS;
    const round = await jobs.runOnce();
    expect(round.compacted).toEqual({ pairs: 2, readings: 240 });
    expect(await all()).toEqual(expected);
    expect((await jobs.compactDue()).pairs).toBe(0);
  });
});
