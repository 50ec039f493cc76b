import type { Stage } from './case-catalog.js';
import { isOpen } from './case-lifecycle.js';
import type { CaseRecord } from './case.types.js';

/**
 * Statistics are kept as maintained aggregates: every write to a case adds the difference of its
 * contribution (before → after) to counter rows per (grain, bucket, level, unit, category,
 * department), in the same transaction. A query then sums a few hundred rows instead of scanning
 * cases. Counters are by cohort: a case counts in the day (and month) it was reported.
 */

/** The counters a case contributes to. */
export const COUNTERS = [
  'reported',
  'registered',
  'cancelled',
  'closed',
  'closed_on_time',
  'reworked',
  'extended',
  'open',
  'overdue',
  'escalated',
] as const;
/** One counter. */
export type Counter = (typeof COUNTERS)[number];
/** A value per counter. */
export type Counters = Record<Counter, number>;

/** Aggregate grains: day and month. A period uses months where it covers them whole. */
export type Grain = 'd' | 'm';
/** Aggregate levels: each case counts once at its township, county and city. */
export const STAT_LEVELS = ['township', 'county', 'city'] as const;
/** One aggregate level. */
export type StatLevel = (typeof STAT_LEVELS)[number];

const DAY_MS = 86_400_000;
// Days run in China Standard Time (UTC+8, no daylight saving).
const CST_MS = 8 * 3_600_000;

/** The day number (days since 1970-01-01, China time) of an instant. */
export function dayOf(ms: number): number {
  return Math.floor((ms + CST_MS) / DAY_MS);
}

/** The day number of the first day of the month of a day number. */
export function monthOf(day: number): number {
  const date = new Date(day * DAY_MS);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / DAY_MS;
}

/** The day number of a `YYYY-MM-DD` date. */
export function dayOfDate(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

/** The `YYYY-MM-DD` date of a day number. */
export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Zero for every counter. */
export function zeroCounters(): Counters {
  return Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counters;
}

/** What a case in its current state adds to the counters (a merged duplicate adds nothing). */
export function contribution(c: CaseRecord): Counters {
  const out = zeroCounters();
  if (c.status === 'merged') return out;
  const open = isOpen(c.status);
  out.reported = 1;
  out.registered = c.registeredAt !== null && c.status !== 'cancelled' ? 1 : 0;
  out.cancelled = c.status === 'cancelled' ? 1 : 0;
  out.closed = c.status === 'closed' ? 1 : 0;
  out.closed_on_time = c.status === 'closed' && c.closedAt !== null && c.closedAt <= c.dueAt ? 1 : 0;
  out.reworked = c.reworkCount > 0 ? 1 : 0;
  out.extended = c.extensionCount > 0 ? 1 : 0;
  out.open = open ? 1 : 0;
  out.overdue = open && c.overdue ? 1 : 0;
  out.escalated = c.escalation > 0 ? 1 : 0;
  return out;
}

/** The department key of the aggregates: `type@unit`, or '' before routing. */
export function departmentKey(c: Pick<CaseRecord, 'departmentType' | 'departmentUnit'>): string {
  return c.departmentType && c.departmentUnit ? `${c.departmentType}@${c.departmentUnit}` : '';
}

/** One aggregate row's key. */
export interface StatKey {
  grain: Grain;
  bucket: number;
  level: StatLevel;
  unit: string;
  category: string;
  department: string;
}

/**
 * The six rows (day and month × township, county, city) a case counts in. Only the township
 * rows carry the department: a county or city row sums every department, so the questions asked
 * most (a scope's totals, by category or period) read a few rows per month however many
 * departments there are, and a group commit adds many cases to the same county and city rows.
 * Department questions sum the township rows under the scope.
 */
export function statKeys(c: CaseRecord): StatKey[] {
  const day = dayOf(c.reportedAt);
  const month = monthOf(day);
  const department = departmentKey(c);
  const units: [StatLevel, string, string][] = [
    ['township', c.townshipCode, department],
    ['county', c.countyCode, ''],
    ['city', c.provinceCode, ''],
  ];
  const keys: StatKey[] = [];
  for (const [grain, bucket] of [
    ['d', day],
    ['m', month],
  ] as const) {
    for (const [level, unit, dept] of units) {
      keys.push({ grain, bucket, level, unit, category: c.category, department: dept });
    }
  }
  return keys;
}

/** One counter change to apply: key and delta. */
export interface StatDelta {
  key: StatKey;
  delta: Counters;
}

/** The counter changes a write makes: the difference of contributions, on the right rows. */
export function statDeltas(before: CaseRecord | null, after: CaseRecord): StatDelta[] {
  const a = contribution(after);
  if (!before) return statKeys(after).map((key) => ({ key, delta: a }));
  const b = contribution(before);
  const sameKey = departmentKey(before) === departmentKey(after) && before.category === after.category;
  if (sameKey) {
    const delta = zeroCounters();
    let changed = false;
    for (const c of COUNTERS) {
      delta[c] = a[c] - b[c];
      if (delta[c] !== 0) changed = true;
    }
    return changed ? statKeys(after).map((key) => ({ key, delta })) : [];
  }
  const minus = Object.fromEntries(COUNTERS.map((c) => [c, -b[c]])) as Counters;
  return [
    ...statKeys(before).map((key) => ({ key, delta: minus })),
    ...statKeys(after).map((key) => ({ key, delta: a })),
  ];
}

/** Upper bounds (minutes) of the stage-time histogram bins; the last is open-ended. */
export const STAGE_BINS = [5, 15, 30, 60, 120, 240, 480, 720, 1440, 2880, 4320, 7200, 10080, 20160, 43200];

/** The histogram bin of a duration. */
export function binOf(ms: number): number {
  const minutes = ms / 60_000;
  const index = STAGE_BINS.findIndex((upper) => minutes <= upper);
  return index === -1 ? STAGE_BINS.length : index;
}

/** Summed stage-time rows for one stage: count, total and per-bin counts. */
export interface StageSummary {
  count: number;
  meanMinutes: number | null;
  p90Minutes: number | null;
}

/** Mean and p90 (the upper bound of the bin holding the 90th percentile) of a stage. */
export function summarizeStage(n: number, totalMs: number, bins: ReadonlyMap<number, number>): StageSummary {
  if (n === 0) return { count: 0, meanMinutes: null, p90Minutes: null };
  const mean = totalMs / n / 60_000;
  let seen = 0;
  let p90: number | null = null;
  for (let bin = 0; bin <= STAGE_BINS.length; bin++) {
    seen += bins.get(bin) ?? 0;
    if (seen >= 0.9 * n) {
      // The open-ended last bin has no upper bound: report the mean's order instead of infinity.
      p90 = bin < STAGE_BINS.length ? STAGE_BINS[bin]! : Math.max(STAGE_BINS.at(-1)!, mean);
      break;
    }
  }
  return { count: n, meanMinutes: Math.round(mean * 10) / 10, p90Minutes: p90 };
}

/** The national metrics (考核指标) from summed counters; null when the denominator is 0. */
export function rates(c: Counters): Record<string, number | null> {
  const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);
  return {
    registrationRate: ratio(c.registered, c.reported), // 立案率
    closureRate: ratio(c.closed, c.registered), // 结案率
    onTimeClosureRate: ratio(c.closed_on_time, c.registered), // 按期结案率
    reworkRate: ratio(c.reworked, c.registered), // 返工率
    extensionRate: ratio(c.extended, c.registered), // 延期率
  };
}

/** A stage time to add to the histograms, attributed like the counters. */
export interface StageSample {
  stage: Stage;
  ms: number;
}
