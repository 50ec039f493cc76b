// Telemetry ingest at the engine level — ReadingStore.append, HTTP and MQTT come later: 100,000
// sensors, batches of 1,000 readings from 16 concurrent producers, each batch acknowledged only once
// durably committed (WAL, synchronous=FULL). Baseline, same run, same data, same pragmas: raw
// better-sqlite3 inserts of one row per reading into a (sensor, ts)-keyed table, one transaction per
// batch. Then query latency against the same-run baseline table: the latest value of 100,000 sensors,
// and a 24-hour series at 1-minute buckets. Each side runs in its own process, so peak RSS is its own.
// Run: npx tsx bench/ingest.bench.ts — the last line is the verdict.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { openSqlite } from '../src/platform/db/sqlite.js';
import { seededRandom } from '../src/platform/random.js';
import { openEngineOnFile } from '../src/test-support/telemetry-engine.js';
import { HOUR_MS, type Reading } from '../src/telemetry/store/reading.types.js';
import { fmt, percentile, runPhase } from './bench-support.js';

const SENSORS = 100_000;
const BATCH = 1_000;
const PRODUCERS = 16;
const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 12_000);
const TARGET = 400_000;
// Simulated time: each sensor reports every 2 simulated minutes, so at ~1M readings/s an hour of
// data (3M readings) closes every few seconds and is compacted during the measurement, as it would
// be in steady state. That is the costly case for compaction: few readings per sensor-hour.
const SIM_STEP_MS = Math.round((120_000 * BATCH) / SENSORS);
const SIM_START = Date.UTC(2026, 0, 5, 8);
// Query sensors, outside the ingest keys: 24 hours at one reading per 10 s before the end of ingest.
const QUERY_SENSORS = 20;
const QUERY_STEP_MS = 10_000;
const QUERY_RUNS = 200;
const PACED_MS = 8_000;

/** The open-loop run at the target rate: latency from each batch's scheduled arrival to its ack. */
interface Paced {
  rate: number;
  p50: number;
  p99: number;
  max: number;
  refused: number;
}

interface Figures {
  rate: number;
  readings: number;
  /** Batches refused with OVERLOADED (and retried). */
  refused: number;
  p99: number;
  peakMiB: number;
  latestP95: number;
  /** The same, as objects ({key, ts, value} each) instead of columns. */
  latestObjectsP95?: number;
  seriesP95: number;
  compacted?: number;
  seriesPoints?: number;
}

/**
 * The shared stream of batches, identical for ours and the baseline: sensors in turn (a batch is
 * 1,000 consecutive keys, as from a gateway whose sensors were registered together; the friendly
 * order for the baseline's B-tree, and the one bench/http-ingest uses), seeded values.
 */
function batchStream() {
  let n = 0;
  const random = seededRandom(7);
  return {
    next: (): Reading[] => {
      const out = new Array<Reading>(BATCH);
      for (let i = 0; i < BATCH; i++, n++) {
        const ts = SIM_START + Math.floor((n * SIM_STEP_MS) / BATCH);
        out[i] = { key: 1 + (n % SENSORS), ts, value: random() * 100 };
      }
      return out;
    },
    now: () => SIM_START + Math.floor((n * SIM_STEP_MS) / BATCH),
  };
}

/** 24 hours of readings per query sensor, ending at `end`. */
function querySensorData(end: number): Reading[] {
  const random = seededRandom(11);
  const out: Reading[] = [];
  for (let s = 0; s < QUERY_SENSORS; s++) {
    for (let ts = end - 24 * HOUR_MS; ts <= end; ts += QUERY_STEP_MS) {
      out.push({ key: SENSORS + 1 + s, ts, value: random() * 100 });
    }
  }
  return out;
}

async function timeEach(runs: number, fn: (i: number) => unknown): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  return times;
}

/**
 * Closed-loop producers: each sends a batch, waits for its acknowledgement, sends the next. A batch
 * refused with OVERLOADED (the engine pushing back while compaction catches up) is sent again after
 * 100 ms, as a client would retry; only acknowledged readings count.
 */
async function produce(append: (batch: Reading[]) => Promise<unknown> | void, next: () => Reading[]) {
  const latencies: number[] = [];
  let [readings, refused] = [0, 0];
  const started = performance.now();
  const deadline = started + RUN_MS;
  await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      let batch = next();
      while (performance.now() < deadline) {
        const t = performance.now();
        try {
          await append(batch);
        } catch (error) {
          if ((error as { code?: unknown }).code !== 'OVERLOADED') throw error;
          refused++;
          await new Promise((resolve) => setTimeout(resolve, 100));
          continue;
        }
        latencies.push(performance.now() - t);
        readings += batch.length;
        batch = next();
        // Requests arrive as I/O: let timers and callbacks run, as in a server's event loop.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { rate: readings / seconds, readings, refused, p99: percentile(latencies, 99) };
}

async function openOurs(dir: string, clock: () => number) {
  return openEngineOnFile(path.join(dir, 'ours.sqlite'), {
    config: loadConfig({}),
    clock,
    // Jobs every 250 ms of real time: simulated hours close every few seconds. No compaction lag
    // allowed: ingest is refused whenever the latest due hour is not compacted yet, so the figure
    // is what ingest and compaction sustain together, not ingest with compaction deferred.
    tuning: { intervalMs: 250, maxCompactionLagMs: 0 },
  });
}

/**
 * Open loop at the target rate: batches arrive on a fixed schedule whether or not earlier ones are
 * acknowledged, and latency counts from the scheduled arrival. A closed loop cannot see a blocked
 * event loop (blocked producers send nothing and time nothing); this can.
 */
async function paced(dir: string): Promise<Paced> {
  const stream = batchStream();
  const { engine, close } = await openOurs(dir, stream.now);
  const interval = (1000 * BATCH) / TARGET;
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  let [sent, refused] = [0, 0];
  const start = performance.now();
  while (performance.now() - start < PACED_MS) {
    for (const due = (performance.now() - start) / interval; sent <= due; sent++) {
      const scheduled = start + sent * interval;
      const ack = engine.store.append(stream.next()).then(
        () => void latencies.push(performance.now() - scheduled),
        () => void refused++,
      );
      pending.push(ack);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(pending);
  await close(); // the engine, then its writer thread and the file
  return {
    rate: (latencies.length * BATCH) / (PACED_MS / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: percentile(latencies, 100),
    refused,
  };
}

async function ours(dir: string): Promise<Figures> {
  const stream = batchStream();
  const { engine, close } = await openOurs(dir, stream.now);
  const { store, jobs } = engine;
  const ingest = await produce((batch) => store.append(batch), stream.next);
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  const compacted = jobs.totals.compactedReadings;

  // Let compaction catch up with what the run left, then add the query sensors' day of data.
  await jobs.compactDue();
  const end = stream.now();
  const extra = querySensorData(end);
  for (let i = 0; i < extra.length; i += 10_000) await store.append(extra.slice(i, i + 10_000));
  await jobs.runOnce();
  const keys = Int32Array.from({ length: SENSORS }, (_, i) => i + 1);
  const latest = await timeEach(QUERY_RUNS, () => store.latestColumns(keys));
  const latestObjects = await timeEach(QUERY_RUNS, () => store.latest(keys));
  let seriesPoints = 0;
  const series = await timeEach(QUERY_RUNS, async (i) => {
    const key = SENSORS + 1 + (i % QUERY_SENSORS);
    const s = await store.series(key, { from: end - 24 * HOUR_MS, to: end, bucket: '1m' });
    seriesPoints = s.points.length;
  });
  await close(); // the engine, then its writer thread and the file
  return {
    ...ingest,
    peakMiB,
    compacted,
    latestP95: percentile(latest, 95),
    latestObjectsP95: percentile(latestObjects, 95),
    seriesP95: percentile(series, 95),
    seriesPoints,
  };
}

async function baseline(dir: string): Promise<Figures> {
  const { db } = openSqlite(path.join(dir, 'baseline.sqlite'));
  db.exec(`CREATE TABLE readings (sensor INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,
           PRIMARY KEY (sensor, ts)) WITHOUT ROWID`);
  const insert = db.prepare('INSERT OR REPLACE INTO readings (sensor, ts, value) VALUES (?, ?, ?)');
  const commit = db.transaction((batch: Reading[]) => {
    for (const r of batch) insert.run(r.key, r.ts, r.value);
  });
  const stream = batchStream();
  // better-sqlite3 is synchronous: the producers take turns, one transaction per batch.
  const ingest = await produce((batch) => commit(batch), stream.next);
  const peakMiB = process.resourceUsage().maxRSS / 1024;

  const end = stream.now();
  const extra = querySensorData(end);
  for (let i = 0; i < extra.length; i += 10_000) commit(extra.slice(i, i + 10_000));
  const latestQuery = db.prepare(
    `SELECT sensor, ts, value FROM readings r
     WHERE ts = (SELECT max(ts) FROM readings WHERE sensor = r.sensor) AND sensor BETWEEN 1 AND ?`,
  );
  const latest = await timeEach(5, () => latestQuery.all(SENSORS));
  const seriesQuery = db.prepare(
    `SELECT ts / 60000 AS minute, min(value), max(value), avg(value), count(*) FROM readings
     WHERE sensor = ? AND ts BETWEEN ? AND ? GROUP BY minute ORDER BY minute`,
  );
  const series = await timeEach(QUERY_RUNS, (i) =>
    seriesQuery.all(SENSORS + 1 + (i % QUERY_SENSORS), end - 24 * HOUR_MS, end),
  );
  db.close();
  return { ...ingest, peakMiB, latestP95: percentile(latest, 95), seriesP95: percentile(series, 95) };
}

const phase = process.argv[2];
if (phase === 'ours' || phase === 'paced' || phase === 'baseline') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cityops-ingest-${phase}-`));
  try {
    const figures =
      phase === 'ours' ? await ours(dir) : phase === 'paced' ? await paced(dir) : await baseline(dir);
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
} else {
  const run = <T>(which: string): T => runPhase<T>(import.meta.url, which);
  const o = run<Figures>('ours');
  const p = run<Paced>('paced');
  const b = run<Figures>('baseline');
  const ms = (n: number): string => `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`;
  console.log(
    `engine level (ReadingStore.append; HTTP/MQTT not included): ${fmt(SENSORS)} sensors, batches of ${fmt(BATCH)}, ` +
      `${PRODUCERS} closed-loop producers, ${RUN_MS / 1000} s each side, ${os.cpus().length} cores\n`,
  );
  console.table({
    'ingest, readings/s': { ours: fmt(o.rate), baseline: fmt(b.rate) },
    'readings acknowledged': { ours: fmt(o.readings), baseline: fmt(b.readings) },
    'batches refused (OVERLOADED) and retried': { ours: fmt(o.refused), baseline: fmt(b.refused) },
    'p99 ack latency, saturated (closed loop)': { ours: ms(o.p99), baseline: ms(b.p99) },
    [`ack latency at ${fmt(TARGET)}/s offered (open loop), p50 / p99 / max`]: {
      ours: `${ms(p.p50)} / ${ms(p.p99)} / ${ms(p.max)}`,
      baseline: `cannot sustain ${fmt(TARGET)}/s`,
    },
    'peak RSS': { ours: `${fmt(o.peakMiB)} MiB`, baseline: `${fmt(b.peakMiB)} MiB` },
    'compacted during the run': { ours: fmt(o.compacted ?? 0), baseline: '—' },
    'latest of 100,000 sensors (columns), p95': { ours: ms(o.latestP95), baseline: ms(b.latestP95) },
    '… as 100,000 {key, ts, value} objects, p95': { ours: ms(o.latestObjectsP95 ?? NaN), baseline: '—' },
    [`24 h series at 1 min (${o.seriesPoints ?? 0} points), p95`]: {
      ours: ms(o.seriesP95),
      baseline: ms(b.seriesP95),
    },
  });
  const ratio = o.rate / b.rate;
  const met = o.rate >= TARGET && ratio >= 1 && p.refused === 0 && o.latestP95 < 20 && o.seriesP95 < 20;
  console.log(
    `ingest: ${fmt(o.rate)} readings/s (baseline ${fmt(b.rate)}/s, ${ratio.toFixed(1)}×), ` +
      `p99 ack ${ms(p.p99)} at ${fmt(TARGET)}/s (${ms(o.p99)} saturated), ` +
      `peak RSS ${fmt(o.peakMiB)} MiB; latest-100k p95 ${ms(o.latestP95)}, 24h@1m p95 ${ms(o.seriesP95)}; ` +
      `target ≥ 400,000/s and p95 < 20 ms: ${met ? 'met' : 'NOT MET'}`,
  );
}
