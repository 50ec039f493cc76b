// The seeded case history of bench/cases.bench.ts: N cases over Chongqing's townships and the two
// years before the seed, written straight into the app's SQLite file, as the app itself would have
// left them:
//
// - every case is a CaseRecord opened as CaseService opens one (its draft(): enterStage 'register';
//   the sources the service auto-dispatches get register + dispatch at once) and then taken through
//   the lifecycle with applyAction() (case-effects.ts) at simulated times: register, dispatch
//   (to what previewRouting() decides, asked once per township and category), accept, handle,
//   verify (a few fail: rework), close; a few are cancelled, suspended (挂账, resumed weeks later
//   or not yet) or extended (延期). Overdue escalation is replayed as the service's job does it
//   (see escalate() below). What would happen after the seed instant has not happened: old cases
//   end closed, recent ones sit in the open statuses they have reached.
// - rows are CASE_COLUMNS / caseValues() and OCCURRENCE_COLUMNS / occurrenceValues() (case.sql.ts);
//   one occurrence per case with a unique source_ref (so de-duplication's source lookup runs
//   against an N-row index) and a time-ordered id, as uuid7() makes them.
// - case_stats holds what the live path would have summed: contribution() of each case's final
//   state at its statKeys(), plus the all-zero township rows the live path leaves at department ''
//   for a case stored before its dispatch. case_stage_stats (on unless stageStats is false) gets
//   every stage time applyAction() returned, at the statKeys() of the record it was written with,
//   as planCommit() attributes them. Both are summed in memory and inserted once a day (a month)
//   is complete, in key order.
// - not written: case_events (the audit chain, read per case and by the audit verifier only).
//
// Ids, places and times come from a seeded PRNG: a seed and an end instant give the same database.
// How: a worker thread generates a day at a time while the main thread writes (multi-row INSERTs,
// 50,000 cases per transaction); the bulk-load settings are the caller's choice (SeedOptions).
// Dropping the secondary indexes and building them after was 1.4× faster at 200,000 cases.
import { on } from 'node:events';
import fs from 'node:fs';
import { isMainThread, parentPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import cliProgress from 'cli-progress';
import { EVERYTHING } from '../src/jurisdictions/visibility.js';
import { STAGES, type Category, type Stage } from '../src/cases/case-catalog.js';
import { escalated, stageLimit } from '../src/cases/case-deadlines.js';
import { applyAction, openingRecord, type ActionInput } from '../src/cases/case-effects.js';
import type { ReportSource } from '../src/cases/case-intake.js';
import { isOpen } from '../src/cases/case-lifecycle.js';
import { CaseService } from '../src/cases/case.service.js';
import {
  binOf,
  contribution,
  COUNTERS,
  dateOfDay,
  dayOf,
  departmentKey,
  monthOf,
  STAGE_BINS,
  statKeys,
  type StatKey,
} from '../src/cases/case-stats.js';
import { CASE_COLUMNS, caseValues, OCCURRENCE_COLUMNS, occurrenceValues } from '../src/cases/case.sql.js';
import type { CaseRecord, RoutingReason } from '../src/cases/case.types.js';
import { loadConfig } from '../src/config.js';
import { loadBoundaries } from '../src/jurisdictions/geo-data.js';
import { JurisdictionService } from '../src/jurisdictions/jurisdiction.service.js';
import { seededRandom } from '../src/platform/random.js';
import { openStorage } from '../src/storage.js';

/** Bump when the generator changes what it writes: a cached database of another version is re-seeded. */
export const SEED_VERSION = 2;

const MINUTE = 60_000;
const DAY_MS = 86_400_000;
const CST_MS = 8 * 3_600_000;
const YEARS = 2;

type Rng = () => number;

// ── places ─────────────────────────────────────────────────────────────────────────────────────

/** Relative case volume per county: the urban core (主城) reports most; every other county 1.5. */
export const COUNTY_WEIGHTS: Readonly<Record<string, number>> = {
  '500103': 5, // 渝中
  '500105': 6, // 江北
  '500108': 6, // 南岸
  '500106': 7, // 沙坪坝
  '500107': 8, // 九龙坡
  '500104': 3, // 大渡口
  '500112': 10, // 渝北
  '500113': 6, // 巴南
  '500109': 5, // 北碚
};
const OTHER_COUNTY_WEIGHT = 1.5;

/** A township cases are reported in, with its bounding box and one point known to lie inside. */
export interface Township {
  code: string;
  name: string;
  county: string;
  countyName: string;
  city: string;
  box: [minLon: number, minLat: number, spanLon: number, spanLat: number];
  anchor: [lon: number, lat: number];
}

/**
 * Chongqing's townships weighted by case volume (a county's weight spread over its townships,
 * each ×0.5–1.5), and points inside them by rejection sampling in the bbox against locate().
 */
export class CityPlaces {
  private constructor(
    readonly townships: Township[],
    private readonly cumulative: Float64Array,
    private readonly locate: (lon: number, lat: number) => string | null,
  ) {}

  static build(jurisdictions: JurisdictionService, rng: Rng): CityPlaces {
    const tree = jurisdictions.units;
    const boundaries = loadBoundaries();
    const units = tree.all('township').filter((u) => u.code.startsWith('50'));
    const perCounty = new Map<string, number>();
    const townships: Township[] = [];
    for (const unit of units) {
      const chain = tree.chain(unit.code);
      const outer = boundaries.get(unit.code)?.polygons.map((p) => p[0] ?? []) ?? [];
      let [minLon, minLat, maxLon, maxLat] = [Infinity, Infinity, -Infinity, -Infinity];
      for (const [lon = 0, lat = 0] of outer.flat()) {
        [minLon, minLat] = [Math.min(minLon, lon), Math.min(minLat, lat)];
        [maxLon, maxLat] = [Math.max(maxLon, lon), Math.max(maxLat, lat)];
      }
      const box: Township['box'] = [minLon, minLat, maxLon - minLon, maxLat - minLat];
      let anchor: Township['anchor'] | undefined;
      for (let i = 0; i < 10_000 && !anchor && outer.length > 0; i++) {
        const lon = box[0] + rng() * box[2];
        const lat = box[1] + rng() * box[3];
        if (jurisdictions.locate(lon, lat) === unit.code) anchor = [lon, lat];
      }
      if (!anchor || !chain.county) continue; // no boundary that locate() resolves to it: no cases
      const county = chain.county.code;
      perCounty.set(county, (perCounty.get(county) ?? 0) + 1);
      townships.push({
        code: unit.code,
        name: unit.name,
        county,
        countyName: chain.county.name,
        city: chain.province?.code ?? county,
        box,
        anchor,
      });
    }
    const cumulative = new Float64Array(townships.length);
    let sum = 0;
    townships.forEach((t, i) => {
      sum += ((COUNTY_WEIGHTS[t.county] ?? OTHER_COUNTY_WEIGHT) / perCounty.get(t.county)!) * (0.5 + rng());
      cumulative[i] = sum;
    });
    return new CityPlaces(townships, cumulative, (lon, lat) => jurisdictions.locate(lon, lat));
  }

  /** A township index, by weight. */
  pick(rng: Rng): number {
    return pickIndex(this.cumulative, rng());
  }

  /** A point inside township `i` (its anchor if 40 tries miss, which thin townships can). */
  point(i: number, rng: Rng): [number, number] {
    const t = this.townships[i]!;
    for (let k = 0; k < 40; k++) {
      const lon = t.box[0] + rng() * t.box[2];
      const lat = t.box[1] + rng() * t.box[3];
      if (this.locate(lon, lat) === t.code) return [lon, lat];
    }
    return t.anchor;
  }
}

/** The index whose cumulative weight first exceeds u × total. */
function pickIndex(cumulative: Float64Array, u: number): number {
  const x = u * cumulative[cumulative.length - 1]!;
  let [lo, hi] = [0, cumulative.length - 1];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// ── what is reported ────────────────────────────────────────────────────────────────────────────

/** Relative volume per category (street order and sanitation dominate); others 0.5. */
const CATEGORY_WEIGHTS: Readonly<Record<string, number>> = {
  illegal_parking: 10,
  street_vending: 9,
  exposed_garbage: 8,
  garbage_overflow: 6,
  road_damage: 5,
  noise_nuisance: 5,
  construction_debris: 4,
  manhole_cover: 4,
  street_light: 4,
  tree_greenery: 3,
  waste_bin: 3,
  public_toilet: 2,
  guard_rail: 2,
  road_sign: 2,
  traffic_signal: 2,
  road_waterlogging: 2,
  water_hydrant: 1,
  pipe_burst: 1,
};

/** The enabled categories, weighted by how often they are reported. */
export class CategoryMix {
  private constructor(
    readonly categories: Category[],
    private readonly cumulative: Float64Array,
  ) {}

  static of(categories: readonly Category[]): CategoryMix {
    const enabled = categories.filter((c) => c.enabled);
    const cumulative = new Float64Array(enabled.length);
    let sum = 0;
    enabled.forEach((c, i) => (cumulative[i] = sum += CATEGORY_WEIGHTS[c.code] ?? 0.5));
    return new CategoryMix(enabled, cumulative);
  }

  /** A category index, by weight. */
  pick(rng: Rng): number {
    return pickIndex(this.cumulative, rng());
  }
}

/** CaseService's default `autoDispatch`: these sources are registered and dispatched on intake. */
export const AUTO_DISPATCH: readonly ReportSource[] = ['alarm', 'camera', 'operator'];

/** Where a report of this category comes from: incidents mostly from alarms, the rest mostly 12345. */
export function sourceFor(category: Category, rng: Rng): ReportSource {
  const u = rng();
  if (category.code.endsWith('_incident')) return u < 0.7 ? 'alarm' : u < 0.9 ? 'hotline' : 'operator';
  return u < 0.5 ? 'hotline' : u < 0.7 ? 'camera' : u < 0.8 ? 'open311' : 'operator';
}

const ROADS = [
  '人民路',
  '解放路',
  '建设路',
  '中山路',
  '新华路',
  '滨江路',
  '学府大道',
  '金开大道',
  '红旗河沟',
];
const SAYINGS: Record<ReportSource, string> = {
  hotline: '市民来电反映',
  open311: '市民通过应用上报',
  camera: '视频智能识别',
  alarm: '物联感知告警',
  operator: '网格员巡查发现',
};

/** The free-text parts of a report from `source` about `category` in `town`, like the adapters write. */
export function reportText(
  source: ReportSource,
  ref: string,
  category: Category,
  town: Township,
  rng: Rng,
): {
  description: string;
  address: string | null;
  reporter: string | null;
  attachments: string[];
  raw: unknown;
} {
  const road = `${ROADS[Math.floor(rng() * ROADS.length)]}${1 + Math.floor(rng() * 300)}号`;
  const n = Math.floor(rng() * 10_000);
  return {
    description: `${SAYINGS[source]}:${town.name}${road}附近${category.zh},请尽快处置。`,
    address: source === 'camera' || source === 'alarm' ? null : `重庆市${town.countyName}${town.name}${road}`,
    reporter:
      source === 'hotline'
        ? `13${n % 10}****${String(n).padStart(4, '0')}`
        : source === 'open311'
          ? `citizen-${n}`
          : source === 'operator'
            ? `grid-${town.code}-${n % 50}`
            : null,
    attachments: source === 'camera' ? [`https://media.cityops.local/snapshots/${ref}.jpg`] : [],
    raw:
      source === 'hotline'
        ? { recordNo: ref, channel: '12345' }
        : source === 'camera'
          ? { detection: ref, confidence: Math.round(800 + rng() * 199) / 1000 }
          : source === 'alarm'
            ? { alarm: ref, rule: `default.${category.code}` }
            : { request: ref },
  };
}

// ── one case's history ──────────────────────────────────────────────────────────────────────────

/** A stage time and the record it was written with (its statKeys attribute the sample). */
interface Sample {
  record: CaseRecord;
  stage: Stage;
  ms: number;
}

const ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A case number as newCaseId() makes one (C + China date + 8 characters), from the PRNG. */
function caseId(day: string, rng: Rng): string {
  let id = `C${day}`;
  for (let i = 0; i < 8; i++) id += ID_ALPHABET[Math.floor(rng() * 32)];
  return id;
}

/** A version-7 UUID (time-ordered, as occurrence ids are made by uuid7()) for `ms`, from the PRNG. */
function uuid7At(ms: number, rng: Rng): string {
  const hex = (n: number, digits: number) => Math.floor(n).toString(16).padStart(digits, '0');
  const time = hex(ms, 12);
  const random = hex(rng() * 2 ** 32, 8) + hex(rng() * 2 ** 32, 8) + hex(rng() * 2 ** 32, 8);
  const variant = '89ab'[Math.floor(rng() * 4)]!;
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(0, 3)}-${variant}${random.slice(3, 6)}-${random.slice(6, 18)}`;
}

/** What a stage takes: mostly within its limit, sometimes (pLate) over it. */
function span(category: Category, record: CaseRecord, stage: Stage, pLate: number, rng: Rng): number {
  const limit = stageLimit(category, record.priority, stage) * MINUTE;
  const f = rng() < pLate ? 1.05 - 0.8 * Math.log(1 - rng()) : 0.05 + 0.9 * rng();
  return limit * f;
}

/** The overdue escalation CaseService.escalateOverdue() writes. */
const escalate = escalated;

interface CaseInput {
  id: string;
  category: Category;
  routing: RoutingReason;
  town: Township;
  lon: number;
  lat: number;
  source: ReportSource;
  text: ReturnType<typeof reportText>;
  reportedAt: number;
}

/**
 * The case as stored at `seedNow`: opened as CaseService's draft() opens it, then every lifecycle
 * step whose time has come. Returns the record, its stage samples and whether it was ever stored
 * undispatched (then its statistics passed through department '').
 */
function history(
  input: CaseInput,
  seedNow: number,
  rng: Rng,
): { record: CaseRecord; samples: Sample[]; blank: boolean } {
  const { category, routing, reportedAt } = input;
  const priority = category.priority;
  let record = openingRecord(
    {
      description: input.text.description,
      address: input.text.address,
      lon: input.lon,
      lat: input.lat,
      source: input.source,
      reporter: input.text.reporter,
      priority,
      reportedAt,
      lastReportedAt: reportedAt,
      occurrences: 1,
    },
    input.id,
    category,
    { township: input.town.code, county: input.town.county, city: input.town.city },
    routing,
    reportedAt,
  );
  const samples: Sample[] = [];
  const auto = AUTO_DISPATCH.includes(input.source);
  if (auto) {
    // One insert of the dispatched state, its stage times attributed to that state (as draft() does).
    const times: Omit<Sample, 'record'>[] = [];
    for (const action of ['register', 'dispatch'] as const) {
      const result = applyAction(record, action, {}, { now: reportedAt, actor: 'system', category, routing });
      times.push(...result.stageTimes);
      record = { ...result.after, version: 1 };
    }
    for (const t of times) samples.push({ record, stage: t.stage, ms: t.ms });
  }

  /** Applies `action` at `at` after the escalations due before it; false if `at` is after the seed. */
  const step = (action: string, at: number, actor: string, input: ActionInput = {}): boolean => {
    catchUp(Math.min(at, seedNow));
    if (at > seedNow) return false;
    const result = applyAction(record, action, input, { now: at, actor, category, routing });
    record = result.after;
    for (const t of result.stageTimes) samples.push({ record, stage: t.stage, ms: t.ms });
    return true;
  };
  /** The escalation job (every minute) before `until`. */
  const catchUp = (until: number): void => {
    while (record.nextEscalationAt !== null) {
      const at = record.nextEscalationAt + rng() * MINUTE;
      if (at > until) break;
      record = escalate(record, category, at);
    }
  };
  const command = 'command-center';
  const handler = `handler-${routing.departmentType}`;

  let t = reportedAt;
  done: {
    if (!auto) {
      t += span(category, record, 'register', 0.03, rng);
      if (rng() < 0.04) {
        step('cancel', t, command, { note: '重复或无效 duplicate or not a city matter' });
        break done;
      }
      if (!step('register', t, 'system')) break done;
      t += span(category, record, 'dispatch', 0.03, rng);
      if (!step('dispatch', t, 'system')) break done;
    }
    // The handling stage runs from dispatch to the handler's feedback (accepting does not restart it).
    let handle = span(category, record, 'handle', 0.1, rng);
    const accept = t + handle * (0.05 + 0.15 * rng());
    if (!step('accept', accept, handler)) break done;
    t = accept;
    if (rng() < 0.01) {
      t += handle * 0.5; // parked halfway through the handling
      if (!step('suspend', t, command, { note: '需第三方配合 waiting on a third party' })) break done;
      t += (3 - 60 * Math.log(1 - rng())) * DAY_MS;
      if (!step('resume', t, command)) break done;
      handle = span(category, record, 'handle', 0.1, rng); // the stage starts again on resume
    } else if (rng() < 0.03) {
      const minutes = stageLimit(category, priority, 'handle');
      t += handle * 0.3;
      const note = '需协调施工 needs coordination with works';
      if (!step('request_extension', t, handler, { note, minutes })) break done;
      t += (10 + 110 * rng()) * MINUTE;
      if (!step('approve_extension', t, command)) break done;
      handle += minutes * MINUTE * (0.5 + 0.5 * rng());
    }
    t = Math.max(t, record.stageStartedAt + handle);
    if (!step('handle', t, handler)) break done;
    t += span(category, record, 'verify', 0.04, rng);
    if (rng() < 0.04) {
      if (!step('verify_fail', t, command, { note: '现场核查未整改到位 not fixed on site' })) break done;
      t += span(category, record, 'handle', 0.1, rng) * 0.5;
      if (!step('handle', t, handler)) break done;
      t += span(category, record, 'verify', 0.04, rng);
    }
    if (!step('verify_pass', t, command)) break done;
    t += span(category, record, 'close', 0.04, rng);
    step('close', t, command);
  }
  catchUp(seedNow);
  return { record, samples, blank: !auto };
}

// ── statistics, summed as the live path sums them ──────────────────────────────────────────────

interface Counted {
  key: StatKey;
  counts: number[];
}
/** The stage-time histogram rows of one aggregate key: count and total ms per (stage, bin), interleaved. */
interface Histogram {
  key: StatKey;
  bins: Float64Array;
}

const BINS = STAGE_BINS.length + 1;
const STAGE_INDEX = new Map(STAGES.map((stage, i) => [stage, i]));
/** Stages in the order of the primary key's (text) stage column. */
const STAGES_IN_KEY_ORDER = [...STAGES].sort();

const keyText = (k: StatKey): string =>
  `${k.level}|${k.unit}|${k.grain}|${k.bucket}|${k.category}|${k.department}`;
const keyValues = (k: StatKey): unknown[] => [k.level, k.unit, k.grain, k.bucket, k.category, k.department];

/**
 * case_stats and case_stage_stats rows in memory, day rows and month rows apart. A map holds one
 * day (or month) only, so grain and bucket are fixed within it and a key is a number made of the
 * level, unit, category and department (each interned), which hashes far faster than a string.
 */
class Aggregates {
  private readonly counts = { d: new Map<number, Counted>(), m: new Map<number, Counted>() };
  private readonly times = { d: new Map<number, Histogram>(), m: new Map<number, Histogram>() };
  private readonly ids = new Map<string, number>();

  addCase(record: CaseRecord, blank: boolean): void {
    if (record.status === 'merged') return;
    const c = contribution(record);
    for (const key of statKeys(record)) {
      const row = this.count(key);
      for (let i = 0; i < COUNTERS.length; i++) row.counts[i]! += c[COUNTERS[i]!];
    }
    // Stored before dispatch: the live path's statDeltas moved the counters off the '' rows and left them at 0.
    if (blank && departmentKey(record) !== '') {
      for (const key of statKeys({ ...record, departmentType: null })) this.count(key);
    }
  }

  /** One case's stage times; the samples written with the same department share their six rows. */
  addSamples(samples: readonly Sample[]): void {
    let department: string | undefined;
    let rows: Histogram[] = [];
    for (const { record, stage, ms } of samples) {
      if (record.status === 'merged') continue;
      if (departmentKey(record) !== department) {
        department = departmentKey(record);
        rows = statKeys(record).map((key) => this.histogram(key));
      }
      const i = 2 * (STAGE_INDEX.get(stage)! * BINS + binOf(ms));
      for (const row of rows) {
        row.bins[i]! += 1;
        row.bins[i + 1]! += ms;
      }
    }
  }

  /**
   * The rows of a grain, their column values one after another, in key order: each (level, unit,
   * grain) range of a primary key then grows at its end, and those few thousand growing pages stay
   * in the cache however big the table gets. Then forgets them.
   */
  drain(grain: 'd' | 'm', out: { stats: unknown[]; stages: unknown[] }): void {
    const sorted = <T extends { key: StatKey }>(rows: Map<number, T>): T[] =>
      [...rows.values()]
        .map((row) => [keyText(row.key), row] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, row]) => row);
    for (const { key, counts } of sorted(this.counts[grain])) out.stats.push(...keyValues(key), ...counts);
    for (const { key, bins } of sorted(this.times[grain])) {
      for (const stage of STAGES_IN_KEY_ORDER) {
        const base = STAGE_INDEX.get(stage)! * BINS;
        for (let bin = 0; bin < BINS; bin++) {
          const i = 2 * (base + bin);
          if (bins[i]! > 0) out.stages.push(...keyValues(key), stage, bin, bins[i], bins[i + 1]);
        }
      }
    }
    this.counts[grain].clear();
    this.times[grain].clear();
  }

  private id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) this.ids.set(text, (id = this.ids.size));
    return id;
  }

  /** The key within its day or month: level, unit, category, department (ids below 2^12 each). */
  private number(k: StatKey): number {
    return (
      ((this.id(k.level) * 4096 + this.id(k.unit)) * 4096 + this.id(k.category)) * 4096 +
      this.id(k.department)
    );
  }

  private count(key: StatKey): Counted {
    const rows = this.counts[key.grain];
    const id = this.number(key);
    let row = rows.get(id);
    if (!row) rows.set(id, (row = { key, counts: COUNTERS.map(() => 0) }));
    return row;
  }

  private histogram(key: StatKey): Histogram {
    const rows = this.times[key.grain];
    const id = this.number(key);
    let row = rows.get(id);
    if (!row) rows.set(id, (row = { key, bins: new Float64Array(2 * STAGES.length * BINS) }));
    return row;
  }
}

/** Rows for one table, written `perStatement` at a time by one multi-row INSERT (fewer calls into SQLite). */
function bulkInsert(
  db: BetterSqlite3.Database,
  table: string,
  columns: readonly string[],
  perStatement = 64,
) {
  const row = `(${columns.map(() => '?').join(', ')})`;
  const insert = (rows: number) =>
    db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(rows).fill(row).join(', ')}`);
  const many = insert(perStatement);
  const one = insert(1);
  const chunk = perStatement * columns.length;
  let buffer: unknown[] = [];
  return {
    /** Rows' column values one after another. */
    add(values: readonly unknown[]): void {
      for (const value of values) {
        buffer.push(value);
        if (buffer.length === chunk) {
          many.run(buffer);
          buffer = [];
        }
      }
    },
    /** Writes what is buffered (before a commit). */
    flush(): void {
      for (let i = 0; i < buffer.length; i += columns.length) one.run(buffer.slice(i, i + columns.length));
      buffer = [];
    },
  };
}

// ── the generator (a worker thread) and the writer (the main thread) ─────────────────────────────
// Generating a case (its history, row values and aggregates) costs more than writing it, so a
// worker thread generates while the main thread writes (at 200,000 cases: 35 s instead of 55 s).
// The generator works a day at a time and runs at most a few days ahead of the writer.

/** How to seed. */
export interface SeedOptions {
  dir: string;
  cases: number;
  seed: number;
  /** Also fill case_stage_stats from the simulated stage times. */
  stageStats: boolean;
  /** Drop the secondary indexes of cases and case_occurrences for the load and build them after. */
  dropIndexes: boolean;
  /** Cases per transaction. */
  batch: number;
  /** SQLite page cache for the load (the app's default is 2 MiB). */
  cacheMiB: number;
  /** The end of the seeded period (the history covers the two years before it). */
  now: number;
}

/** What seeding did. */
export interface SeedFigures {
  seconds: number;
  loadSeconds: number;
  indexSeconds: number;
  casesPerSecond: number;
  from: number;
  to: number;
  townships: number;
  rows: { cases: number; occurrences: number; caseStats: number; stageStats: number };
  statuses: Record<string, number>;
  peakMiB: number;
}

type GeneratorOptions = Pick<SeedOptions, 'dir' | 'cases' | 'seed' | 'stageStats' | 'now'>;

type GeneratorMessage =
  | { kind: 'ready'; townships: number; from: number }
  | {
      kind: 'rows';
      count: number;
      cases: unknown[];
      occurrences: unknown[];
      stats: unknown[];
      stages: unknown[];
    }
  | { kind: 'done'; statuses: Record<string, number> };

/** Days the generator may run ahead of the writer. */
const DAYS_AHEAD = 4;

/** Generates the history a day at a time and posts each day's rows to the writer. */
async function generate(options: GeneratorOptions, port: MessagePort): Promise<void> {
  // The writer has created the file and its catalog; read what routing needs, then leave it alone.
  const storage = await openStorage(
    loadConfig({ CITYOPS_DATA_DIR: options.dir, CITYOPS_LOG_LEVEL: 'silent' }),
  );
  const jurisdictions = await JurisdictionService.create({ repository: storage.repositories.jurisdictions });
  const service = await CaseService.create({ repository: storage.repositories.cases, jurisdictions });
  await storage.database.close();
  const rng = seededRandom(options.seed);
  const places = CityPlaces.build(jurisdictions, rng);
  const mix = CategoryMix.of(service.catalog.listCategories());
  const routes = new Map<number, RoutingReason>();
  const routeOf = (town: number, cat: number): RoutingReason => {
    const key = town * mix.categories.length + cat;
    let routing = routes.get(key);
    if (!routing) {
      const [lon, lat] = places.townships[town]!.anchor;
      routing = service.previewRouting(mix.categories[cat]!.code, undefined, lon, lat, EVERYTHING);
      routes.set(key, routing);
    }
    return routing;
  };

  // Days (China time) of the two years before `now`, weighted: weekends quieter, volume growing.
  const lastDay = dayOf(options.now);
  const firstDay = lastDay - YEARS * 365;
  const dayWeights = new Float64Array(lastDay - firstDay + 1);
  for (let d = firstDay; d <= lastDay; d++) {
    const weekday = new Date(d * DAY_MS).getUTCDay();
    const trend = 0.9 + (0.2 * (d - firstDay)) / (lastDay - firstDay);
    const covered = d === lastDay ? (options.now - (d * DAY_MS - CST_MS)) / DAY_MS : 1;
    dayWeights[d - firstDay] = (weekday === 0 ? 0.8 : weekday === 6 ? 0.85 : 1) * trend * covered;
  }
  const totalWeight = dayWeights.reduce((a, b) => a + b, 0);
  // Reports per hour of the (China) day: quiet at night, peaks mid-morning and mid-afternoon.
  const hours = [0.2, 0.15, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 1.6, 1.9, 1.9, 1.6, 1.1, 1.2, 1.6, 1.7, 1.6, 1.4];
  hours.push(1.1, 0.9, 0.8, 0.6, 0.4, 0.3);
  const hourCumulative = new Float64Array(24);
  hours.reduce((sum, h, i) => (hourCumulative[i] = sum + h), 0);

  let credits = DAYS_AHEAD;
  let wake: (() => void) | undefined;
  port.on('message', () => {
    credits++;
    wake?.();
  });
  port.postMessage({ kind: 'ready', townships: places.townships.length, from: firstDay * DAY_MS - CST_MS });
  const aggregates = new Aggregates();
  const statuses: Record<string, number> = {};
  let serial = 0;
  let cumulative = 0;
  for (let d = firstDay; d <= lastDay; d++) {
    const before = Math.round((options.cases * cumulative) / totalWeight);
    cumulative += dayWeights[d - firstDay]!;
    const count = Math.round((options.cases * cumulative) / totalWeight) - before;
    const dayStart = d * DAY_MS - CST_MS;
    const times = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      let at: number;
      do {
        const hour = pickIndex(hourCumulative, rng());
        at = Math.floor(dayStart + (hour + rng()) * 3_600_000);
      } while (at > options.now);
      times[i] = at;
    }
    times.sort();
    const date = dateOfDay(d).replaceAll('-', '');
    const ids = new Set<string>();
    // Column values one after another: one flat array is far cheaper to post than many small ones.
    const rows = {
      count,
      cases: [] as unknown[],
      occurrences: [] as unknown[],
      stats: [] as unknown[],
      stages: [] as unknown[],
    };
    for (let i = 0; i < count; i++) {
      const townIndex = places.pick(rng);
      const town = places.townships[townIndex]!;
      const [lon, lat] = places.point(townIndex, rng);
      const catIndex = mix.pick(rng);
      const category = mix.categories[catIndex]!;
      const source = sourceFor(category, rng);
      // Numbered in order (as a hotline's record numbers are): the unique index grows at its end.
      const ref = `${source}-S${options.seed}-${String(serial++).padStart(9, '0')}`;
      let id = caseId(date, rng);
      while (ids.has(id)) id = caseId(date, rng);
      ids.add(id);
      const text = reportText(source, ref, category, town, rng);
      const reportedAt = times[i]!;
      const routing = routeOf(townIndex, catIndex);
      const input: CaseInput = { id, category, routing, town, lon, lat, source, text, reportedAt };
      const { record, samples, blank } = history(input, options.now, rng);
      rows.cases.push(...caseValues(record, isOpen(record.status)));
      rows.occurrences.push(
        ...occurrenceValues({
          id: uuid7At(reportedAt, rng),
          caseId: id,
          source,
          sourceRef: ref,
          lon,
          lat,
          description: text.description,
          reporter: text.reporter,
          reportedAt,
          attachments: text.attachments,
          raw: text.raw,
        }),
      );
      aggregates.addCase(record, blank);
      if (options.stageStats) aggregates.addSamples(samples);
      statuses[record.status] = (statuses[record.status] ?? 0) + 1;
    }
    // The day's aggregate rows are complete now, the month's at its last day.
    aggregates.drain('d', rows);
    if (d === lastDay || monthOf(d + 1) !== monthOf(d)) aggregates.drain('m', rows);
    while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
    credits--;
    port.postMessage({ kind: 'rows', ...rows } satisfies GeneratorMessage);
  }
  port.postMessage({ kind: 'done', statuses } satisfies GeneratorMessage);
  port.removeAllListeners('message');
}

// In the worker, this module runs the generator (see startGenerator).
const job = workerData as { caseSeedGenerator?: GeneratorOptions } | null;
if (!isMainThread && parentPort && job?.caseSeedGenerator) await generate(job.caseSeedGenerator, parentPort);

/** This module in a worker thread, with tsx's loader registered there first (workers do not inherit it). */
function startGenerator(options: GeneratorOptions): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  return new Worker(boot, { eval: true, workerData: { caseSeedGenerator: options } });
}

/** Seeds `options.cases` cases into a fresh database under `options.dir` (see the file header). */
export async function seedCases(options: SeedOptions): Promise<SeedFigures> {
  const started = performance.now();
  const storage = await openStorage(
    loadConfig({ CITYOPS_DATA_DIR: options.dir, CITYOPS_LOG_LEVEL: 'silent' }),
  );
  if (storage.database.engine !== 'sqlite') throw new Error('the cases benchmark seeds SQLite only');
  const db = storage.database.db;
  // The catalog is seeded on the first start; the services alone, without build(), so that no
  // periodic job of the app writes between our batches.
  const jurisdictions = await JurisdictionService.create({ repository: storage.repositories.jurisdictions });
  await CaseService.create({ repository: storage.repositories.cases, jurisdictions });
  const generator = startGenerator(options);

  const cases = bulkInsert(db, 'cases', CASE_COLUMNS);
  const occurrences = bulkInsert(db, 'case_occurrences', OCCURRENCE_COLUMNS);
  const key = ['level', 'unit', 'grain', 'bucket', 'category', 'department'];
  const stats = bulkInsert(db, 'case_stats', [...key, ...COUNTERS]);
  const stages = bulkInsert(db, 'case_stage_stats', [...key, 'stage', 'bin', 'n', 'total_ms']);
  const commit = () => {
    for (const table of [cases, occurrences, stats, stages]) table.flush();
    db.exec('COMMIT; BEGIN');
  };
  const rows = { cases: 0, occurrences: 0, caseStats: 0, stageStats: 0 };
  const bar = new cliProgress.SingleBar(
    {
      format: 'seeding cases [{bar}] {percentage}% | {value}/{total} | {rate} cases/s | ETA {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 200,
      fps: 2,
    },
    cliProgress.Presets.shades_classic,
  );
  let indexes: { name: string; sql: string }[] = [];
  let ready: Extract<GeneratorMessage, { kind: 'ready' }> | undefined;
  let statuses: Record<string, number> = {};
  let loadStarted = 0;
  let inBatch = 0;
  for await (const [message] of on(generator, 'message') as AsyncIterableIterator<[GeneratorMessage]>) {
    if (message.kind === 'ready') {
      ready = message;
      // A bulk load only: no fsync (a crash leaves no marker, so the next run seeds again) and a
      // big page cache; synchronous goes back to FULL before the file is handed over.
      db.pragma('synchronous = OFF');
      db.pragma(`cache_size = ${-options.cacheMiB * 1024}`);
      db.pragma('temp_store = MEMORY');
      if (options.dropIndexes) {
        indexes = db
          .prepare(
            `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
             AND tbl_name IN ('cases', 'case_occurrences') ORDER BY name`,
          )
          .all() as { name: string; sql: string }[];
      }
      for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
      bar.start(options.cases, 0, { rate: '-' });
      loadStarted = performance.now();
      db.exec('BEGIN');
    } else if (message.kind === 'rows') {
      generator.postMessage(0); // room for another day
      cases.add(message.cases);
      occurrences.add(message.occurrences);
      stats.add(message.stats);
      stages.add(message.stages);
      rows.cases += message.count;
      rows.occurrences += message.count;
      rows.caseStats += message.stats.length / (key.length + COUNTERS.length);
      rows.stageStats += message.stages.length / (key.length + 4);
      inBatch += message.count;
      if (inBatch >= options.batch) {
        commit();
        inBatch = 0;
      }
      const rate = Math.round(rows.cases / ((performance.now() - loadStarted) / 1000));
      bar.update(rows.cases, { rate: rate.toLocaleString('en-US') });
    } else {
      statuses = message.statuses;
      break;
    }
  }
  await generator.terminate(); // tsx's loader, registered in the worker, would keep it alive
  commit();
  db.exec('COMMIT');
  bar.stop();
  const loadSeconds = (performance.now() - loadStarted) / 1000;

  const indexStarted = performance.now();
  indexes.forEach((index, i) => {
    process.stderr.write(`building index ${i + 1}/${indexes.length} ${index.name} … `);
    const t = performance.now();
    db.exec(index.sql);
    process.stderr.write(`${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  });
  const indexSeconds = (performance.now() - indexStarted) / 1000;
  db.pragma('synchronous = FULL');
  db.pragma('wal_checkpoint(TRUNCATE)');
  await storage.database.close();
  return {
    seconds: (performance.now() - started) / 1000,
    loadSeconds,
    indexSeconds,
    casesPerSecond: rows.cases / (loadSeconds + indexSeconds),
    from: ready!.from,
    to: options.now,
    townships: ready!.townships,
    rows,
    statuses,
    peakMiB: process.resourceUsage().maxRSS / 1024,
  };
}

/** The marker written once a seed has completed: what was seeded, and whether a run is in progress. */
export interface SeedMarker {
  version: number;
  cases: number;
  seed: number;
  stageStats: boolean;
  migrations: string[];
  seededAt: string;
  figures: SeedFigures;
  /** 'measuring' while a run has added cases it has not removed yet: then the data is not reused. */
  state: 'clean' | 'measuring';
}

/** Reads the marker, or undefined when there is none (an incomplete seed). */
export function readMarker(file: string): SeedMarker | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as SeedMarker;
  } catch {
    return undefined;
  }
}

/** Writes the marker atomically. */
export function writeMarker(file: string, marker: SeedMarker): void {
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(marker, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}
