import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { EVERYTHING } from '../jurisdictions/visibility.js';
import { openStorage, type Storage } from '../storage.js';
import { buildTestApp } from '../test-support/app.js';
import { PLACES } from '../test-support/sensor-factories.js';

// Restarts in the middle of an active alarm, on a SQLite file as in production: the open alarm is
// neither duplicated nor lost, and a clear whose reading was acknowledged but never stored as a
// clear (the process died first) is made from the readings the telemetry store replays at start.

const dir = mkdtempSync(path.join(tmpdir(), 'cityops-alarm-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function start(): Promise<{ app: FastifyInstance; storage: Storage }> {
  const storage = await openStorage({ dataDir: dir, databaseUrl: undefined });
  return { app: await buildTestApp(storage, {}, { alarmTickMs: 0 }), storage };
}
async function stop({ app, storage }: { app: FastifyInstance; storage: Storage }): Promise<void> {
  await app.close();
  await storage.database.close();
}

const T0 = Date.now() - 3_600_000;
async function send(app: FastifyInstance, sensor: string, seconds: number, value: number): Promise<void> {
  const report = await app.services.ingest.ingest([{ sensor, ts: T0 + seconds * 1000, value }], EVERYTHING);
  expect(report.accepted).toBe(1);
  await app.services.bus.drain();
}
const alarmsOf = async (app: FastifyInstance, sensor: string) =>
  (await app.services.alarms.listAlarms({ sensor, state: 'active,acknowledged,cleared' }, EVERYTHING)).items;

describe('alarms across restarts', () => {
  it('an alarm open at shutdown is the same alarm after the restart: a new breach is an occurrence', async () => {
    let node = await start();
    await node.app.services.sensors.create({
      id: 'RS-GAS-1',
      type: 'gas_concentration',
      ...PLACES.jiefangbei,
    });
    await send(node.app, 'RS-GAS-1', 0, 60);
    const [raised] = await alarmsOf(node.app, 'RS-GAS-1');
    expect(raised).toMatchObject({ state: 'active', occurrences: 1 });
    await stop(node);

    node = await start();
    await send(node.app, 'RS-GAS-1', 60, 70);
    await send(node.app, 'RS-GAS-1', 90, 22); // below 25 but inside the 5 %LEL band: still open
    await send(node.app, 'RS-GAS-1', 120, 65);
    const after = await alarmsOf(node.app, 'RS-GAS-1');
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: raised!.id, state: 'active', occurrences: 2, value: 65 });
    await stop(node);
  });

  it('a clear lost with the process is made again from the replayed readings', async () => {
    let node = await start();
    await node.app.services.sensors.create({
      id: 'RS-GAS-2',
      type: 'gas_concentration',
      ...PLACES.jiefangbei,
    });
    await send(node.app, 'RS-GAS-2', 0, 60);
    const [raised] = await alarmsOf(node.app, 'RS-GAS-2');
    expect(raised).toMatchObject({ state: 'active' });

    // The process "dies" between acknowledging the clearing reading and storing the clear: every
    // alarm write fails from here on, as it would once the process is gone.
    const repository = node.app.storage.repositories.alarms;
    repository.applyChanges = () => Promise.reject(new Error('process killed'));
    await send(node.app, 'RS-GAS-2', 60, 1);
    await stop(node);

    node = await start();
    await node.app.services.bus.drain();
    const after = await alarmsOf(node.app, 'RS-GAS-2');
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: raised!.id, state: 'cleared', clearReason: 'auto' });
    await stop(node);
  });
});
