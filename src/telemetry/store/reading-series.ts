import { mergeHour, rollupHour } from './compaction.js';
import type { SortedReadings } from './reading-codec.js';
import type { SensorSlice, StoredChunk } from './reading.repository.js';
import { HOUR_MS, type Bucket, type RawPoint, type RollupPoint } from './reading.types.js';
import { rollupPoints, type HourRollup } from './rollup.js';

/** Ranges up to this long are answered raw by `bucket=auto` (while raw data is still kept). */
export const AUTO_RAW_MAX_MS = HOUR_MS;
/** Ranges up to this long are answered at 1-minute buckets by `bucket=auto`; longer ones at 1 hour. */
export const AUTO_MINUTE_MAX_MS = 2 * 24 * HOUR_MS;

/**
 * The bucket `auto` stands for: raw up to an hour (a few hundred to a few thousand points at usual
 * sensor rates) unless the range starts before raw retention, 1-minute up to two days (≤ 2,880
 * points), 1-hour beyond.
 */
export function autoBucket(from: number, to: number, rawKeptSince: number): Bucket {
  const span = to - from;
  if (span <= AUTO_RAW_MAX_MS && from >= rawKeptSince) return 'raw';
  return span <= AUTO_MINUTE_MAX_MS ? '1m' : '1h';
}

/** Splits sorted readings by hour. */
export function byHour(readings: SortedReadings): Map<number, SortedReadings> {
  const out = new Map<number, SortedReadings>();
  const { ts, values } = readings;
  for (let from = 0; from < ts.length;) {
    const hour = Math.floor(ts[from]! / HOUR_MS);
    let to = from + 1;
    while (to < ts.length && ts[to]! < (hour + 1) * HOUR_MS) to++;
    out.set(hour, { ts: ts.subarray(from, to), values: values.subarray(from, to) });
    from = to;
  }
  return out;
}

function groupByHour(chunks: readonly StoredChunk[]): Map<number, StoredChunk[]> {
  const out = new Map<number, StoredChunk[]>();
  for (const c of chunks) {
    const list = out.get(c.hour);
    if (list) list.push(c);
    else out.set(c.hour, [c]);
  }
  return out;
}

/** Raw points in [from, to] from stored data and unflushed readings, at most `limit`. */
export function rawPoints(
  slice: SensorSlice,
  memory: SortedReadings,
  from: number,
  to: number,
  limit: number,
): { points: RawPoint[]; truncated: boolean } {
  const chunks = new Map(slice.chunks.map((c) => [c.hour, c]));
  const pieces = groupByHour(slice.pieces);
  const inMemory = byHour(memory);
  const hours = [...new Set([...chunks.keys(), ...pieces.keys(), ...inMemory.keys()])].sort((a, b) => a - b);
  const points: RawPoint[] = [];
  for (const hour of hours) {
    const { ts, values } = mergeHour(chunks.get(hour), pieces.get(hour) ?? [], inMemory.get(hour));
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (t < from || t > to) continue;
      if (points.length === limit) return { points, truncated: true };
      points.push({ ts: t, value: values[i]! });
    }
  }
  return { points, truncated: false };
}

/**
 * Rollup points for buckets overlapping [from, to]. An hour with nothing newer than its rollup row
 * is read from the row; an hour with pieces or unflushed readings is rolled up from its raw data.
 */
export function rollupSeries(
  slice: SensorSlice,
  memory: SortedReadings,
  bucket: '1m' | '1h',
  from: number,
  to: number,
): RollupPoint[] {
  const chunks = new Map(slice.chunks.map((c) => [c.hour, c]));
  const pieces = groupByHour(slice.pieces);
  const stored = new Map(slice.rollups.map((r) => [r.hour, r]));
  const inMemory = byHour(memory);
  const hours = [...new Set([...stored.keys(), ...pieces.keys(), ...inMemory.keys()])].sort((a, b) => a - b);
  const points: RollupPoint[] = [];
  for (const hour of hours) {
    const fresh = pieces.has(hour) || inMemory.has(hour);
    const rollup: HourRollup | undefined = fresh
      ? rollupHour(hour, chunks.get(hour), pieces.get(hour) ?? [], stored.get(hour), inMemory.get(hour))
      : stored.get(hour);
    if (rollup) points.push(...rollupPoints(rollup, bucket, from, to));
  }
  return points;
}
