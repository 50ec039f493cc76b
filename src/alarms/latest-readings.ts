/**
 * The latest value, reading time and arrival time per sensor key: what composite rules compare
 * and what offline rules count silence from. Typed arrays indexed by the dense sensor key keep the
 * hot loop free of map lookups and allocation.
 */
export class LatestReadings {
  value = new Float64Array(1024);
  ts = new Float64Array(1024).fill(Number.NaN);
  arrival = new Float64Array(1024).fill(Number.NaN);

  /** Notes one reading; a late one (older than the latest seen) keeps the latest time. */
  record(key: number, t: number, value: number, now: number): void {
    if (key >= this.value.length) this.grow(key);
    this.value[key] = value;
    if (!(t <= this.ts[key]!)) this.ts[key] = t;
    this.arrival[key] = now;
  }

  /** Milliseconds since the sensor was last heard from; one never heard from counts from `now`. */
  silentFor(key: number, now: number): number {
    if (key >= this.arrival.length) this.grow(key);
    // A sensor never heard from counts from when the engine first saw it registered.
    if (Number.isNaN(this.arrival[key]!)) this.arrival[key] = now;
    return now - this.arrival[key]!;
  }

  private grow(key: number): void {
    let size = this.value.length;
    while (size <= key) size *= 2;
    const grow = (old: Float64Array, fill: number): Float64Array<ArrayBuffer> => {
      const next = new Float64Array(size).fill(fill);
      next.set(old);
      return next;
    };
    this.value = grow(this.value, 0);
    this.ts = grow(this.ts, Number.NaN);
    this.arrival = grow(this.arrival, Number.NaN);
  }
}
