import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnsFromBytes, concatColumns, decodeChunk, encodeChunk, toColumns } from './reading-codec.js';
import { HOUR_MS, MAX_SENSOR_KEY, type Reading } from './reading.types.js';

const T0 = Date.UTC(2026, 0, 5, 8);

describe('toColumns', () => {
  it('keeps valid readings in order and lists each invalid one with its index', () => {
    const readings = [
      { key: 1, ts: T0, value: 1.5 },
      { key: MAX_SENSOR_KEY + 1, ts: T0, value: 1 },
      { key: 2, ts: -1, value: 1 },
      { key: 3, ts: T0, value: Infinity },
      null as unknown as Reading,
      { key: 4, ts: T0 + 1, value: -2 },
    ];
    const { columns, rejected } = toColumns(readings);
    expect(Array.from(columns.keys)).toEqual([1, 4]);
    expect(Array.from(columns.ts)).toEqual([T0, T0 + 1]);
    expect(Array.from(columns.values)).toEqual([1.5, -2]);
    expect(rejected.map((r) => r.index)).toEqual([1, 2, 3, 4]);
    expect(rejected[0]!.reason).toMatch(/key/);
  });
});

describe('log entries', () => {
  it('round-trip through bytes, also from an unaligned buffer', () => {
    const a = toColumns([{ key: 1, ts: T0, value: 1 }]).columns;
    const b = toColumns([
      { key: 2, ts: T0 + 5, value: 2 },
      { key: 3, ts: T0 + 6, value: 3 },
    ]).columns;
    const { bytes, columns } = concatColumns([a, b]);
    expect(Array.from(columns.keys)).toEqual([1, 2, 3]);
    const unaligned = new Uint8Array(bytes.byteLength + 1).subarray(1);
    unaligned.set(bytes);
    const back = columnsFromBytes(unaligned);
    expect(Array.from(back.ts)).toEqual([T0, T0 + 5, T0 + 6]);
    expect(Array.from(back.values)).toEqual([1, 2, 3]);
    expect(() => columnsFromBytes(new Uint8Array(19))).toThrow(/corrupt/);
  });
});

describe('chunks', () => {
  it('round-trip any sorted readings of one hour, 12 bytes each', () => {
    const hour = Math.floor(T0 / HOUR_MS);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: HOUR_MS - 1 }), { maxLength: 200 }),
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 200, maxLength: 200 }),
        (offsets, values) => {
          const ts = Float64Array.from(offsets.sort((x, y) => x - y).map((o) => hour * HOUR_MS + o));
          const v = Float64Array.from(values.slice(0, ts.length));
          const bytes = encodeChunk(hour, ts, v);
          expect(bytes.byteLength).toBe(12 * ts.length);
          const back = decodeChunk(hour, bytes);
          expect(Array.from(back.ts)).toEqual(Array.from(ts));
          expect(Array.from(back.values)).toEqual(Array.from(v));
        },
      ),
    );
  });
});
