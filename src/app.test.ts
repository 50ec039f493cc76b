import { describe, expect, it } from 'vitest';
import { buildTestApp, memoryStorage } from './test-support/app.js';
import { PLACES } from './test-support/sensor-factories.js';

describe('build()', () => {
  it('brings stored sensor chains up to date with zones added while the server was down', async () => {
    const storage = await memoryStorage();
    try {
      const first = await buildTestApp(storage);
      const sensor = await first.services.sensors.create({
        id: 'YZ-1',
        type: 'water_main_pressure',
        ...PLACES.jiefangbei,
      });
      // What `cityops zone add` does, against the same database, between two runs of the server.
      await first.services.jurisdictions.addCustomUnit({
        code: 'YZZONE',
        name: '解放碑功能区',
        level: 'county',
        parent: '50',
        takesOver: [sensor.jurisdiction.township!],
      });
      await first.close();

      const second = await buildTestApp(storage);
      expect(second.services.sensors.resolve('YZ-1')).toMatchObject({ countyCode: 'YZZONE' });
      await second.close();
    } finally {
      await storage.database.close();
    }
  });
});
