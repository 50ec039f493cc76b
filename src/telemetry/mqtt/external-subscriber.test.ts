// External-broker mode against the Mosquitto on 127.0.0.1:1883 (installed on this project's machines
// and started by CI). Skipped when nothing listens there, except in CI, where that is a failure.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegisteredSensor } from '../../test-support/sensor-factories.js';
import { redactUrl, startExternalSubscriber, type ExternalSubscriber } from './external-subscriber.js';
import { MqttIngestor } from './mqtt-ingest.js';
import { SILENT_LOG } from './mqtt-log.js';
import { gate, reachable, testIngest, until } from './mqtt.fixtures.js';

const URL = 'mqtt://127.0.0.1:1883';
const up = await reachable('127.0.0.1', 1883);
const inCi = process.env.CI === 'true';

// Unique per run: the broker is shared with whatever else runs on this machine.
const run = Math.random().toString(36).slice(2, 10);
const SENSOR = `CQ-EXT-${run}`;
const CLIENT_ID = `cityops-test-${run}`;
const sensor = buildRegisteredSensor(SENSOR, 99, '500103');

describe.skipIf(!up && !inCi)('external broker (Mosquitto on 127.0.0.1:1883)', () => {
  const kit = testIngest([sensor]);
  const running: ExternalSubscriber[] = [];
  const subscribe = async (): Promise<ExternalSubscriber> => {
    const subscriber = await startExternalSubscriber({
      url: URL,
      clientId: CLIENT_ID,
      ingestor: new MqttIngestor({ ingest: kit.ingest, log: SILENT_LOG }),
      log: SILENT_LOG,
      reconnectMs: 200,
    });
    running.push(subscriber);
    await subscriber.ready;
    return subscriber;
  };

  beforeAll(() => {
    if (!up) throw new Error('Mosquitto is not reachable on 127.0.0.1:1883 (CI must start it: see .ci/run)');
  });
  afterAll(async () => {
    for (const subscriber of running) await subscriber.close({ graceMs: 0 });
    // Drop the persistent session this run left in Mosquitto.
    const cleaner = await mqtt.connectAsync(URL, { clientId: CLIENT_ID, clean: true, reconnectPeriod: 0 });
    await cleaner.endAsync();
  });

  it('stores what devices publish there, and after a restart gets back what was not yet committed', async () => {
    const publisher = await mqtt.connectAsync(URL, { reconnectPeriod: 0 });
    try {
      const first = await subscribe();
      const ts = Date.now();
      const stuck = gate();
      kit.holdUntil(stuck.promise);
      await publisher.publishAsync(`cityops/telemetry/${SENSOR}`, JSON.stringify({ ts, value: 1.5 }), {
        qos: 1,
      });
      await until(() => kit.appends === 1, 'the first append');
      // cityops stops before the commit: no PUBACK went to Mosquitto, so it keeps the message.
      await first.close({ graceMs: 0 });
      kit.holdUntil(undefined);
      await subscribe();
      await until(() => kit.stored.length === 1, 'the redelivered reading');
      expect(kit.stored).toEqual([{ key: 99, ts, value: 1.5 }]);

      await publisher.publishAsync(
        'cityops/telemetry',
        JSON.stringify({ readings: [{ sensor: SENSOR, ts: ts + 1, value: 2 }] }),
        { qos: 1 },
      );
      await until(() => kit.stored.length === 2, 'the batch');
      expect(kit.stored[1]).toEqual({ key: 99, ts: ts + 1, value: 2 });
    } finally {
      await publisher.endAsync();
    }
  });
});

describe('redactUrl', () => {
  it('hides the password of a broker URL', () => {
    expect(redactUrl('mqtts://ingest:s3cret@broker.example:8883')).toBe(
      'mqtts://ingest:***@broker.example:8883',
    );
    expect(redactUrl(URL)).toBe(URL);
  });
});
