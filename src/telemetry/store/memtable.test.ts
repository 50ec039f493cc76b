import { describe, expect, it } from 'vitest';
import { MemTable } from './memtable.js';
import { decodeChunk, toColumns } from './reading-codec.js';
import { HOUR_MS, type Reading } from './reading.types.js';

const T0 = Date.UTC(2026, 0, 5, 8);
const columns = (readings: Reading[]) => toColumns(readings).columns;

describe('MemTable', () => {
  it('answers one sensor sorted, last arrival winning, within a ts range', () => {
    const table = new MemTable();
    table.append(
      columns([
        { key: 3, ts: T0 + 2, value: 1 },
        { key: 4, ts: T0, value: 9 },
      ]),
      1,
    );
    table.append(
      columns([
        { key: 3, ts: T0, value: 2 },
        { key: 3, ts: T0 + 2, value: 3 },
      ]),
      2,
    );
    const r = table.readingsOf(3);
    expect(Array.from(r.ts)).toEqual([T0, T0 + 2]);
    expect(Array.from(r.values)).toEqual([2, 3]);
    expect(Array.from(table.readingsOf(3, T0 + 1, T0 + 5).values)).toEqual([3]);
    expect(table.readingsOf(99).ts.length).toBe(0);
    expect([table.size, table.firstLogId, table.lastLogId]).toEqual([4, 1, 2]);
  });

  it('encodes one piece per sensor and hour, in slices, each decodable on its own', () => {
    const table = new MemTable(4);
    const readings: Reading[] = [];
    for (let key = 0; key < 5; key++) {
      readings.push(
        { key, ts: T0 - 1, value: key },
        { key, ts: T0, value: 10 + key },
        { key, ts: T0, value: 20 + key },
      );
    }
    table.append(columns(readings), 7);
    const slices = [...table.pieces(3)];
    expect(slices.map((s) => s.keys.length)).toEqual([3, 3, 3, 1]);
    const pieces = slices.flatMap((s) =>
      Array.from(s.keys, (key, i) => ({
        key,
        hour: s.hours[i]!,
        seq: s.seq,
        last: [s.lastTs[i], s.last[i]],
        ...decodeChunk(s.hours[i]!, s.data.subarray(s.offsets[i], s.offsets[i]! + s.lengths[i]!)),
      })),
    );
    const hour = Math.floor(T0 / HOUR_MS);
    expect(pieces.filter((p) => p.key === 2)).toEqual([
      {
        key: 2,
        hour: hour - 1,
        seq: 7,
        last: [T0 - 1, 2],
        ts: Float64Array.of(T0 - 1),
        values: Float64Array.of(2),
      },
      { key: 2, hour, seq: 7, last: [T0, 22], ts: Float64Array.of(T0), values: Float64Array.of(22) },
    ]);
    expect(slices.reduce((n, s) => n + s.readings, 0)).toBe(10);
  });
});
