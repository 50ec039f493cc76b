import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  accessToken,
  ApiError,
  clearSession,
  getJson,
  hasSession,
  request,
  whenSignedOut,
  type Health,
  type Me,
} from './shared/api';
import { t, type Lang, type LabelKey } from './shared/i18n';
import { LiveClient, type LiveStatus, type SocketLike } from './shared/live';
import { parseRoute, type Route } from './shared/router';
import { ShellContext, type Shell } from './shared/hooks';
import { SignIn } from './features/auth/SignIn';
import { Overview } from './features/overview/Overview';
import { Workbench } from './features/cases/Workbench';
import { CaseDetailPage } from './features/cases/CaseDetail';
import { AlarmList } from './features/alarms/AlarmList';
import { SensorList } from './features/sensors/SensorList';
import { SensorPage } from './features/sensors/SensorPage';

/** The page's one live connection (one WebSocket per page, shared by every screen). */
function createLive(): LiveClient {
  return new LiveClient({
    open: (url, protocols) => {
      const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
      const ws = new WebSocket(`${scheme}://${window.location.host}${url}`, protocols);
      const socket: SocketLike = {
        onopen: null,
        onmessage: null,
        onclose: null,
        send: (data) => ws.send(data),
        close: () => ws.close(),
      };
      ws.onopen = () => socket.onopen?.();
      ws.onmessage = (e: MessageEvent) => socket.onmessage?.({ data: e.data });
      ws.onclose = (e: CloseEvent) => socket.onclose?.({ code: e.code });
      return socket;
    },
    token: accessToken,
    // /auth/me through the API helper refreshes an expired token (or ends the session).
    check: () =>
      getJson<Me>('/api/v1/auth/me').then(
        () => 'ok' as const,
        (e: unknown) => (e instanceof ApiError && e.status === 401 ? 'signed-out' : 'down'),
      ),
    setTimer: (fn, ms) => window.setTimeout(fn, ms),
    clearTimer: (handle) => window.clearTimeout(handle as number),
  });
}

const currentRoute = (): Route => parseRoute(window.location.pathname, window.location.search);

const NAV: { page: Route['page']; url: string; label: LabelKey }[] = [
  { page: 'overview', url: '/', label: 'navOverview' },
  { page: 'workbench', url: '/workbench', label: 'navWorkbench' },
  { page: 'alarms', url: '/alarms', label: 'navAlarms' },
  { page: 'sensors', url: '/sensors', label: 'navSensors' },
];

const STATUS_LABEL: Record<LiveStatus, LabelKey> = {
  live: 'liveOn',
  connecting: 'liveConnecting',
  reconnecting: 'liveReconnecting',
  offline: 'liveOff',
};

/** The dashboard: sign-in, then the overview, the workbench, alarms and sensors, in zh-CN or English. */
export function App() {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem('cityops.lang') === 'en' ? 'en' : 'zh'));
  const [me, setMe] = useState<Me | null | 'loading'>(hasSession() ? 'loading' : null);
  const [route, setRoute] = useState<Route>(currentRoute);
  const [health, setHealth] = useState<Health | null>(null);
  const [status, setStatus] = useState<LiveStatus>('offline');
  const live = useMemo(createLive, []);

  const loadMe = useCallback(() => {
    getJson<Me>('/api/v1/auth/me').then(setMe, () => setMe(null));
  }, []);
  useEffect(() => {
    whenSignedOut(() => {
      live.stop();
      setMe(null);
    });
    if (hasSession()) loadMe();
    getJson<Health>('/healthz').then(setHealth, () => setHealth(null));
    const onPop = () => setRoute(currentRoute());
    window.addEventListener('popstate', onPop);
    const off = live.listen({ status: setStatus });
    return () => {
      window.removeEventListener('popstate', onPop);
      off();
      live.stop();
    };
  }, [loadMe, live]);
  useEffect(() => {
    localStorage.setItem('cityops.lang', lang);
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);

  // The overview watches the scope it shows; every other screen watches the user's own area.
  const home = me && me !== 'loading' ? (me.scope ?? '50') : null;
  useEffect(() => {
    if (home && route.page !== 'overview') live.watch(home);
  }, [home, route.page, live]);

  const navigate = useCallback((url: string) => {
    if (window.location.pathname + window.location.search !== url) window.history.pushState(null, '', url);
    setRoute(currentRoute());
    window.scrollTo(0, 0);
  }, []);

  const signOut = async () => {
    live.stop();
    await request('POST', '/api/v1/auth/logout').catch(() => undefined);
    clearSession();
    setMe(null);
    navigate('/');
  };

  const shell: Shell | null = me && me !== 'loading' && home ? { lang, me, home, live, navigate } : null;

  return (
    <div className="app">
      <header>
        <h1>
          城运 cityops <small>{t('title', lang)}</small>
        </h1>
        {shell && (
          <nav className="tabs">
            {NAV.map((n) => (
              <a
                key={n.page}
                href={n.url}
                className={
                  route.page === n.page ||
                  (n.page === 'workbench' && route.page === 'case') ||
                  (n.page === 'sensors' && route.page === 'sensor')
                    ? 'active'
                    : ''
                }
                onClick={(e) => {
                  e.preventDefault();
                  navigate(n.url);
                }}
              >
                {t(n.label, lang)}
              </a>
            ))}
          </nav>
        )}
        <nav className="side">
          {shell && <span className={`live-status ${status}`}>● {t(STATUS_LABEL[status], lang)}</span>}
          {health && (
            <span
              className={`health ${health.status}`}
              title={`${t('storage', lang)} ${health.database.engine} · v${health.version}`}
            >
              {t(health.status === 'ok' ? 'healthy' : 'degraded', lang)}
            </span>
          )}
          <a href="/api/docs">{t('apiDocs', lang)}</a>
          {shell && (
            <span className="me">
              {shell.me.name}
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
        {me === 'loading' && <p>{t('loading', lang)}</p>}
        {shell && (
          <ShellContext.Provider value={shell}>
            <Screen route={route} />
          </ShellContext.Provider>
        )}
      </main>
    </div>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <Overview scope={route.scope} />;
    case 'workbench':
      return <Workbench />;
    case 'case':
      return <CaseDetailPage id={route.id} />;
    case 'alarms':
      return <AlarmList />;
    case 'sensors':
      return <SensorList />;
    case 'sensor':
      return <SensorPage id={route.id} />;
  }
}
