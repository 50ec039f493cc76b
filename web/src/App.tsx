import { useEffect, useState } from 'react';
import { getJson, type Health } from './shared/api';
import { t, type Lang } from './shared/i18n';
import { JurisdictionMap } from './features/map/JurisdictionMap';

interface Detail {
  code: string;
  name: string;
  level: string;
  chain: { code: string; name: string }[];
  descendants: { county: number; township: number };
}

/** Reads the scope from the URL (`/?scope=500109` for 北碚区); the city (50) by default. */
function scopeFromUrl(): string {
  return new URLSearchParams(window.location.search).get('scope') ?? '50';
}

/** The overview screen. Later issues fill it with vital signs, alarms and cases. */
export function App() {
  const [lang, setLang] = useState<Lang>('zh');
  const [scope, setScope] = useState(scopeFromUrl);
  const [health, setHealth] = useState<Health | null>(null);
  const [detail, setDetail] = useState<Detail | null>(null);

  useEffect(() => {
    getJson<Health>('/healthz').then(setHealth, () => setHealth(null));
  }, []);
  useEffect(() => {
    getJson<Detail>(`/api/v1/jurisdictions/${scope}`).then(setDetail, () => setDetail(null));
    const url = scope === '50' ? '/' : `/?scope=${scope}`;
    if (window.location.pathname + window.location.search !== url) window.history.pushState(null, '', url);
  }, [scope]);
  useEffect(() => {
    const onPop = () => setScope(scopeFromUrl());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  return (
    <div className="app">
      <header>
        <h1>
          城运 cityops <small>{t('title', lang)}</small>
        </h1>
        <span className="subtitle">{t('subtitle', lang)}</span>
        <nav>
          {health && (
            <span className={`health ${health.status}`}>
              {t(health.status === 'ok' ? 'healthy' : 'degraded', lang)} · {t('storage', lang)}{' '}
              {health.database.engine} · v{health.version}
            </span>
          )}
          <a href="/api/docs">{t('apiDocs', lang)}</a>
          <button type="button" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
            {lang === 'zh' ? 'English' : '中文'}
          </button>
        </nav>
      </header>
      <main>
        <section className="scope">
          {detail && (
            <h2>
              {[...detail.chain.map((c) => c.name), detail.name].join(' › ')}{' '}
              <small>
                {detail.code} ·{' '}
                {detail.descendants.county > 0 && `${detail.descendants.county} ${t('districts', lang)} · `}
                {detail.descendants.township} {t('townships', lang)}
              </small>
            </h2>
          )}
          {scope !== '50' && (
            <button type="button" onClick={() => setScope('50')}>
              ← {t('back', lang)}
            </button>
          )}
        </section>
        <JurisdictionMap lang={lang} scope={scope} onScope={setScope} />
      </main>
    </div>
  );
}
