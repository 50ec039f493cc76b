import type { Visibility } from '../jurisdictions/visibility.js';
import type { CaseStats, StatsGroup } from '../cases/case-stats-query.js';
import type { Level } from '../jurisdictions/geo.types.js';
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import type { LiveFeed } from './live-feed.js';
import type { LiveEvent } from './live.types.js';
import type { OverviewDto } from './live.schema.js';
import { DOMAINS, type VitalsBoard } from './vitals-board.js';

/** The part of CaseService the overview reads. */
export interface CaseFigures {
  stats(
    input: { scope?: string; from?: string; to?: string; groupBy?: StatsGroup },
    visible: Visibility,
  ): Promise<CaseStats>;
  today(): string;
}

/** Days the closure rates cover: a rolling month, so they mean the same every day of the month. */
export const RATE_DAYS = 30;
/** Events the overview hands the ticker to start with. */
export const RECENT_EVENTS = 40;

/**
 * The "one screen" for a scope in one answer: key case figures with the national metric names,
 * per-domain vital signs with their sparkline history, per-unit load for the map (one level
 * down) and the newest feed events, plus the feed position to resume the live feed from without
 * a gap. Built on the existing services; every figure is limited to what the caller may see.
 */
export class OverviewService {
  constructor(
    private readonly deps: {
      jurisdictions: JurisdictionService;
      cases: CaseFigures;
      board: VitalsBoard;
      feed: LiveFeed;
      clock?: () => number;
    },
  ) {}

  /** The unit a caller watches: the one asked for, narrowed to what it may see (default its own). */
  scopeOf(asked: string | undefined, visible: Visibility): string {
    return this.deps.jurisdictions.narrowScope(asked, visible) ?? '50';
  }

  /** Builds the overview of `asked` (see the class). */
  async overview(
    asked: string | undefined,
    visible: Visibility,
    can: { cases: boolean; alarms: boolean },
    filter: (event: LiveEvent) => boolean,
  ): Promise<OverviewDto> {
    const { jurisdictions, board, feed } = this.deps;
    const now = (this.deps.clock ?? Date.now)();
    const code = this.scopeOf(asked, visible);
    const tree = jurisdictions.units;
    const unit = tree.require(code);
    // Read the feed position first: events after it may already be counted in the figures below,
    // and the dashboard applies them again only to its ticker (never to these totals).
    const position = { epoch: feed.epoch, seq: feed.seq };
    if (!board.ready) board.refresh(now);

    const children = tree.children(code).filter((c) => visible.contains(c.code));
    const childLevel: Level | null = children[0]?.level ?? null;
    const cases = can.cases ? await this.caseFigures(code, childLevel, visible) : null;
    const childOf = (key: string): string | undefined => {
      if (children.some((c) => c.code === key)) return key;
      return tree.ancestors(key).find((a) => a.parent === code)?.code;
    };
    const perUnit = new Map<string, { open: number; overdue: number }>();
    for (const g of cases?.grouped.groups ?? []) {
      const child = childOf(g.key);
      if (!child) continue;
      const entry = perUnit.get(child) ?? { open: 0, overdue: 0 };
      entry.open += g.counts.open;
      entry.overdue += g.counts.overdue;
      perUnit.set(child, entry);
    }

    const tally = board.of(code);
    const history = board.history(code);
    const shown = children.length > 0 ? children : [unit];
    const boundaries = new Map(
      jurisdictions
        .geojson(
          children.length > 0
            ? { level: childLevel!, parent: code }
            : { level: unit.level, parent: unit.parent ?? code },
          visible,
        )
        .features.map((f) => [f.properties.code, f.properties.approximate]),
    );
    const alarmsOf = (c: string) => board.of(c).domains.reduce((n, d) => n + d.activeAlarms, 0);
    const criticalOf = (c: string) => board.of(c).domains.reduce((n, d) => n + d.criticalAlarms, 0);
    const total = cases?.all.total.counts;
    return {
      scope: {
        code: unit.code,
        name: unit.name,
        level: unit.level,
        parent: unit.parent !== null && visible.contains(unit.parent) ? unit.parent : null,
        chain: tree
          .ancestors(code)
          .filter((a) => visible.contains(a.code))
          .map((a) => ({ code: a.code, name: a.name, level: a.level })),
        childLevel,
      },
      asOf: new Date(now).toISOString(),
      live: position,
      figures: {
        reportedToday: cases?.today.total.counts.reported ?? null,
        open: total?.open ?? null,
        overdue: total?.overdue ?? null,
        closureRate: cases?.rates.total.rates.closureRate ?? null,
        onTimeClosureRate: cases?.rates.total.rates.onTimeClosureRate ?? null,
        ratePeriod: cases ? { from: cases.rates.from ?? '', to: cases.rates.to ?? '' } : null,
        activeAlarms: can.alarms ? alarmsOf(code) : null,
        criticalAlarms: can.alarms ? criticalOf(code) : null,
        sensors: tally.domains.reduce((n, d) => n + d.sensors, 0),
        online: tally.domains.reduce((n, d) => n + d.online, 0),
        readingsPerMinute: Math.round(tally.readingsPerMinute),
      },
      domains: DOMAINS.map((d, i) => {
        const t = tally.domains[i]!;
        return {
          domain: d.code,
          name: d.name,
          nameEn: d.nameEn,
          sensors: t.sensors,
          online: t.online,
          normalShare: t.online > 0 ? t.normal / t.online : null,
          activeAlarms: t.activeAlarms,
          criticalAlarms: t.criticalAlarms,
          headline: {
            type: d.headline.code,
            name: d.headline.name,
            nameEn: d.headline.nameEn,
            unit: d.headline.unit,
            normalMin: d.headline.normal.min,
            normalMax: d.headline.normal.max,
            reporting: t.reporting,
            avg: t.reporting > 0 ? t.sum / t.reporting : null,
            min: t.reporting > 0 ? t.min : null,
            max: t.reporting > 0 ? t.max : null,
          },
          history: { normalShare: history.normalShare[i]!, value: history.value[i]! },
        };
      }),
      history: {
        stepSeconds: history.stepMs / 1000,
        times: history.times.map((t) => new Date(t).toISOString()),
      },
      units: shown.map((c) => ({
        code: c.code,
        name: c.name,
        level: c.level,
        approximate: boundaries.get(c.code) ?? false,
        openCases: cases
          ? children.length > 0
            ? (perUnit.get(c.code)?.open ?? 0)
            : (total?.open ?? 0)
          : null,
        overdueCases: cases
          ? children.length > 0
            ? (perUnit.get(c.code)?.overdue ?? 0)
            : (total?.overdue ?? 0)
          : null,
        activeAlarms: can.alarms ? alarmsOf(c.code) : null,
        criticalAlarms: can.alarms ? criticalOf(c.code) : null,
        sensors: board.of(c.code).domains.reduce((n, d) => n + d.sensors, 0),
        abnormal: board.of(c.code).abnormal,
      })),
      recent: feed.recent(filter, RECENT_EVENTS),
    };
  }

  private async caseFigures(code: string, childLevel: Level | null, visible: Visibility) {
    const cases = this.deps.cases;
    const today = cases.today();
    const from = new Date(Date.parse(`${today}T00:00:00Z`) - (RATE_DAYS - 1) * 86_400_000)
      .toISOString()
      .slice(0, 10);
    // Group by the level one down; a province of prefectures (Sichuan) groups by county and rolls up.
    const groupBy: StatsGroup | undefined =
      childLevel === 'township' ? 'township' : childLevel === null ? undefined : 'county';
    // All time, grouped (its total is the scope's): open and overdue now, per unit for the map.
    const [all, todays, rates] = await Promise.all([
      cases.stats({ scope: code, ...(groupBy ? { groupBy } : {}) }, visible),
      cases.stats({ scope: code, from: today, to: today }, visible),
      cases.stats({ scope: code, from, to: today }, visible),
    ]);
    return { all, today: todays, rates, grouped: all };
  }
}
