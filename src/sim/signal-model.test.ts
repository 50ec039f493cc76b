import { describe, expect, it } from 'vitest';
import { isNormal } from '../devices/sensor-types.js';
import { ofType, raisedByDefaultRules, WEDNESDAY, world } from './sim.fixtures.js';

const HOUR = 3_600_000;
const at = (hourOfDay: number, day = WEDNESDAY) => day + hourOfDay * HOUR;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('the signal model', () => {
  const w = world();

  it('is a pure function of seed, sensor and time', () => {
    const again = world();
    const other = world({ seed: 12 });
    const sample = [0, 17, 500, 1999].map((i) => [i, at(9.25) + i * 1000] as const);
    for (const [i, t] of sample) {
      expect(again.model.value(i, t)).toBe(w.model.value(i, t));
      expect(w.model.value(i, t)).toBe(w.model.value(i, t));
    }
    expect(sample.some(([i, t]) => other.model.value(i, t) !== w.model.value(i, t))).toBe(true);
  });

  it('keeps an ordinary day inside the normal ranges, but for the few sensors that run hot', () => {
    let readings = 0;
    let outside = 0;
    w.schedule.forEach(WEDNESDAY, WEDNESDAY + 24 * HOUR, (i, t) => {
      const v = w.model.value(i, t)!;
      readings++;
      if (!isNormal(w.fleet.sensors[i]!.type, v)) outside++;
    });
    expect(readings).toBeGreaterThan(1_000_000);
    expect(outside / readings).toBeLessThan(0.003);
    // And the default rules stay nearly silent: under 1 % of sensors raise anything in a day.
    const raised = raisedByDefaultRules(world(), WEDNESDAY, WEDNESDAY + 24 * HOUR);
    const sensors = new Set([...raised.values()].flatMap((s) => [...s]));
    expect(sensors.size / w.fleet.sensors.length).toBeLessThan(0.01);
  });

  it('follows the daily cycles: power load peaks in the evening, platforms at the rush hours', () => {
    const load = (h: number, day = WEDNESDAY) =>
      mean(ofType(w.fleet, 'feeder_load').map((i) => w.model.value(i, at(h, day))!));
    expect(load(20) - load(4)).toBeGreaterThan(10);
    const crowd = (h: number, day = WEDNESDAY) =>
      mean(ofType(w.fleet, 'platform_passenger_density').map((i) => w.model.value(i, at(h, day))!));
    expect(crowd(8)).toBeGreaterThan(crowd(3) + 0.5);
    // Saturday's morning rush is much weaker than Wednesday's.
    expect(crowd(8, WEDNESDAY + 3 * 24 * HOUR)).toBeLessThan(crowd(8) - 0.3);
    const pressure = (h: number) =>
      mean(ofType(w.fleet, 'water_main_pressure').map((i) => w.model.value(i, at(h))!));
    expect(pressure(7.5)).toBeLessThan(pressure(3));
  });

  it('adds noise from reading to reading and a slow drift over days', () => {
    const i = ofType(w.fleet, 'water_free_chlorine')[0]!;
    const minute = Array.from({ length: 60 }, (_, k) => w.model.value(i, at(3) + k * 300_000)!);
    expect(new Set(minute).size).toBeGreaterThan(20);
    const daily = Array.from({ length: 8 }, (_, d) =>
      mean(
        Array.from({ length: 48 }, (_, k) => w.model.value(i, WEDNESDAY + d * 24 * HOUR + k * 1_800_000)!),
      ),
    );
    expect(Math.max(...daily) - Math.min(...daily)).toBeGreaterThan(0.01);
  });

  it('drops readings: single losses and sensors silent for a while', () => {
    const lossy = world({ lost: 0.01, dropouts: 1 });
    let total = 0;
    let missing = 0;
    lossy.schedule.forEach(WEDNESDAY, WEDNESDAY + 24 * HOUR, (i, t) => {
      total++;
      if (lossy.model.value(i, t) === null) missing++;
    });
    // 1 % lost, plus one drop-out of 10–90 minutes a sensor a day (about 3.5 % of the time).
    expect(missing / total).toBeGreaterThan(0.02);
    expect(missing / total).toBeLessThan(0.08);
  });

  it('floods tunnels and surcharges drains where it pours, not elsewhere', () => {
    const rain = world({
      rain: [{ counties: ['500106', '500107'], startMs: 0, endMs: 4 * HOUR, peakMmPerHour: 80, moveMs: 0 }],
    });
    const peak = rain.origin + 2 * HOUR;
    const depth = (county: string) =>
      ofType(rain.fleet, 'tunnel_water_depth')
        .filter((i) => rain.fleet.sensors[i]!.county === county)
        .map((i) => rain.model.value(i, peak)!);
    const wet = [...depth('500106'), ...depth('500107')];
    expect(wet.length).toBeGreaterThan(0);
    expect(Math.max(...wet)).toBeGreaterThan(15);
    expect(Math.max(0, ...depth('500103'))).toBeLessThan(1);
    const fill = (t: number) =>
      mean(
        ofType(rain.fleet, 'sewer_fill_ratio')
          .filter((i) => rain.fleet.sensors[i]!.county === '500106')
          .map((i) => rain.model.value(i, t)!),
      );
    expect(fill(peak)).toBeGreaterThan(fill(rain.origin) + 30);
  });
});
