import { describe, expect, it } from 'vitest';
import { LatestValues } from './latest-values.js';
import { toColumns } from './reading-codec.js';

describe('LatestValues', () => {
  it('keeps the greatest ts per sensor; a repeated ts takes the later arrival, an older one nothing', () => {
    const latest = new LatestValues();
    latest.update(
      toColumns([
        { key: 5, ts: 100, value: 1 },
        { key: 5, ts: 100, value: 2 },
        { key: 5, ts: 50, value: 3 },
        { key: 2000, ts: 10, value: 4 },
      ]).columns,
    );
    expect(latest.get(5)).toEqual({ key: 5, ts: 100, value: 2 });
    expect(latest.get(6)).toBeUndefined();
    expect(latest.get(-1)).toBeUndefined();
    expect(latest.size).toBe(2);
    expect(latest.many([2000, 6, 5])).toEqual([
      { key: 2000, ts: 10, value: 4 },
      { key: 5, ts: 100, value: 2 },
    ]);
    expect(latest.many().map((r) => r.key)).toEqual([5, 2000]);
    const columns = latest.columns(Int32Array.of(6, 5, 2000));
    expect([Array.from(columns.keys), Array.from(columns.ts), Array.from(columns.values)]).toEqual([
      [5, 2000],
      [100, 10],
      [2, 4],
    ]);
  });
});
