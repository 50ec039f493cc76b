// The alarm engine under city load (issue 4): 100,000 sensors of all 32 built-in types spread over
// Chongqing's townships, the default rule set as seeded at first start, on the production path (the
// app built by build(), its SQLite file with WAL + synchronous=FULL). Two processes, one after the
// other, so each one's peak RSS and JIT state are its own:
//
// 1. engine: AlarmEngine.process() alone, on prebuilt ReadingBatch columns of 10,000 readings (a
//    typical group commit), in simulated time (a pass over all sensors = 15 s of reading time).
//    Values are normal with a little noise; in 1/200 of the townships (a new set every 10 passes)
//    half of the sensors read far outside their normal range, so alarms of every per-reading kind
//    (thresholds with and without durations, the burst rate rule, the tunnel+sewer composite) are
//    really raised, held (last-seen updates) and cleared, and stored before they are published.
// 2. http: the whole server with ingest over HTTP exactly as bench/http-ingest measures it (6
//    keep-alive clients in a worker thread, 1,000 readings per request, 202 after the durable
//    commit), reading times = now, the same value model (the breaching set changes every 10 s).
//    Closed-loop runs WITHOUT the alarm engine subscribed (the baseline, same run) and WITH it, in
//    the order with, without, without, with (drift in the store's state cancels out). Each WITH
//    run uses an engine started as build() starts it and warmed by 2 s of unmeasured load (plans
//    are built on a sensor's first reading), and counts until the evaluator has caught up (bus
//    drained), so a lagging evaluator cannot look free. Then, at 50 % of the maximum just
//    measured (with the engine, as the app is wired), open-loop requests on a fixed schedule;
//    every third request carries one breaching reading of a fresh gas detector (> 25 %LEL raises
//    `default.gas_concentration.leak` at once). The 1,000 probe detectors get no other readings,
//    so a newer normal reading overtaking the probe cannot make the engine drop it as stale.
//    Latency = when the ALARM_EVENTS subscriber (in the server process) received the `raised`
//    event minus when the client received the HTTP 202 of the request carrying that reading
//    (the reading's acceptance as the client sees it; both clocks are performance.timeOrigin +
//    performance.now(), which the worker thread and the main thread share). The same minus the
//    moment the request was sent is printed beside it (includes the ingest ack latency).
// Run: npx tsx bench/alarms.bench.ts — the last line is the verdict.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import { AlarmEngine, type EngineCounters } from '../src/alarms/alarm-engine.js';
import { ALARM_EVENTS, type AlarmChanges } from '../src/alarms/alarm.types.js';
import { build } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { loadDivisions } from '../src/jurisdictions/geo-data.js';
import type { ReadingBatch } from '../src/telemetry/store/reading.types.js';
import { SENSOR_TYPES } from '../src/devices/sensor-types.js';
import type { NewSensorRecord } from '../src/devices/sensor.repository.js';
import { fmt, peakMiB, percentile, runPhase } from './bench-support.js';

const SENSORS = 100_000;
/** Readings per process() call in the engine-alone run. */
const ENGINE_BATCH = 10_000;
const ENGINE_RUN_MS = Number(process.env.BENCH_RUN_MS ?? 8_000);
/** Simulated reading time per pass over all sensors, and passes per breaching set. */
const STEP_MS = 15_000;
const WINDOW_PASSES = 10;
/** Value columns prebuilt for this many passes, then reused (with new reading times). */
const CYCLE_PASSES = 40;
/** HTTP: readings per request, closed-loop clients, length of each closed-loop run. */
const BATCH = 1_000;
const CLIENTS = 6;
const HTTP_RUN_MS = Number(process.env.BENCH_HTTP_RUN_MS ?? 6_000);
const PACED_MS = 12_000;
const WARMUP_MS = 2_000;
const PACED_SHARE = 0.5;
const PROBE_EVERY = 3;
const PROBES = 1_000;
/** Real time each breaching set lasts in the HTTP runs. */
const BREACH_WINDOW_MS = 10_000;
const COST_TARGET = 0.2;
const P99_TARGET_MS = 100;
const LEAK_RULE = 'default.gas_concentration.leak';

// ---- the fleet and its value model (shared by both phases and, as columns, by the worker) ----

interface Fleet {
  records: NewSensorRecord[];
  /** Township index per sensor; breaching sets are chosen by township. */
  township: Int32Array;
  base: Float64Array;
  amp: Float64Array;
  breach: Float64Array;
  /** 1 for the gas detectors reserved for latency probes: the load never makes them breach. */
  probe: Uint8Array;
  probeIds: string[];
  townships: number;
}

function buildFleet(): Fleet {
  const townships = loadDivisions().units.filter((u) => u.level === 'township' && u.code.startsWith('50'));
  const now = new Date().toISOString();
  const fleet: Fleet = {
    records: [],
    township: new Int32Array(SENSORS),
    base: new Float64Array(SENSORS),
    amp: new Float64Array(SENSORS),
    breach: new Float64Array(SENSORS),
    probe: new Uint8Array(SENSORS),
    probeIds: [],
    townships: townships.length,
  };
  for (let i = 0; i < SENSORS; i++) {
    const type = SENSOR_TYPES[i % SENSOR_TYPES.length]!;
    const group = Math.floor(i / SENSOR_TYPES.length);
    const t = group % townships.length;
    const unit = townships[t]!;
    const id = `AL-${String(i).padStart(6, '0')}`;
    // Sensor positions are not used by the engine; the chain is set directly, as bench/http-ingest does.
    fleet.records.push({
      id,
      type: type.code,
      lon: 106.5775,
      lat: 29.5576,
      provinceCode: '50',
      prefectureCode: null,
      countyCode: unit.parent,
      townshipCode: unit.code,
      department: null,
      metadata: {},
      createdAt: now,
      updatedAt: now,
    });
    const lo = type.normal.min ?? type.measurable.min;
    const hi = type.normal.max ?? type.measurable.max;
    fleet.township[i] = t;
    fleet.base[i] = (lo + hi) / 2;
    fleet.amp[i] = 0.2 * (hi - lo); // ±10 % of the normal band around its middle
    const above = type.normal.max !== null && (type.normal.min === null || ((group >> 1) & 1) === 0);
    fleet.breach[i] = above
      ? type.normal.max! + 0.5 * (type.measurable.max - type.normal.max!)
      : type.normal.min! - 0.5 * (type.normal.min! - type.measurable.min);
    if (type.code === 'gas_concentration' && fleet.probeIds.length < PROBES) {
      fleet.probe[i] = 1;
      fleet.probeIds.push(id);
    }
  }
  return fleet;
}

/** Whether sensor i reads out of range in breaching window `win` (the worker has a copy of this). */
function breaching(fleet: Fleet, i: number, win: number): boolean {
  return (
    fleet.probe[i] === 0 &&
    (Math.floor(i / SENSOR_TYPES.length) & 1) === 0 &&
    (fleet.township[i]! + win * 37) % 200 === 0
  );
}

/** Deterministic noise in [-0.5, 0.5) for sensor i on pass n. */
function noise(i: number, n: number): number {
  return ((Math.imul(i, -1640531535) ^ Math.imul(n + 1, 40503)) >>> 0) / 2 ** 32 - 0.5;
}

// ---- helpers --------------------------------------------------------------------------------

const clock = (): number => performance.timeOrigin + performance.now();

async function openApp(dir: string): Promise<{ app: FastifyInstance; registerMs: number; fleet: Fleet }> {
  const app = await build(
    loadConfig({
      CITYOPS_DATA_DIR: dir,
      CITYOPS_LOG_LEVEL: 'silent',
      CITYOPS_RATE_LIMIT_KEY: '10000000',
      CITYOPS_BODY_LIMIT: String(64 * 1024 * 1024),
    }),
    { logger: false },
  );
  const fleet = buildFleet();
  const t = performance.now();
  await app.services.sensors.registerMany(fleet.records);
  return { app, registerMs: performance.now() - t, fleet };
}

/** Times every alarm transaction (better-sqlite3: synchronous, on the event loop) of the engine. */
function instrumentWrites(app: FastifyInstance) {
  const repository = app.storage.repositories.alarms;
  const applyChanges = repository.applyChanges.bind(repository);
  const writes = { count: 0, ms: 0, maxMs: 0, inserts: 0, updates: 0 };
  repository.applyChanges = async (changes: AlarmChanges) => {
    const t = performance.now();
    try {
      return await applyChanges(changes);
    } finally {
      const ms = performance.now() - t;
      writes.count++;
      writes.ms += ms;
      writes.maxMs = Math.max(writes.maxMs, ms);
      writes.inserts += changes.inserts.length;
      writes.updates += changes.updates.length;
    }
  };
  return writes;
}

const delta = (a: EngineCounters, b: EngineCounters): EngineCounters => ({
  readings: a.readings - b.readings,
  evaluations: a.evaluations - b.evaluations,
  raised: a.raised - b.raised,
  cleared: a.cleared - b.cleared,
});

// ---- phase 1: the engine alone ----------------------------------------------------------------

interface EngineFigures {
  registerMs: number;
  firstPassMs: number;
  readings: number;
  seconds: number;
  readingsPerSecond: number;
  evaluationsPerSecond: number;
  counters: EngineCounters;
  events: Record<string, number>;
  writes: ReturnType<typeof instrumentWrites>;
  openAtEnd: number;
  peakMiB: number;
}

async function enginePhase(dir: string): Promise<EngineFigures> {
  const { app, registerMs, fleet } = await openApp(dir);
  const engine = app.services.alarmEngine;
  const writes = instrumentWrites(app);
  const events: Record<string, number> = {};
  app.services.bus.subscribe(
    ALARM_EVENTS,
    (message) => {
      for (const e of message.events) events[e.type] = (events[e.type] ?? 0) + 1;
    },
    { name: 'bench.alarm-events' },
  );
  const keys = Int32Array.from(fleet.records, (r) => app.services.sensors.resolve(r.id)!.key);
  const values = new Float64Array(CYCLE_PASSES * SENSORS);
  for (let p = 0; p < CYCLE_PASSES; p++) {
    const win = Math.floor(p / WINDOW_PASSES);
    for (let i = 0; i < SENSORS; i++) {
      values[p * SENSORS + i] = breaching(fleet, i, win)
        ? fleet.breach[i]!
        : fleet.base[i]! + fleet.amp[i]! * noise(i, p);
    }
  }
  const ts = new Float64Array(ENGINE_BATCH);
  const t0 = Date.now() - 24 * 3_600_000;
  let seq = 0;
  const pass = async (p: number): Promise<void> => {
    const offset = (p % CYCLE_PASSES) * SENSORS;
    ts.fill(t0 + p * STEP_MS);
    for (let from = 0; from < SENSORS; from += ENGINE_BATCH) {
      const batch: ReadingBatch = {
        seq: ++seq,
        keys: keys.subarray(from, from + ENGINE_BATCH),
        ts,
        values: values.subarray(offset + from, offset + from + ENGINE_BATCH),
      };
      await engine.process([batch]);
    }
  };
  // The first pass builds every sensor's plan (rules in force, composite areas): timed apart.
  let t = performance.now();
  await pass(0);
  const firstPassMs = performance.now() - t;
  const before = { ...engine.counters };
  let p = 1;
  t = performance.now();
  while (performance.now() - t < ENGINE_RUN_MS) await pass(p++);
  const seconds = (performance.now() - t) / 1000;
  const counters = delta(engine.counters, before);
  await app.services.bus.drain();
  const openAtEnd = engine.openAlarms().length;
  const figures: EngineFigures = {
    registerMs,
    firstPassMs,
    readings: counters.readings,
    seconds,
    readingsPerSecond: counters.readings / seconds,
    evaluationsPerSecond: counters.evaluations / seconds,
    counters,
    events,
    writes,
    openAtEnd,
    peakMiB: peakMiB(),
  };
  await app.close();
  return figures;
}

// ---- phase 2: HTTP ingest with and without the engine, then latency at half load ------------

// The load generator (CommonJS, in a worker thread so the server keeps the main thread). Values
// follow the same model as breaching()/noise() above.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, key, batch, ids, township, base, amp, breach, probe, probeIds, probeValue, typeCount, windowMs } = workerData;
const n = ids.length;
const clock = () => performance.timeOrigin + performance.now();
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
let next = 0, pass = 0, probeNext = 0;
function value(i, win) {
  if (probe[i] === 0 && (Math.floor(i / typeCount) & 1) === 0 && (township[i] + win * 37) % 200 === 0) return breach[i];
  return base[i] + amp[i] * (((Math.imul(i, -1640531535) ^ Math.imul(pass + 1, 40503)) >>> 0) / 4294967296 - 0.5);
}
function body(withProbe) {
  const ts = Date.now();
  const win = Math.floor(ts / windowMs);
  const readings = new Array(batch);
  for (let j = 0; j < batch; ) {
    const i = next++;
    if (next === n) { next = 0; pass++; }
    // Probe sensors get their one breaching reading and nothing else, so no newer normal reading
    // (from a request that overtook the probe's) can make the engine ignore it as out of order.
    if (probe[i] === 0) readings[j++] = { sensor: ids[i], ts, value: value(i, win) };
  }
  let probeId = null;
  if (withProbe && probeNext < probeIds.length) {
    probeId = probeIds[probeNext++];
    readings[batch >> 1] = { sensor: probeId, ts, value: probeValue };
  }
  return { payload: JSON.stringify({ readings }), probeId };
}
function post(payload) {
  return new Promise((resolve) => {
    const req = http.request(url + '/api/v1/telemetry', { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-api-key': key, 'content-length': Buffer.byteLength(payload) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, at: clock() }));
    });
    req.on('error', () => resolve({ status: 'error', at: clock() }));
    req.end(payload);
  });
}
async function closed(ms, clients) {
  let sent = 0; const status = {};
  const started = performance.now();
  const end = started + ms;
  async function client() {
    while (performance.now() < end) {
      const r = await post(body(false).payload);
      status[r.status] = (status[r.status] || 0) + 1;
      if (r.status === 202) sent += batch;
    }
  }
  await Promise.all(Array.from({ length: clients }, client));
  return { sent, seconds: (performance.now() - started) / 1000, status };
}
async function paced(ms, rate, probeEvery) {
  const interval = (1000 * batch) / rate;
  const start = performance.now();
  const pending = [], acks = [], probes = [], status = {};
  let k = 0, sent = 0;
  while (performance.now() - start < ms) {
    const due = (performance.now() - start) / interval;
    for (; k <= due; k++) {
      const scheduled = start + k * interval;
      const { payload, probeId } = body(k % probeEvery === 0);
      const sentAt = clock();
      pending.push(post(payload).then((r) => {
        status[r.status] = (status[r.status] || 0) + 1;
        if (r.status !== 202) return;
        sent += batch;
        acks.push(performance.now() - scheduled);
        if (probeId) probes.push({ id: probeId, sentAt, ackAt: r.at });
      }));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  return { sent, seconds: (performance.now() - start) / 1000, acks, probes, status };
}
parentPort.on('message', async (m) => {
  if (m.cmd === 'closed') parentPort.postMessage(await closed(m.ms, m.clients));
  else if (m.cmd === 'paced') parentPort.postMessage(await paced(m.ms, m.rate, m.probeEvery));
});
`;

interface ClosedRun {
  sent: number;
  seconds: number;
  status: Record<string, number>;
}
interface PacedRun extends ClosedRun {
  acks: number[];
  probes: { id: string; sentAt: number; ackAt: number }[];
}
interface IngestRun {
  engine: boolean;
  rate: number;
  /** Time after the load stopped until the evaluator had caught up (bus drained). */
  drainMs: number;
  status: Record<string, number>;
  counters?: EngineCounters;
  /** Alarm transactions during the run, and their time on the event loop. */
  writes: number;
  writesMs: number;
}
interface HttpFigures {
  registerMs: number;
  runs: IngestRun[];
  paced: {
    offered: number;
    rate: number;
    ackP50: number;
    ackP99: number;
    status: Record<string, number>;
    probes: number;
    matched: number;
    fromAck: { p50: number; p99: number; max: number };
    fromSend: { p50: number; p99: number; max: number };
    loopDelayP99: number;
    counters: EngineCounters;
  };
  events: Record<string, number>;
  writes: ReturnType<typeof instrumentWrites>;
  peakMiB: number;
}

async function httpPhase(dir: string): Promise<HttpFigures> {
  const { app, registerMs, fleet } = await openApp(dir);
  const { bus, sensors, jurisdictions } = app.services;
  const writes = instrumentWrites(app);
  const { key } = await app.services.access.createKey({ kind: 'device', label: 'bench', scope: null });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });

  // The raised events of the probes, stamped when this subscriber receives them.
  const probeSet = new Set(fleet.probeIds);
  const raisedAt = new Map<string, number>();
  const events: Record<string, number> = {};
  bus.subscribe(
    ALARM_EVENTS,
    (message) => {
      const at = clock();
      for (const e of message.events) {
        events[e.type] = (events[e.type] ?? 0) + 1;
        const id = e.alarm.sensorId;
        if (e.type === 'raised' && e.alarm.ruleId === LEAK_RULE && id !== null && probeSet.has(id)) {
          if (!raisedAt.has(id)) raisedAt.set(id, at);
        }
      }
    },
    { name: 'bench.alarm-latency' },
  );

  const gas = SENSOR_TYPES.find((t) => t.code === 'gas_concentration')!;
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: {
      url: base,
      key,
      batch: BATCH,
      ids: fleet.records.map((r) => r.id),
      township: fleet.township,
      base: fleet.base,
      amp: fleet.amp,
      breach: fleet.breach,
      probe: fleet.probe,
      probeIds: fleet.probeIds,
      probeValue: gas.normal.max! + 0.5 * (gas.measurable.max - gas.normal.max!),
      typeCount: SENSOR_TYPES.length,
      windowMs: BREACH_WINDOW_MS,
    },
  });
  const ask = <T>(message: object): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage(message);
    });

  // The app's own engine goes first; each WITH run gets one started exactly as build() starts it.
  await app.services.alarmEngine.close();
  let engine: AlarmEngine | undefined;
  const startEngine = () =>
    AlarmEngine.start({
      repository: app.storage.repositories.alarms,
      bus,
      sensors,
      tree: () => jurisdictions.units,
      onError: (error, during) => console.error(`alarm engine: ${during}`, error),
    });

  const runs: IngestRun[] = [];
  const closedRun = async (withEngine: boolean, ms = HTTP_RUN_MS, measured = true): Promise<void> => {
    const before = engine ? { ...engine.counters } : undefined;
    const written = { ...writes };
    const result = await ask<ClosedRun>({ cmd: 'closed', ms, clients: CLIENTS });
    const t = performance.now();
    await bus.drain();
    const drainMs = performance.now() - t;
    if (!measured) return;
    runs.push({
      engine: withEngine,
      rate: result.sent / (result.seconds + drainMs / 1000),
      drainMs,
      status: result.status,
      ...(engine && before ? { counters: delta(engine.counters, before) } : {}),
      writes: writes.count - written.count,
      writesMs: writes.ms - written.ms,
    });
  };
  // A started engine builds each sensor's plan on its first reading (about a second for 100,000):
  // a short unmeasured run first, so the WITH runs show the steady state, as after any warm start.
  const startWarm = async (): Promise<AlarmEngine> => {
    const started = await startEngine();
    engine = started;
    await closedRun(true, WARMUP_MS, false);
    return started;
  };
  // ABBA: with, without, without, with; the second engine stays for the latency run.
  await startWarm();
  await closedRun(true);
  await engine!.close();
  engine = undefined;
  await closedRun(false);
  await closedRun(false);
  engine = await startWarm();
  await closedRun(true);

  // Half of the maximum measured with the engine, as the app runs.
  const withRates = runs.filter((r) => r.engine).map((r) => r.rate);
  const offered = PACED_SHARE * (withRates.reduce((a, b) => a + b, 0) / withRates.length);
  const before = { ...engine.counters };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const paced = await ask<PacedRun>({ cmd: 'paced', ms: PACED_MS, rate: offered, probeEvery: PROBE_EVERY });
  await bus.drain();
  loop.disable();
  const counters = delta(engine.counters, before);
  const fromAck: number[] = [];
  const fromSend: number[] = [];
  for (const probe of paced.probes) {
    const at = raisedAt.get(probe.id);
    if (at === undefined) continue;
    fromAck.push(at - probe.ackAt);
    fromSend.push(at - probe.sentAt);
  }
  const summary = (xs: number[]) => ({
    p50: percentile(xs, 50),
    p99: percentile(xs, 99),
    max: percentile(xs, 100),
  });
  const figures: HttpFigures = {
    registerMs,
    runs,
    paced: {
      offered,
      rate: paced.sent / paced.seconds,
      ackP50: percentile(paced.acks, 50),
      ackP99: percentile(paced.acks, 99),
      status: paced.status,
      probes: paced.probes.length,
      matched: fromAck.length,
      fromAck: summary(fromAck),
      fromSend: summary(fromSend),
      loopDelayP99: loop.percentile(99) / 1e6,
      counters,
    },
    events,
    writes,
    peakMiB: peakMiB(),
  };
  await worker.terminate();
  await engine.close();
  await app.close();
  return figures;
}

// ---- the parent: runs each phase in its own process and prints ---------------------------------

const phase = process.argv[2];
if (phase === 'engine' || phase === 'http') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cityops-alarms-${phase}-`));
  try {
    const figures = phase === 'engine' ? await enginePhase(dir) : await httpPhase(dir);
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
} else {
  const run = <T>(which: string): T => runPhase<T>(import.meta.url, which);
  const e = run<EngineFigures>('engine');
  const h = run<HttpFigures>('http');
  const ms = (n: number): string => `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`;
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const without = mean(h.runs.filter((r) => !r.engine).map((r) => r.rate));
  const withEngine = mean(h.runs.filter((r) => r.engine).map((r) => r.rate));
  const cost = 1 - withEngine / without;
  const rss = Math.max(e.peakMiB, h.peakMiB);
  const rulesPerReading = e.counters.evaluations / e.counters.readings;

  console.log(
    `${fmt(SENSORS)} sensors (${SENSOR_TYPES.length} types over ${fmt(buildFleet().townships)} Chongqing townships), default rule set; ` +
      `${os.cpus().length} cores, node ${process.version}; registration ${fmt(e.registerMs)} ms\n`,
  );
  console.log(
    `engine alone: ${fmt(e.readings)} readings in ${e.seconds.toFixed(1)} s, process() of ${fmt(ENGINE_BATCH)} readings, ` +
      `${STEP_MS / 1000} s of reading time per pass; first pass (plans built) ${fmt(e.firstPassMs)} ms; ` +
      `${rulesPerReading.toFixed(2)} evaluations per reading; raised ${fmt(e.counters.raised)}, cleared ${fmt(e.counters.cleared)}, ` +
      `open at end ${fmt(e.openAtEnd)}; events ${JSON.stringify(e.events)}; alarm transactions ${fmt(e.writes.count)} ` +
      `(${fmt(e.writes.inserts)} inserts, ${fmt(e.writes.updates)} updates, ${fmt(e.writes.ms)} ms on the event loop, max ${ms(e.writes.maxMs)})`,
  );
  console.table({
    'rule evaluations/s (engine alone)': { value: fmt(e.evaluationsPerSecond) },
    'readings/s (engine alone)': { value: fmt(e.readingsPerSecond) },
    'engine-alone time per reading ÷ bare ingest time per reading': {
      value: `${((100 * without) / e.readingsPerSecond).toFixed(1)} %`,
    },
  });

  console.log(
    `\nHTTP ingest, closed loop (${CLIENTS} keep-alive clients in a worker thread, ${fmt(BATCH)} readings per request, ` +
      `${HTTP_RUN_MS / 1000} s per run; WITH runs count until the evaluator has caught up):`,
  );
  console.table(
    Object.fromEntries(
      h.runs.map((r, i) => [
        `${i + 1}. ${r.engine ? 'WITH the alarm engine' : 'without (baseline)'}`,
        {
          'readings/s': fmt(r.rate),
          'evaluator drain after load': ms(r.drainMs),
          'evaluations/s': r.counters ? fmt(r.counters.evaluations / (HTTP_RUN_MS / 1000)) : '—',
          'raised / cleared': r.counters ? `${fmt(r.counters.raised)} / ${fmt(r.counters.cleared)}` : '—',
          'alarm txns (event-loop ms)': r.engine ? `${fmt(r.writes)} (${fmt(r.writesMs)})` : '—',
          responses: JSON.stringify(r.status),
        },
      ]),
    ),
  );
  const p = h.paced;
  console.log(
    `\nlatency at ${(PACED_SHARE * 100).toFixed(0)} % of the maximum: offered ${fmt(p.offered)}/s open loop, achieved ${fmt(p.rate)}/s, ` +
      `responses ${JSON.stringify(p.status)}, ack p50 ${ms(p.ackP50)} / p99 ${ms(p.ackP99)} from schedule; ` +
      `${p.matched} of ${p.probes} probes matched to their raised event; event-loop delay p99 ${ms(p.loopDelayP99)}; ` +
      `engine: ${fmt(p.counters.readings)} readings, raised ${fmt(p.counters.raised)}, cleared ${fmt(p.counters.cleared)}; ` +
      `alarm transactions in the http process ${fmt(h.writes.count)} (${fmt(h.writes.updates)} updates, ` +
      `${fmt(h.writes.ms)} ms on the event loop, max ${ms(h.writes.maxMs)}); events ${JSON.stringify(h.events)}`,
  );
  console.table({
    'HTTP 202 → raised event on the bus': {
      p50: ms(p.fromAck.p50),
      p99: ms(p.fromAck.p99),
      max: ms(p.fromAck.max),
    },
    'request sent → raised event (includes the ack)': {
      p50: ms(p.fromSend.p50),
      p99: ms(p.fromSend.p99),
      max: ms(p.fromSend.max),
    },
  });
  console.table({
    'peak RSS': {
      'engine process': `${fmt(e.peakMiB)} MiB`,
      'http process (+ load worker)': `${fmt(h.peakMiB)} MiB`,
    },
  });

  const met = cost < COST_TARGET && p.fromAck.p99 < P99_TARGET_MS && p.matched === p.probes && p.probes > 0;
  console.log(
    `alarms: ${fmt(e.evaluationsPerSecond)} rule evaluations/s (${fmt(e.readingsPerSecond)} readings/s) on ${fmt(SENSORS)} sensors; ` +
      `HTTP ingest ${fmt(withEngine)}/s with the engine vs ${fmt(without)}/s without (${(withEngine / without).toFixed(2)}×): ` +
      `evaluation costs ${(100 * cost).toFixed(1)}% of ingest throughput (target < 20%); ` +
      `reading→alarm event p99 ${ms(p.fromAck.p99)} at ${fmt(p.rate)}/s (target < 100 ms); ` +
      `peak RSS ${fmt(rss)} MiB: ${met ? 'met' : 'NOT MET'}`,
  );
}
