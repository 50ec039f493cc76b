import type { CustomUnit, StoredBoundary } from '../jurisdictions/jurisdiction.repository.js';

/** A custom unit with sensible defaults; override what the test is about. */
export function buildCustomUnit(overrides: Partial<CustomUnit> = {}): CustomUnit {
  return {
    code: 'LJXQ',
    name: '两江新区',
    level: 'county',
    parent: '50',
    takesOver: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A square boundary around (lon, lat) with the given half-size in degrees. */
export function buildBoundary(
  overrides: Partial<StoredBoundary> & { lon?: number; lat?: number; half?: number } = {},
): StoredBoundary {
  const { lon = 106.5, lat = 29.5, half = 0.01, ...rest } = overrides;
  const ring = [
    [lon - half, lat - half],
    [lon + half, lat - half],
    [lon + half, lat + half],
    [lon - half, lat + half],
    [lon - half, lat - half],
  ];
  return {
    code: '500103001',
    polygons: [[ring]],
    source: 'test.geojson',
    importedAt: '2026-01-02T00:00:00.000Z',
    ...rest,
  };
}
