import { describe, expect, it } from 'vitest';
import { CityGeo } from './city-geo.js';
import { Citizens } from './citizens.js';
import { SimHttp } from './http-client.js';
import { WEDNESDAY, world } from './sim.fixtures.js';

const HOUR = 3_600_000;
const SERVICES = new Set([
  'road_damage',
  'exposed_garbage',
  'garbage_overflow',
  'illegal_parking',
  'street_vending',
  'noise_nuisance',
  'street_light',
  'manhole_cover',
  'waste_bin',
  'public_toilet',
  'tree_greenery',
  'construction_debris',
  'traffic_signal',
  'guard_rail',
  'road_sign',
  'road_waterlogging',
  'pipe_burst',
]);

function citizens(w: ReturnType<typeof world>, services = SERVICES) {
  return new Citizens(new SimHttp('http://127.0.0.1:9'), {
    key: 'unused',
    seed: w.seed,
    perHour: 30,
    geo: CityGeo.load(),
    weather: w.weather,
    incidents: w.incidents,
    services,
  });
}

describe('the citizens', () => {
  it('report through the day more than at night, about the configured number, all over the city', () => {
    const day = citizens(world()).reports(WEDNESDAY, WEDNESDAY + 24 * HOUR);
    // 30 an hour at the average hour: a few hundred a day.
    expect(day.length).toBeGreaterThan(300);
    expect(day.length).toBeLessThan(1500);
    const inHours = (a: number, b: number) =>
      day.filter((r) => r.at >= WEDNESDAY + a * HOUR && r.at < WEDNESDAY + b * HOUR).length;
    expect(inHours(10, 13)).toBeGreaterThan(3 * inHours(2, 5));
    const geo = CityGeo.load();
    expect(
      new Set(day.map((r) => geo.county(geo.locate(r.lon, r.lat)?.slice(0, 6) ?? '')?.code)).size,
    ).toBeGreaterThan(20);
  });

  it('are the same citizens for the same seed, and file only the services the server offers', () => {
    const a = citizens(world()).reports(WEDNESDAY + 9 * HOUR, WEDNESDAY + 12 * HOUR);
    const b = citizens(world()).reports(WEDNESDAY + 9 * HOUR, WEDNESDAY + 12 * HOUR);
    expect(b).toEqual(a);
    const few = citizens(world(), new Set(['road_damage'])).reports(
      WEDNESDAY + 9 * HOUR,
      WEDNESDAY + 12 * HOUR,
    );
    expect(few.length).toBeGreaterThan(0);
    expect(few.every((r) => r.category === 'road_damage')).toBe(true);
  });

  it('report standing water where it pours, and the burst main they walk past', () => {
    const w = world({
      rain: [{ counties: ['500106'], startMs: 0, endMs: 4 * HOUR, peakMmPerHour: 90, moveMs: 0 }],
      incidents: [
        {
          kind: 'water_main_burst',
          atMs: HOUR,
          durationMs: 2 * HOUR,
          county: '500103',
          township: null,
          count: 1,
        },
      ],
    });
    w.incidents.advance(WEDNESDAY, WEDNESDAY + 3 * HOUR);
    const reports = citizens(w).reports(WEDNESDAY + HOUR, WEDNESDAY + 3 * HOUR);
    const geo = CityGeo.load();
    const water = reports.filter((r) => r.category === 'road_waterlogging');
    expect(water.length).toBeGreaterThan(10);
    expect(water.every((r) => geo.locate(r.lon, r.lat)?.startsWith('500106'))).toBe(true);
    expect(reports.filter((r) => r.category === 'pipe_burst').length).toBeGreaterThan(0);
  });
});
