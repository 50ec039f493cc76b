import { describe, expect, it } from 'vitest';
import type { IncidentKind } from './scenario.types.js';
import { raisedByDefaultRules, WEDNESDAY, world } from './sim.fixtures.js';

const HOUR = 3_600_000;

// Each injected incident must be caught by the default rule it is aimed at (src/alarms/default-rules.ts),
// judged by the alarm engine's own step functions on the readings the simulator would send.
const CAUGHT_BY: [IncidentKind, string[], number][] = [
  ['water_main_burst', ['default.water_main_pressure.burst'], 4],
  ['gas_leak', ['default.gas_concentration.leak'], 4],
  ['bridge_overstrain', ['default.bridge_strain.over_tension', 'default.bridge_strain.over_compression'], 4],
  ['base_station_outage', ['default.base_station_availability.outage'], 4],
  ['river_quality_breach', ['default.river_ammonia_nitrogen.breach'], 30],
  ['tunnel_waterlogging', ['default.tunnel_water_depth.waterlogged'], 4],
  ['sewer_blockage', ['default.sewer_fill_ratio.surcharged'], 4],
  ['feeder_overload', ['default.feeder_load.overload'], 4],
  ['platform_crowding', ['default.platform_passenger_density.crowded'], 4],
];

describe('injected incidents', () => {
  it.each(CAUGHT_BY)('%s raises %s', (kind, rules, hours) => {
    // Long enough for the 4-hourly river stations to read during it.
    const durationMs = kind === 'river_quality_breach' ? 24 * HOUR : 2 * HOUR;
    const w = world({
      sensors: 1500,
      incidents: [{ kind, atMs: HOUR, durationMs, county: null, township: null, count: 3 }],
    });
    const raised = raisedByDefaultRules(w, WEDNESDAY, WEDNESDAY + hours * HOUR);
    expect(w.incidents.started).toHaveLength(3);
    const hit = new Set(w.incidents.started.flatMap((i) => i.effects.map((e) => e.sensor)));
    const caught = rules.flatMap((r) => [...(raised.get(r) ?? [])]).filter((s) => hit.has(s));
    // All three incidents are caught, each on a sensor it hit.
    const incidentsCaught = w.incidents.started.filter((i) =>
      i.effects.some((e) => caught.includes(e.sensor)),
    );
    expect(incidentsCaught).toHaveLength(3);
  });

  it('lands where the scenario says', () => {
    const w = world({
      incidents: [
        {
          kind: 'water_main_burst',
          atMs: 0,
          durationMs: HOUR,
          county: '500103',
          township: '500103003',
          count: 1,
        },
      ],
    });
    w.incidents.advance(WEDNESDAY, WEDNESDAY + 60_000);
    expect(w.incidents.started[0]).toMatchObject({ county: '500103', township: '500103003', planned: true });
  });

  it('silences every sensor of a town/street during a gateway outage, and only then', () => {
    const w = world({
      incidents: [
        { kind: 'sensor_dropout', atMs: HOUR, durationMs: HOUR, county: '500109', township: null, count: 1 },
      ],
    });
    w.incidents.advance(WEDNESDAY, WEDNESDAY + 3 * HOUR);
    const [outage] = w.incidents.started;
    const silenced = outage!.effects.map((e) => e.sensor);
    expect(silenced.length).toBeGreaterThan(0);
    expect(silenced.every((i) => w.fleet.sensors[i]!.township === outage!.township)).toBe(true);
    for (const i of silenced) {
      expect(w.model.value(i, WEDNESDAY + 1.5 * HOUR)).toBeNull();
      expect(w.model.value(i, WEDNESDAY + 2.5 * HOUR)).not.toBeNull();
    }
  });

  it('draws the same background incidents for the same hours, however the time is walked', () => {
    // Per day for 20,000 sensors (this fleet has 2,000); street vending is per camera network.
    const perDay = { water_main_burst: 240, gas_leak: 240, street_vending: 24 };
    const a = world({ perDay, cameraScale: 0.01 });
    const b = world({ perDay, cameraScale: 0.01 });
    a.incidents.advance(WEDNESDAY, WEDNESDAY + 6 * HOUR);
    const end = WEDNESDAY + 6 * HOUR;
    for (let t = WEDNESDAY; t < end; t += 7 * 60_000) b.incidents.advance(t, Math.min(end, t + 7 * 60_000));
    const key = (w: typeof a) =>
      w.incidents.started.map((i) => `${i.kind}@${i.where}@${Math.round(i.startMs)}`).sort();
    expect(key(a).length).toBeGreaterThan(5);
    expect(key(b)).toEqual(key(a));
  });

  it('says why a planned incident could not happen', () => {
    const w = world({
      sensors: 100,
      incidents: [
        { kind: 'platform_crowding', atMs: 0, durationMs: HOUR, county: '500229', township: null, count: 1 },
      ],
    });
    w.incidents.advance(WEDNESDAY, WEDNESDAY + HOUR);
    expect(w.incidents.started).toHaveLength(0);
    expect(w.incidents.skipped).toEqual(['platform_crowding: no rail station in 500229']);
  });
});
