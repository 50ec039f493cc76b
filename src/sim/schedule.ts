import type { Fleet } from './fleet.js';
import { unit } from './sim-random.js';

/**
 * When each sensor reports: every `intervalSeconds` of its type, at a fixed phase (whole seconds)
 * drawn from the seed. Sensors are grouped by interval and sorted by phase, so the readings due in
 * any window are found by binary search, not by visiting every sensor.
 */
export class ReportSchedule {
  private readonly groups: { interval: number; phases: Float64Array; sensors: Int32Array }[] = [];
  /** Readings per second of simulated time, across the fleet. */
  readonly ratePerSecond: number;

  constructor(fleet: Fleet, seed: number) {
    const byInterval = new Map<number, { sensor: number; phase: number }[]>();
    let rate = 0;
    for (const s of fleet.sensors) {
      const interval = s.type.intervalSeconds * 1000;
      rate += 1000 / interval;
      const phase = Math.floor(unit(seed, s.index, 0x9a5e) * s.type.intervalSeconds) * 1000;
      const list = byInterval.get(interval) ?? [];
      list.push({ sensor: s.index, phase });
      byInterval.set(interval, list);
    }
    for (const [interval, list] of [...byInterval].sort((a, b) => a[0] - b[0])) {
      list.sort((a, b) => a.phase - b.phase || a.sensor - b.sensor);
      this.groups.push({
        interval,
        phases: Float64Array.from(list, (x) => x.phase),
        sensors: Int32Array.from(list, (x) => x.sensor),
      });
    }
    this.ratePerSecond = rate;
  }

  /** Calls `visit(sensor, t)` for every reading due in [from, to), each sensor's in time order. */
  forEach(from: number, to: number, visit: (sensor: number, t: number) => void): void {
    for (const { interval, phases, sensors } of this.groups) {
      for (let block = Math.floor(from / interval) * interval; block < to; block += interval) {
        const lo = lowerBound(phases, from - block);
        const hi = lowerBound(phases, to - block);
        for (let k = lo; k < hi; k++) visit(sensors[k]!, block + phases[k]!);
      }
    }
  }
}

function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
