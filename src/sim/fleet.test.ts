import { describe, expect, it } from 'vitest';
import { SENSOR_ID_PATTERN } from '../devices/sensor.schema.js';
import { SENSOR_TYPES } from '../devices/sensor-types.js';
import { CityGeo, URBAN_CORE } from './city-geo.js';
import { buildFleet, sensorCounts } from './fleet.js';
import { profileOf, SIGNAL_PROFILES } from './signal-profiles.js';

const geo = CityGeo.load();
const fleet = buildFleet(geo, { seed: 7, sensors: 20_000, cameraScale: 0.02, prefix: 'SIM' });

describe('the simulated fleet', () => {
  it('knows all of Chongqing: 38 counties and 1,031 towns/streets with boundaries', () => {
    expect(geo.counties).toHaveLength(38);
    expect(geo.townships).toHaveLength(1031);
  });

  it('has a behaviour for every built-in sensor type, and sensors of all 32 of them', () => {
    expect(SIGNAL_PROFILES.map((p) => p.type).sort()).toEqual(SENSOR_TYPES.map((t) => t.code).sort());
    expect(new Set(fleet.sensors.map((s) => s.type.code)).size).toBe(32);
    for (const t of SENSOR_TYPES) expect(profileOf(t.code), t.code).toBeDefined();
  });

  it('has exactly the number of sensors asked for, down to the smallest fleet', () => {
    expect(fleet.sensors).toHaveLength(20_000);
    for (const n of [100, 777, 100_000]) {
      const counts = sensorCounts(n);
      const perAsset = (kind: string) =>
        SIGNAL_PROFILES.filter((p) => p.asset === kind).reduce((s, p) => s + p.share, 0);
      const total =
        [...counts.single.values()].reduce((a, b) => a + b, 0) +
        [...counts.assets].reduce((a, [kind, count]) => a + count * perAsset(kind), 0);
      expect(total, `${n} sensors`).toBe(n);
    }
  });

  it('gives every sensor and camera a unique id the registry accepts', () => {
    const pattern = new RegExp(SENSOR_ID_PATTERN);
    const ids = [...fleet.sensors.map((s) => s.id), ...fleet.cameras.map((c) => c.id)];
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => pattern.test(id))).toBe(true);
  });

  it('places every device inside the town/street it was drawn for, as the server will locate it', () => {
    expect(fleet.sensors.filter((s) => geo.locate(s.lon, s.lat) !== s.township)).toEqual([]);
    expect(fleet.cameras.filter((c) => geo.locate(c.lon, c.lat) !== c.township)).toEqual([]);
  });

  it('is denser in the nine districts of the urban core, and puts metro stations only there', () => {
    const core = fleet.sensors.filter((s) => URBAN_CORE.includes(s.county)).length / fleet.sensors.length;
    // Nine of 38 counties hold about half the sensors.
    expect(core).toBeGreaterThan(0.4);
    const stations = fleet.assets.filter((a) => a.kind === 'station');
    expect(stations.length).toBeGreaterThan(50);
    expect(stations.every((a) => URBAN_CORE.includes(a.county))).toBe(true);
  });

  it('sets river sections at the cross-boundary rivers and groups sensors on their structures', () => {
    const sections = fleet.assets.filter((a) => a.kind === 'river_section');
    expect(sections.every((a) => /跨界断面/.test(a.name))).toBe(true);
    const bridge = fleet.assets.find((a) => a.kind === 'bridge')!;
    expect(bridge.sensors.map((i) => fleet.sensors[i]!.type.code).sort()).toEqual([
      'bridge_deflection',
      'bridge_deflection',
      'bridge_strain',
      'bridge_strain',
      'bridge_strain',
      'bridge_wind_speed',
    ]);
  });

  it('scales the cameras: 北碚区 has about 7,400 at full scale', () => {
    const beibei = fleet.cameras.filter((c) => c.county === '500109').length;
    expect(beibei).toBe(Math.round(7400 * 0.02));
  });

  it('is the same fleet for the same seed, and another for another seed', () => {
    const again = buildFleet(geo, { seed: 7, sensors: 20_000, cameraScale: 0.02, prefix: 'SIM' });
    expect(again.sensors.map((s) => [s.id, s.lon, s.lat])).toEqual(
      fleet.sensors.map((s) => [s.id, s.lon, s.lat]),
    );
    const other = buildFleet(geo, { seed: 8, sensors: 20_000, cameraScale: 0.02, prefix: 'SIM' });
    expect(other.sensors[0]!.lon).not.toBe(fleet.sensors[0]!.lon);
  });
});
