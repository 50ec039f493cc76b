// The embedded broker driven by a client that is not ours: Mosquitto's command-line publisher
// (Debian package mosquitto-clients). Skipped when it is missing, except in CI, where it must be there.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';
import { MqttIngestor } from './mqtt-ingest.js';
import { SILENT_LOG } from './mqtt-log.js';
import { gate, testAccess, testIngest, testTree, until, YZ } from './mqtt.fixtures.js';

const installed = spawnSync('sh', ['-c', 'command -v mosquitto_pub']).status === 0;
const inCi = process.env.CI === 'true';

/** Runs mosquitto_pub; resolves with its exit code and stderr when it ends. */
function mosquittoPub(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stderr: string }>;
} {
  const child = spawn('mosquitto_pub', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
  return { child, done };
}

describe.skipIf(!installed && !inCi)('embedded broker with mosquitto_pub', () => {
  const kit = testIngest();
  let keys: Awaited<ReturnType<typeof testAccess>>;
  let broker: EmbeddedBroker;
  beforeAll(async () => {
    if (!installed) throw new Error('mosquitto_pub is missing: apt-get install mosquitto-clients');
    keys = await testAccess();
    broker = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      portExplicit: true,
      ingestor: new MqttIngestor({ ingest: kit.ingest, log: SILENT_LOG }),
      access: keys.access,
      tree: testTree,
      log: SILENT_LOG,
    });
  });
  afterAll(async () => {
    await broker?.close();
    await keys?.close();
  });

  it('stores a QoS 1 reading from mosquitto_pub, which returns only after the commit', async () => {
    const { key } = await keys.key('device', '500103');
    const commit = gate();
    kit.holdUntil(commit.promise);
    const ts = Date.now();
    const pub = mosquittoPub([
      ...['-h', '127.0.0.1', '-p', String(broker.port), '-i', 'cli-meter-1', '-u', 'device', '-P', key],
      ...['-q', '1', '-t', `cityops/telemetry/${YZ}`, '-m', JSON.stringify({ ts, value: 0.42 })],
    ]);
    await until(() => kit.appends === 1, 'the append');
    // A round trip on another connection gives a premature PUBACK time to reach mosquitto_pub.
    const other = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      username: 'device',
      password: key,
      reconnectPeriod: 0,
    });
    await other.subscribeAsync(`cityops/telemetry/rejected/${other.options.clientId}`);
    await other.endAsync();
    expect(pub.child.exitCode).toBeNull();
    commit.open();
    expect(await pub.done).toEqual({ code: 0, stderr: '' });
    expect(kit.stored).toEqual([{ key: 1, ts, value: 0.42 }]);
  });

  it('is refused with a wrong key', async () => {
    const pub = mosquittoPub([
      ...['-h', '127.0.0.1', '-p', String(broker.port), '-u', 'device', '-P', 'cok_device_nope'],
      ...['-q', '1', '-t', `cityops/telemetry/${YZ}`, '-m', '{"ts":0,"value":1}'],
    ]);
    const result = await pub.done;
    expect(result.code).not.toBe(0);
    expect(result.stderr.toLowerCase()).toContain('bad user name or password');
  });
});
