import { useEffect, useState } from 'react';
import { getJson, query } from '../../shared/api';
import { useShell, useUnitNames } from '../../shared/hooks';
import { t } from '../../shared/i18n';
import type { Sensor } from '../../shared/types';

const PAGE = 100;

/** The sensors in the user's jurisdiction, a page at a time, each linking to its series. */
export function SensorList() {
  const { lang, home, navigate } = useShell();
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<{ items: Sensor[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const names = useUnitNames(home);
  useEffect(() => {
    getJson<{ items: Sensor[]; total: number }>(
      `/api/v1/sensors${query({ scope: home, limit: PAGE, offset })}`,
    ).then(setData, (e: Error) => setError(e.message));
  }, [home, offset]);
  if (error) return <p className="error">{error}</p>;
  if (!data) return <p>{t('loading', lang)}</p>;
  return (
    <div className="sensor-list">
      <section className="toolbar">
        <b>{t('sensorList', lang)}</b>
        <span className="count">
          {data.total === 0 ? '' : `${offset + 1}–${offset + data.items.length} / ${data.total}`}
        </span>
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          {t('previous', lang)}
        </button>
        <button type="button" disabled={offset + PAGE >= data.total} onClick={() => setOffset(offset + PAGE)}>
          {t('next', lang)}
        </button>
      </section>
      {data.total === 0 && <p className="idle-note">{t('noSensorsHere', lang)}</p>}
      {data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>{t('sensor', lang)}</th>
              <th>{t('type', lang)}</th>
              <th>{t('domain', lang)}</th>
              <th>{t('place', lang)}</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((s) => (
              <tr key={s.id} onClick={() => navigate(`/sensors/${encodeURIComponent(s.id)}`)}>
                <td>
                  <a
                    href={`/sensors/${s.id}`}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/sensors/${encodeURIComponent(s.id)}`);
                    }}
                  >
                    {s.id}
                  </a>
                </td>
                <td>{s.type}</td>
                <td>{s.domain}</td>
                <td>{names.get(s.jurisdiction.township ?? '') ?? s.jurisdiction.township}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
