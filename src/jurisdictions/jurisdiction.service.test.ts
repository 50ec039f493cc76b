import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStorage } from '../test-support/app.js';
import type { Storage } from '../storage.js';
import { JurisdictionService, shippedGeoData } from './jurisdiction.service.js';
import { SpatialIndex } from './spatial-index.js';

let storage: Storage;
let service: JurisdictionService;
const clock = () => new Date('2026-03-01T08:00:00.000Z');
beforeEach(async () => {
  storage = await memoryStorage();
  service = await JurisdictionService.create({ repository: storage.repositories.jurisdictions, clock });
});
afterEach(async () => storage.database.close());

const JIEFANGBEI = { lon: 106.5775, lat: 29.5576 };

describe('functional zones', () => {
  it('a zone takes over townships: lookups, lists and chains follow, and it survives a restart', async () => {
    const township = service.lookup(JIEFANGBEI.lon, JIEFANGBEI.lat).township!;
    await service.addCustomUnit({
      code: 'YZZONE',
      name: '解放碑功能区',
      level: 'county',
      parent: '50',
      takesOver: [township.code],
    });
    const after = service.lookup(JIEFANGBEI.lon, JIEFANGBEI.lat);
    expect(after.county).toEqual({ code: 'YZZONE', name: '解放碑功能区', level: 'county' });
    expect(after.township?.code).toBe(township.code);
    expect(service.list({ level: 'county', parent: '50', limit: 100, offset: 0 }).total).toBe(39);
    expect(service.list({ level: 'township', parent: '50', limit: 5000, offset: 0 }).total).toBe(1031);
    expect(service.get('YZZONE')).toMatchObject({
      kind: 'custom',
      children: 1,
      descendants: { township: 1 },
    });
    expect(service.unit(township.code)).toMatchObject({ parent: 'YZZONE', officialParent: '500103' });
    // The zone's outline is its townships' polygons.
    const zoneFeature = service
      .geojson({ level: 'county', parent: '50' })
      .features.find((f) => f.id === 'YZZONE');
    expect(zoneFeature?.properties.approximate).toBe(true);

    const restarted = await JurisdictionService.create({ repository: storage.repositories.jurisdictions });
    expect(restarted.lookup(JIEFANGBEI.lon, JIEFANGBEI.lat).county?.code).toBe('YZZONE');

    await restarted.removeCustomUnit('YZZONE');
    expect(restarted.lookup(JIEFANGBEI.lon, JIEFANGBEI.lat).county?.code).toBe('500103');
  });

  it('refuses to remove an official unit', async () => {
    await expect(service.removeCustomUnit('500103')).rejects.toMatchObject({ code: 'INVALID_JURISDICTION' });
  });
});

describe('boundary import', () => {
  it('replaces an approximate township boundary with a real one and moves lookups accordingly', async () => {
    // Claim a small square around 解放碑 for a neighbouring township of the same district.
    const before = service.lookup(JIEFANGBEI.lon, JIEFANGBEI.lat).township!.code;
    const other = service
      .list({ level: 'township', parent: '500103', limit: 100, offset: 0 })
      .items.find((t) => t.code !== before)!;
    const d = 0.002;
    const { lon, lat } = JIEFANGBEI;
    const file = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { code: other.code },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [lon - d, lat - d],
                [lon + d, lat - d],
                [lon + d, lat + d],
                [lon - d, lat + d],
                [lon - d, lat - d],
              ],
            ],
          },
        },
        { type: 'Feature', properties: { code: 'nope' }, geometry: { type: 'Polygon', coordinates: [] } },
      ],
    };
    const report = await service.importBoundaries(file, 'survey.geojson');
    expect(report.imported).toBe(1);
    expect(report.rejected).toEqual([expect.objectContaining({ index: 1, error: 'JURISDICTION_NOT_FOUND' })]);
    const after = service.lookup(lon, lat);
    expect(after.township?.code).toBe(other.code);
    expect(after.approximate).toBe(false);
    expect(service.unit(other.code).boundary).toEqual({ approximate: false, imported: true });
    const stored = await storage.repositories.jurisdictions.listBoundaries();
    expect(stored).toEqual([
      expect.objectContaining({
        code: other.code,
        source: 'survey.geojson',
        importedAt: clock().toISOString(),
      }),
    ]);
  });
});

describe('lookup in the slivers between published district outlines', () => {
  it('snaps a point in a gap between 开州区 and 万州区 to the nearest township, marked approximate', () => {
    // Found by sampling: inside Chongqing's outline but in no district polygon of the echarts data.
    const towns = [...shippedGeoData().boundaries.values()].filter((b) => b.code.length === 9);
    expect(SpatialIndex.build(towns).lookup(108.093497, 30.883178)).toBeNull();
    const result = service.lookup(108.093497, 30.883178);
    expect(['500154', '500101']).toContain(result.county?.code);
    expect(result.approximate).toBe(true);
    expect(service.locate(108.093497, 30.883178)).toBe(result.township?.code);
  });

  it('does not snap across real distances: Beijing stays outside', () => {
    expect(() => service.lookup(116.397, 39.909)).toThrow(
      expect.objectContaining({ code: 'OUTSIDE_JURISDICTION' }),
    );
    expect(service.locate(116.397, 39.909)).toBeNull();
  });
});
