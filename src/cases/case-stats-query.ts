import { AppError } from '../errors.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import { STAGES } from './case-catalog.js';
import {
  COUNTERS,
  dateOfDay,
  dayOfDate,
  monthOf,
  rates,
  summarizeStage,
  zeroCounters,
  type Counters,
  type Grain,
  type StageSummary,
  type StatLevel,
} from './case-stats.js';
import type { StageStatsRow, StatsQuery, StatsRow } from './case.repository.js';

/** How statistics may be grouped. */
export const STATS_GROUPS = ['township', 'county', 'category', 'department', 'day', 'month'] as const;
/** One grouping. */
export type StatsGroup = (typeof STATS_GROUPS)[number];

/** The metrics of one group (or the total). */
export interface CaseMetrics {
  counts: Counters;
  rates: Record<string, number | null>;
  stages: Record<string, StageSummary>;
}

/** A statistics answer. */
export interface CaseStats {
  scope: string | null;
  from: string | null;
  to: string | null;
  groupBy: StatsGroup | null;
  total: CaseMetrics;
  groups: (CaseMetrics & { key: string })[];
}

const LEVEL_OF: Record<string, StatLevel> = { province: 'city', county: 'county', township: 'township' };

/**
 * Which aggregate rows answer a question: the level and units (a prefecture sums its counties;
 * grouping by township or county reads that level's rows under the scope) and the bucket ranges
 * (whole months from the month rows, the edges from day rows).
 */
export function planStats(
  tree: JurisdictionTree,
  scopes: string[],
  period: { from?: string | undefined; to?: string | undefined },
  groupBy: StatsGroup | undefined,
  byDepartment = false,
): Pick<StatsQuery, 'level' | 'units' | 'ranges'> {
  let level: StatLevel;
  let units: string[];
  const below = (lvl: 'county' | 'township') =>
    scopes.flatMap((s) =>
      tree.require(s).level === lvl ? [s] : tree.descendants(s, lvl).map((u) => u.code),
    );
  if (byDepartment || groupBy === 'department') {
    // Only township rows carry the department (see statKeys).
    if (groupBy === 'county') {
      throw new AppError(
        'VALIDATION_FAILED',
        'Department statistics are kept per township: with a department, group by township, category, department, day or month.',
      );
    }
    level = 'township';
    units = below('township');
  } else if (groupBy === 'township') {
    level = 'township';
    units = below('township');
  } else if (groupBy === 'county') {
    if (scopes.some((s) => tree.require(s).level === 'township')) {
      throw new AppError('VALIDATION_FAILED', 'groupBy=county needs a scope at county level or above.');
    }
    level = 'county';
    units = below('county');
  } else {
    const levels = new Set(scopes.map((s) => tree.require(s).level));
    const only = levels.size === 1 ? [...levels][0]! : 'prefecture';
    if (only in LEVEL_OF) {
      level = LEVEL_OF[only]!;
      units = scopes;
    } else {
      level = 'county';
      units = below('county');
    }
  }
  return { level, units: units.length ? units : ['-'], ranges: rangesFor(period, groupBy) };
}

/** Bucket ranges for a period of whole days; months where they fit (unless grouping by day). */
export function rangesFor(
  period: { from?: string | undefined; to?: string | undefined },
  groupBy?: StatsGroup,
): { grain: Grain; from: number; to: number }[] {
  const from = period.from ? dayOfDate(period.from) : 0;
  const to = period.to ? dayOfDate(period.to) : 1_000_000;
  if (Number.isNaN(from) || Number.isNaN(to)) {
    throw new AppError('VALIDATION_FAILED', 'from and to are YYYY-MM-DD dates.');
  }
  if (to < from) throw new AppError('VALIDATION_FAILED', '"to" is before "from".');
  if (groupBy === 'day') return [{ grain: 'd', from, to }];
  if (groupBy === 'month') return [{ grain: 'm', from: monthOf(from), to }];
  if (!period.from && !period.to) return [{ grain: 'm', from: 0, to }];
  // Whole months inside [from, to]; the days before the first and after the last from day rows.
  const firstMonth = monthOf(from) === from ? from : nextMonth(from);
  const lastMonthEnd = nextMonth(to) - 1 === to ? to : monthOf(to) - 1;
  if (firstMonth > lastMonthEnd) return [{ grain: 'd', from, to }];
  const ranges: { grain: Grain; from: number; to: number }[] = [
    { grain: 'm', from: firstMonth, to: monthOf(lastMonthEnd) },
  ];
  if (from < firstMonth) ranges.push({ grain: 'd', from, to: firstMonth - 1 });
  if (lastMonthEnd < to) ranges.push({ grain: 'd', from: lastMonthEnd + 1, to });
  return ranges;
}

function nextMonth(day: number): number {
  const date = new Date(day * 86_400_000);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / 86_400_000;
}

/** Builds the answer from the summed rows. */
export function assembleStats(
  rows: StatsRow[],
  stageRows: StageStatsRow[],
  meta: Omit<CaseStats, 'total' | 'groups'>,
): CaseStats {
  const groups = new Map<
    string,
    { counts: Counters; stages: Map<string, { n: number; ms: number; bins: Map<number, number> }> }
  >();
  const groupOf = (key: string) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { counts: zeroCounters(), stages: new Map() }));
    return g;
  };
  const total = groupOf('\u0000total');
  for (const row of rows) {
    const g = groupOf(row.group);
    for (const c of COUNTERS) {
      g.counts[c] += row.counters[c];
      total.counts[c] += row.counters[c];
    }
  }
  for (const row of stageRows) {
    for (const g of [groupOf(row.group), total]) {
      let s = g.stages.get(row.stage);
      if (!s) g.stages.set(row.stage, (s = { n: 0, ms: 0, bins: new Map() }));
      s.n += row.n;
      s.ms += row.totalMs;
      s.bins.set(row.bin, (s.bins.get(row.bin) ?? 0) + row.n);
    }
  }
  const metrics = (g: typeof groups extends Map<string, infer V> ? V : never): CaseMetrics => ({
    counts: g.counts,
    rates: rates(g.counts),
    stages: Object.fromEntries(
      STAGES.map((stage) => {
        const s = g.stages.get(stage);
        return [stage, summarizeStage(s?.n ?? 0, s?.ms ?? 0, s?.bins ?? new Map())];
      }),
    ),
  });
  groups.delete('\u0000total');
  const keyed = [...groups.entries()]
    .map(([key, g]) => ({
      key: meta.groupBy === 'day' || meta.groupBy === 'month' ? dateOfDay(Number(key)) : key,
      ...metrics(g),
    }))
    .sort((a, b) => a.key.localeCompare(b.key));
  return { ...meta, total: metrics(total), groups: meta.groupBy ? keyed : [] };
}
