import type { SortedReadings } from './reading-codec.js';
import { HOUR_MS, MINUTE_MS, type RollupPoint } from './reading.types.js';

/** min, max, sum, count and the last value (with its ts) of some readings. */
export interface Aggregate {
  count: number;
  min: number;
  max: number;
  sum: number;
  last: number;
  lastTs: number;
}

/**
 * One sensor's rollups for one hour: the hour's aggregate and, in `minutes`, one record of
 * MINUTE_FIELDS numbers per minute that has data ([minute 0–59, count, min, max, sum, last, lastTs]),
 * minutes ascending. Stored as one row per sensor-hour so a year of 1-minute rollups is 8,760 rows
 * per sensor, not 525,600.
 */
export interface HourRollup extends Aggregate {
  hour: number;
  minutes: Float64Array;
}

/** Numbers per minute record in HourRollup.minutes. */
export const MINUTE_FIELDS = 7;

/** Rolls sorted, duplicate-free readings of one hour up into the hour and its minutes. */
export function aggregateHour(hour: number, readings: SortedReadings): HourRollup | undefined {
  const { ts, values } = readings;
  if (ts.length === 0) return undefined;
  const base = hour * HOUR_MS;
  const minutes: number[] = [];
  let current = -1;
  let at = -1;
  for (let i = 0; i < ts.length; i++) {
    const minute = Math.floor((ts[i]! - base) / MINUTE_MS);
    const value = values[i]!;
    if (minute !== current) {
      current = minute;
      at = minutes.length;
      minutes.push(minute, 1, value, value, value, value, ts[i]!);
      continue;
    }
    minutes[at + 1]! += 1;
    if (value < minutes[at + 2]!) minutes[at + 2] = value;
    if (value > minutes[at + 3]!) minutes[at + 3] = value;
    minutes[at + 4]! += value;
    minutes[at + 5] = value;
    minutes[at + 6] = ts[i]!;
  }
  return { hour, ...summarise(minutes), minutes: Float64Array.from(minutes) };
}

function summarise(minutes: ArrayLike<number>): Aggregate {
  const total: Aggregate = { count: 0, min: Infinity, max: -Infinity, sum: 0, last: NaN, lastTs: -Infinity };
  for (let at = 0; at < minutes.length; at += MINUTE_FIELDS) {
    total.count += minutes[at + 1]!;
    total.min = Math.min(total.min, minutes[at + 2]!);
    total.max = Math.max(total.max, minutes[at + 3]!);
    total.sum += minutes[at + 4]!;
    if (minutes[at + 6]! >= total.lastTs) [total.last, total.lastTs] = [minutes[at + 5]!, minutes[at + 6]!];
  }
  return total;
}

/**
 * Adds newer readings' rollup to an older one minute by minute. Used only where the raw readings
 * behind `older` are gone (past raw retention), so a re-sent (sensor, ts) there is counted twice:
 * without the raw data there is nothing to de-duplicate against.
 */
export function combineRollups(older: HourRollup, newer: HourRollup): HourRollup {
  const out: number[] = [];
  const a = older.minutes;
  const b = newer.minutes;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) {
      out.push(...a.subarray(i, i + MINUTE_FIELDS));
      i += MINUTE_FIELDS;
    } else if (i >= a.length || b[j]! < a[i]!) {
      out.push(...b.subarray(j, j + MINUTE_FIELDS));
      j += MINUTE_FIELDS;
    } else {
      const newerLast = b[j + 6]! >= a[i + 6]!;
      out.push(
        a[i]!,
        a[i + 1]! + b[j + 1]!,
        Math.min(a[i + 2]!, b[j + 2]!),
        Math.max(a[i + 3]!, b[j + 3]!),
        a[i + 4]! + b[j + 4]!,
        newerLast ? b[j + 5]! : a[i + 5]!,
        newerLast ? b[j + 6]! : a[i + 6]!,
      );
      i += MINUTE_FIELDS;
      j += MINUTE_FIELDS;
    }
  }
  return { hour: older.hour, ...summarise(out), minutes: Float64Array.from(out) };
}

/**
 * The minute records as bytes for storage, compactly: per minute a 4-byte header (minute, a flag
 * for "one reading", the last reading's ms into the minute as u16), then for one reading just its
 * value (12 bytes in all), otherwise the count (u32) and last, min, max, sum (40 bytes). Sensors
 * reporting about once a minute, the common case, so cost 12 bytes a minute instead of 56.
 */
export function minutesToBytes(minutes: Float64Array): Uint8Array {
  let size = 0;
  for (let at = 0; at < minutes.length; at += MINUTE_FIELDS) size += minutes[at + 1] === 1 ? 12 : 40;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let o = 0;
  for (let at = 0; at < minutes.length; at += MINUTE_FIELDS) {
    const single = minutes[at + 1] === 1;
    view.setUint8(o, minutes[at]!);
    view.setUint8(o + 1, single ? 1 : 0);
    view.setUint16(o + 2, minutes[at + 6]! % MINUTE_MS, true);
    if (single) {
      view.setFloat64(o + 4, minutes[at + 5]!, true);
      o += 12;
      continue;
    }
    view.setUint32(o + 4, minutes[at + 1]!, true);
    view.setFloat64(o + 8, minutes[at + 5]!, true);
    view.setFloat64(o + 16, minutes[at + 2]!, true);
    view.setFloat64(o + 24, minutes[at + 3]!, true);
    view.setFloat64(o + 32, minutes[at + 4]!, true);
    o += 40;
  }
  return out;
}

/** Minute records of `hour` back from stored bytes. */
export function minutesFromBytes(hour: number, bytes: Uint8Array): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let o = 0; o < bytes.byteLength;) {
    if (o + 12 > bytes.byteLength) throw new Error('corrupt minute rollups');
    const minute = view.getUint8(o);
    const lastTs = hour * HOUR_MS + minute * MINUTE_MS + view.getUint16(o + 2, true);
    if (view.getUint8(o + 1) === 1) {
      const value = view.getFloat64(o + 4, true);
      out.push(minute, 1, value, value, value, value, lastTs);
      o += 12;
      continue;
    }
    if (o + 40 > bytes.byteLength) throw new Error('corrupt minute rollups');
    const count = view.getUint32(o + 4, true);
    const [last, min, max, sum] = [8, 16, 24, 32].map((d) => view.getFloat64(o + d, true)) as [
      number,
      number,
      number,
      number,
    ];
    out.push(minute, count, min, max, sum, last, lastTs);
    o += 40;
  }
  return Float64Array.from(out);
}

/** The series points of one hour rollup at the given bucket, limited to buckets overlapping [from, to]. */
export function rollupPoints(
  rollup: HourRollup,
  bucket: '1m' | '1h',
  from: number,
  to: number,
): RollupPoint[] {
  const base = rollup.hour * HOUR_MS;
  if (bucket === '1h') {
    if (base > to || base + HOUR_MS <= from) return [];
    return [point(base, rollup)];
  }
  const points: RollupPoint[] = [];
  const m = rollup.minutes;
  for (let at = 0; at < m.length; at += MINUTE_FIELDS) {
    const start = base + m[at]! * MINUTE_MS;
    if (start > to || start + MINUTE_MS <= from) continue;
    points.push(
      point(start, {
        count: m[at + 1]!,
        min: m[at + 2]!,
        max: m[at + 3]!,
        sum: m[at + 4]!,
        last: m[at + 5]!,
      }),
    );
  }
  return points;
}

function point(ts: number, a: Omit<Aggregate, 'lastTs'>): RollupPoint {
  return { ts, min: a.min, max: a.max, avg: a.sum / a.count, count: a.count, last: a.last };
}
