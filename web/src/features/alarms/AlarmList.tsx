import { useCallback, useEffect, useState } from 'react';
import { ApiError, getJson, postJson, query } from '../../shared/api';
import { dateTime, measure } from '../../shared/format';
import { useLive, useShell, useThrottled, useUnitNames } from '../../shared/hooks';
import { severityName, t, type LabelKey } from '../../shared/i18n';
import type { Alarm } from '../../shared/types';

const STATES: { value: string; label: LabelKey }[] = [
  { value: 'active,acknowledged', label: 'openAlarms' },
  { value: 'active', label: 'stateActive' },
  { value: 'acknowledged', label: 'stateAcknowledged' },
  { value: 'cleared', label: 'stateCleared' },
];
const STATE_LABEL: Record<string, LabelKey> = {
  active: 'stateActive',
  acknowledged: 'stateAcknowledged',
  cleared: 'stateCleared',
};
const DOMAINS: [string, string, string][] = [
  ['water_supply', '供水', 'Water supply'],
  ['drainage', '排水与管网', 'Drainage'],
  ['power', '电力', 'Power'],
  ['gas', '燃气', 'Gas'],
  ['telecom', '通信', 'Telecom'],
  ['bridge', '桥梁', 'Bridges'],
  ['tunnel', '隧道', 'Tunnels'],
  ['rail_transit', '轨道交通', 'Rail transit'],
  ['hydrogen', '加氢站', 'Hydrogen'],
  ['river_quality', '跨界河流水质', 'River quality'],
];

/** Alarms in the user's jurisdiction, newest first, with acknowledge and clear. */
export function AlarmList() {
  const { lang, me, home, navigate } = useShell();
  const [state, setState] = useState('active,acknowledged');
  const [domain, setDomain] = useState('');
  const [items, setItems] = useState<Alarm[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const names = useUnitNames(home);
  const canAct = me.permissions?.includes('alarms:write') ?? false;

  const load = useCallback(() => {
    getJson<{ items: Alarm[]; total: number }>(
      `/api/v1/alarms${query({ scope: home, state, domain: domain || undefined, limit: 200 })}`,
    ).then(
      (page) => {
        setItems(page.items);
        setTotal(page.total);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [home, state, domain]);
  useEffect(load, [load]);
  const refetch = useThrottled(load, 2000);
  useLive({
    events: (events) => {
      if (events.some((e) => e.topic === 'alarm' && e.type !== 'updated')) refetch();
    },
    reset: load,
  });

  const act = async (alarm: Alarm, action: 'ack' | 'clear') => {
    try {
      await postJson(`/api/v1/alarms/${alarm.id}/${action}`, {});
      load();
    } catch (e) {
      setError(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    }
  };

  return (
    <div className="alarm-list">
      <section className="toolbar">
        <div className="presets">
          {STATES.map((s) => (
            <button
              key={s.value}
              type="button"
              className={state === s.value ? 'active' : ''}
              onClick={() => setState(s.value)}
            >
              {t(s.label, lang)}
            </button>
          ))}
        </div>
        <select value={domain} onChange={(e) => setDomain(e.target.value)} aria-label={t('domain', lang)}>
          <option value="">{t('anyDomain', lang)}</option>
          {DOMAINS.map(([code, zh, en]) => (
            <option key={code} value={code}>
              {lang === 'zh' ? zh : en}
            </option>
          ))}
        </select>
        <span className="count">
          {t('shownOf', lang)} {items?.length ?? 0} / {total}
        </span>
      </section>
      {error && <p className="error">{error}</p>}
      {items && items.length === 0 && <p className="idle-note">{t('noAlarms', lang)}</p>}
      {items && items.length > 0 && (
        <table className="alarms">
          <thead>
            <tr>
              <th>{t('severity', lang)}</th>
              <th>{t('message', lang)}</th>
              <th>{t('place', lang)}</th>
              <th>{t('sensor', lang)}</th>
              <th>{t('raisedAt', lang)}</th>
              <th>{t('status', lang)}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id} className={`${a.severity} ${a.state}`} data-alarm={a.id}>
                <td>
                  <span className={`sev ${a.severity}`}>{severityName(a.severity, lang)}</span>
                </td>
                <td>
                  {a.message}
                  {a.value !== null && <small> ({measure(a.value)})</small>}
                </td>
                <td>{(a.townshipCode && names.get(a.townshipCode)) ?? a.townshipCode ?? a.countyCode}</td>
                <td>
                  {a.sensorId && (
                    <a
                      href={`/sensors/${a.sensorId}`}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(`/sensors/${encodeURIComponent(a.sensorId!)}`);
                      }}
                    >
                      {a.sensorId}
                    </a>
                  )}
                </td>
                <td>{dateTime(a.raisedAt)}</td>
                <td>
                  {t(STATE_LABEL[a.state]!, lang)}
                  {a.acknowledgedBy && a.state !== 'cleared' ? ` · ${a.acknowledgedBy}` : ''}
                </td>
                <td className="row-actions">
                  {canAct && a.state === 'active' && (
                    <button type="button" data-action="ack" onClick={() => void act(a, 'ack')}>
                      {t('acknowledge', lang)}
                    </button>
                  )}
                  {canAct && a.state !== 'cleared' && (
                    <button type="button" data-action="clear" onClick={() => void act(a, 'clear')}>
                      {t('clear', lang)}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
