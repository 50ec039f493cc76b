import { useCallback, useEffect, useState } from 'react';
import { getJson, query } from '../../shared/api';
import { useLive, useShell, useThrottled } from '../../shared/hooks';
import { t } from '../../shared/i18n';
import type { LiveEvent, Overview as OverviewData, VitalsMessage } from '../../shared/types';
import { JurisdictionMap } from '../map/JurisdictionMap';
import { KeyFigures } from './KeyFigures';
import { Ticker } from './Ticker';
import { pushEvents } from './ticker';
import { applyVitals } from './vitals';
import { VitalPanel } from './VitalPanel';

/**
 * The one screen 态势总览 of a scope (city, district or town/street; `/?scope=500109`): key
 * figures, the map shaded by live load, vital-sign panels and the live ticker. The snapshot
 * comes from GET /overview; the live feed keeps it moving and, on case events, has the case
 * figures refetched (at most every 5 s).
 */
export function Overview({ scope }: { scope: string | null }) {
  const { lang, home, live, navigate } = useShell();
  const wanted = scope ?? home;
  const [data, setData] = useState<OverviewData | null>(null);
  const [ticker, setTicker] = useState<LiveEvent[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    (fresh: boolean) => {
      getJson<OverviewData>(`/api/v1/overview${query({ scope: wanted })}`).then(
        (o) => {
          setError(null);
          setData(o);
          setTicker((list) => pushEvents(fresh ? [] : list, o.recent));
          live.watch(o.scope.code, o.live);
        },
        (e: Error) => {
          setData(null);
          setError(e.message);
        },
      );
    },
    [wanted, live],
  );
  useEffect(() => {
    load(true);
    // A safety net: figures that no event announces (deadlines passing) still move.
    const timer = window.setInterval(() => load(false), 60_000);
    return () => window.clearInterval(timer);
  }, [load]);
  const refetch = useThrottled(() => load(false), 5000);

  useLive({
    events: (events) => {
      setTicker((list) => pushEvents(list, events));
      if (events.some((e) => e.topic === 'case')) refetch();
    },
    vitals: (message: VitalsMessage) =>
      setData((d) => (d && d.scope.code === message.scope ? applyVitals(d, message) : d)),
    reset: () => load(true),
  });

  if (error) return <p className="error">{error}</p>;
  if (!data) return <p>{t('loading', lang)}</p>;
  const { scope: unit } = data;
  const toScope = (code: string) => navigate(code === home ? '/' : `/?scope=${code}`);
  const up = unit.parent;

  return (
    <div className="overview">
      <section className="scope">
        <h2>
          {[...unit.chain.map((c) => c.name), unit.name].join(' › ')} <small>{unit.code}</small>
        </h2>
        {up && (
          <button type="button" onClick={() => toScope(up)}>
            ← {t(up === '50' ? 'back' : 'up', lang)}
          </button>
        )}
        <span className="as-of">
          {new Date(data.asOf).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
            timeZone: 'Asia/Shanghai',
          })}
        </span>
      </section>
      <KeyFigures figures={data.figures} lang={lang} />
      <div className="overview-grid">
        <section className="vitals" aria-label={t('vitalSigns', lang)}>
          <h3>{t('vitalSigns', lang)}</h3>
          <div className="vital-grid">
            {data.domains.map((d) => (
              <VitalPanel key={d.domain} domain={d} lang={lang} />
            ))}
          </div>
        </section>
        <section className="map-panel">
          <JurisdictionMap lang={lang} scope={unit} units={data.units} onScope={toScope} />
        </section>
        <Ticker events={ticker} lang={lang} navigate={navigate} />
      </div>
    </div>
  );
}
