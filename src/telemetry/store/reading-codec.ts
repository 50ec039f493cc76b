import { HOUR_MS, MAX_SENSOR_KEY, type Reading, type ReadingColumns } from './reading.types.js';

/** A reading the engine refused, by its index in the caller's array. */
export interface RejectedReading {
  index: number;
  reason: string;
}

/** Readings sorted by ts, one per ts (what chunks and merges hold). */
export interface SortedReadings {
  ts: Float64Array;
  values: Float64Array;
}

function rejection(reading: Reading | undefined): string | undefined {
  if (typeof reading !== 'object' || reading === null) return 'not a reading';
  const { key, ts, value } = reading;
  if (!Number.isInteger(key) || key < 0 || key > MAX_SENSOR_KEY) {
    return `key must be a whole number from 0 to ${MAX_SENSOR_KEY}`;
  }
  if (!Number.isInteger(ts) || ts < 0 || ts > 8.64e15) return 'ts must be whole epoch milliseconds';
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'value must be a finite number';
  return undefined;
}

/** Copies valid readings into columns (their own buffer); invalid ones are listed, not thrown. */
export function toColumns(readings: readonly Reading[]): {
  columns: ReadingColumns;
  rejected: RejectedReading[];
} {
  const columns = allocateColumns(readings.length);
  const rejected: RejectedReading[] = [];
  let n = 0;
  for (let i = 0; i < readings.length; i++) {
    const reading = readings[i];
    const reason = rejection(reading);
    if (reason !== undefined || reading === undefined) {
      rejected.push({ index: i, reason: reason ?? 'not a reading' });
      continue;
    }
    columns.keys[n] = reading.key;
    columns.ts[n] = reading.ts;
    columns.values[n] = reading.value;
    n++;
  }
  return { columns: n === readings.length ? columns : sliceColumns(columns, n), rejected };
}

/**
 * Columns over one buffer laid out as the ingest log stores them: ts (f64 × n), values (f64 × n),
 * keys (i32 × n). 20 bytes a reading; the f64 arrays come first so every view is aligned.
 */
export function allocateColumns(
  n: number,
  buffer: ArrayBufferLike = new ArrayBuffer(20 * n),
  byteOffset = 0,
): ReadingColumns {
  return {
    ts: new Float64Array(buffer, byteOffset, n),
    values: new Float64Array(buffer, byteOffset + 8 * n, n),
    keys: new Int32Array(buffer, byteOffset + 16 * n, n),
  };
}

function sliceColumns(columns: ReadingColumns, n: number): ReadingColumns {
  const out = allocateColumns(n);
  out.ts.set(columns.ts.subarray(0, n));
  out.values.set(columns.values.subarray(0, n));
  out.keys.set(columns.keys.subarray(0, n));
  return out;
}

/**
 * Concatenates batches into one log-layout buffer: the bytes to commit and columns viewing them.
 * The buffer is a SharedArrayBuffer, so handing it to the writer thread costs no copy.
 */
export function concatColumns(parts: readonly ReadingColumns[]): {
  bytes: Uint8Array;
  columns: ReadingColumns;
} {
  let n = 0;
  for (const part of parts) n += part.keys.length;
  const columns = allocateColumns(n, new SharedArrayBuffer(20 * n));
  let at = 0;
  for (const part of parts) {
    columns.ts.set(part.ts, at);
    columns.values.set(part.values, at);
    columns.keys.set(part.keys, at);
    at += part.keys.length;
  }
  return { bytes: new Uint8Array(columns.ts.buffer), columns };
}

/** Reads a log entry back into columns (copying only if the bytes are not 8-byte aligned). */
export function columnsFromBytes(bytes: Uint8Array): ReadingColumns {
  if (bytes.byteLength % 20 !== 0) throw new Error(`corrupt ingest log entry (${bytes.byteLength} bytes)`);
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  return allocateColumns(aligned.byteLength / 20, aligned.buffer, aligned.byteOffset);
}

/**
 * Encodes sorted readings of one sensor and one hour as a chunk: values (f64 × n), then each ts as
 * milliseconds into the hour (i32 × n). 12 bytes a reading.
 */
export function encodeChunk(
  hour: number,
  ts: ArrayLike<number>,
  values: ArrayLike<number>,
  from = 0,
  to = ts.length,
  out = new Uint8Array(12 * (to - from)),
): Uint8Array {
  const n = to - from;
  if (out.byteOffset % 8 !== 0) throw new Error('chunk output must be 8-byte aligned');
  const v = new Float64Array(out.buffer, out.byteOffset, n);
  const t = new Int32Array(out.buffer, out.byteOffset + 8 * n, n);
  const base = hour * HOUR_MS;
  for (let i = 0; i < n; i++) {
    v[i] = values[from + i]!;
    t[i] = ts[from + i]! - base;
  }
  return out;
}

/** Decodes a chunk of `hour` into absolute timestamps and values. */
export function decodeChunk(hour: number, bytes: Uint8Array): SortedReadings {
  if (bytes.byteLength % 12 !== 0) throw new Error(`corrupt telemetry chunk (${bytes.byteLength} bytes)`);
  const n = bytes.byteLength / 12;
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const values = new Float64Array(aligned.buffer, aligned.byteOffset, n).slice();
  const offsets = new Int32Array(aligned.buffer, aligned.byteOffset + 8 * n, n);
  const ts = new Float64Array(n);
  const base = hour * HOUR_MS;
  for (let i = 0; i < n; i++) ts[i] = base + offsets[i]!;
  return { ts, values };
}
