import { allocateColumns } from './reading-codec.js';
import type { Reading, ReadingColumns } from './reading.types.js';

/**
 * The latest reading of every sensor, in two arrays indexed by sensor key (keys are dense), so
 * "latest of 100,000 sensors" is an array walk. "Latest" is the reading with the greatest ts; a
 * repeated ts takes the later arrival, as storage does. A late reading (older ts) does not change it.
 */
export class LatestValues {
  private ts = new Float64Array(1024).fill(NaN);
  private values = new Float64Array(1024);
  private count = 0;

  /** Folds in readings, in arrival order. */
  update(columns: ReadingColumns): void {
    const { keys, ts, values } = columns;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key >= this.ts.length) this.grow(key);
      const current = this.ts[key]!;
      if (current > ts[i]!) continue;
      if (Number.isNaN(current)) this.count++;
      this.ts[key] = ts[i]!;
      this.values[key] = values[i]!;
    }
  }

  /** The latest reading of one sensor, if it has any. */
  get(key: number): Reading | undefined {
    const ts = key >= 0 && key < this.ts.length ? this.ts[key]! : NaN;
    return Number.isNaN(ts) ? undefined : { key, ts, value: this.values[key]! };
  }

  /** The latest readings of the given sensors (all sensors when omitted); sensors without data are left out. */
  many(keys?: Iterable<number>): Reading[] {
    const out: Reading[] = [];
    if (keys === undefined) {
      for (let key = 0; key < this.ts.length; key++) {
        const ts = this.ts[key]!;
        if (!Number.isNaN(ts)) out.push({ key, ts, value: this.values[key]! });
      }
      return out;
    }
    for (const key of keys) {
      const reading = this.get(key);
      if (reading) out.push(reading);
    }
    return out;
  }

  /**
   * The latest readings of the given sensors (all when omitted) as columns: no object per sensor,
   * so 100,000 sensors cost three typed arrays instead of 300,000 heap objects (and the GC pauses
   * they bring). Sensors without data are left out.
   */
  columns(keys?: ArrayLike<number>): ReadingColumns {
    const n = keys?.length ?? this.ts.length;
    const out = allocateColumns(n);
    let count = 0;
    for (let i = 0; i < n; i++) {
      const key = keys ? keys[i]! : i;
      const ts = key >= 0 && key < this.ts.length ? this.ts[key]! : NaN;
      if (Number.isNaN(ts)) continue;
      out.keys[count] = key;
      out.ts[count] = ts;
      out.values[count++] = this.values[key]!;
    }
    return count === n
      ? out
      : {
          keys: out.keys.subarray(0, count),
          ts: out.ts.subarray(0, count),
          values: out.values.subarray(0, count),
        };
  }

  /** How many sensors have a latest reading. */
  get size(): number {
    return this.count;
  }

  private grow(key: number): void {
    const size = Math.max(key + 1, 2 * this.ts.length);
    const ts = new Float64Array(size).fill(NaN);
    ts.set(this.ts);
    const values = new Float64Array(size);
    values.set(this.values);
    [this.ts, this.values] = [ts, values];
  }
}
