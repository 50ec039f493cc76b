import type { EChartsCoreOption } from 'echarts/core';
import { useMemo } from 'react';
import { Chart } from '../../shared/Chart';
import { measure, percent, count } from '../../shared/format';
import { t, type Lang } from '../../shared/i18n';
import type { OverviewDomain } from '../../shared/types';

/** A sparkline: the headline figure's history (or the normal share where no value reports). */
export function sparklineOption(values: (number | null)[], color: string): EChartsCoreOption {
  return {
    animation: false,
    grid: { left: 0, right: 0, top: 2, bottom: 2 },
    xAxis: { type: 'category', show: false, boundaryGap: false, data: values.map((_, i) => i) },
    yAxis: { type: 'value', show: false, scale: true },
    series: [
      {
        type: 'line',
        data: values,
        symbol: 'none',
        connectNulls: true,
        lineStyle: { width: 1.5, color },
        areaStyle: { color, opacity: 0.15 },
      },
    ],
  };
}

/** One vital-sign domain: online sensors, share normal, alarms, the headline figure and its sparkline. */
export function VitalPanel({ domain: d, lang }: { domain: OverviewDomain; lang: Lang }) {
  const share = d.normalShare;
  const tone =
    d.criticalAlarms > 0
      ? 'critical'
      : share !== null && share < 0.9
        ? 'warn'
        : d.sensors === 0
          ? 'idle'
          : 'ok';
  const history = d.history.value.some((v) => v !== null) ? d.history.value : d.history.normalShare;
  const color = tone === 'critical' ? '#ff5a4f' : tone === 'warn' ? '#f3b234' : '#4fc3ff';
  const option = useMemo(() => sparklineOption(history, color), [history, color]);
  return (
    <article className={`vital ${tone}`} data-domain={d.domain}>
      <header>
        <b>{lang === 'zh' ? d.name : d.nameEn}</b>
        {d.activeAlarms > 0 && (
          <span className="alarm-count">
            {count(d.activeAlarms)} {t('alarmsShort', lang)}
          </span>
        )}
      </header>
      {d.sensors === 0 ? (
        <p className="idle-note">{t('noSensors', lang)}</p>
      ) : (
        <>
          <div className="vital-figures">
            <span className="share">{percent(share)}</span>
            <span className="sub">
              {t('normalShare', lang)} · {count(d.online)}/{count(d.sensors)} {t('online', lang)}
            </span>
          </div>
          <div className="headline">
            {lang === 'zh' ? d.headline.name : d.headline.nameEn} <b>{measure(d.headline.avg)}</b>{' '}
            {d.headline.unit}
          </div>
          <Chart option={option} className="sparkline" />
        </>
      )}
    </article>
  );
}
