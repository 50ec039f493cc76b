import { clock } from '../../shared/format';
import { alarmChangeName, priorityName, severityName, t, type Lang } from '../../shared/i18n';
import type { LiveEvent } from '../../shared/types';
import { actionName } from '../cases/actions';

/** The live ticker: new cases and alarms as they happen, critical ones standing out. */
export function Ticker({
  events,
  lang,
  navigate,
}: {
  events: LiveEvent[];
  lang: Lang;
  navigate: (url: string) => void;
}) {
  return (
    <section className="ticker" aria-label={t('ticker', lang)}>
      <h3>{t('ticker', lang)}</h3>
      {events.length === 0 && <p className="idle-note">{t('tickerEmpty', lang)}</p>}
      <ol>
        {events.map((e) => (
          <li
            key={e.seq}
            className={`${e.topic}${e.critical ? ' critical' : ''}`}
            onClick={() => navigate(e.topic === 'case' ? `/cases/${e.caseId}` : '/alarms')}
          >
            <time>{clock(e.at, true)}</time>
            {e.topic === 'alarm' ? (
              <span className="what">
                <span className={`sev ${e.alarm.severity}`}>{severityName(e.alarm.severity, lang)}</span>
                {alarmChangeName(e.type, lang)} · {e.alarm.message}
              </span>
            ) : (
              <span className="what">
                {e.priority === 'urgent' && (
                  <span className="sev critical">{priorityName('urgent', lang)}</span>
                )}
                {e.action === 'report' && e.from === null ? t('newCase', lang) : actionName(e.action, lang)} ·{' '}
                {lang === 'zh' ? e.categoryName : e.categoryNameEn}
              </span>
            )}
            <span className="where">{e.place}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
