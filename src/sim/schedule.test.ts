import { describe, expect, it } from 'vitest';
import { CityGeo } from './city-geo.js';
import { buildFleet } from './fleet.js';
import { ReportSchedule } from './schedule.js';

const fleet = buildFleet(CityGeo.load(), { seed: 3, sensors: 1000, cameraScale: 0, prefix: 'T' });
const schedule = new ReportSchedule(fleet, 3);
const T0 = Date.UTC(2026, 6, 8, 0, 0, 0);

function collect(from: number, to: number, step: number): Map<number, number[]> {
  const seen = new Map<number, number[]>();
  for (let a = from; a < to; a += step) {
    schedule.forEach(a, Math.min(to, a + step), (sensor, t) => {
      const list = seen.get(sensor) ?? [];
      list.push(t);
      seen.set(sensor, list);
    });
  }
  return seen;
}

describe('the reporting schedule', () => {
  it("reports each sensor once per its type's interval, in time order", () => {
    const hour = collect(T0, T0 + 3_600_000, 3_600_000);
    for (const s of fleet.sensors) {
      const times = hour.get(s.index) ?? [];
      const interval = s.type.intervalSeconds * 1000;
      // Every interval divides the hour but the rivers' four hours: those report in one hour of four.
      if (interval <= 3_600_000) expect(times.length, s.id).toBe(3_600_000 / interval);
      else expect(times.length, s.id).toBeLessThanOrEqual(1);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(interval);
    }
  });

  it('gives the same readings however the time is cut into windows', () => {
    const whole = collect(T0, T0 + 1_800_000, 1_800_000);
    const pieces = collect(T0, T0 + 1_800_000, 7_777);
    expect(pieces).toEqual(whole);
  });

  it('states the fleet-wide rate', () => {
    const expected = fleet.sensors.reduce((r, s) => r + 1 / s.type.intervalSeconds, 0);
    expect(schedule.ratePerSecond).toBeCloseTo(expected, 6);
    let count = 0;
    schedule.forEach(T0, T0 + 86_400_000, () => count++);
    expect(count / 86_400).toBeCloseTo(expected, 0);
  });
});
