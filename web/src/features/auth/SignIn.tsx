import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, getJson, request, saveSession } from '../../shared/api';
import { t, type Lang } from '../../shared/i18n';

interface DemoUser {
  username: string;
  password: string;
  label: string;
}

/** The sign-in page; in demo mode it lists the demo accounts, one click to fill them in. */
export function SignIn({ lang, onSignedIn }: { lang: Lang; onSignedIn: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [demo, setDemo] = useState<DemoUser[]>([]);

  useEffect(() => {
    getJson<DemoUser[]>('/api/v1/auth/demo-users').then(setDemo, () => setDemo([]));
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      saveSession(await request('POST', '/api/v1/auth/login', { username, password }));
      onSignedIn();
    } catch (e) {
      setError(e instanceof ApiError ? `${t('signInFailed', lang)} (${e.code})` : String(e));
    }
  };

  return (
    <div className="signin">
      <form onSubmit={(e) => void submit(e)}>
        <h2>{t('signIn', lang)}</h2>
        <label>
          {t('username', lang)}
          <input
            name="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoComplete="username"
          />
        </label>
        <label>
          {t('password', lang)}
          <input
            name="password"
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
          />
        </label>
        <button type="submit">{t('signIn', lang)}</button>
        {error && <p className="error">{error}</p>}
      </form>
      {demo.length > 0 && (
        <aside className="demo-users">
          <h3>{t('demoUsers', lang)}</h3>
          <ul>
            {demo.map((d) => (
              <li key={d.username}>
                <button
                  type="button"
                  onClick={() => {
                    setUsername(d.username);
                    setPassword(d.password);
                  }}
                >
                  {d.label}
                </button>{' '}
                <code>
                  {d.username} / {d.password}
                </code>
              </li>
            ))}
          </ul>
        </aside>
      )}
    </div>
  );
}
