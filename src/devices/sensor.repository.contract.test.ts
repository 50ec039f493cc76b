import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { describeContract } from '../test-support/engines.js';
import { buildSensorRecord } from '../test-support/sensor-factories.js';

describeContract('SensorRepository', (ctx) => {
  const repo = () => ctx().repositories.sensors;

  describe('insert and get', () => {
    it('stores a sensor with everything intact and assigns an integer key', async () => {
      const sensor = buildSensorRecord({
        id: 'R-GET-1',
        lon: 106.123456789012,
        lat: 29.987654321098,
        metadata: { model: 'PT-100', depthM: 1.5, tags: ['主干管', 'DN600'], nested: { a: null } },
      });
      const inserted = await repo().insert(sensor);
      expect(Number.isInteger(inserted.key)).toBe(true);
      expect(inserted).toEqual({ ...sensor, key: inserted.key });
      expect(await repo().get('R-GET-1')).toEqual(inserted);
      expect(await repo().get('R-NONE')).toBeNull();
    });

    it('keeps null chain slots and a null department', async () => {
      const sensor = buildSensorRecord({
        id: 'R-NULLS',
        prefectureCode: null,
        townshipCode: null,
        department: null,
        metadata: {},
      });
      await repo().insert(sensor);
      expect(await repo().get('R-NULLS')).toMatchObject({
        townshipCode: null,
        department: null,
        metadata: {},
      });
    });

    it('rejects a taken id with SENSOR_CONFLICT', async () => {
      await repo().insert(buildSensorRecord({ id: 'R-DUP' }));
      const again = repo().insert(buildSensorRecord({ id: 'R-DUP', type: 'bridge_strain' }));
      await expect(again).rejects.toBeInstanceOf(AppError);
      await expect(again).rejects.toMatchObject({ code: 'SENSOR_CONFLICT' });
      expect((await repo().get('R-DUP'))?.type).toBe('water_main_pressure');
    });
  });

  describe('keys', () => {
    it('are increasing in input order and never reused after a delete', async () => {
      const [a, b, c] = await repo().insertMany(
        ['R-KEY-A', 'R-KEY-B', 'R-KEY-C'].map((id) => buildSensorRecord({ id })),
      );
      expect(a!.key).toBeLessThan(b!.key);
      expect(b!.key).toBeLessThan(c!.key);
      expect(await repo().delete('R-KEY-C')).toBe(true);
      const d = await repo().insert(buildSensorRecord({ id: 'R-KEY-C' }));
      expect(d.key).toBeGreaterThan(c!.key);
    });

    it('stay dense: a bulk insert takes consecutive keys', async () => {
      const ids = Array.from({ length: 2500 }, (_, i) => `R-BULK-${String(i).padStart(5, '0')}`);
      const inserted = await repo().insertMany(ids.map((id) => buildSensorRecord({ id })));
      expect(inserted.map((s) => s.id)).toEqual(ids);
      const first = inserted[0]!.key;
      expect(inserted.map((s) => s.key)).toEqual(ids.map((_, i) => first + i));
      expect((await repo().get(ids[1234]!))?.key).toBe(first + 1234);
    });
  });

  describe('insertMany', () => {
    it('is all or none: one taken id rolls the whole batch back', async () => {
      await repo().insert(buildSensorRecord({ id: 'R-TX-TAKEN' }));
      const batch = ['R-TX-1', 'R-TX-2', 'R-TX-TAKEN'].map((id) => buildSensorRecord({ id }));
      await expect(repo().insertMany(batch)).rejects.toMatchObject({ code: 'SENSOR_CONFLICT' });
      expect(await repo().get('R-TX-1')).toBeNull();
      expect(await repo().get('R-TX-2')).toBeNull();
    });

    it('accepts an empty batch', async () => {
      expect(await repo().insertMany([])).toEqual([]);
    });
  });

  describe('update and delete', () => {
    it('replaces everything but id, key and createdAt', async () => {
      const before = await repo().insert(buildSensorRecord({ id: 'R-UPD' }));
      const after = await repo().update(
        buildSensorRecord({
          id: 'R-UPD',
          lon: 106.6417,
          lat: 29.7195,
          countyCode: '500112',
          townshipCode: '500112001',
          department: '渝北区城管局',
          metadata: { moved: true },
          createdAt: '2030-01-01T00:00:00.000Z',
          updatedAt: '2026-02-02T02:02:02.000Z',
        }),
      );
      expect(after).toEqual({
        ...before,
        lon: 106.6417,
        lat: 29.7195,
        countyCode: '500112',
        townshipCode: '500112001',
        department: '渝北区城管局',
        metadata: { moved: true },
        updatedAt: '2026-02-02T02:02:02.000Z',
      });
      expect(await repo().get('R-UPD')).toEqual(after);
    });

    it('answers null / false for an unknown id', async () => {
      expect(await repo().update(buildSensorRecord({ id: 'R-GHOST' }))).toBeNull();
      expect(await repo().delete('R-GHOST')).toBe(false);
    });
  });

  describe('list', () => {
    beforeAll(async () => {
      await repo().insertMany([
        buildSensorRecord({
          id: 'L-3',
          type: 'tunnel_water_depth',
          countyCode: '500103',
          townshipCode: '500103001',
        }),
        buildSensorRecord({ id: 'L-1', type: 'tunnel_co', countyCode: '500103', townshipCode: '500103002' }),
        buildSensorRecord({
          id: 'L-2',
          type: 'bridge_strain',
          countyCode: '500112',
          townshipCode: '500112001',
        }),
        buildSensorRecord({
          id: 'L-4',
          type: 'river_ph',
          provinceCode: '51',
          prefectureCode: '5116',
          countyCode: '511622',
          townshipCode: null,
        }),
      ]);
    });
    const ids = (page: { items: { id: string }[] }) => page.items.map((s) => s.id);
    const onlyL = { types: ['tunnel_water_depth', 'tunnel_co', 'bridge_strain', 'river_ph'] };

    it('filters by type list and by scope at each level, ordered by id', async () => {
      const all = await repo().list({ ...onlyL, limit: 100, offset: 0 });
      expect(ids(all)).toEqual(['L-1', 'L-2', 'L-3', 'L-4']);
      expect(all.total).toBe(4);
      const tunnels = await repo().list({
        types: ['tunnel_water_depth', 'tunnel_co'],
        limit: 100,
        offset: 0,
      });
      expect(ids(tunnels)).toEqual(['L-1', 'L-3']);
      const yuzhong = await repo().list({
        ...onlyL,
        scope: { level: 'county', code: '500103' },
        limit: 9,
        offset: 0,
      });
      expect(ids(yuzhong)).toEqual(['L-1', 'L-3']);
      const township = await repo().list({
        scope: { level: 'township', code: '500112001' },
        limit: 9,
        offset: 0,
      });
      expect(ids(township)).toContain('L-2');
      const sichuan = await repo().list({
        scope: { level: 'prefecture', code: '5116' },
        limit: 9,
        offset: 0,
      });
      expect(ids(sichuan)).toEqual(['L-4']);
      const chongqingTunnels = await repo().list({
        types: ['tunnel_co'],
        scope: { level: 'province', code: '50' },
        limit: 9,
        offset: 0,
      });
      expect(ids(chongqingTunnels)).toEqual(['L-1']);
    });

    it('pages with a total over all matches, and an empty type list matches nothing', async () => {
      const page = await repo().list({ ...onlyL, limit: 2, offset: 1 });
      expect(ids(page)).toEqual(['L-2', 'L-3']);
      expect(page.total).toBe(4);
      expect(await repo().list({ types: [], limit: 10, offset: 0 })).toEqual({ items: [], total: 0 });
    });

    it('listIndex gives every sensor by key with its chain', async () => {
      const index = await repo().listIndex();
      const keys = index.map((r) => r.key);
      expect(keys).toEqual([...keys].sort((a, b) => a - b));
      expect(index.find((r) => r.id === 'L-4')).toEqual({
        key: expect.any(Number) as number,
        id: 'L-4',
        type: 'river_ph',
        lon: 106.5775,
        lat: 29.5576,
        provinceCode: '51',
        prefectureCode: '5116',
        countyCode: '511622',
        townshipCode: null,
      });
    });
  });
});
