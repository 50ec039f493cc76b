// Cases at city scale (issue 5): N cases (CITYOPS_BENCH_CASES, default 1,000,000; `npm run bench --
// --full` sets 20,000,000) over Chongqing's
// 1,031 townships and the two years before the seed, on the production path (the app built by
// build(), its SQLite file with WAL + synchronous=FULL, cases committed on their writer thread),
// measured at the service level: the
// CaseService methods that every intake path and the HTTP routes call (report, list, stats),
// without HTTP around them. Three processes, one after the other, so each one's peak RSS is its own:
//
// 1. seed, only when bench/.data/cases-<N>/ holds no complete seed of this N, PRNG seed, generator
//    version and migration list (its marker file says which): bench/case-seed.ts writes the
//    history straight into the file (see its header: real CaseRecords through applyAction, rows
//    by the shared caseValues / occurrenceValues, case_stats and case_stage_stats summed as the
//    live path sums them; no audit chain). Bulk-load settings for the seed only: synchronous=OFF,
//    a 2 GiB page cache, secondary indexes dropped and rebuilt after; synchronous=FULL is set
//    again before the file is used (and every open sets it).
// 2. baseline: the same sustained-create workload on an empty database, so the cost of the N rows
//    shows beside it.
// 3. measure, on the seeded file: first the escalation job's catch-up (time passed since the seed
//    makes cases overdue; the app does this within a minute of starting). Then, each ≥ 200 times
//    after 20 unmeasured calls: stats() for the city (50) over the two years and over the seed's
//    month to date, for 北碚区 500109 and for 渝北区 500112 (the largest county); list() of 50 cases
//    for county + status + category (varied across the repetitions) and its second page by
//    cursor; a county's work queue (sort=deadline, 50 open cases). The SQLite plans of these queries are printed. Then sustained create: WORKERS
//    concurrent report() callers for CITYOPS_BENCH_CREATE_MS (after 2 s unmeasured); 30 % of the
//    reports are placed within half the dedup radius of a case opened earlier in the run, with
//    reportedAt = now (so they attach as occurrences), the rest open new cases at random places,
//    weighted like the seed. Every report() counts: opened + attached = reports/s.
//    The create phase adds cases; they are removed again afterwards, so every run measures the
//    same N: the repository's commit is wrapped to record what the run inserted and how every
//    seeded case it changed was before; the restore deletes the inserted cases, puts the changed
//    ones back, corrects the statistics with the live path's statDeltas and drops the run's
//    occurrences, audit links and new statistics rows. The marker says 'measuring' until that has
//    succeeded; after a run that died in between, the next one seeds again.
// Run: npx tsx bench/cases.bench.ts — the last line is the verdict. CITYOPS_BENCH_CASES=200000 for
// a quick look; CITYOPS_BENCH_STAGE_STATS=0 seeds no stage-time histograms (faster, but stats()
// then skips their part); also CITYOPS_BENCH_SEED, _REPS, _CREATE_MS, _WORKERS, _DROP_INDEXES=0.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { EVERYTHING } from '../src/jurisdictions/visibility.js';
import { build } from '../src/app.js';
import type { IncomingReport } from '../src/cases/case-intake.js';
import { isOpen } from '../src/cases/case-lifecycle.js';
import { planStats, type CaseMetrics } from '../src/cases/case-stats-query.js';
import {
  binOf,
  COUNTERS,
  dateOfDay,
  dayOf,
  monthOf,
  statDeltas,
  statKeys,
  type Counters,
  type StatKey,
} from '../src/cases/case-stats.js';
import type { CaseRecord } from '../src/cases/case.types.js';
import {
  CASE_COLUMNS,
  caseValues,
  listSql,
  stageStatsSql,
  statsSql,
  statUpsertSql,
  toCase,
  type Param,
  type Row,
} from '../src/cases/case.sql.js';
import { loadConfig } from '../src/config.js';
import { AppError } from '../src/errors.js';
import { seededRandom } from '../src/platform/random.js';
import { MIGRATIONS } from '../src/storage.js';
import {
  CategoryMix,
  CityPlaces,
  readMarker,
  reportText,
  SEED_VERSION,
  seedCases,
  sourceFor,
  writeMarker,
  type SeedFigures,
  type SeedMarker,
} from './case-seed.js';
import { fmt, peakMiB, percentile, runPhase } from './bench-support.js';

const CASES = Number(process.env.CITYOPS_BENCH_CASES ?? 1_000_000);
const SEED = Number(process.env.CITYOPS_BENCH_SEED ?? 20_240_501);
const STAGE_STATS = process.env.CITYOPS_BENCH_STAGE_STATS !== '0';
const DROP_INDEXES = process.env.CITYOPS_BENCH_DROP_INDEXES !== '0';
const REPS = Math.max(200, Number(process.env.CITYOPS_BENCH_REPS ?? 300));
const WARM_CALLS = 20;
const CREATE_MS = Number(process.env.CITYOPS_BENCH_CREATE_MS ?? 15_000);
const CREATE_WARMUP_MS = 2_000;
const WORKERS = Number(process.env.CITYOPS_BENCH_WORKERS ?? 256);
const DUPLICATE_SHARE = 0.3;
/** Cases opened in the run that duplicates are aimed at (the most recent ones). */
const RECENT = 4_096;
/** Diagnosis only: a SQLite page cache for the app's connection other than SQLite's default 2 MiB. */
const APP_CACHE_MIB = Number(process.env.CITYOPS_BENCH_APP_CACHE_MIB ?? 0);
const DEFAULT_CACHE_MIB = loadConfig({}).sqliteCacheMiB;
const QUERY_TARGET_MS = 50;
const CREATE_TARGET = 10_000;

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA_DIR = path.join(here, '.data', `cases-${CASES}`);
const MARKER = path.join(DATA_DIR, 'seeded.json');

// ---- helpers ----------------------------------------------------------------------------------

const summary = (xs: readonly number[]) => ({
  p50: percentile(xs, 50),
  p95: percentile(xs, 95),
  p99: percentile(xs, 99),
});

async function openApp(dir: string): Promise<FastifyInstance> {
  const cache = APP_CACHE_MIB > 0 ? { CITYOPS_SQLITE_CACHE_MIB: String(APP_CACHE_MIB) } : {};
  return build(loadConfig({ CITYOPS_DATA_DIR: dir, CITYOPS_LOG_LEVEL: 'silent', ...cache }), {
    logger: false,
  });
}

function sqliteOf(app: FastifyInstance): BetterSqlite3.Database {
  const database = app.storage.database;
  if (database.engine !== 'sqlite') throw new Error('the cases benchmark runs on SQLite');
  return database.db;
}

/** A statement built by the shared SQL builders, with its parameters. */
function bound(build: (param: Param) => string): [string, unknown[]] {
  const values: unknown[] = [];
  const text = build((value) => {
    values.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    return '?';
  });
  return [text, values];
}

/** What SQLite does for a statement, one line. */
function planOf(db: BetterSqlite3.Database, build: (param: Param) => string): string {
  const [text, values] = bound(build);
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...values) as { detail: string }[];
  return rows.map((r) => r.detail).join('; ');
}

// ---- sustained create (both the baseline and the seeded database) ----------------------------

interface CreateFigures {
  seconds: number;
  reports: number;
  opened: number;
  attached: number;
  aimed: number;
  aimedAttached: number;
  rate: number;
  latency: { p50: number; p95: number; p99: number };
  errors: Record<string, number>;
}

/** WORKERS concurrent report() callers: unmeasured warm-up, then CREATE_MS measured. */
async function sustainedCreate(app: FastifyInstance, tag: string): Promise<CreateFigures> {
  const { cases, jurisdictions, bus } = app.services;
  const places = CityPlaces.build(jurisdictions, seededRandom(SEED));
  const mix = CategoryMix.of(cases.catalog.listCategories());
  const rng = seededRandom(SEED ^ 0x5eed);
  const recent: { town: number; category: number; lon: number; lat: number }[] = [];
  let next = 0;
  let serial = 0;

  const phase = async (ms: number) => {
    const figures = { reports: 0, opened: 0, attached: 0, aimed: 0, aimedAttached: 0 };
    const errors: Record<string, number> = {};
    const latencies: number[] = [];
    const started = performance.now();
    const end = started + ms;
    const worker = async () => {
      while (performance.now() < end) {
        let town: number;
        let category: number;
        let lon: number;
        let lat: number;
        const aimed = recent.length > 0 && rng() < DUPLICATE_SHARE;
        if (aimed) {
          // Within half the category's radius of a case this run opened, seconds later: a duplicate.
          const target = recent[Math.floor(rng() * recent.length)]!;
          const radius = mix.categories[target.category]!.dedupRadiusM;
          const d = 0.5 * radius * Math.sqrt(rng());
          const a = 2 * Math.PI * rng();
          ({ town, category } = target);
          lat = target.lat + (d * Math.sin(a)) / 111_320;
          lon = target.lon + (d * Math.cos(a)) / (111_320 * Math.cos((target.lat * Math.PI) / 180));
          // Not across the city's border: that would be refused, which is not what is measured here.
          if (jurisdictions.locate(lon, lat) === null) ({ lon, lat } = target);
        } else {
          town = places.pick(rng);
          [lon, lat] = places.point(town, rng);
          category = mix.pick(rng);
        }
        const cat = mix.categories[category]!;
        const source = sourceFor(cat, rng);
        const ref = `${source}-${tag}-${serial++}`;
        const text = reportText(source, ref, cat, places.townships[town]!, rng);
        const report: IncomingReport = {
          source,
          sourceRef: ref,
          category: cat.code,
          lon,
          lat,
          address: text.address ?? undefined,
          description: text.description,
          reportedAt: Date.now(),
          reporter: text.reporter ?? undefined,
          attachments: text.attachments,
          raw: text.raw,
        };
        const t = performance.now();
        try {
          const outcome = await cases.report(report, EVERYTHING);
          latencies.push(performance.now() - t);
          figures.reports++;
          if (aimed) figures.aimed++;
          if (outcome.attached) {
            figures.attached++;
            if (aimed) figures.aimedAttached++;
          } else {
            figures.opened++;
            recent[next] = { town, category, lon, lat };
            next = (next + 1) % RECENT;
          }
        } catch (error) {
          const code = error instanceof AppError ? error.code : String(error);
          errors[code] = (errors[code] ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    await bus.drain();
    const seconds = (performance.now() - started) / 1000;
    return { ...figures, seconds, rate: figures.reports / seconds, latency: summary(latencies), errors };
  };
  await phase(CREATE_WARMUP_MS);
  return phase(CREATE_MS);
}

// ---- putting the seeded database back after the create phase ---------------------------------

interface Capture {
  inserted: Set<string>;
  /** Seeded cases the run changed, as they were before its first change. */
  originals: Map<string, CaseRecord>;
  samples: { record: CaseRecord; stage: string; ms: number }[];
}

/** Wraps the case repository's commit to record what each successful commit wrote. */
function captureWrites(app: FastifyInstance): Capture {
  const repository = app.storage.repositories.cases;
  const commit = repository.commit.bind(repository);
  const capture: Capture = { inserted: new Set(), originals: new Map(), samples: [] };
  repository.commit = async (changes) => {
    const linked = await commit(changes);
    for (const change of changes) {
      for (const { before, after, stageTimes } of change.writes) {
        if (!before) capture.inserted.add(after.id);
        else if (!capture.inserted.has(after.id) && !capture.originals.has(after.id)) {
          capture.originals.set(after.id, before);
        }
        if (after.status === 'merged') continue;
        for (const s of stageTimes ?? []) capture.samples.push({ record: after, stage: s.stage, ms: s.ms });
      }
    }
    return linked;
  };
  return capture;
}

interface Watermark {
  cases: number;
  occurrences: number;
  caseStats: number;
  stageStats: number;
  head: { seq: number; hash: string };
}

function watermark(db: BetterSqlite3.Database): Watermark {
  const max = (table: string) =>
    (db.prepare(`SELECT coalesce(max(rowid), 0) AS n FROM ${table}`).get() as { n: number }).n;
  return {
    cases: max('cases'),
    occurrences: max('case_occurrences'),
    caseStats: max('case_stats'),
    stageStats: max('case_stage_stats'),
    head: db.prepare('SELECT seq, hash FROM case_audit_head WHERE id = 1').get() as Watermark['head'],
  };
}

/**
 * Undoes the run in one transaction: statistics by the live path's own deltas (inserted cases'
 * contribution out, changed cases back to their state before), then the rows themselves. Every
 * statistics row the run created must be back at zero; otherwise nothing is changed and it throws.
 */
function restore(
  db: BetterSqlite3.Database,
  capture: Capture,
  mark: Watermark,
): { removed: number; reverted: number } {
  // The live path's own upsert (case.sql.ts), prepared once: its text is the same for every key.
  const upserts = new Map<string, BetterSqlite3.Statement>();
  const add = (k: StatKey, delta: Counters, sign: 1 | -1) => {
    const signed = Object.fromEntries(COUNTERS.map((c) => [c, sign * delta[c]]));
    const [text, values] = bound((p) => statUpsertSql(p, k, signed));
    let statement = upserts.get(text);
    if (!statement) upserts.set(text, (statement = db.prepare(text)));
    statement.run(...values);
  };
  const get = db.prepare('SELECT * FROM cases WHERE id = ?');
  const remove = db.prepare('DELETE FROM cases WHERE id = ?');
  const put = db.prepare(
    `UPDATE cases SET ${CASE_COLUMNS.slice(1)
      .map((c) => `${c} = ?`)
      .join(', ')} WHERE id = ?`,
  );
  const unstage = db.prepare(
    `UPDATE case_stage_stats SET n = n - 1, total_ms = total_ms - ? WHERE level = ? AND unit = ? AND grain = ?
     AND bucket = ? AND category = ? AND department = ? AND stage = ? AND bin = ?`,
  );
  return db
    .transaction(() => {
      let removed = 0;
      for (const id of capture.inserted) {
        const row = get.get(id) as Row | undefined;
        if (!row) continue;
        for (const { key, delta } of statDeltas(null, toCase(row))) add(key, delta, -1);
        remove.run(id);
        removed++;
      }
      for (const [id, original] of capture.originals) {
        const current = toCase(get.get(id) as Row);
        for (const { key, delta } of statDeltas(current, original)) add(key, delta, 1);
        put.run(...caseValues(original, isOpen(original.status)).slice(1), id);
      }
      for (const s of capture.samples) {
        for (const k of statKeys(s.record)) {
          unstage.run(
            s.ms,
            k.level,
            k.unit,
            k.grain,
            k.bucket,
            k.category,
            k.department,
            s.stage,
            binOf(s.ms),
          );
        }
      }
      db.prepare('DELETE FROM case_occurrences WHERE rowid > ?').run(mark.occurrences);
      db.prepare('DELETE FROM case_events WHERE seq > ?').run(mark.head.seq);
      db.prepare('UPDATE case_audit_head SET seq = ?, hash = ? WHERE id = 1').run(
        mark.head.seq,
        mark.head.hash,
      );
      const nonZero = COUNTERS.map((c) => `${c} <> 0`).join(' OR ');
      const left =
        (
          db
            .prepare(`SELECT count(*) AS n FROM case_stats WHERE rowid > ? AND (${nonZero})`)
            .get(mark.caseStats) as { n: number }
        ).n +
        (
          db
            .prepare(
              'SELECT count(*) AS n FROM case_stage_stats WHERE rowid > ? AND (n <> 0 OR total_ms <> 0)',
            )
            .get(mark.stageStats) as { n: number }
        ).n +
        (db.prepare('SELECT count(*) AS n FROM cases WHERE rowid > ?').get(mark.cases) as { n: number }).n;
      if (left > 0) {
        throw new Error(`restore left ${left} rows of the run behind; the seeded data is not reused`);
      }
      db.prepare('DELETE FROM case_stats WHERE rowid > ?').run(mark.caseStats);
      db.prepare('DELETE FROM case_stage_stats WHERE rowid > ?').run(mark.stageStats);
      return { removed, reverted: capture.originals.size };
    })
    .immediate();
}

// ---- the phases ---------------------------------------------------------------------------------

interface QueryFigures {
  name: string;
  kind: 'city' | 'county' | 'list';
  p50: number;
  p95: number;
  p99: number;
  note: string;
}

interface MeasureFigures {
  startMs: number;
  escalated: number;
  escalateMs: number;
  /** The answer of stats() for the city over the two years: what the seeded history adds up to. */
  city: CaseMetrics;
  queries: QueryFigures[];
  plans: Record<string, string>;
  create: CreateFigures;
  restored: { removed: number; reverted: number; ms: number } | { error: string };
  peakMiB: number;
  db: { fileBytes: number; walBytes: number; pageBytes: number; freeBytes: number };
}

interface BaselineFigures {
  create: CreateFigures;
  peakMiB: number;
}

/** Runs `call(i)` for i = 0 … WARM_CALLS - 1 unmeasured, then for the next REPS; returns those times in ms. */
async function timed(call: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARM_CALLS; i++) await call(i);
  const times: number[] = [];
  for (let i = WARM_CALLS; i < WARM_CALLS + REPS; i++) {
    const t = performance.now();
    await call(i);
    times.push(performance.now() - t);
  }
  return times;
}

const LIST_COUNTIES = ['500109', '500112', '500103', '500106', '500107', '500101', '500117', '500230'];
/** Statuses asked for, open ones (the operators' work queues) more often. */
const LIST_STATUSES = [
  'dispatched',
  'in_progress',
  'registered',
  'handled',
  'reported',
  'suspended',
  'closed',
];

async function measurePhase(): Promise<MeasureFigures> {
  const marker = readMarker(MARKER);
  if (!marker) throw new Error(`no seed marker at ${MARKER}`);
  let t = performance.now();
  const app = await openApp(DATA_DIR);
  const startMs = performance.now() - t;
  const db = sqliteOf(app);
  const { cases, jurisdictions } = app.services;
  const tree = jurisdictions.units;

  t = performance.now();
  const escalated = await cases.escalateOverdue();
  const escalateMs = performance.now() - t;

  const seedDay = dayOf(marker.figures.to);
  const twoYears = { from: dateOfDay(dayOf(marker.figures.from)), to: dateOfDay(dayOf(Date.now())) };
  const monthToDate = { from: dateOfDay(monthOf(seedDay)), to: dateOfDay(seedDay) };
  const queries: QueryFigures[] = [];
  const plans: Record<string, string> = {};

  /**
   * How many aggregate rows a stats question sums (each bucket range is its own index range), out
   * of all the rows its unit(s) hold.
   */
  const rowsSummed = (scope: string, period: { from: string; to: string }): string => {
    const q = { ...planStats(tree, [scope], period, undefined), groupBy: null };
    const count = (build: (param: Param) => string, table: string): string => {
      const [text, values] = bound(build);
      // The question is `SELECT … FROM (<one SELECT per range, UNION ALL>) AS r [GROUP BY …]`.
      const counted = text
        .replace(/^SELECT[\s\S]*? FROM \(/, 'SELECT count(*) AS n FROM (')
        .replace(/\s*GROUP BY[\s\S]*$/, '');
      const summed = (db.prepare(counted).get(...values) as { n: number }).n;
      const units = q.units.map(() => '?').join(', ');
      const walked = db
        .prepare(`SELECT count(*) AS n FROM ${table} WHERE level = ? AND unit IN (${units})`)
        .get(q.level, ...q.units) as { n: number };
      return `${summed.toLocaleString('en-US')} of ${walked.n.toLocaleString('en-US')}`;
    };
    const stats = count((p) => statsSql(p, q), 'case_stats');
    const stages = count((p) => stageStatsSql(p, q), 'case_stage_stats');
    return `sums ${stats} case_stats rows, ${stages} case_stage_stats rows of its units`;
  };
  const statsQuestions: [string, QueryFigures['kind'], string, { from: string; to: string }][] = [
    ['stats: city 50, two years', 'city', '50', twoYears],
    [`stats: city 50, ${monthToDate.from}…${monthToDate.to}`, 'city', '50', monthToDate],
    ['stats: 北碚区 500109, two years', 'county', '500109', twoYears],
    [`stats: 北碚区 500109, ${monthToDate.from}…`, 'county', '500109', monthToDate],
    ['stats: 渝北区 500112, two years', 'county', '500112', twoYears],
  ];
  for (const [name, kind, scope, period] of statsQuestions) {
    const times = await timed(() => cases.stats({ scope, ...period }, EVERYTHING));
    queries.push({ name, kind, ...summary(times), note: rowsSummed(scope, period) });
  }
  const city = (await cases.stats({ scope: '50', ...twoYears }, EVERYTHING)).total;
  const q = { ...planStats(tree, ['50'], twoYears, undefined), groupBy: null };
  plans['stats city, case_stats'] = planOf(db, (p) => statsSql(p, q));
  plans['stats city, case_stage_stats'] = planOf(db, (p) => stageStatsSql(p, q));

  // List pages: county + status + category, varied; the second page by the first one's cursor.
  const rng = seededRandom(SEED ^ 0x1157);
  const mix = CategoryMix.of(cases.catalog.listCategories());
  const asks = Array.from({ length: WARM_CALLS + REPS }, () => ({
    scope: LIST_COUNTIES[Math.floor(rng() * LIST_COUNTIES.length)]!,
    status: LIST_STATUSES[Math.floor(rng() ** 1.5 * LIST_STATUSES.length)]!,
    category: mix.categories[mix.pick(rng)]!.code,
    limit: 50,
  }));
  const cursors: (string | null)[] = [];
  let firstRows = 0;
  const first = await timed(async (i) => {
    const page = await cases.list(asks[i]!, EVERYTHING);
    cursors[i] = page.nextCursor;
    firstRows += page.items.length;
  });
  const withNext = asks.map((ask, i) => ({ ...ask, cursor: cursors[i] })).filter((a) => a.cursor);
  const second = await timed(async (i) => {
    const ask = withNext[i % withNext.length];
    if (ask) await cases.list({ ...ask, cursor: ask.cursor ?? undefined }, EVERYTHING);
  });
  const ask = asks.length;
  queries.push({
    name: 'list: county + status + category, 50 rows',
    kind: 'list',
    ...summary(first),
    note: `${(firstRows / ask).toFixed(1)} rows per page on average`,
  });
  queries.push({
    name: 'list: the same, second page (cursor)',
    kind: 'list',
    ...summary(second),
    note: `${withNext.length} of ${ask} asks had a second page`,
  });
  // Work queues: a county's open cases, soonest deadline first (what the workbench asks for).
  const queueAsks = Array.from({ length: WARM_CALLS + REPS }, () => ({
    scope: LIST_COUNTIES[Math.floor(rng() * LIST_COUNTIES.length)]!,
    sort: 'deadline' as const,
    limit: 50,
  }));
  let queueRows = 0;
  const queue = await timed(async (i) => {
    queueRows += (await cases.list(queueAsks[i]!, EVERYTHING)).items.length;
  });
  queries.push({
    name: 'list: county work queue, sort=deadline, 50 rows',
    kind: 'list',
    ...summary(queue),
    note: `${(queueRows / queueAsks.length).toFixed(1)} rows per page on average`,
  });
  plans['work queue by deadline'] = planOf(db, (p) =>
    listSql(p, { scope: { column: 'county', codes: ['500109'] }, sort: 'deadline', limit: 51 }, 'LIKE'),
  );
  const listQuery = {
    scope: { column: 'county' as const, codes: ['500109'] },
    statuses: ['dispatched' as const],
    category: 'street_vending',
    limit: 51,
  };
  plans['list page 1'] = planOf(db, (p) => listSql(p, listQuery, 'LIKE'));
  plans['list page 2'] = planOf(db, (p) =>
    listSql(p, { ...listQuery, after: { key: Date.now(), id: 'C' } }, 'LIKE'),
  );

  // Sustained create, then put the seeded database back as it was.
  writeMarker(MARKER, { ...marker, state: 'measuring' });
  const mark = watermark(db);
  const capture = captureWrites(app);
  const create = await sustainedCreate(app, `R${Date.now().toString(36)}`);
  let restored: MeasureFigures['restored'];
  t = performance.now();
  try {
    restored = { ...restore(db, capture, mark), ms: performance.now() - t };
    writeMarker(MARKER, { ...marker, state: 'clean' });
  } catch (error) {
    restored = { error: error instanceof Error ? error.message : String(error) };
  }

  const file = path.join(DATA_DIR, 'cityops.sqlite');
  const size = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
  const pragma = (name: string) => db.pragma(name, { simple: true }) as number;
  const figures: MeasureFigures = {
    startMs,
    escalated,
    escalateMs,
    city,
    queries,
    plans,
    create,
    restored,
    peakMiB: peakMiB(),
    db: {
      fileBytes: size(file),
      walBytes: size(`${file}-wal`),
      pageBytes: pragma('page_count') * pragma('page_size'),
      freeBytes: pragma('freelist_count') * pragma('page_size'),
    },
  };
  await app.close();
  return figures;
}

async function baselinePhase(): Promise<BaselineFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityops-cases-empty-'));
  try {
    const app = await openApp(dir);
    const create = await sustainedCreate(app, 'B');
    await app.close();
    return { create, peakMiB: peakMiB() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function seedPhase(): Promise<SeedFigures> {
  fs.rmSync(DATA_DIR, { recursive: true, force: true });
  fs.mkdirSync(DATA_DIR, { recursive: true });
  const figures = await seedCases({
    dir: DATA_DIR,
    cases: CASES,
    seed: SEED,
    stageStats: STAGE_STATS,
    dropIndexes: DROP_INDEXES,
    batch: 50_000,
    cacheMiB: 2048,
    now: Date.now(),
  });
  writeMarker(MARKER, { ...wanted(), seededAt: new Date().toISOString(), figures, state: 'clean' });
  return figures;
}

/** What the cached database must have been seeded with to be reused. */
function wanted(): Omit<SeedMarker, 'seededAt' | 'figures' | 'state'> {
  return {
    version: SEED_VERSION,
    cases: CASES,
    seed: SEED,
    stageStats: STAGE_STATS,
    migrations: MIGRATIONS.map((m) => m.id),
  };
}

/** Why the cached database cannot be reused, or null when it can. */
function staleBecause(marker: SeedMarker | undefined): string | null {
  if (!marker) return fs.existsSync(DATA_DIR) ? 'an incomplete seed' : 'none yet';
  if (marker.state !== 'clean') return 'a run died before removing the cases it added';
  const want = wanted();
  for (const key of Object.keys(want) as (keyof typeof want)[]) {
    if (JSON.stringify(marker[key]) !== JSON.stringify(want[key])) return `${key} differs`;
  }
  return null;
}

// ---- the parent: runs each phase in its own process and prints ---------------------------------

const phase = process.argv[2];
if (phase === 'seed' || phase === 'baseline' || phase === 'measure') {
  const figures =
    phase === 'seed'
      ? await seedPhase()
      : phase === 'baseline'
        ? await baselinePhase()
        : await measurePhase();
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} else {
  const run = <T>(which: string): T => runPhase<T>(import.meta.url, which);
  const ms = (n: number): string => `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`;
  const bytes = (n: number): string =>
    n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GiB` : `${(n / 2 ** 20).toFixed(1)} MiB`;
  const mark = (ok: boolean): string => (ok ? '✓' : '✗');

  const stale = staleBecause(readMarker(MARKER));
  let seededNow: SeedFigures | undefined;
  if (stale !== null) {
    process.stderr.write(`seeding ${fmt(CASES)} cases into ${DATA_DIR} (cached seed: ${stale})\n`);
    seededNow = run<SeedFigures>('seed');
  }
  const marker = readMarker(MARKER)!;
  const seed = marker.figures;
  const b = run<BaselineFigures>('baseline');
  const m = run<MeasureFigures>('measure');

  const day = (t: number) => dateOfDay(dayOf(t));
  console.log(
    `${fmt(CASES)} cases over ${fmt(seed.townships)} Chongqing townships, reported ${day(seed.from)} … ${day(seed.to)} ` +
      `(PRNG seed ${SEED}, case_stage_stats ${marker.stageStats ? 'seeded' : 'not seeded'}); ` +
      `${os.cpus().length} cores, node ${process.version}` +
      (APP_CACHE_MIB > 0
        ? `; DIAGNOSIS RUN: SQLite page cache ${APP_CACHE_MIB} MiB per connection (CITYOPS_SQLITE_CACHE_MIB)`
        : ''),
  );
  console.log(
    `seed: ${seededNow ? 'written by this run' : `reused from ${marker.seededAt}`}: ${seed.seconds.toFixed(1)} s in all, ` +
      `${fmt(seed.casesPerSecond)} cases/s (each with its occurrence) for the load ${seed.loadSeconds.toFixed(1)} s ` +
      `+ index builds ${seed.indexSeconds.toFixed(1)} s; rows: ${fmt(seed.rows.cases)} cases, ` +
      `${fmt(seed.rows.occurrences)} occurrences, ${fmt(seed.rows.caseStats)} case_stats, ` +
      `${fmt(seed.rows.stageStats)} case_stage_stats; seed process peak RSS ${fmt(seed.peakMiB)} MiB`,
  );
  const statuses = Object.entries(seed.statuses)
    .sort((x, y) => y[1] - x[1])
    .map(([s, n]) => `${s} ${((100 * n) / seed.rows.cases).toFixed(2)} %`);
  console.log(`seeded statuses: ${statuses.join(', ')}`);
  const c = m.city.counts;
  const rate = (name: string) => `${((m.city.rates[name] ?? 0) * 100).toFixed(1)} %`;
  const minutes = (stage: string) => `${fmt(m.city.stages[stage]?.meanMinutes ?? 0)} min`;
  console.log(
    `what stats() says for the city over the two years: reported ${fmt(c.reported)}, registered ${fmt(c.registered)}, ` +
      `closed ${fmt(c.closed)} (${fmt(c.closed_on_time)} on time), cancelled ${fmt(c.cancelled)}, open ${fmt(c.open)} ` +
      `(${fmt(c.overdue)} overdue), escalated ${fmt(c.escalated)}, reworked ${fmt(c.reworked)}, extended ${fmt(c.extended)}; ` +
      `closure rate ${rate('closureRate')}, on-time closure rate ${rate('onTimeClosureRate')}; mean stage times: ` +
      `register ${minutes('register')}, dispatch ${minutes('dispatch')}, handle ${minutes('handle')}, ` +
      `verify ${minutes('verify')}, close ${minutes('close')}`,
  );
  console.log(
    `app start on it ${fmt(m.startMs)} ms; escalation catch-up since the seed: ${fmt(m.escalated)} cases in ${fmt(m.escalateMs)} ms\n`,
  );

  console.table(
    Object.fromEntries(
      m.queries.map((q) => [
        q.name,
        {
          p50: ms(q.p50),
          p95: ms(q.p95),
          p99: ms(q.p99),
          target: `p95 < ${QUERY_TARGET_MS} ms ${mark(q.p95 < QUERY_TARGET_MS)}`,
          '': q.note,
        },
      ]),
    ),
  );
  console.log(`(${REPS} calls each after ${WARM_CALLS} unmeasured; SQLite plans:)`);
  for (const [name, plan] of Object.entries(m.plans)) console.log(`  ${name}: ${plan}`);

  const createRow = (c: CreateFigures) => ({
    'reports/s': fmt(c.rate),
    opened: fmt(c.opened),
    attached: fmt(c.attached),
    'aimed at a duplicate → attached': `${fmt(c.aimed)} → ${fmt(c.aimedAttached)}`,
    'report() p50 / p99': `${ms(c.latency.p50)} / ${ms(c.latency.p99)}`,
    errors: Object.keys(c.errors).length ? JSON.stringify(c.errors) : '—',
  });
  console.log(
    `\nsustained create + de-duplicate + route: ${WORKERS} concurrent report() callers, ${CREATE_MS / 1000} s ` +
      `after ${CREATE_WARMUP_MS / 1000} s unmeasured, ${DUPLICATE_SHARE * 100} % aimed at a case opened in the run` +
      (APP_CACHE_MIB > 0
        ? ` (DIAGNOSIS: SQLite page cache ${APP_CACHE_MIB} MiB per connection instead of the default ${DEFAULT_CACHE_MIB}):`
        : ':'),
  );
  console.table({
    'empty database (baseline)': createRow(b.create),
    [`${fmt(CASES)}-case database`]: createRow(m.create),
  });
  const r = m.restored;
  console.log(
    'error' in r
      ? `WARNING: the run's cases were NOT removed (${r.error}); the next run seeds again`
      : `the run's ${fmt(r.removed)} new cases removed and ${fmt(r.reverted)} seeded cases put back in ${fmt(r.ms)} ms`,
  );

  const rss = Math.max(m.peakMiB, b.peakMiB);
  const onDisk = m.db.fileBytes + m.db.walBytes;
  console.table({
    'peak RSS': {
      seed: `${fmt(seed.peakMiB)} MiB`,
      baseline: `${fmt(b.peakMiB)} MiB`,
      measure: `${fmt(m.peakMiB)} MiB`,
    },
  });
  console.log(
    `database: ${bytes(m.db.fileBytes)} file + ${bytes(m.db.walBytes)} WAL; page_count × page_size ${bytes(m.db.pageBytes)} ` +
      `(${bytes(m.db.freeBytes)} free); ${fmt(m.db.pageBytes / seed.rows.cases)} bytes per case`,
  );

  const worst = (kind: QueryFigures['kind']) =>
    Math.max(...m.queries.filter((q) => q.kind === kind).map((q) => q.p95));
  const [city, county, list] = [worst('city'), worst('county'), worst('list')];
  const met =
    city < QUERY_TARGET_MS &&
    county < QUERY_TARGET_MS &&
    list < QUERY_TARGET_MS &&
    m.create.rate >= CREATE_TARGET &&
    Object.keys(m.create.errors).length === 0;
  console.log(
    `cases: ${fmt(CASES)} cases; stats city p95 ${ms(city)} (<${QUERY_TARGET_MS} ${mark(city < QUERY_TARGET_MS)}), ` +
      `county p95 ${ms(county)} (<${QUERY_TARGET_MS} ${mark(county < QUERY_TARGET_MS)}), ` +
      `list p95 ${ms(list)} (<${QUERY_TARGET_MS} ${mark(list < QUERY_TARGET_MS)}), ` +
      `create ${fmt(m.create.rate)}/s (≥${fmt(CREATE_TARGET)} ${mark(m.create.rate >= CREATE_TARGET)}; empty db ${fmt(b.create.rate)}/s), ` +
      `peak RSS ${fmt(rss)} MiB, db ${bytes(onDisk)}: ${met ? 'met' : 'NOT MET'}`,
  );
}
