// MQTT ingest through the embedded broker: several device connections (MQTT.js, in a child process
// so that they do not share the broker's core) publish QoS 1 batches; each PUBACK comes back only
// after TelemetryIngest validated the readings and its append resolved. The append just resolves:
// this measures broker + parsing + validation; storage is measured in ingest.bench. Beside it, in
// the same run, the baseline: the raw aedes broker (no authentication, no parsing) forwarding the
// same QoS 1 messages to one MQTT subscriber. Run: npx tsx bench/mqtt.bench.ts — last line is the verdict.
import { fork } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import type { Principal } from '../src/access/principal.js';
import { loadDivisions } from '../src/jurisdictions/geo-data.js';
import { JurisdictionTree } from '../src/jurisdictions/jurisdiction-tree.js';
import { startEmbeddedBroker } from '../src/telemetry/mqtt/embedded-broker.js';
import { MqttIngestor } from '../src/telemetry/mqtt/mqtt-ingest.js';
import { SILENT_LOG } from '../src/telemetry/mqtt/mqtt-log.js';
import type { RegisteredSensor } from '../src/devices/sensor-index.js';
import { buildRegisteredSensor } from '../src/test-support/sensor-factories.js';
import { TelemetryIngest } from '../src/telemetry/telemetry-ingest.js';
import { fmt } from './bench-support.js';

const SENSORS = 100_000;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const WINDOW = 16; // QoS 1 messages in flight per connection, like a device's max_inflight
const WARMUP_MS = 1_000;
const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 4_000);
const TARGET = 100_000;

interface Job {
  port: number;
  /** 'batch': cityops/telemetry with `per` readings; 'sensor': cityops/telemetry/{id} with an array of `per`. */
  shape: 'batch' | 'sensor';
  per: number;
}
interface Result {
  readings: number;
  messages: number;
  seconds: number;
}

const sensorId = (i: number): string => `CQ-B-${String(i).padStart(6, '0')}`;

/** Publisher process: CLIENTS connections publishing pre-built payloads with WINDOW in flight, for WARMUP_MS + RUN_MS. */
async function publish(job: Job): Promise<Result> {
  const now = Date.now();
  const payloads = Array.from({ length: 64 }, (_, p) => {
    const first = (p * 1_543) % SENSORS;
    if (job.shape === 'sensor') {
      const readings = Array.from({ length: job.per }, (_, i) => ({
        ts: now - (job.per - i) * 1000,
        value: 0.3 + i / 1000,
      }));
      return { topic: `cityops/telemetry/${sensorId(first)}`, body: Buffer.from(JSON.stringify(readings)) };
    }
    const readings = Array.from({ length: job.per }, (_, i) => ({
      sensor: sensorId((first + i * 7) % SENSORS),
      ts: now - i,
      value: i / 10,
    }));
    return { topic: 'cityops/telemetry', body: Buffer.from(JSON.stringify({ readings })) };
  });
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, (_, c) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${job.port}`, {
        clientId: `bench-${c}`,
        username: 'bench',
        password: 'bench',
        reconnectPeriod: 0,
      }),
    ),
  );
  const start = performance.now();
  const measureFrom = start + WARMUP_MS;
  const end = measureFrom + RUN_MS;
  let messages = 0;
  await Promise.all(
    clients.map(
      (client, c) =>
        new Promise<void>((resolve) => {
          let inflight = 0;
          let next = c;
          const send = (): void => {
            while (inflight < WINDOW && performance.now() < end) {
              const { topic, body } = payloads[next++ % payloads.length]!;
              inflight++;
              client.publish(topic, body, { qos: 1 }, () => {
                inflight--;
                if (performance.now() >= measureFrom && performance.now() < end) messages++;
                if (performance.now() < end) send();
                else if (inflight === 0) resolve();
              });
            }
          };
          send();
        }),
    ),
  );
  await Promise.all(clients.map((client) => client.endAsync()));
  return { messages, readings: messages * job.per, seconds: RUN_MS / 1000 };
}

/** Main: runs one job in a fresh child process (this file again) against the broker on job.port. */
function inWorker(job: Job): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, CITYOPS_BENCH_PUBLISH: JSON.stringify(job) },
    });
    child.once('message', (result: Result) => resolve(result));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? undefined : reject(new Error(`publisher exited with ${code}`)),
    );
  });
}

/** The baseline broker: aedes with its defaults and one QoS 1 subscriber on the ingest topics. */
async function baseline(job: Omit<Job, 'port'>): Promise<Result & { delivered: number }> {
  const broker = await Aedes.createBroker();
  const server = net.createServer({ noDelay: true }, (socket) => broker.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const subscriber = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  let delivered = 0;
  subscriber.on('message', () => delivered++);
  await subscriber.subscribeAsync(['cityops/telemetry', 'cityops/telemetry/+'], { qos: 1 });
  const result = await inWorker({ ...job, port });
  await subscriber.endAsync();
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { ...result, delivered };
}

/** Ours: the embedded broker into TelemetryIngest over 100,000 sensors, with an append that just resolves. */
async function ours(job: Omit<Job, 'port'>): Promise<Result & { appended: number }> {
  const tree = JurisdictionTree.build(loadDivisions().units);
  const sensors = new Map<string, RegisteredSensor>();
  for (let i = 0; i < SENSORS; i++) {
    sensors.set(sensorId(i), buildRegisteredSensor(sensorId(i), i + 1, '500103'));
  }
  let appended = 0;
  const ingest = new TelemetryIngest({
    resolve: (id) => sensors.get(id),
    append: async (readings) => {
      appended += readings.length;
      return { accepted: readings.length, rejected: [] };
    },
  });
  // A key scoped to 重庆 (50): every reading's township is checked against the tree, as in production.
  const principal: Principal = {
    kind: 'key',
    id: 'bench',
    name: 'bench',
    role: 'device',
    scope: '50',
    department: null,
    permissions: new Set(['telemetry:ingest']),
  };
  const broker = await startEmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    portExplicit: true,
    ingestor: new MqttIngestor({ ingest, log: SILENT_LOG }),
    access: { authenticate: async () => principal },
    tree: () => tree,
    log: SILENT_LOG,
  });
  const result = await inWorker({ ...job, port: broker.port });
  await broker.close();
  return { ...result, appended };
}

const publisherJob = process.env.CITYOPS_BENCH_PUBLISH;
if (publisherJob !== undefined) {
  process.send!(await publish(JSON.parse(publisherJob) as Job));
  process.disconnect();
} else {
  console.log(
    `${CLIENTS} connections × ${WINDOW} QoS 1 messages in flight, ${RUN_MS / 1000} s measured after ${WARMUP_MS / 1000} s warm-up; ` +
      `broker + parsing + validation (append just resolves); storage measured in ingest.bench`,
  );
  const gatewayJob = { shape: 'batch', per: 100 } as const;
  const base = await baseline(gatewayJob);
  const gateway = await ours(gatewayJob);
  const devices = await ours({ shape: 'sensor', per: 10 });
  const single = await ours({ shape: 'sensor', per: 1 });
  const rate = (r: Result): number => r.readings / r.seconds;
  console.table({
    'baseline: raw aedes, QoS 1 forwarded to 1 subscriber (batch of 100)': {
      'readings/s': fmt(rate(base)),
      'messages/s': fmt(base.messages / base.seconds),
      'delivered in all': fmt(base.delivered),
    },
    'ours: cityops/telemetry, 100 readings per message': {
      'readings/s': fmt(rate(gateway)),
      'messages/s': fmt(gateway.messages / gateway.seconds),
      'appended in all': fmt(gateway.appended),
    },
    'ours: cityops/telemetry/{id}, 10 readings per message': {
      'readings/s': fmt(rate(devices)),
      'messages/s': fmt(devices.messages / devices.seconds),
    },
    'ours: cityops/telemetry/{id}, 1 reading per message': {
      'readings/s': fmt(rate(single)),
      'messages/s': fmt(single.messages / single.seconds),
    },
  });
  const figure = rate(gateway);
  console.log(
    `mqtt: ${fmt(figure)} readings/s (baseline ${fmt(rate(base))} readings/s: raw aedes forwarding the same QoS 1 messages; ` +
      `per-sensor topics ${fmt(rate(devices))}/s with 10 per message, ${fmt(rate(single))}/s with 1), target ≥ 100,000/s: ${figure >= TARGET ? 'met' : 'NOT MET'}`,
  );
}
