import { useEffect, useMemo, useState } from 'react';
import { getJson, query } from '../../shared/api';
import { Chart } from '../../shared/Chart';
import { dateTime, measure } from '../../shared/format';
import { useLive, useShell, useThrottled } from '../../shared/hooks';
import { severityName, t, type LabelKey } from '../../shared/i18n';
import type { Alarm, Sensor, SensorType, Series } from '../../shared/types';
import { RANGES, seriesOption, type RangeKey } from './series';

const RANGE_LABEL: Record<RangeKey, LabelKey> = { '1h': 'range1h', '24h': 'range24h', '7d': 'range7d' };

/** One sensor: its series at raw, 1-minute or 1-hour resolution with its alarms overlaid. */
export function SensorPage({ id }: { id: string }) {
  const { lang } = useShell();
  const [sensor, setSensor] = useState<Sensor | null>(null);
  const [type, setType] = useState<SensorType | undefined>();
  const [range, setRange] = useState<RangeKey>('1h');
  const [series, setSeries] = useState<Series | null>(null);
  const [alarms, setAlarms] = useState<Alarm[]>([]);
  const [window_, setWindow] = useState<{ from: number; to: number }>({ from: 0, to: 0 });
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    getJson<Sensor>(`/api/v1/sensors/${encodeURIComponent(id)}`).then(
      (s) => {
        setSensor(s);
        void getJson<{ items: SensorType[] }>(`/api/v1/sensor-types${query({ domain: s.domain })}`).then(
          (r) => setType(r.items.find((x) => x.code === s.type)),
        );
      },
      (e: Error) => setError(e.message),
    );
  }, [id]);
  useEffect(() => {
    const to = Date.now();
    const from = to - RANGES[range].ms;
    setWindow({ from, to });
    getJson<Series>(
      `/api/v1/sensors/${encodeURIComponent(id)}/series${query({ from, to, bucket: RANGES[range].bucket })}`,
    ).then(setSeries, (e: Error) => setError(e.message));
    getJson<{ items: Alarm[] }>(
      `/api/v1/alarms${query({ sensor: id, state: 'active,acknowledged,cleared', limit: 200 })}`,
    ).then(
      (r) => setAlarms(r.items),
      () => setAlarms([]),
    );
  }, [id, range, tick]);
  const refresh = useThrottled(() => setTick((n) => n + 1), 10_000);
  useLive({
    events: (events) => {
      if (events.some((e) => e.topic === 'alarm' && e.alarm.sensorId === id)) refresh();
    },
    vitals: () => range === '1h' && refresh(),
  });

  const option = useMemo(
    () => (series ? seriesOption(series, type, alarms, window_) : null),
    [series, type, alarms, window_],
  );
  if (error) return <p className="error">{error}</p>;
  if (!sensor) return <p>{t('loading', lang)}</p>;
  const last = series?.points.at(-1);

  return (
    <div className="sensor-page">
      <section className="case-head">
        <h2>
          {type ? (lang === 'zh' ? type.name : type.nameEn) : sensor.type} <small>{sensor.id}</small>
        </h2>
        <span>
          {sensor.jurisdiction.township ?? sensor.jurisdiction.county} · {sensor.lon.toFixed(5)},{' '}
          {sensor.lat.toFixed(5)}
        </span>
        {type && (
          <span>
            {t('normalRange', lang)} {type.normal.min ?? '−∞'} – {type.normal.max ?? '∞'} {type.unit}
          </span>
        )}
        {last && (
          <span className="latest">
            <b>{measure(last.value ?? last.avg)}</b> {series?.unit}
          </span>
        )}
      </section>
      <section className="toolbar">
        <div className="presets">
          {(Object.keys(RANGES) as RangeKey[]).map((r) => (
            <button key={r} type="button" className={range === r ? 'active' : ''} onClick={() => setRange(r)}>
              {t(RANGE_LABEL[r], lang)}
            </button>
          ))}
        </div>
        <span className="note">{t('alarmsOverlaid', lang)}</span>
        {series?.truncated && <span className="badge">{t('truncated', lang)}</span>}
      </section>
      {series && series.points.length === 0 && <p className="idle-note">{t('noData', lang)}</p>}
      {option && <Chart option={option} className="series-chart" />}
      {alarms.length > 0 && (
        <table className="alarms">
          <thead>
            <tr>
              <th>{t('severity', lang)}</th>
              <th>{t('message', lang)}</th>
              <th>{t('raisedAt', lang)}</th>
              <th>{t('stateCleared', lang)}</th>
            </tr>
          </thead>
          <tbody>
            {alarms.map((a) => (
              <tr key={a.id} className={a.severity}>
                <td>
                  <span className={`sev ${a.severity}`}>{severityName(a.severity, lang)}</span>
                </td>
                <td>{a.message}</td>
                <td>{dateTime(a.raisedAt)}</td>
                <td>{dateTime(a.clearedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
