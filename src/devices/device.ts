import type { Level, UnitChain } from '../jurisdictions/geo.types.js';

/**
 * What every registered device has, sensor or camera: an id chosen by the city, a location and the
 * jurisdiction chain resolved from it, an owning department and free metadata.
 */
export interface DeviceRecord extends UnitChain {
  id: string;
  lon: number;
  lat: number;
  department: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** A list filter: devices whose stored chain has `code` at `level` ("anywhere below" that unit). */
export interface DeviceScope {
  level: Level;
  code: string;
}

/** The chain column a scope level filters on; a fixed map, so no caller text reaches the SQL. */
export const SCOPE_COLUMN = {
  province: 'province_code',
  prefecture: 'prefecture_code',
  county: 'county_code',
  township: 'township_code',
} as const;

/**
 * The insert or update parameters of a device in column order: id, the registry's own column
 * (sensor type, camera name), lon, lat, chain, department, metadata, created and updated.
 */
export function deviceValues(d: DeviceRecord, own: string | null): (string | number | null)[] {
  return [
    d.id,
    own,
    d.lon,
    d.lat,
    d.provinceCode,
    d.prefectureCode,
    d.countyCode,
    d.townshipCode,
    d.department,
    JSON.stringify(d.metadata),
    d.createdAt,
    d.updatedAt,
  ];
}
