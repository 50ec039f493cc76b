import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from './reading.types.js';
import {
  aggregateHour,
  combineRollups,
  minutesFromBytes,
  minutesToBytes,
  rollupPoints,
  type HourRollup,
} from './rollup.js';

const HOUR = 491_000;
const BASE = HOUR * HOUR_MS;
const readings = (pairs: [number, number][]) => ({
  ts: Float64Array.from(pairs.map(([t]) => BASE + t)),
  values: Float64Array.from(pairs.map(([, v]) => v)),
});

describe('aggregateHour', () => {
  it('rolls up per minute and for the hour; last is the value at the latest ts', () => {
    const r = aggregateHour(
      HOUR,
      readings([
        [0, 4],
        [30_000, 2],
        [MINUTE_MS + 5, 9],
      ]),
    )!;
    expect(r).toMatchObject({
      hour: HOUR,
      count: 3,
      min: 2,
      max: 9,
      sum: 15,
      last: 9,
      lastTs: BASE + MINUTE_MS + 5,
    });
    expect(rollupPoints(r, '1m', BASE, BASE + HOUR_MS)).toEqual([
      { ts: BASE, min: 2, max: 4, avg: 3, count: 2, last: 2 },
      { ts: BASE + MINUTE_MS, min: 9, max: 9, avg: 9, count: 1, last: 9 },
    ]);
    expect(rollupPoints(r, '1h', BASE + 10, BASE + 20)).toEqual([
      { ts: BASE, min: 2, max: 9, avg: 5, count: 3, last: 9 },
    ]);
    expect(rollupPoints(r, '1m', BASE + 2 * MINUTE_MS, BASE + HOUR_MS)).toEqual([]);
    expect(aggregateHour(HOUR, readings([]))).toBeUndefined();
  });
});

describe('minute records', () => {
  it('round-trip through their compact encoding: 12 bytes for a single reading, 40 otherwise', () => {
    const r = aggregateHour(
      HOUR,
      readings(
        [
          [1000, 1.25],
          [59 * MINUTE_MS + 59_999, -3],
          [59 * MINUTE_MS + 1, 7],
        ].sort((a, b) => a[0]! - b[0]!) as [number, number][],
      ),
    )!;
    const bytes = minutesToBytes(r.minutes);
    expect(bytes.byteLength).toBe(12 + 40);
    expect(Array.from(minutesFromBytes(HOUR, bytes))).toEqual(Array.from(r.minutes));
    expect(() => minutesFromBytes(HOUR, bytes.subarray(0, 20))).toThrow(/corrupt/);
  });
});

describe('combineRollups', () => {
  it('adds a newer rollup minute by minute (used once raw data has aged out)', () => {
    const older = aggregateHour(HOUR, readings([[0, 5]]))!;
    const newer = aggregateHour(
      HOUR,
      readings([
        [10, 1],
        [MINUTE_MS, 8],
      ]),
    )!;
    const both: HourRollup = combineRollups(older, newer);
    expect(both).toMatchObject({ count: 3, min: 1, max: 8, sum: 14, last: 8 });
    expect(rollupPoints(both, '1m', BASE, BASE + HOUR_MS).map((p) => [p.count, p.last])).toEqual([
      [2, 1],
      [1, 8],
    ]);
  });
});
