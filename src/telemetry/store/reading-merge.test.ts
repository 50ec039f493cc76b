import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SortedReadings } from './reading-codec.js';
import { lastPerTs, mergeSorted } from './reading-merge.js';

const sorted = (pairs: [number, number][]): SortedReadings => ({
  ts: Float64Array.from(pairs.map((p) => p[0])),
  values: Float64Array.from(pairs.map((p) => p[1])),
});
const pairs = (r: SortedReadings): [number, number][] => Array.from(r.ts, (t, i) => [t, r.values[i]!]);

describe('lastPerTs', () => {
  it('sorts by ts and keeps the last arrival of a repeated ts', () => {
    const r = lastPerTs(Float64Array.from([3, 1, 3, 2, 1]), Float64Array.from([30, 10, 31, 20, 11]));
    expect(pairs(r)).toEqual([
      [1, 11],
      [2, 20],
      [3, 31],
    ]);
  });
});

describe('mergeSorted', () => {
  it('lets a later source win on the same ts, and concatenates disjoint sources', () => {
    const older = sorted([
      [1, 1],
      [2, 2],
    ]);
    const newer = sorted([
      [2, 20],
      [3, 30],
    ]);
    expect(pairs(mergeSorted([older, newer]))).toEqual([
      [1, 1],
      [2, 20],
      [3, 30],
    ]);
    expect(pairs(mergeSorted([sorted([[5, 5]]), sorted([[1, 1]])]))).toEqual([
      [1, 1],
      [5, 5],
    ]);
  });

  it('equals "apply sources in order, last write wins" for any input', () => {
    const source = fc
      .uniqueArray(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer()), {
        maxLength: 20,
        selector: (p) => p[0],
      })
      .map((list) => sorted(list.sort((a, b) => a[0] - b[0])));
    fc.assert(
      fc.property(fc.array(source, { maxLength: 5 }), (sources) => {
        const expected = new Map<number, number>();
        for (const s of sources) for (const [t, v] of pairs(s)) expected.set(t, v);
        const want = [...expected].sort((a, b) => a[0] - b[0]);
        expect(pairs(mergeSorted(sources))).toEqual(want);
      }),
    );
  });
});
