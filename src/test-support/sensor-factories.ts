import type { RegisteredSensor } from '../devices/sensor-index.js';
import { sensorType } from '../devices/sensor-types.js';
import type { NewSensorRecord } from '../devices/sensor.repository.js';
import type { SensorCreate } from '../devices/sensor.schema.js';

/** Real places inside Chongqing (WGS84) that tests put sensors at. */
export const PLACES = {
  /** 解放碑, 渝中区 500103. */
  jiefangbei: { lon: 106.5775, lat: 29.5576 },
  /** 江北国际机场, 渝北区 500112. */
  airport: { lon: 106.6417, lat: 29.7195 },
  /** 万州城区, 万州区 500101. */
  wanzhou: { lon: 108.408, lat: 30.807 },
  /** 天安门, Beijing: outside every jurisdiction cityops knows. */
  beijing: { lon: 116.397, lat: 39.909 },
} as const;

/** A stored sensor row (as repositories take it) with sensible defaults; override what the test is about. */
export function buildSensorRecord(overrides: Partial<NewSensorRecord> = {}): NewSensorRecord {
  return {
    id: 'CQ-TEST-0001',
    type: 'water_main_pressure',
    lon: PLACES.jiefangbei.lon,
    lat: PLACES.jiefangbei.lat,
    provinceCode: '50',
    prefectureCode: null,
    countyCode: '500103',
    townshipCode: '500103001',
    department: '重庆水务集团',
    metadata: { site: '解放碑' },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** An API create body (as POST /sensors and imports take it); override what the test is about. */
export function buildSensorInput(overrides: Partial<SensorCreate> = {}): SensorCreate {
  return {
    id: 'CQ-TEST-0001',
    type: 'water_main_pressure',
    lon: PLACES.jiefangbei.lon,
    lat: PLACES.jiefangbei.lat,
    department: '重庆水务集团',
    metadata: { site: '解放碑' },
    ...overrides,
  };
}

/** A sensor as the in-memory registry holds it (what ingest resolves), in a county's first township. */
export function buildRegisteredSensor(
  id: string,
  key: number,
  county: string,
  type = 'water_main_pressure',
): RegisteredSensor {
  return {
    id,
    key,
    type: sensorType(type)!,
    lon: 106.5,
    lat: 29.5,
    provinceCode: '50',
    prefectureCode: null,
    countyCode: county,
    townshipCode: `${county}001`,
  };
}
