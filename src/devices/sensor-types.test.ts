import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import {
  isMeasurable,
  isNormal,
  isSensorDomain,
  SENSOR_DOMAINS,
  SENSOR_TYPES,
  SensorTypeSchema,
  sensorType,
  typesOfDomain,
} from './sensor-types.js';

const must = (code: string) => {
  const type = sensorType(code);
  if (!type) throw new Error(`no type ${code}`);
  return type;
};

describe('sensor type catalog', () => {
  it('has the ten domains with zh-CN names', () => {
    expect(SENSOR_DOMAINS.map((d) => d.name)).toEqual([
      '供水',
      '排水与管网',
      '电力',
      '燃气',
      '通信',
      '桥梁',
      '隧道',
      '轨道交通',
      '加氢站',
      '跨界河流水质',
    ]);
  });

  it('every type matches the schema, has a unique code and a consistent range', () => {
    expect(SENSOR_TYPES.length).toBeGreaterThanOrEqual(20);
    expect(new Set(SENSOR_TYPES.map((t) => t.code)).size).toBe(SENSOR_TYPES.length);
    for (const type of SENSOR_TYPES) {
      expect(Value.Check(SensorTypeSchema, type), type.code).toBe(true);
      const { normal, measurable } = type;
      expect(normal.min !== null || normal.max !== null, type.code).toBe(true);
      expect(measurable.min, type.code).toBeLessThan(measurable.max);
      for (const bound of [normal.min, normal.max]) {
        if (bound !== null) expect(isMeasurable(type, bound), `${type.code} ${bound}`).toBe(true);
      }
      if (normal.min !== null && normal.max !== null) expect(normal.min).toBeLessThan(normal.max);
    }
  });

  it('every domain has at least two types', () => {
    for (const domain of SENSOR_DOMAINS) expect(typesOfDomain(domain.code).length).toBeGreaterThanOrEqual(2);
  });

  // Codes are stored with every sensor: a rename or removal must be a deliberate, reviewed change.
  it('keeps its codes (never renamed, never removed)', () => {
    expect(SENSOR_TYPES.map((t) => t.code)).toEqual(
      expect.arrayContaining([
        'water_main_pressure',
        'road_waterlogging_depth',
        'feeder_load',
        'gas_concentration',
        'base_station_availability',
        'bridge_strain',
        'bridge_deflection',
        'tunnel_water_depth',
        'platform_passenger_density',
        'h2_storage_pressure',
        'river_dissolved_oxygen',
        'river_ammonia_nitrogen',
      ]),
    );
  });

  it('uses the real-world units and standards the issue names', () => {
    expect(must('water_main_pressure')).toMatchObject({ unit: 'MPa', normal: { min: 0.28, max: 0.5 } });
    expect(must('tunnel_water_depth').unit).toBe('cm');
    expect(must('bridge_strain').unit).toBe('µε');
    expect(must('bridge_deflection').unit).toBe('mm');
    expect(must('gas_concentration')).toMatchObject({ unit: '%LEL', normal: { max: 25 } });
    expect(must('platform_passenger_density').unit).toBe('persons/m²');
    // GB 3838-2002 class III.
    expect(must('river_dissolved_oxygen')).toMatchObject({ unit: 'mg/L', normal: { min: 5, max: null } });
    expect(must('river_ammonia_nitrogen')).toMatchObject({ unit: 'mg/L', normal: { min: null, max: 1 } });
    expect(must('h2_storage_pressure').unit).toBe('MPa');
  });

  it('is read-only', () => {
    expect(() => {
      (SENSOR_TYPES as unknown as unknown[]).push({});
    }).toThrow();
    expect(Object.isFrozen(must('feeder_load'))).toBe(true);
  });
});

describe('range helpers', () => {
  it('isNormal treats bounds as inclusive and null as unbounded', () => {
    const oxygen = must('river_dissolved_oxygen');
    expect(isNormal(oxygen, 5)).toBe(true);
    expect(isNormal(oxygen, 4.99)).toBe(false);
    expect(isNormal(oxygen, 14)).toBe(true);
    const pressure = must('water_main_pressure');
    expect([0.27, 0.28, 0.5, 0.51].map((v) => isNormal(pressure, v))).toEqual([false, true, true, false]);
  });

  it('isMeasurable rejects NaN, infinities and values no instrument reads', () => {
    const ph = must('river_ph');
    expect([7, 0, 14].every((v) => isMeasurable(ph, v))).toBe(true);
    expect([Number.NaN, Infinity, -1, 15].some((v) => isMeasurable(ph, v))).toBe(false);
  });

  it('knows domains and unknown codes', () => {
    expect(isSensorDomain('tunnel')).toBe(true);
    expect(isSensorDomain('weather')).toBe(false);
    expect(sensorType('nope')).toBeUndefined();
  });
});
