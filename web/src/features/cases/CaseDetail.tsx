import { useCallback, useEffect, useState } from 'react';
import { ApiError, getJson, postJson } from '../../shared/api';
import { dateTime } from '../../shared/format';
import { useLive, useShell, useUnitNames } from '../../shared/hooks';
import { priorityName, sourceName, statusName, t, type Lang } from '../../shared/i18n';
import type { CaseDetail } from '../../shared/types';
import { ACTIONS, actionName, offeredActions, transitionBody } from './actions';
import { CaseMap } from './CaseMap';

/** The stages of the national flow, with the actions that complete each (for the stepper). */
const STEPS: { zh: string; en: string; actions: string[] }[] = [
  { zh: '上报', en: 'Reported', actions: ['report', 'split_in'] },
  { zh: '立案', en: 'Registered', actions: ['register'] },
  { zh: '派遣', en: 'Dispatched', actions: ['dispatch', 'reassign'] },
  { zh: '处置', en: 'Handled', actions: ['handle'] },
  { zh: '核查', en: 'Verified', actions: ['verify_pass'] },
  { zh: '结案', en: 'Closed', actions: ['close'] },
];

/** Same-origin or inline images can be shown under the page's CSP; others are linked. */
function showable(url: string): boolean {
  return url.startsWith('/') || url.startsWith('data:image/') || url.startsWith(window.location.origin);
}

/** One case: facts, stepper, the actions allowed now, location, snapshot, occurrences, audit trail. */
export function CaseDetailPage({ id }: { id: string }) {
  const { lang, home, navigate } = useShell();
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const names = useUnitNames(home);

  const load = useCallback(() => {
    getJson<CaseDetail>(`/api/v1/cases/${encodeURIComponent(id)}`).then(
      (d) => {
        setDetail(d);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [id]);
  useEffect(load, [load]);
  useLive({
    events: (events) => {
      if (events.some((e) => e.topic === 'case' && e.caseId === id)) load();
    },
    reset: load,
  });

  if (error) return <p className="error">{error}</p>;
  if (!detail) return <p>{t('loading', lang)}</p>;
  const d = detail;
  const done = (step: (typeof STEPS)[number]) =>
    d.timeline.filter((e) => step.actions.includes(e.action)).at(-1);
  const snapshots = d.occurrences.flatMap((o) => o.attachments);
  const routingText = typeof d.routing?.text === 'string' ? d.routing.text : null;

  return (
    <div className="case-detail">
      <section className="case-head">
        <button type="button" onClick={() => navigate('/workbench')}>
          ← {t('backToQueue', lang)}
        </button>
        <h2>
          {d.categoryName} <small>{d.id}</small>
        </h2>
        <span className={`status ${d.status}`} data-status={d.status}>
          {statusName(d.status, lang)}
        </span>
        <span className={`prio ${d.priority}`}>{priorityName(d.priority, lang)}</span>
        {d.overdue && <span className="flag late">{t('overdue', lang)}</span>}
        {d.needsLocation && <span className="flag late">待定位 needs location</span>}
      </section>

      <ol className="stepper">
        {STEPS.map((s) => {
          const entry = done(s);
          return (
            <li key={s.zh} className={entry ? 'done' : ''}>
              <b>{s[lang]}</b>
              <span>{entry ? dateTime(entry.at) : ''}</span>
            </li>
          );
        })}
      </ol>

      <div className="case-grid">
        <section className="facts">
          <dl>
            <dt>{t('description', lang)}</dt>
            <dd>{d.description}</dd>
            <dt>{t('place', lang)}</dt>
            <dd>
              {names.get(d.jurisdiction.county) ?? d.jurisdiction.county}{' '}
              {names.get(d.jurisdiction.township) ?? d.jurisdiction.township}
              {d.address ? ` · ${d.address}` : ''}
            </dd>
            <dt>{t('department', lang)}</dt>
            <dd>{d.department?.name ?? '—'}</dd>
            <dt>{t('source', lang)}</dt>
            <dd>
              {sourceName(d.source, lang)}
              {d.reporter ? ` · ${d.reporter}` : ''} · {d.occurrences.length} {t('occurrences', lang)}
            </dd>
            <dt>{t('reported', lang)}</dt>
            <dd>{dateTime(d.reportedAt)}</dd>
            <dt>{t('deadline', lang)}</dt>
            <dd>
              {dateTime(d.stageDeadline)} · {t('dueAt', lang)} {dateTime(d.dueAt)}
            </dd>
            {d.reworkCount > 0 && (
              <>
                <dt>{t('rework', lang)}</dt>
                <dd>{d.reworkCount}</dd>
              </>
            )}
            {routingText && (
              <>
                <dt>{t('routing', lang)}</dt>
                <dd>{routingText}</dd>
              </>
            )}
          </dl>
        </section>
        <Actions detail={d} lang={lang} onDone={setDetail} />
        <section className="location">
          <h3>{t('location', lang)}</h3>
          {d.lon !== null && d.lat !== null ? (
            <CaseMap
              township={d.jurisdiction.township}
              county={d.jurisdiction.county}
              lon={d.lon}
              lat={d.lat}
            />
          ) : (
            <p className="idle-note">{d.address}</p>
          )}
        </section>
        <section className="snapshot">
          <h3>{t('snapshot', lang)}</h3>
          {snapshots.length === 0 && <p className="idle-note">{t('noSnapshot', lang)}</p>}
          {snapshots.map((url) =>
            showable(url) ? (
              <img key={url} src={url} alt={t('snapshot', lang)} />
            ) : (
              <a key={url} href={url} target="_blank" rel="noreferrer">
                {url}
              </a>
            ),
          )}
        </section>
      </div>

      <section className="occurrences">
        <h3>
          {t('occurrences', lang)} ({d.occurrences.length})
        </h3>
        <table>
          <thead>
            <tr>
              <th>{t('when', lang)}</th>
              <th>{t('source', lang)}</th>
              <th>{t('description', lang)}</th>
              <th>{t('location', lang)}</th>
            </tr>
          </thead>
          <tbody>
            {d.occurrences.map((o) => (
              <tr key={o.id}>
                <td>{dateTime(o.reportedAt)}</td>
                <td>
                  {sourceName(o.source, lang)} <small>{o.sourceRef}</small>
                </td>
                <td>{o.description}</td>
                <td>
                  {o.lon === null || o.lat === null
                    ? t('noPoint', lang)
                    : `${o.lon.toFixed(5)}, ${o.lat.toFixed(5)}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="audit">
        <h3>{t('auditTrail', lang)}</h3>
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>{t('when', lang)}</th>
              <th>{t('action', lang)}</th>
              <th>{t('fromTo', lang)}</th>
              <th>{t('actor', lang)}</th>
              <th>{t('note', lang)}</th>
            </tr>
          </thead>
          <tbody>
            {d.timeline.map((e) => (
              <tr key={e.seq} data-action={e.action}>
                <td>{e.seq}</td>
                <td>{dateTime(e.at)}</td>
                <td>{actionName(e.action, lang)}</td>
                <td>
                  {e.from ? statusName(e.from, lang) : '—'} → {statusName(e.to, lang)}
                </td>
                <td>{e.actor}</td>
                <td>
                  {e.note ?? ''}
                  {e.publicNote && (
                    <p className="public-note">
                      <strong>{t('publicTag', lang)}</strong> {e.publicNote}
                    </p>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

/** The actions allowed now (the server's `allowedActions`), each with the form it needs. */
function Actions({
  detail,
  lang,
  onDone,
}: {
  detail: CaseDetail;
  lang: Lang;
  onDone: (d: CaseDetail) => void;
}) {
  const [open, setOpen] = useState<string | null>(null);
  const [form, setForm] = useState({
    note: '',
    publicNote: '',
    department: '',
    minutes: '60',
    into: '',
    occurrences: [] as string[],
    lon: '',
    lat: '',
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const offered = offeredActions(detail.allowedActions, detail.occurrences.length);
  useEffect(() => {
    setOpen(null);
    setError(null);
  }, [detail.status, detail.id]);

  const submit = async (action: string) => {
    const result = transitionBody(action, form, detail.occurrences.length);
    if ('problem' in result) {
      const problems = {
        note: 'noteRequired',
        minutes: 'minutes',
        department: 'departmentTarget',
        into: 'mergeInto',
        occurrences: 'splitRule',
        point: 'locatePoint',
      } as const;
      setError(t(problems[result.problem], lang));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onDone(
        await postJson<CaseDetail>(`/api/v1/cases/${encodeURIComponent(detail.id)}/transitions`, result.body),
      );
      setForm({
        note: '',
        publicNote: '',
        department: '',
        minutes: '60',
        into: '',
        occurrences: [],
        lon: '',
        lat: '',
      });
      setOpen(null);
    } catch (e) {
      setError(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    } finally {
      setBusy(false);
    }
  };
  const choose = (action: string) => {
    const s = ACTIONS[action]!;
    setError(null);
    if (!s.note && s.fields.length === 0) void submit(action);
    else setOpen(action);
  };

  return (
    <section className="actions">
      <h3>{t('actions', lang)}</h3>
      {offered.length === 0 && <p className="idle-note">{t('noActions', lang)}</p>}
      <div className="action-buttons">
        {offered.map((a) => (
          <button
            key={a}
            type="button"
            data-action={a}
            disabled={busy}
            className={ACTIONS[a]!.primary ? 'primary' : ''}
            onClick={() => choose(a)}
          >
            {actionName(a, lang)}
          </button>
        ))}
      </div>
      {open && (
        <form
          className="action-form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit(open);
          }}
        >
          <b>{actionName(open, lang)}</b>
          {ACTIONS[open]!.fields.includes('department') && (
            <label>
              {t('departmentTarget', lang)}
              <input
                name="department"
                value={form.department}
                placeholder={detail.department?.type ?? 'water'}
                onChange={(e) => setForm({ ...form, department: e.target.value })}
              />
            </label>
          )}
          {ACTIONS[open]!.fields.includes('minutes') && (
            <label>
              {t('minutes', lang)}
              <input
                name="minutes"
                type="number"
                min={1}
                value={form.minutes}
                onChange={(e) => setForm({ ...form, minutes: e.target.value })}
              />
            </label>
          )}
          {ACTIONS[open]!.fields.includes('into') && (
            <label>
              {t('mergeInto', lang)}
              <input
                name="into"
                value={form.into}
                onChange={(e) => setForm({ ...form, into: e.target.value })}
              />
            </label>
          )}
          {ACTIONS[open]!.fields.includes('point') && (
            <fieldset className="locate-point">
              <legend>{t('locatePoint', lang)}</legend>
              <label>
                {t('longitude', lang)}
                <input
                  name="lon"
                  inputMode="decimal"
                  value={form.lon}
                  placeholder="106.5775"
                  onChange={(e) => setForm({ ...form, lon: e.target.value })}
                />
              </label>
              <label>
                {t('latitude', lang)}
                <input
                  name="lat"
                  inputMode="decimal"
                  value={form.lat}
                  placeholder="29.5576"
                  onChange={(e) => setForm({ ...form, lat: e.target.value })}
                />
              </label>
            </fieldset>
          )}
          {ACTIONS[open]!.fields.includes('occurrences') && (
            <fieldset className="split-pick">
              <legend>{t('splitPick', lang)}</legend>
              {detail.occurrences.map((o) => (
                <label key={o.id}>
                  <input
                    type="checkbox"
                    name="occurrence"
                    value={o.id}
                    checked={form.occurrences.includes(o.id)}
                    onChange={(e) =>
                      setForm({
                        ...form,
                        occurrences: e.target.checked
                          ? [...form.occurrences, o.id]
                          : form.occurrences.filter((id) => id !== o.id),
                      })
                    }
                  />
                  {dateTime(o.reportedAt)} · {sourceName(o.source, lang)} · {o.description}
                </label>
              ))}
            </fieldset>
          )}
          <label>
            {t('note', lang)}
            <textarea
              name="note"
              value={form.note}
              onChange={(e) => setForm({ ...form, note: e.target.value })}
            />
          </label>
          <label>
            {t('publicReply', lang)} <small>{t('publicReplyHint', lang)}</small>
            <textarea
              name="publicNote"
              value={form.publicNote}
              onChange={(e) => setForm({ ...form, publicNote: e.target.value })}
            />
          </label>
          <div>
            <button type="submit" className="primary" disabled={busy}>
              {t('confirm', lang)}
            </button>
            <button type="button" onClick={() => setOpen(null)}>
              {t('cancel', lang)}
            </button>
          </div>
        </form>
      )}
      {error && <p className="error">{error}</p>}
    </section>
  );
}
