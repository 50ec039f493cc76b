import { useCallback, useEffect, useState } from 'react';
import {
  clearSession,
  getJson,
  hasSession,
  request,
  whenSignedOut,
  type Health,
  type Me,
} from './shared/api';
import { t, type Lang } from './shared/i18n';
import { JurisdictionMap } from './features/map/JurisdictionMap';
import { SignIn } from './features/auth/SignIn';

/** A jurisdiction as GET /api/v1/jurisdictions/{code} returns it. */
export interface Detail {
  code: string;
  name: string;
  level: 'province' | 'prefecture' | 'county' | 'township';
  parent: string | null;
  chain: { code: string; name: string }[];
  descendants: { county: number; township: number };
}

/** Reads the scope from the URL (`/?scope=500109` for 北碚区). */
function scopeFromUrl(): string | null {
  return new URLSearchParams(window.location.search).get('scope');
}

/** The overview screen at the signed-in user's level. Later issues fill it with vital signs, alarms and cases. */
export function App() {
  const [lang, setLang] = useState<Lang>('zh');
  const [me, setMe] = useState<Me | null | 'loading'>(hasSession() ? 'loading' : null);
  const [scope, setScope] = useState<string | null>(scopeFromUrl);
  const [health, setHealth] = useState<Health | null>(null);
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);

  const loadMe = useCallback(() => {
    getJson<Me>('/api/v1/auth/me').then(setMe, () => setMe(null));
  }, []);
  useEffect(() => {
    whenSignedOut(() => setMe(null));
    if (hasSession()) loadMe();
    getJson<Health>('/healthz').then(setHealth, () => setHealth(null));
  }, [loadMe]);

  const home = me && me !== 'loading' ? (me.scope ?? '50') : null;
  const current = scope ?? home;
  useEffect(() => {
    if (!current) return;
    setError(null);
    getJson<Detail>(`/api/v1/jurisdictions/${current}`).then(setDetail, (e: Error) => {
      setDetail(null);
      setError(e.message);
    });
    const url = current === home ? '/' : `/?scope=${current}`;
    if (window.location.pathname + window.location.search !== url) window.history.pushState(null, '', url);
  }, [current, home]);
  useEffect(() => {
    const onPop = () => setScope(scopeFromUrl());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const signOut = async () => {
    await request('POST', '/api/v1/auth/logout').catch(() => undefined);
    clearSession();
    setMe(null);
    setScope(null);
  };

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
          {me && me !== 'loading' && (
            <span className="me">
              {me.name} · {me.role}
              <button type="button" onClick={() => void signOut()}>
                {t('signOut', lang)}
              </button>
            </span>
          )}
          <button type="button" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
            {lang === 'zh' ? 'English' : '中文'}
          </button>
        </nav>
      </header>
      <main>
        {me === null && <SignIn lang={lang} onSignedIn={loadMe} />}
        {me && me !== 'loading' && (
          <>
            <section className="scope">
              {detail && (
                <h2>
                  {[...detail.chain.map((c) => c.name), detail.name].join(' › ')}{' '}
                  <small>
                    {detail.code} ·{' '}
                    {detail.descendants.county > 0 &&
                      `${detail.descendants.county} ${t('districts', lang)} · `}
                    {detail.descendants.township} {t('townships', lang)}
                  </small>
                </h2>
              )}
              {current !== home && home && (
                <button type="button" onClick={() => setScope(home)}>
                  ← {t('back', lang)}
                </button>
              )}
            </section>
            {error && <p className="error">{error}</p>}
            {detail && <JurisdictionMap lang={lang} unit={detail} onScope={setScope} />}
          </>
        )}
      </main>
    </div>
  );
}
