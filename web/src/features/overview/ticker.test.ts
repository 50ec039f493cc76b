import { describe, expect, it } from 'vitest';
import type { LiveEvent, Overview, VitalsMessage } from '../../shared/types';
import { loadColor, loadOf } from './load';
import { pushEvents, TICKER_CAP } from './ticker';
import { applyVitals, HISTORY_POINTS } from './vitals';

const caseEvent = (seq: number, action = 'report', actor = 'ops'): LiveEvent =>
  ({
    seq,
    topic: 'case',
    action,
    actor,
    from: action === 'report' ? null : 'registered',
  }) as unknown as LiveEvent;

describe('the ticker', () => {
  it('keeps the newest events first, without duplicates or routine steps, and never more than the cap', () => {
    let list = pushEvents([], [caseEvent(1), caseEvent(2, 'register', 'system'), caseEvent(3)]);
    expect(list.map((e) => e.seq)).toEqual([3, 1]);
    list = pushEvents(list, [caseEvent(3), caseEvent(4)]);
    expect(list.map((e) => e.seq)).toEqual([4, 3, 1]);
    const flood = Array.from({ length: 1000 }, (_, i) => caseEvent(10 + i));
    expect(pushEvents(list, flood)).toHaveLength(TICKER_CAP);
    expect(pushEvents(list, flood)[0]!.seq).toBe(1009);
  });
});

describe('map shading', () => {
  it('weighs critical alarms and scales by the busiest unit on screen', () => {
    expect(loadOf({ openCases: 3, activeAlarms: 2, criticalAlarms: 1 })).toBe(7);
    expect(loadColor(0, 10)).toBe('rgb(15,58,110)');
    expect(loadColor(10, 10)).toBe('rgb(232,72,62)');
    expect(loadColor(5, 10)).not.toBe(loadColor(10, 10));
  });
});

describe('live vital signs on the overview', () => {
  const overview = {
    figures: { activeAlarms: 0, criticalAlarms: 0, readingsPerMinute: 0, sensors: 0, online: 0 },
    domains: [
      {
        domain: 'water_supply',
        headline: { avg: 0.3 },
        history: { normalShare: Array(HISTORY_POINTS).fill(1), value: Array(HISTORY_POINTS).fill(0.3) },
      },
    ],
    units: [{ code: '500109001', activeAlarms: 0, criticalAlarms: 0, abnormal: 0 }],
  } as unknown as Overview;
  const message = (sample: boolean): VitalsMessage => ({
    type: 'vitals',
    seq: 1,
    at: 0,
    scope: '500109',
    readingsPerMinute: 120,
    sample,
    domains: [
      {
        domain: 'water_supply',
        sensors: 4,
        online: 3,
        normalShare: 0.5,
        value: 0.41,
        activeAlarms: 2,
        criticalAlarms: 1,
      },
    ],
    units: [{ code: '500109001', activeAlarms: 2, criticalAlarms: 1, abnormal: 1 }],
  });

  it('moves the figures and adds a sparkline point only on samples, keeping the length bounded', () => {
    const moved = applyVitals(overview, message(false));
    expect(moved.figures).toMatchObject({
      readingsPerMinute: 120,
      activeAlarms: 2,
      criticalAlarms: 1,
      online: 3,
    });
    expect(moved.domains[0]!.headline.avg).toBe(0.41);
    expect(moved.domains[0]!.history.value).toHaveLength(HISTORY_POINTS);
    expect(moved.units[0]).toMatchObject({ activeAlarms: 2, abnormal: 1 });
    const sampled = applyVitals(overview, message(true));
    expect(sampled.domains[0]!.history.value).toHaveLength(HISTORY_POINTS);
    expect(sampled.domains[0]!.history.value.at(-1)).toBe(0.41);
  });
});
