// HTTP ingest through the whole server: 100,000 registered sensors, batches of 1,000 readings from
// several keep-alive clients (in a worker thread, so the server keeps the main thread), each 202
// only after the durable commit. Printed beside a same-run baseline: raw better-sqlite3 inserts of
// one row per reading into a (sensor, ts)-indexed table, one transaction per batch, same pragmas.
// Run: npx tsx bench/http-ingest.bench.ts — the last line is the verdict.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { build } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { NewSensorRecord } from '../src/devices/sensor.repository.js';
import { fmt } from './bench-support.js';

const SENSORS = 100_000;
const BATCH = 1_000;
const CLIENTS = 6;
const RUN_MS = 8_000;
const TARGET = 400_000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityops-http-bench-'));
const app = await build(
  loadConfig({
    CITYOPS_DATA_DIR: dir,
    CITYOPS_LOG_LEVEL: 'silent',
    CITYOPS_RATE_LIMIT_KEY: '10000000',
    CITYOPS_BODY_LIMIT: String(64 * 1024 * 1024),
  }),
  { logger: false },
);
const now = new Date().toISOString();
const records: NewSensorRecord[] = Array.from({ length: SENSORS }, (_, i) => ({
  id: `B-${i}`,
  type: 'water_main_pressure',
  lon: 106.5775,
  lat: 29.5576,
  provinceCode: '50',
  prefectureCode: null,
  countyCode: '500103',
  townshipCode: '500103008',
  department: null,
  metadata: {},
  createdAt: now,
  updatedAt: now,
}));
let t = performance.now();
await app.services.sensors.registerMany(records);
const registerMs = performance.now() - t;
const { key } = await app.services.access.createKey({ kind: 'device', label: 'bench', scope: null });
const base = await app.listen({ port: 0, host: '127.0.0.1' });

// The load generator: unique (sensor, ts) per reading, bodies built on the fly in the worker.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, key, clients, batch, sensors, runMs } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
let ts = Date.now() - 3600000, next = 0, sent = 0, errors = 0, status = {};
const latencies = [];
const end = Date.now() + runMs;
function body() {
  const readings = new Array(batch);
  for (let i = 0; i < batch; i++) readings[i] = { sensor: 'B-' + (next++ % sensors), ts: ts + Math.floor(next / sensors), value: (next % 1000) / 1000 };
  return JSON.stringify({ readings });
}
function one() {
  return new Promise((resolve) => {
    const payload = body();
    const started = process.hrtime.bigint();
    const req = http.request(url + '/api/v1/telemetry', { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-api-key': key, 'content-length': Buffer.byteLength(payload) } }, (res) => {
      res.resume();
      res.on('end', () => {
        status[res.statusCode] = (status[res.statusCode] || 0) + 1;
        if (res.statusCode === 202) { sent += batch; latencies.push(Number(process.hrtime.bigint() - started) / 1e6); }
        resolve();
      });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end(payload);
  });
}
async function client() { while (Date.now() < end) await one(); }
const started = Date.now();
Promise.all(Array.from({ length: clients }, client)).then(() => {
  parentPort.postMessage({ sent, seconds: (Date.now() - started) / 1000, latencies, errors, status });
});
`;
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const result = await new Promise<{
  sent: number;
  seconds: number;
  latencies: number[];
  errors: number;
  status: Record<string, number>;
}>((resolve, reject) => {
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: { url: base, key, clients: CLIENTS, batch: BATCH, sensors: SENSORS, runMs: RUN_MS },
  });
  worker.once('message', resolve);
  worker.once('error', reject);
});
clearInterval(sampler);
const stats = app.services.telemetry.store.stats();
await app.close();

// Baseline: one row per reading, (sensor, ts) primary key, one transaction per 1,000, fsync on commit.
const baselineFile = path.join(dir, 'baseline.sqlite');
const db = new Database(baselineFile);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(
  'CREATE TABLE readings (sensor INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (sensor, ts)) WITHOUT ROWID',
);
const insert = db.prepare('INSERT OR REPLACE INTO readings (sensor, ts, value) VALUES (?, ?, ?)');
const insertBatch = db.transaction((start: number) => {
  for (let i = 0; i < BATCH; i++) {
    const n = start + i;
    insert.run(n % SENSORS, 1_700_000_000_000 + Math.floor(n / SENSORS), (n % 1000) / 1000);
  }
});
let baselineRows = 0;
t = performance.now();
while (performance.now() - t < RUN_MS) {
  insertBatch(baselineRows);
  baselineRows += BATCH;
}
const baselineRate = baselineRows / ((performance.now() - t) / 1000);
db.close();
fs.rmSync(dir, { recursive: true, force: true });

const sorted = [...result.latencies].sort((a, b) => a - b);
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const rate = result.sent / result.seconds;
console.log(
  `setup: ${fmt(SENSORS)} sensors registered in ${registerMs.toFixed(0)} ms; ${CLIENTS} keep-alive clients in a worker thread, ${fmt(BATCH)} readings per request, ${RUN_MS / 1000} s`,
);
console.log(
  `responses: ${JSON.stringify(result.status)}, connection errors ${result.errors}; store after run: ${JSON.stringify(stats)}`,
);
console.table({
  'cityops HTTP ingest (202 after durable commit)': {
    'readings/s': fmt(rate),
    'p50 ack ms': pct(50).toFixed(1),
    'p99 ack ms': pct(99).toFixed(1),
    'peak RSS MiB': (peakRss / 2 ** 20).toFixed(0),
  },
  'baseline: better-sqlite3 row per reading, txn per 1,000': { 'readings/s': fmt(baselineRate) },
});
const met = rate >= TARGET && rate >= baselineRate;
console.log(
  `http ingest: ${fmt(rate)} readings/s (baseline ${fmt(baselineRate)}/s, ${(rate / baselineRate).toFixed(2)}×), p99 ack ${pct(99).toFixed(1)} ms, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB, target ≥ 400,000/s and ≥ 1.0× baseline: ${met ? 'met' : 'NOT MET'}`,
);
