import { useCallback, useEffect, useMemo, useState } from 'react';
import { getJson, query } from '../../shared/api';
import { dateTime } from '../../shared/format';
import { useLive, useShell, useThrottled, useUnitNames } from '../../shared/hooks';
import { priorityName, statusName, t, type LabelKey } from '../../shared/i18n';
import type { CaseItem, Category } from '../../shared/types';
import { byDeadline, deadlineOf, queueParams, timeLeft, type QueuePreset } from './queue';

const PRESETS: { preset: QueuePreset; label: LabelKey }[] = [
  { preset: 'mine', label: 'myQueue' },
  { preset: 'open', label: 'allOpen' },
  { preset: 'overdue', label: 'overdueOnly' },
  { preset: 'closed', label: 'closedCases' },
  { preset: 'all', label: 'allCases' },
];

let categories: Promise<Category[]> | null = null;

/** The operator's (or department's) queue: filters, deadline sort, live refresh. */
export function Workbench() {
  const { lang, me, home, navigate } = useShell();
  const [preset, setPreset] = useState<QueuePreset>('mine');
  const [category, setCategory] = useState('');
  const [q, setQ] = useState('');
  const [sort, setSort] = useState<'deadline' | 'newest'>('deadline');
  const [items, setItems] = useState<CaseItem[] | null>(null);
  const [cats, setCats] = useState<Category[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const names = useUnitNames(home);

  const load = useCallback(() => {
    const params = queueParams(preset, me, { scope: home, category, q, sort });
    getJson<{ items: CaseItem[] }>(`/api/v1/cases${query(params)}`).then(
      (page) => {
        setItems(page.items);
        setError(null);
        setNow(Date.now());
      },
      (e: Error) => setError(e.message),
    );
  }, [preset, me, home, category, q, sort]);
  useEffect(load, [load]);
  useEffect(() => {
    categories ??= getJson<{ items: Category[] }>('/api/v1/cases/categories').then((r) => r.items);
    void categories.then(setCats);
    const timer = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, []);
  const refetch = useThrottled(load, 2000);
  useLive({
    events: (events) => {
      if (events.some((e) => e.topic === 'case')) refetch();
    },
    reset: load,
  });

  const shown = useMemo(
    () => (items ? (sort === 'deadline' ? byDeadline(items) : items) : []),
    [items, sort],
  );

  return (
    <div className="workbench">
      <section className="toolbar">
        <div className="presets" role="tablist">
          {PRESETS.map((p) => (
            <button
              key={p.preset}
              type="button"
              role="tab"
              aria-selected={preset === p.preset}
              className={preset === p.preset ? 'active' : ''}
              onClick={() => setPreset(p.preset)}
            >
              {t(p.label, lang)}
            </button>
          ))}
        </div>
        <select
          value={category}
          onChange={(e) => setCategory(e.target.value)}
          aria-label={t('category', lang)}
        >
          <option value="">{t('anyCategory', lang)}</option>
          {cats.map((c) => (
            <option key={c.code} value={c.code}>
              {lang === 'zh' ? c.zh : c.en}
            </option>
          ))}
        </select>
        <input
          type="search"
          placeholder={t('search', lang)}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          aria-label={t('search', lang)}
        />
        <div className="sort">
          <button
            type="button"
            className={sort === 'deadline' ? 'active' : ''}
            onClick={() => setSort('deadline')}
          >
            {t('sortDeadline', lang)}
          </button>
          <button
            type="button"
            className={sort === 'newest' ? 'active' : ''}
            onClick={() => setSort('newest')}
          >
            {t('sortNewest', lang)}
          </button>
        </div>
        <span className="count">
          {t('shownOf', lang)} {shown.length}
        </span>
      </section>
      {error && <p className="error">{error}</p>}
      {!items && !error && <p>{t('loading', lang)}</p>}
      {items && shown.length === 0 && <p className="idle-note">{t('noCases', lang)}</p>}
      {shown.length > 0 && (
        <table className="queue">
          <thead>
            <tr>
              <th>{t('caseId', lang)}</th>
              <th>{t('category', lang)}</th>
              <th>{t('status', lang)}</th>
              <th>{t('priority', lang)}</th>
              <th>{t('place', lang)}</th>
              <th>{t('department', lang)}</th>
              <th>{t('deadline', lang)}</th>
              <th>{t('reported', lang)}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c) => {
              const left = timeLeft(deadlineOf(c), now);
              return (
                <tr
                  key={c.id}
                  className={`${c.overdue ? 'overdue' : ''} ${c.priority}`}
                  onClick={() => navigate(`/cases/${c.id}`)}
                >
                  <td>
                    <a
                      href={`/cases/${c.id}`}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(`/cases/${c.id}`);
                      }}
                    >
                      {c.id}
                    </a>
                  </td>
                  <td>{c.categoryName}</td>
                  <td>
                    <span className={`status ${c.status}`}>{statusName(c.status, lang)}</span>
                  </td>
                  <td className={`prio ${c.priority}`}>{priorityName(c.priority, lang)}</td>
                  <td>{names.get(c.jurisdiction.township) ?? c.jurisdiction.township}</td>
                  <td>{c.department?.name ?? '—'}</td>
                  <td className={left.late || c.overdue ? 'late' : left.soon ? 'soon' : ''}>
                    {['closed', 'cancelled', 'merged'].includes(c.status) ? '—' : left.text}
                  </td>
                  <td>{dateTime(c.reportedAt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
