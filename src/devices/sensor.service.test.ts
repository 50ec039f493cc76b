import type { Visibility } from '../jurisdictions/visibility.js';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import type { SqliteDatabase } from '../platform/db/database.js';
import { migrate } from '../platform/db/migrate.js';
import { openSqlite } from '../platform/db/sqlite.js';
import { createRepositories, MIGRATIONS, type Repositories } from '../storage.js';
import { buildSensorInput, PLACES } from '../test-support/sensor-factories.js';
import { SensorService } from './sensor.service.js';

let jurisdictions: JurisdictionService;
let database: SqliteDatabase;
let repositories: Repositories;
let service: SensorService;
const clock = () => new Date('2026-03-01T08:00:00.000Z');

beforeAll(async () => {
  const shared = await openAndMigrate();
  jurisdictions = await JurisdictionService.create({ repository: shared.repositories.jurisdictions });
});
beforeEach(async () => {
  ({ database, repositories } = await openAndMigrate());
  service = await SensorService.create({ repository: repositories.sensors, jurisdictions, clock });
});
afterEach(async () => database.close());

async function openAndMigrate() {
  const db = openSqlite(':memory:');
  await migrate(db, MIGRATIONS);
  return { database: db, repositories: createRepositories(db) };
}

/** What a county center (渝中区 500103) may see. */
const yuzhong = (): Visibility => ({
  root: '500103',
  contains: (code) => code !== null && code !== undefined && jurisdictions.units.isWithin(code, '500103'),
});

describe('create', () => {
  it('resolves the jurisdiction chain, assigns a key and indexes the sensor for ingest', async () => {
    const dto = await service.create(buildSensorInput({ id: 'JFB-P-1' }));
    expect(dto).toMatchObject({
      id: 'JFB-P-1',
      type: 'water_main_pressure',
      domain: 'water_supply',
      jurisdiction: { province: '50', prefecture: null, county: '500103' },
      department: '重庆水务集团',
      metadata: { site: '解放碑' },
      createdAt: clock().toISOString(),
      updatedAt: clock().toISOString(),
    });
    expect(dto.jurisdiction.township).toMatch(/^500103\d{3}$/);
    const entry = service.resolve('JFB-P-1');
    expect(entry).toMatchObject({ key: dto.key, countyCode: '500103', type: { unit: 'MPa' } });
    expect(service.resolveKey(dto.key)).toBe(entry);
    expect(service.size).toBe(1);
  });

  it.each([
    ['an unknown type', { type: 'weather_station' }, 'UNKNOWN_SENSOR_TYPE'],
    ['a point in Beijing', PLACES.beijing, 'OUTSIDE_JURISDICTION'],
    ['metadata over 8 KiB', { metadata: { blob: 'x'.repeat(9000) } }, 'INVALID_SENSOR'],
  ])('rejects %s', async (_what, overrides, code) => {
    await expect(service.create(buildSensorInput(overrides))).rejects.toMatchObject({ code });
    expect(service.size).toBe(0);
  });

  it('rejects a taken id with SENSOR_CONFLICT and keeps the first', async () => {
    await service.create(buildSensorInput({ id: 'DUP' }));
    await expect(service.create(buildSensorInput({ id: 'DUP', type: 'tunnel_co' }))).rejects.toMatchObject({
      code: 'SENSOR_CONFLICT',
    });
    expect(service.resolve('DUP')?.type.code).toBe('water_main_pressure');
  });
});

describe('update and delete', () => {
  it('moving a sensor re-resolves its chain; key, type and createdAt stay', async () => {
    const created = await service.create(buildSensorInput({ id: 'MOVE' }));
    const moved = await service.update('MOVE', {
      ...PLACES.airport,
      department: null,
      metadata: { gate: 'T3' },
    });
    expect(moved).toMatchObject({
      key: created.key,
      type: 'water_main_pressure',
      jurisdiction: { county: '500112' },
      department: null,
      metadata: { gate: 'T3' },
      createdAt: created.createdAt,
    });
    expect(service.resolve('MOVE')?.countyCode).toBe('500112');
    const renamed = await service.update('MOVE', { department: '渝北区水务局' });
    expect(renamed).toMatchObject({ jurisdiction: { county: '500112' }, metadata: { gate: 'T3' } });
  });

  it('refuses to move a sensor outside every jurisdiction', async () => {
    await service.create(buildSensorInput({ id: 'STAY' }));
    await expect(service.update('STAY', { ...PLACES.beijing })).rejects.toMatchObject({
      code: 'OUTSIDE_JURISDICTION',
    });
    expect((await service.get('STAY')).jurisdiction.county).toBe('500103');
  });

  it('delete drops the sensor from the index; its key is not reused', async () => {
    const gone = await service.create(buildSensorInput({ id: 'GONE' }));
    await service.delete('GONE');
    expect(service.resolve('GONE')).toBeUndefined();
    expect(service.resolveKey(gone.key)).toBeUndefined();
    await expect(service.get('GONE')).rejects.toMatchObject({ code: 'SENSOR_NOT_FOUND' });
    await expect(service.delete('GONE')).rejects.toMatchObject({ code: 'SENSOR_NOT_FOUND' });
    expect((await service.create(buildSensorInput({ id: 'GONE' }))).key).toBeGreaterThan(gone.key);
  });
});

describe('list', () => {
  beforeEach(async () => {
    await service.create(buildSensorInput({ id: 'A-tunnel', type: 'tunnel_water_depth' }));
    await service.create(buildSensorInput({ id: 'B-bridge', type: 'bridge_strain', ...PLACES.airport }));
    await service.create(buildSensorInput({ id: 'C-tunnel', type: 'tunnel_co', ...PLACES.wanzhou }));
  });
  const ids = async (query: Parameters<SensorService['list']>[0], visible?: Visibility) =>
    (await service.list(query, visible)).items.map((s) => s.id);
  const page = { limit: 100, offset: 0 };

  it('filters by type, domain and scope ("anywhere below"), ordered by id', async () => {
    expect(await ids(page)).toEqual(['A-tunnel', 'B-bridge', 'C-tunnel']);
    expect(await ids({ ...page, domain: 'tunnel' })).toEqual(['A-tunnel', 'C-tunnel']);
    expect(await ids({ ...page, type: 'bridge_strain' })).toEqual(['B-bridge']);
    expect(await ids({ ...page, type: 'bridge_strain', domain: 'tunnel' })).toEqual([]);
    expect(await ids({ ...page, scope: '50' })).toHaveLength(3);
    expect(await ids({ ...page, scope: '500101' })).toEqual(['C-tunnel']);
    const township = service.resolve('B-bridge')!.townshipCode!;
    expect(await ids({ ...page, scope: township })).toEqual(['B-bridge']);
    expect(await service.list({ limit: 1, offset: 1 })).toMatchObject({
      total: 3,
      items: [{ id: 'B-bridge' }],
    });
  });

  it('answers UNKNOWN_SENSOR_TYPE and JURISDICTION_NOT_FOUND for bad filters', async () => {
    await expect(service.list({ ...page, type: 'nope' })).rejects.toMatchObject({
      code: 'UNKNOWN_SENSOR_TYPE',
    });
    await expect(service.list({ ...page, scope: '999999' })).rejects.toMatchObject({
      code: 'JURISDICTION_NOT_FOUND',
    });
  });

  it('keeps a county center inside its county: lists, reads and writes', async () => {
    expect(await ids(page, yuzhong())).toEqual(['A-tunnel']);
    expect(await ids({ ...page, scope: '50' }, yuzhong())).toEqual(['A-tunnel']);
    await expect(service.list({ ...page, scope: '500112' }, yuzhong())).rejects.toMatchObject({
      code: 'JURISDICTION_NOT_FOUND',
    });
    await expect(service.get('B-bridge', yuzhong())).rejects.toMatchObject({ code: 'SENSOR_NOT_FOUND' });
    await expect(service.delete('B-bridge', yuzhong())).rejects.toMatchObject({ code: 'SENSOR_NOT_FOUND' });
    await expect(
      service.create(buildSensorInput({ id: 'D', ...PLACES.airport }), yuzhong()),
    ).rejects.toMatchObject({ code: 'OUTSIDE_JURISDICTION' });
    await expect(service.update('A-tunnel', { ...PLACES.airport }, yuzhong())).rejects.toMatchObject({
      code: 'OUTSIDE_JURISDICTION',
    });
  });
});

describe('the in-memory index', () => {
  it('is loaded at start, so a restarted service resolves what an earlier one wrote', async () => {
    const { key } = await service.create(buildSensorInput({ id: 'KEEP' }));
    const restarted = await SensorService.create({ repository: repositories.sensors, jurisdictions });
    expect(restarted.resolve('KEEP')).toMatchObject({ key, type: { code: 'water_main_pressure' } });
    expect(restarted.resolveKey(key)?.id).toBe('KEEP');
  });

  it('rechain moves sensors under a zone that took over their township, and survives restarts', async () => {
    const zoned = await JurisdictionService.create({ repository: repositories.jurisdictions });
    const own = await SensorService.create({ repository: repositories.sensors, jurisdictions: zoned, clock });
    await own.create(buildSensorInput({ id: 'Z-1' }));
    await own.create(buildSensorInput({ id: 'Z-2', ...PLACES.wanzhou }));
    const township = own.resolve('Z-1')!.townshipCode!;
    await zoned.addCustomUnit({
      code: 'JFBZONE',
      name: '解放碑功能区',
      level: 'county',
      parent: '50',
      takesOver: [township],
    });
    expect(await own.rechain()).toBe(1);
    expect(own.resolve('Z-1')?.countyCode).toBe('JFBZONE');
    expect((await own.list({ scope: 'JFBZONE', limit: 10, offset: 0 })).items.map((s) => s.id)).toEqual([
      'Z-1',
    ]);
    expect(await own.rechain()).toBe(0);
    const restarted = await SensorService.create({ repository: repositories.sensors, jurisdictions: zoned });
    expect(restarted.resolve('Z-1')?.countyCode).toBe('JFBZONE');
  });
});
