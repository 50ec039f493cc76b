import type { CaseView } from './case-plans.js';
import type { AlarmView } from './departments.js';
import type { Credential, SimHttp } from './http-client.js';

/** What the server made of the run: its alarms and cases, read back through the API. */
export interface Outcome {
  alarms: number;
  alarmsByRule: Record<string, number>;
  alarmsByCounty: Record<string, number>;
  cases: number;
  casesRouted: number;
  casesClosed: number;
  casesByStatus: Record<string, number>;
  casesBySource: Record<string, number>;
  /** 结案率 and 按期结案率 of today's cases in the whole city (GET /cases/stats), when readable. */
  closureRate: number | null;
  onTimeClosureRate: number | null;
}

const MAX_PAGES = 40;

/**
 * Counts the alarms raised and the cases reported since `sinceMs` (server time) that belong to the
 * run (`mine`), paging newest first until older ones appear; and reads today's national metrics.
 */
export async function collectOutcome(
  http: SimHttp,
  auth: Credential,
  sinceMs: number,
  mine: { case(c: CaseView): boolean; alarm(a: AlarmView): boolean },
): Promise<Outcome> {
  const out: Outcome = {
    alarms: 0,
    alarmsByRule: {},
    alarmsByCounty: {},
    cases: 0,
    casesRouted: 0,
    casesClosed: 0,
    casesByStatus: {},
    casesBySource: {},
    closureRate: null,
    onTimeClosureRate: null,
  };
  let before: number | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer: { status: number; body: { items?: AlarmView[]; nextBefore?: number | null } } =
      await http.send(
        'GET',
        `/api/v1/alarms?state=active,acknowledged,cleared&limit=500${before ? `&before=${before}` : ''}`,
        { auth },
      );
    if (answer.status !== 200) break;
    const items = answer.body.items ?? [];
    for (const a of items) {
      if (Date.parse(a.raisedAt) < sinceMs || !mine.alarm(a)) continue;
      out.alarms++;
      bump(out.alarmsByRule, a.ruleId);
      bump(out.alarmsByCounty, a.countyCode ?? '?');
    }
    before = answer.body.nextBefore ?? null;
    if (!before || items.length === 0 || Date.parse(items[items.length - 1]!.raisedAt) < sinceMs) break;
  }
  let cursor: string | null = null;
  const from = new Date(sinceMs).toISOString();
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer: {
      status: number;
      body: { items?: (CaseView & { department: unknown })[]; nextCursor?: string | null };
    } = await http.send(
      'GET',
      `/api/v1/cases?from=${encodeURIComponent(from)}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      {
        auth,
      },
    );
    if (answer.status !== 200) break;
    for (const c of answer.body.items ?? []) {
      if (!mine.case(c)) continue;
      out.cases++;
      if (c.department) out.casesRouted++;
      if (c.status === 'closed') out.casesClosed++;
      bump(out.casesByStatus, c.status);
      bump(out.casesBySource, c.source);
    }
    cursor = answer.body.nextCursor ?? null;
    if (!cursor) break;
  }
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const stats = await http.send<{ total?: { rates?: Record<string, number | null> } }>(
    'GET',
    `/api/v1/cases/stats?scope=50&from=${today}`,
    { auth },
  );
  if (stats.status === 200) {
    out.closureRate = stats.body.total?.rates?.closureRate ?? null;
    out.onTimeClosureRate = stats.body.total?.rates?.onTimeClosureRate ?? null;
  }
  return out;
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}
