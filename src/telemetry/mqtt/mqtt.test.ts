import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { SILENT_LOG } from './mqtt-log.js';
import { startMqttIngest, type MqttIngestHandle } from './mqtt.js';
import { reachable, testAccess, testIngest, testTree, YZ } from './mqtt.fixtures.js';

const mosquittoUp = await reachable('127.0.0.1', 1883);
// CI starts Mosquitto (.ci/run): there these tests must run, and fail if it is not up.
const inCi = process.env.CI === 'true';
let keys: Awaited<ReturnType<typeof testAccess>>;
beforeAll(async () => {
  keys = await testAccess();
});
afterAll(() => keys.close());
const started: MqttIngestHandle[] = [];
afterEach(async () => {
  for (const handle of started.splice(0)) await handle.close();
});

async function start(env: Record<string, string>, kit = testIngest(), print?: (line: string) => void) {
  const handle = await startMqttIngest({
    config: loadConfig(env),
    ingest: kit.ingest,
    access: keys.access,
    tree: testTree,
    log: SILENT_LOG,
    ...(print ? { print } : {}),
  });
  started.push(handle);
  return handle;
}

describe('startMqttIngest', () => {
  it('does nothing with CITYOPS_MQTT=off', async () => {
    const handle = await start({ CITYOPS_MQTT: 'off' });
    expect(handle).toMatchObject({ mode: 'off' });
    expect(handle.port).toBeUndefined();
  });

  it('runs the embedded broker and counts what it ingests', async () => {
    const kit = testIngest();
    const handle = await start({ CITYOPS_MQTT_PORT: '0' }, kit);
    expect(handle).toMatchObject({ mode: 'embedded', address: `mqtt://127.0.0.1:${handle.port}` });
    const { key } = await keys.key('device', null);
    const client = await mqtt.connectAsync(handle.address!, {
      username: 'device',
      password: key,
      reconnectPeriod: 0,
    });
    await client.publishAsync(
      `cityops/telemetry/${YZ}`,
      JSON.stringify([
        { ts: Date.now(), value: 1 },
        { ts: 'x', value: 2 },
      ]),
      {
        qos: 1,
      },
    );
    await client.endAsync();
    expect(handle.stats()).toMatchObject({ messages: 1, readingsAccepted: 1, readingsRejected: 1 });
  });

  describe.skipIf(!mosquittoUp && !inCi)('where Mosquitto holds port 1883', () => {
    it('moves the embedded broker to a free port by default, and says so', async () => {
      const lines: string[] = [];
      const handle = await start({}, testIngest(), (line) => lines.push(line));
      expect(handle.port).not.toBe(1883);
      expect(lines.join('\n')).toMatch(
        /port 1883 on 127\.0\.0\.1 is taken .* listens on 127\.0\.0\.1:\d+ instead/,
      );
    });

    it('refuses to start when CITYOPS_MQTT_PORT=1883 was chosen', async () => {
      await expect(start({ CITYOPS_MQTT_PORT: '1883' })).rejects.toThrow(/^CITYOPS_MQTT_PORT: port 1883/);
    });

    it('subscribes to it instead with CITYOPS_MQTT_URL', async () => {
      const clientId = `cityops-test-${Math.random().toString(36).slice(2, 10)}`;
      const handle = await start({
        CITYOPS_MQTT_URL: 'mqtt://127.0.0.1:1883',
        CITYOPS_MQTT_CLIENT_ID: clientId,
      });
      expect(handle).toMatchObject({ mode: 'external', address: 'mqtt://127.0.0.1:1883' });
      await handle.close();
      const cleaner = await mqtt.connectAsync('mqtt://127.0.0.1:1883', {
        clientId,
        clean: true,
        reconnectPeriod: 0,
      });
      await cleaner.endAsync();
    });
  });
});
