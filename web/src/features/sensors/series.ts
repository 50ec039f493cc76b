import type { EChartsCoreOption } from 'echarts/core';
import type { Alarm, Series, SensorType } from '../../shared/types';

/** The ranges the sensor page offers, each at the resolution the store keeps for it. */
export const RANGES = {
  '1h': { ms: 3_600_000, bucket: 'raw' },
  '24h': { ms: 86_400_000, bucket: '1m' },
  '7d': { ms: 7 * 86_400_000, bucket: '1h' },
} as const;
/** A range key. */
export type RangeKey = keyof typeof RANGES;

const SEVERITY_COLOR: Record<string, string> = {
  warning: 'rgba(120,170,255,0.18)',
  minor: 'rgba(243,178,52,0.18)',
  major: 'rgba(255,130,60,0.22)',
  critical: 'rgba(255,70,60,0.28)',
};

/**
 * The ECharts option of a sensor's series: the values (bucket averages with a min–max band for
 * rollups), the type's normal range as dashed lines, and each alarm as a shaded period from when
 * it was first seen to when it cleared (or now), coloured by severity.
 */
export function seriesOption(
  series: Series,
  type: SensorType | undefined,
  alarms: readonly Alarm[],
  range: { from: number; to: number },
): EChartsCoreOption {
  const raw = series.bucket === 'raw';
  const points = series.points.map((p) => [Date.parse(p.ts), raw ? (p.value ?? null) : (p.avg ?? null)]);
  const band = raw ? [] : series.points.map((p) => [Date.parse(p.ts), p.min ?? null, p.max ?? null]);
  const areas = alarms
    .map((a) => {
      const start = Math.max(range.from, Date.parse(a.firstSeenAt));
      const end = Math.min(range.to, a.clearedAt ? Date.parse(a.clearedAt) : range.to);
      return { a, start, end };
    })
    .filter(({ start, end }) => end >= start)
    .map(({ a, start, end }) => [
      { name: `#${a.id} ${a.ruleName}`, xAxis: start, itemStyle: { color: SEVERITY_COLOR[a.severity] } },
      { xAxis: end },
    ]);
  const lines = [type?.normal.min, type?.normal.max]
    .filter((v): v is number => typeof v === 'number')
    .map((v) => ({ yAxis: v }));
  return {
    animation: false,
    grid: { left: 56, right: 24, top: 24, bottom: 36 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'time', min: range.from, max: range.to, axisLabel: { color: '#8fb6ff' } },
    yAxis: {
      type: 'value',
      scale: true,
      name: series.unit,
      nameTextStyle: { color: '#8fb6ff' },
      axisLabel: { color: '#8fb6ff' },
      splitLine: { lineStyle: { color: '#16335c' } },
    },
    series: [
      {
        name: type?.name ?? series.sensor,
        type: 'line',
        data: points,
        showSymbol: points.length < 60,
        lineStyle: { width: 1.5, color: '#4fc3ff' },
        itemStyle: { color: '#4fc3ff' },
        markArea: { silent: true, data: areas, label: { color: '#ffb4a8', fontSize: 11 } },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { type: 'dashed', color: '#5fe3a1' },
          label: { color: '#5fe3a1' },
          data: lines,
        },
      },
      ...(band.length > 0
        ? [
            {
              name: 'min',
              type: 'line',
              data: band.map(([t, min]) => [t, min]),
              showSymbol: false,
              lineStyle: { width: 0.5, color: '#2b66b3' },
            },
            {
              name: 'max',
              type: 'line',
              data: band.map(([t, , max]) => [t, max]),
              showSymbol: false,
              lineStyle: { width: 0.5, color: '#2b66b3' },
            },
          ]
        : []),
    ],
  };
}
