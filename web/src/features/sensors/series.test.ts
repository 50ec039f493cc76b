import { describe, expect, it } from 'vitest';
import type { Alarm, Series } from '../../shared/types';
import { seriesOption } from './series';

describe('the sensor series chart', () => {
  const series: Series = {
    sensor: 'S1',
    unit: 'MPa',
    bucket: '1m',
    truncated: false,
    points: [
      { ts: '2026-01-01T00:00:00Z', avg: 0.3, min: 0.29, max: 0.31 },
      { ts: '2026-01-01T00:01:00Z', avg: 0.1, min: 0.05, max: 0.2 },
    ],
  };
  const alarm = (id: number, first: string, cleared: string | null) =>
    ({ id, ruleName: '压力骤降', severity: 'critical', firstSeenAt: first, clearedAt: cleared }) as Alarm;
  const range = { from: Date.parse('2026-01-01T00:00:00Z'), to: Date.parse('2026-01-01T01:00:00Z') };

  it('overlays each alarm as a period, an open one up to now, clipped to the range', () => {
    const option = seriesOption(
      series,
      {
        code: 'water_main_pressure',
        domain: 'water_supply',
        name: '供水管网压力',
        nameEn: 'p',
        unit: 'MPa',
        normal: { min: 0.28, max: 0.5 },
      },
      [
        alarm(1, '2026-01-01T00:01:00Z', '2026-01-01T00:05:00Z'),
        alarm(2, '2025-12-31T23:00:00Z', null),
        alarm(3, '2025-12-31T20:00:00Z', '2025-12-31T21:00:00Z'),
      ],
      range,
    ) as {
      series: {
        data: unknown[];
        markArea?: { data: [{ xAxis: number }, { xAxis: number }][] };
        markLine?: { data: unknown[] };
      }[];
    };
    const areas = option.series[0]!.markArea!.data.map(([a, b]) => [a.xAxis, b.xAxis]);
    expect(areas).toEqual([
      [Date.parse('2026-01-01T00:01:00Z'), Date.parse('2026-01-01T00:05:00Z')],
      [range.from, range.to],
    ]);
    expect(option.series[0]!.markLine!.data).toEqual([{ yAxis: 0.28 }, { yAxis: 0.5 }]);
    expect(option.series[0]!.data).toEqual([
      [range.from, 0.3],
      [range.from + 60_000, 0.1],
    ]);
    expect(option.series).toHaveLength(3); // the rollup's min and max band
  });
});
