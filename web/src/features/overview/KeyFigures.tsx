import { count, percent } from '../../shared/format';
import { t, type Lang, type LabelKey } from '../../shared/i18n';
import type { Overview } from '../../shared/types';

/** The key figures row, with the national metric names (今日事件, 结案率, 按期结案率 …). */
export function KeyFigures({ figures: f, lang }: { figures: Overview['figures']; lang: Lang }) {
  const items: { key: LabelKey; value: string; note?: string; tone?: string }[] = [
    { key: 'reportedToday', value: count(f.reportedToday) },
    { key: 'openCases', value: count(f.open) },
    { key: 'overdueCases', value: count(f.overdue), tone: f.overdue ? 'warn' : '' },
    { key: 'closureRate', value: percent(f.closureRate), note: t('last30Days', lang) },
    { key: 'onTimeClosureRate', value: percent(f.onTimeClosureRate), note: t('last30Days', lang) },
    {
      key: 'activeAlarms',
      value: count(f.activeAlarms),
      note: f.criticalAlarms ? `${t('criticalAlarms', lang)} ${count(f.criticalAlarms)}` : undefined,
      tone: f.criticalAlarms ? 'critical' : '',
    },
    { key: 'sensorsOnline', value: `${count(f.online)}`, note: `/ ${count(f.sensors)}` },
    { key: 'readingsPerMinute', value: count(f.readingsPerMinute) },
  ];
  return (
    <section className="figures">
      {items.map((i) => (
        <div key={i.key} className={`figure ${i.tone ?? ''}`} data-figure={i.key}>
          <span className="label">{t(i.key, lang)}</span>
          <span className="value">{i.value}</span>
          {i.note && <span className="note">{i.note}</span>}
        </div>
      ))}
    </section>
  );
}
