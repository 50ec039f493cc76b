import fs from 'node:fs';
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

async function openAndMigrate() {
  const db = openSqlite(':memory:');
  await migrate(db, MIGRATIONS);
  return { database: db, repositories: createRepositories(db) };
}
beforeAll(async () => {
  const shared = await openAndMigrate();
  jurisdictions = await JurisdictionService.create({ repository: shared.repositories.jurisdictions });
});
beforeEach(async () => {
  ({ database, repositories } = await openAndMigrate());
  service = await SensorService.create({ repository: repositories.sensors, jurisdictions });
});
afterEach(async () => database.close());

const { jiefangbei: J, beijing: B } = PLACES;
const csv = (...rows: string[]) => ['id,type,lon,lat,department,meta.site', ...rows].join('\n');

describe('import', () => {
  it('registers the valid rows in one go and reports every other row with a stable code', async () => {
    await service.create(buildSensorInput({ id: 'OLD-1' }));
    const report = await service.import(
      csv(
        `NEW-1,tunnel_water_depth,${J.lon},${J.lat},重庆城投,两江隧道`,
        `NEW-2,weather_station,${J.lon},${J.lat},,`,
        `NEW-3,tunnel_co,${B.lon},${B.lat},,`,
        `OLD-1,tunnel_co,${J.lon},${J.lat},,`,
        `NEW-1,tunnel_co,${J.lon},${J.lat},,`,
        `bad id,tunnel_co,${J.lon},${J.lat},,`,
        `NEW-4,bridge_strain,${J.lon},${J.lat},,`,
      ),
      'csv',
    );
    expect(report.imported).toBe(2);
    expect(report.rejected.map((r) => [r.row, r.line, r.id, r.code])).toEqual([
      [2, 3, 'NEW-2', 'UNKNOWN_SENSOR_TYPE'],
      [3, 4, 'NEW-3', 'OUTSIDE_JURISDICTION'],
      [4, 5, 'OLD-1', 'SENSOR_CONFLICT'],
      [5, 6, 'NEW-1', 'SENSOR_CONFLICT'],
      [6, 7, 'bad id', 'INVALID_SENSOR'],
    ]);
    expect(report.rejected[3]?.message).toMatch(/already in row 1/);
    expect(service.resolve('NEW-1')?.type.code).toBe('tunnel_water_depth');
    expect((await service.get('NEW-1')).metadata).toEqual({ site: '两江隧道' });
    expect(service.resolve('NEW-4')).toBeDefined();
    expect(service.resolve('OLD-1')?.type.code).toBe('water_main_pressure');
  });

  it('imports JSON arrays the same way', async () => {
    const report = await service.import(
      JSON.stringify([buildSensorInput({ id: 'J-1' }), { ...buildSensorInput({ id: 'J-2' }), extra: 1 }]),
      'json',
    );
    expect(report).toEqual({
      imported: 1,
      rejected: [{ row: 2, id: 'J-2', code: 'INVALID_SENSOR', message: 'unknown field(s) extra' }],
    });
  });

  it("rejects rows outside the caller's jurisdiction as OUTSIDE_JURISDICTION", async () => {
    const yuzhong = {
      root: '500103',
      contains: (code: string | null | undefined) => !!code && jurisdictions.units.isWithin(code, '500103'),
    };
    const { airport: A } = PLACES;
    const report = await service.import(
      csv(`IN-1,tunnel_co,${J.lon},${J.lat},,`, `OUT-1,tunnel_co,${A.lon},${A.lat},,`),
      'csv',
      { visible: yuzhong },
    );
    expect(report).toMatchObject({ imported: 1, rejected: [{ row: 2, code: 'OUTSIDE_JURISDICTION' }] });
  });

  it('with dryRun reports what would happen and writes nothing', async () => {
    const report = await service.import(
      csv(`D-1,tunnel_co,${J.lon},${J.lat},,`, `D-1,tunnel_co,${J.lon},${J.lat},,`),
      'csv',
      {
        dryRun: true,
      },
    );
    expect(report).toMatchObject({ imported: 1, rejected: [{ row: 2, code: 'SENSOR_CONFLICT' }] });
    expect(service.size).toBe(0);
    expect((await repositories.sensors.list({ limit: 10, offset: 0 })).total).toBe(0);
  });

  it('reports ids another process registered meanwhile instead of failing the file', async () => {
    const other = await SensorService.create({ repository: repositories.sensors, jurisdictions });
    await other.create(buildSensorInput({ id: 'RACE-1' }));
    expect(service.resolve('RACE-1')).toBeUndefined(); // our index predates it
    const report = await service.import(
      csv(`RACE-1,tunnel_co,${J.lon},${J.lat},,`, `RACE-2,tunnel_co,${J.lon},${J.lat},,`),
      'csv',
    );
    expect(report).toMatchObject({
      imported: 1,
      rejected: [{ row: 1, id: 'RACE-1', code: 'SENSOR_CONFLICT' }],
    });
    expect(service.resolve('RACE-1')?.type.code).toBe('water_main_pressure');
    expect(service.resolve('RACE-2')).toBeDefined();
  });

  it('imports the shipped sample cleanly: Chongqing tunnels, bridges, river sections, hydrogen stations', async () => {
    const text = fs.readFileSync(new URL('../../data/samples/sensors.sample.csv', import.meta.url), 'utf8');
    const report = await service.import(text, 'csv');
    expect(report.rejected).toEqual([]);
    expect(report.imported).toBeGreaterThanOrEqual(20);
    expect(service.resolve('CQ-YZ-LJSD-WD-01')).toMatchObject({ countyCode: '500103', type: { unit: 'cm' } });
    expect(service.resolve('CQ-HC-JLJ-DO-01')?.countyCode).toBe('500117'); // 合川区
    const json = fs.readFileSync(new URL('../../data/samples/sensors.sample.json', import.meta.url), 'utf8');
    expect((await service.import(json, 'json')).rejected).toEqual([]);
  });
});
