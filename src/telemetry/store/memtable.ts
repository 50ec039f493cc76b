import { encodeChunk } from './reading-codec.js';
import type { SortedReadings } from './reading-codec.js';
import { lastPerTs } from './reading-merge.js';
import { HOUR_MS, type ReadingColumns } from './reading.types.js';

/**
 * One slice of a flush: per (sensor, hour) one "piece", a chunk of that sensor's readings in that
 * hour (sorted, one per ts, the last arrival kept). A slice's pieces share one buffer, so it is one
 * transfer to a worker thread or one bytea parameter for PostgreSQL.
 */
export interface EncodedPieces {
  /** Newer pieces win over older ones on the same ts: the last log id the flush covers. */
  seq: number;
  keys: Int32Array;
  hours: Int32Array;
  /** Each piece's newest reading. */
  lastTs: Float64Array;
  last: Float64Array;
  /** Piece i is data[offsets[i] .. offsets[i] + lengths[i]). */
  offsets: Int32Array;
  lengths: Int32Array;
  data: Uint8Array;
  readings: number;
}

const NONE = -1;

/**
 * Committed readings not yet flushed to per-sensor pieces, held in memory so that queries and the
 * flush can go sensor by sensor: each sensor's readings are a linked list in arrival order. The
 * same readings are in the durable ingest log, which rebuilds this table after a restart.
 */
export class MemTable {
  size = 0;
  /** The first and last ingest log ids whose readings are in here (0 while empty). */
  firstLogId = 0;
  lastLogId = 0;
  private ts: Float64Array;
  private values: Float64Array;
  private next: Int32Array;
  private head: Int32Array = new Int32Array(1024).fill(NONE);
  private tail: Int32Array = new Int32Array(1024).fill(NONE);
  private maxKey = -1;

  constructor(capacity = 1024) {
    this.ts = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.next = new Int32Array(capacity);
  }

  /** Adds one committed log entry's readings. */
  append(columns: ReadingColumns, logId: number): void {
    const n = columns.keys.length;
    this.reserve(this.size + n);
    if (this.firstLogId === 0) this.firstLogId = logId;
    this.lastLogId = logId;
    for (let i = 0; i < n; i++) {
      const key = columns.keys[i]!;
      if (key >= this.head.length) this.growKeys(key);
      if (key > this.maxKey) this.maxKey = key;
      const at = this.size++;
      this.ts[at] = columns.ts[i]!;
      this.values[at] = columns.values[i]!;
      this.next[at] = NONE;
      const last = this.tail[key]!;
      if (last === NONE) this.head[key] = at;
      else this.next[last] = at;
      this.tail[key] = at;
    }
  }

  /** One sensor's readings with from ≤ ts ≤ to, sorted, the last arrival kept on a repeated ts. */
  readingsOf(key: number, from = -Infinity, to = Infinity): SortedReadings {
    const ts: number[] = [];
    const values: number[] = [];
    for (let at = key < this.head.length ? this.head[key]! : NONE; at !== NONE; at = this.next[at]!) {
      const t = this.ts[at]!;
      if (t < from || t > to) continue;
      ts.push(t);
      values.push(this.values[at]!);
    }
    return lastPerTs(Float64Array.from(ts), Float64Array.from(values));
  }

  /**
   * Encodes everything as pieces, one per (sensor, hour), in slices of at most `perSlice` pieces,
   * sensor by sensor. Lazy, so a flush holds one slice at a time; call it only once the table no
   * longer takes appends.
   */
  *pieces(perSlice: number): Generator<EncodedPieces> {
    let slice = new SliceBuilder(perSlice, this.lastLogId);
    let scratchTs: Float64Array = new Float64Array(64);
    let scratchValues: Float64Array = new Float64Array(64);
    for (let key = 0; key <= this.maxKey; key++) {
      let m = 0;
      for (let at = this.head[key]!; at !== NONE; at = this.next[at]!) {
        if (m === scratchTs.length) {
          [scratchTs, scratchValues] = [grow(scratchTs, 2 * m), grow(scratchValues, 2 * m)];
        }
        scratchTs[m] = this.ts[at]!;
        scratchValues[m++] = this.values[at]!;
      }
      if (m === 0) continue;
      const sorted = lastPerTs(scratchTs.subarray(0, m), scratchValues.subarray(0, m));
      // Split the sensor's sorted readings at hour boundaries: one piece per hour.
      for (let from = 0; from < sorted.ts.length;) {
        const hour = Math.floor(sorted.ts[from]! / HOUR_MS);
        let to = from + 1;
        while (to < sorted.ts.length && sorted.ts[to]! < (hour + 1) * HOUR_MS) to++;
        if (slice.full) {
          yield slice.finish();
          slice = new SliceBuilder(perSlice, this.lastLogId);
        }
        slice.add(key, hour, sorted, from, to);
        from = to;
      }
    }
    if (slice.count > 0) yield slice.finish();
  }

  private reserve(capacity: number): void {
    if (capacity <= this.ts.length) return;
    const size = Math.max(capacity, 2 * this.ts.length);
    this.ts = grow(this.ts, size);
    this.values = grow(this.values, size);
    const next = new Int32Array(size);
    next.set(this.next);
    this.next = next;
  }

  private growKeys(key: number): void {
    const size = Math.max(key + 1, 2 * this.head.length);
    for (const name of ['head', 'tail'] as const) {
      const bigger = new Int32Array(size).fill(NONE);
      bigger.set(this[name]);
      this[name] = bigger;
    }
  }
}

/** Accumulates one slice of pieces. */
class SliceBuilder {
  count = 0;
  private bytes = 0;
  private readings = 0;
  private readonly keys: Int32Array;
  private readonly hours: Int32Array;
  private readonly lastTs: Float64Array;
  private readonly last: Float64Array;
  private readonly offsets: Int32Array;
  private readonly lengths: Int32Array;
  private data = new Uint8Array(64 * 1024);

  constructor(
    private readonly capacity: number,
    private readonly seq: number,
  ) {
    this.keys = new Int32Array(capacity);
    this.hours = new Int32Array(capacity);
    this.lastTs = new Float64Array(capacity);
    this.last = new Float64Array(capacity);
    this.offsets = new Int32Array(capacity);
    this.lengths = new Int32Array(capacity);
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  add(key: number, hour: number, sorted: SortedReadings, from: number, to: number): void {
    // Pieces start 8-byte aligned (12·n may not be a multiple of 8), so they decode without copying.
    const start = Math.ceil(this.bytes / 8) * 8;
    const length = 12 * (to - from);
    if (start + length > this.data.length) {
      const bigger = new Uint8Array(Math.max(2 * this.data.length, start + length));
      bigger.set(this.data.subarray(0, this.bytes));
      this.data = bigger;
    }
    encodeChunk(hour, sorted.ts, sorted.values, from, to, this.data.subarray(start, start + length));
    const i = this.count++;
    this.keys[i] = key;
    this.hours[i] = hour;
    this.lastTs[i] = sorted.ts[to - 1]!;
    this.last[i] = sorted.values[to - 1]!;
    this.offsets[i] = start;
    this.lengths[i] = length;
    this.bytes = start + length;
    this.readings += to - from;
  }

  finish(): EncodedPieces {
    const n = this.count;
    return {
      seq: this.seq,
      keys: this.keys.subarray(0, n),
      hours: this.hours.subarray(0, n),
      lastTs: this.lastTs.subarray(0, n),
      last: this.last.subarray(0, n),
      offsets: this.offsets.subarray(0, n),
      lengths: this.lengths.subarray(0, n),
      data: this.data.subarray(0, this.bytes),
      readings: this.readings,
    };
  }
}

function grow(array: Float64Array, size: number): Float64Array {
  const bigger = new Float64Array(size);
  bigger.set(array);
  return bigger;
}
