import { beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING, type Visibility } from '../jurisdictions/visibility.js';
import { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import { shippedGeoData } from '../jurisdictions/jurisdiction.service.js';
import type { Reading } from './store/reading.types.js';
import type { RegisteredSensor } from '../devices/sensor-index.js';
import { sensorType } from '../devices/sensor-types.js';
import { vitals } from './vitals.js';

const NOW = Date.parse('2026-11-25T08:00:00Z');
let tree: JurisdictionTree;
beforeAll(() => {
  tree = JurisdictionTree.build(shippedGeoData().divisions);
});

let nextKey = 0;
function sensor(type: string, township: string): RegisteredSensor {
  return {
    id: `S${++nextKey}`,
    key: nextKey,
    type: sensorType(type)!,
    lon: 0,
    lat: 0,
    provinceCode: '50',
    prefectureCode: null,
    countyCode: township.slice(0, 6),
    townshipCode: township,
  };
}

describe('vitals', () => {
  // Tunnel water depth: normal ≤ some cm; 200 cm is far outside any normal range.
  const depth1 = sensor('tunnel_water_depth', '500103001');
  const depth2 = sensor('tunnel_water_depth', '500103003');
  const depthStale = sensor('tunnel_water_depth', '500103001');
  const beibeiGas = sensor('gas_concentration', '500109001');
  const latest = new Map<number, Reading>([
    [depth1.key, { key: depth1.key, ts: NOW - 10_000, value: 2 }],
    [depth2.key, { key: depth2.key, ts: NOW - 10_000, value: 200 }],
    [depthStale.key, { key: depthStale.key, ts: NOW - 24 * 3_600_000, value: 1 }],
    [beibeiGas.key, { key: beibeiGas.key, ts: NOW - 5_000, value: 1 }],
  ]);
  const sources = {
    sensors: () => [depth1, depth2, depthStale, beibeiGas],
    latest: (key: number) => latest.get(key),
    tree: () => tree,
    clock: () => NOW,
  };

  it('summarises a district per domain: online, offline, normal share, figures', () => {
    const result = vitals(sources, '500103', EVERYTHING);
    expect(result.scope).toEqual({ code: '500103', name: '渝中区', level: 'county' });
    expect(result.domains).toHaveLength(1);
    const tunnels = result.domains[0]!;
    expect(tunnels).toMatchObject({ domain: 'tunnel', sensors: 3, online: 2, offline: 1, normalShare: 0.5 });
    expect(tunnels.figures).toEqual([
      expect.objectContaining({
        type: 'tunnel_water_depth',
        unit: 'cm',
        reporting: 2,
        min: 2,
        max: 200,
        avg: 101,
      }),
    ]);
    const first = result.units.find((u) => u.code === '500103001');
    expect(first).toMatchObject({ sensors: 2, online: 1, abnormal: 0 });
    expect(result.units.find((u) => u.code === '500103003')).toMatchObject({
      sensors: 1,
      online: 1,
      abnormal: 1,
    });
  });

  it('the city sees every district, counted by district', () => {
    const result = vitals(sources, '50', EVERYTHING);
    expect(result.domains.map((d) => d.domain)).toEqual(['gas', 'tunnel']);
    expect(result.units.find((u) => u.code === '500109')).toMatchObject({ sensors: 1, online: 1 });
    expect(result.units).toHaveLength(38);
  });

  it('a 北碚区 caller sees only 北碚区, even when asking for the city, and not 渝中区 at all', () => {
    const beibei: Visibility = { root: '500109', contains: (c) => !!c && tree.isWithin(c, '500109') };
    const result = vitals(sources, '50', beibei);
    expect(result.scope.code).toBe('500109');
    expect(result.domains.map((d) => d.domain)).toEqual(['gas']);
    expect(() => vitals(sources, '500103', beibei)).toThrow(
      expect.objectContaining({ code: 'JURISDICTION_NOT_FOUND' }),
    );
  });
});
