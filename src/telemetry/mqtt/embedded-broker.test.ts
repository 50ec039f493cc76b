import { once } from 'node:events';
import net from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StartupError } from '../../errors.js';
import { InProcessBus } from '../../platform/bus/in-process-bus.js';
import { startEmbeddedBroker, type EmbeddedBroker, type EmbeddedBrokerOptions } from './embedded-broker.js';
import { MqttIngestor } from './mqtt-ingest.js';
import { SILENT_LOG } from './mqtt-log.js';
import { BB, gate, testAccess, testIngest, testTree, until, YZ } from './mqtt.fixtures.js';

let keys: Awaited<ReturnType<typeof testAccess>>;
beforeAll(async () => {
  keys = await testAccess();
});
afterAll(() => keys.close());

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

async function broker(
  kit = testIngest(),
  overrides: Partial<EmbeddedBrokerOptions> = {},
): Promise<EmbeddedBroker> {
  const started = await startEmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    portExplicit: true,
    ingestor: new MqttIngestor({ ingest: kit.ingest, log: SILENT_LOG, backoffMs: { initial: 2, max: 10 } }),
    access: keys.access,
    tree: testTree,
    log: SILENT_LOG,
    ...overrides,
  });
  open.push(started);
  return started;
}

async function device(
  port: number,
  key: string,
  clientId = `dev-${Math.random().toString(16).slice(2, 10)}`,
): Promise<MqttClient> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    username: 'device',
    password: key,
    clientId,
    reconnectPeriod: 0,
  });
  open.push({ close: () => client.endAsync(true) });
  return client;
}

/** A full round trip through the broker on another connection: time for a wrong PUBACK to show. */
async function barrier(port: number, key: string): Promise<void> {
  const other = await device(port, key);
  await other.subscribeAsync(`cityops/telemetry/rejected/${other.options.clientId}`);
}

/** Resolves when the broker closes the client's connection (a reset is reported as an error: expected). */
function closing(client: MqttClient): Promise<void> {
  client.on('error', () => {});
  return new Promise((resolve) => client.once('close', () => resolve()));
}

const reading = (value = 0.31) => JSON.stringify({ ts: Date.now(), value });

describe('embedded broker', () => {
  it('acknowledges a QoS 1 publish only after its readings are committed', async () => {
    const kit = testIngest();
    const { port } = await broker(kit);
    const { key } = await keys.key('device', null);
    const client = await device(port, key);
    const commit = gate();
    kit.holdUntil(commit.promise);
    client.publish(`cityops/telemetry/${YZ}`, reading(), { qos: 1 }, () => kit.events.push('puback'));
    await until(() => kit.events.includes('append'), 'the append');
    await barrier(port, key);
    expect(kit.events).toEqual(['append']);
    commit.open();
    await until(() => kit.events.includes('puback'), 'the PUBACK');
    expect(kit.events).toEqual(['append', 'commit', 'puback']);
    expect(kit.stored).toEqual([expect.objectContaining({ key: 1, value: 0.31 })]);
  });

  it('takes the HTTP body format on cityops/telemetry', async () => {
    const kit = testIngest();
    const { port } = await broker(kit);
    const client = await device(port, (await keys.key('device', null)).key);
    const now = Date.now();
    await client.publishAsync(
      'cityops/telemetry',
      JSON.stringify({
        readings: [
          { sensor: YZ, ts: now, value: 1 },
          { sensor: BB, ts: new Date(now).toISOString(), value: 2 },
        ],
      }),
      { qos: 1 },
    );
    expect(kit.stored).toEqual([
      { key: 1, ts: now, value: 1 },
      { key: 2, ts: now, value: 2 },
    ]);
  });

  it('refuses connections without a valid device key', async () => {
    const { port } = await broker();
    const attempt = (password: string) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: 'device', password, reconnectPeriod: 0 });
    await expect(attempt('cok_device_wrong')).rejects.toMatchObject({ code: 4 });
    await expect(attempt((await keys.key('camera', null)).key)).rejects.toMatchObject({ code: 5 });
    await expect(mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 })).rejects.toMatchObject(
      { code: 4 },
    );
  });

  it('lets a key scoped to 北碚 500109 ingest only there: a 渝中 500103 sensor is UNKNOWN_SENSOR', async () => {
    const kit = testIngest();
    const { port } = await broker(kit);
    const client = await device(port, (await keys.key('device', '500109')).key);
    const reports: unknown[] = [];
    client.on('message', (_topic, payload) => reports.push(JSON.parse(payload.toString())));
    await client.subscribeAsync(`cityops/telemetry/rejected/${client.options.clientId}`);
    await client.publishAsync(`cityops/telemetry/${YZ}`, reading(), { qos: 1 });
    await client.publishAsync(`cityops/telemetry/${BB}`, reading(2), { qos: 1 });
    await until(() => reports.length === 1, 'the rejection report');
    expect(reports[0]).toMatchObject({
      topic: `cityops/telemetry/${YZ}`,
      accepted: 0,
      rejected: [{ index: 0, code: 'UNKNOWN_SENSOR' }],
    });
    expect(kit.stored).toEqual([expect.objectContaining({ key: 2, value: 2 })]);
  });

  it('withholds the PUBACK while the store is OVERLOADED, and sends it once the readings are in', async () => {
    const kit = testIngest();
    const { port } = await broker(kit);
    const { key } = await keys.key('device', null);
    const client = await device(port, key);
    kit.overloadedFor(Infinity);
    client.publish(`cityops/telemetry/${YZ}`, reading(), { qos: 1 }, () => kit.events.push('puback'));
    await until(() => kit.appends >= 3, 'retries');
    await barrier(port, key);
    expect(kit.events).not.toContain('puback');
    expect(kit.stored).toEqual([]);
    kit.overloadedFor(0);
    await until(() => kit.events.includes('puback'), 'the PUBACK');
    expect(kit.events.slice(-2)).toEqual(['commit', 'puback']);
  });

  it('stops reading a client that floods it while its messages wait for the store, and catches up after', async () => {
    const kit = testIngest();
    const { port } = await broker(kit);
    const { key } = await keys.key('device', null);
    const client = await device(port, key);
    const commit = gate();
    kit.holdUntil(commit.promise);
    const sent = 20_000;
    let acked = 0;
    for (let i = 0; i < sent; i++) {
      client.publish(`cityops/telemetry/${YZ}`, reading(i), { qos: 1 }, () => acked++);
    }
    await until(() => kit.appends > 0, 'the first append');
    for (let i = 0; i < 10; i++) await barrier(port, key);
    // One socket read's worth of messages is taken in; the rest waits in TCP buffers, not in the heap.
    expect(kit.appends).toBeLessThan(sent / 4);
    expect(acked).toBe(0);
    commit.open();
    await until(() => acked === sent, 'every PUBACK', 20_000);
    expect(kit.stored).toHaveLength(sent);
  });

  it('closes the connection of a client publishing outside the ingest topics, or a packet over the size limit', async () => {
    const warnings: string[] = [];
    const { port } = await broker(testIngest(), {
      log: { ...SILENT_LOG, warn: (_obj, msg) => warnings.push(msg) },
    });
    const { key } = await keys.key('device', null);
    const wrong = await device(port, key);
    const closed = closing(wrong);
    wrong.publish('cityops/alarms/x', 'hi', { qos: 1 });
    await closed;
    const large = await device(port, key);
    const closedToo = closing(large);
    large.publish(`cityops/telemetry/${YZ}`, Buffer.alloc(1024 * 1024 + 100_000, 0x20), { qos: 1 });
    await closedToo;
    expect(warnings).toEqual([
      'MQTT publish to a non-ingest topic: connection closed',
      'MQTT packet too large: connection closed',
    ]);
  });

  it('grants only the own rejection topic as subscription', async () => {
    const { port } = await broker();
    const client = await device(port, (await keys.key('device', null)).key, 'meter-7');
    await expect(client.subscribeAsync('cityops/telemetry/rejected/meter-7')).resolves.toEqual([
      { topic: 'cityops/telemetry/rejected/meter-7', qos: 0 },
    ]);
    for (const topic of [
      'cityops/telemetry/#',
      'cityops/telemetry/+',
      'cityops/telemetry/rejected/meter-8',
      '#',
    ]) {
      await expect(client.subscribeAsync(topic)).rejects.toMatchObject({ packet: { granted: [128] } });
    }
  });

  it('does not let another key take over a connected client id', async () => {
    const { port } = await broker();
    const mine = await keys.key('device', '500103');
    await device(port, mine.key, 'meter-9');
    await expect(device(port, (await keys.key('device', '500109')).key, 'meter-9')).rejects.toMatchObject({
      code: 2,
    });
    await device(port, mine.key, 'meter-9');
  });

  it('stops a connection once its key is revoked', async () => {
    const { port } = await broker(testIngest(), { keyRecheckMs: 0 });
    const { key, id } = await keys.key('device', null);
    const client = await device(port, key);
    await client.publishAsync(`cityops/telemetry/${YZ}`, reading(), { qos: 1 });
    await keys.access.revokeKey(id);
    const closed = closing(client);
    client.publish(`cityops/telemetry/${YZ}`, reading(), { qos: 1 });
    await closed;
  });

  it('closes a connection at once when its key is revoked, without waiting for the recheck', async () => {
    const bus = new InProcessBus();
    const own = await testAccess(bus);
    open.push({ close: async () => (await bus.close(), own.close()) });
    // An hour between rechecks: only the revocation event can end the connection within the test.
    const { port } = await broker(testIngest(), { access: own.access, bus, keyRecheckMs: 3_600_000 });
    const { key, id } = await own.key('device', null);
    const revoked = await device(port, key);
    const other = await device(port, (await own.key('device', null)).key);
    await revoked.publishAsync(`cityops/telemetry/${YZ}`, reading(), { qos: 1 });
    const closed = closing(revoked);
    await own.access.revokeKey(id);
    await closed;
    // The other key's connection stays up.
    await other.publishAsync(`cityops/telemetry/${YZ}`, reading(), { qos: 1 });
    expect(other.connected).toBe(true);
  });

  it('on close, lets a message being stored finish and be acknowledged first', async () => {
    const kit = testIngest();
    const started = await broker(kit);
    const client = await device(started.port, (await keys.key('device', null)).key);
    const commit = gate();
    kit.holdUntil(commit.promise);
    const acked = client.publishAsync(`cityops/telemetry/${YZ}`, reading(), { qos: 1 });
    await until(() => kit.appends === 1, 'the append');
    const closing = started.close();
    commit.open();
    await acked;
    await closing;
  });
});

describe('embedded broker port', () => {
  async function occupied(): Promise<{ port: number; close(): Promise<void> }> {
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address() as net.AddressInfo;
    return { port: address.port, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  it('moves to a free port, saying so, when the default port is taken', async () => {
    const taken = await occupied();
    open.push(taken);
    const lines: string[] = [];
    const started = await broker(testIngest(), {
      port: taken.port,
      portExplicit: false,
      print: (line) => lines.push(line),
    });
    expect(started.port).not.toBe(taken.port);
    expect(lines.join('\n')).toContain(`port ${taken.port} on 127.0.0.1 is taken`);
    expect(lines.join('\n')).toContain(`127.0.0.1:${started.port}`);
    expect(lines.join('\n')).toContain('已被占用');
  });

  it('stops with a StartupError naming CITYOPS_MQTT_PORT when a chosen port is taken', async () => {
    const taken = await occupied();
    open.push(taken);
    const start = broker(testIngest(), { port: taken.port, portExplicit: true });
    await expect(start).rejects.toThrow(StartupError);
    await expect(start).rejects.toThrow(/^CITYOPS_MQTT_PORT: port \d+ on 127\.0\.0\.1 is already in use/);
  });
});
