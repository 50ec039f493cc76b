import { describe, expect, it } from 'vitest';
import { buildSensorRecord } from '../test-support/sensor-factories.js';
import { SensorIndex } from './sensor-index.js';

const row = (id: string, key: number, type = 'water_main_pressure') => ({
  ...buildSensorRecord({ id, type }),
  key,
});

describe('SensorIndex', () => {
  it('resolves by id and by key to the same frozen entry carrying the type', () => {
    const index = SensorIndex.of([row('A', 1), row('B', 7, 'tunnel_co')]);
    const b = index.get('B');
    expect(b).toMatchObject({ key: 7, countyCode: '500103', type: { code: 'tunnel_co', unit: 'ppm' } });
    expect(index.getKey(7)).toBe(b);
    expect(Object.isFrozen(b)).toBe(true);
    expect(index.getKey(3)).toBeUndefined();
    expect(index.size).toBe(2);
  });

  it('replaces an entry on set and forgets both ways on delete', () => {
    const index = SensorIndex.of([row('A', 1)]);
    const before = index.get('A');
    index.set({ ...row('A', 1), countyCode: '500112' });
    expect(index.get('A')?.countyCode).toBe('500112');
    expect(before?.countyCode).toBe('500103');
    index.delete('A');
    index.delete('A');
    expect(index.get('A')).toBeUndefined();
    expect(index.getKey(1)).toBeUndefined();
    expect(index.size).toBe(0);
  });

  it('refuses a type the catalog does not have', () => {
    expect(() => SensorIndex.of([row('X', 1, 'weather_station')])).toThrow(/not in the catalog/);
  });
});
