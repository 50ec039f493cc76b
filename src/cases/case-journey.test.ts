import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../test-support/app.js';
import { signIn } from '../test-support/auth.js';
import { verifyAuditChain } from './case-audit-verify.js';

/*
 * Issue 5, end to end over HTTP: a street-vending detection sequence from a registered camera in
 * 北碚区 opens one case, routed to its town/street and department, which goes through the whole
 * lifecycle with one rework (返工) while the statistics follow. The tests run in order and share
 * the one case; the clock is the app's injected clock, so every time below is exact.
 */

const MINUTE = 60_000;
const COUNTY = '500109'; // 北碚区
const TOWNSHIP = '500109004'; // 东阳街道, where the jurisdiction lookup puts the point below
const PLACE = { lon: 106.437, lat: 29.825 }; // 北碚城区
const CAMERA = 'BB-DY-0042';
const DEPARTMENT = `township_office@${TOWNSHIP}`;
const DAY = '2026-03-02'; // the report day in China time (cases count in the day they were reported)
// 09:00 China time; the opening detection's time.
const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);
// The moment the case opens (the fourth request): 30 s after the detection that met the rule.
const OPENED = T0 + 30_000;

let now = T0 - 10 * MINUTE;
let app: FastifyInstance;
let commander: Record<string, string>; // 北碚区 county commander: registers the camera, closes
let operator: Record<string, string>; // 东阳街道 township operator: verifies
let handler: Record<string, string>; // 东阳街道办事处 department handler: accepts and handles
let otherHandler: Record<string, string>; // 北碚区城市管理局 handler: another department
let cameraKey: Record<string, string>;
let caseId = '';

interface Detection {
  camera: string;
  class: string;
  confidence: number;
  ts: number;
  snapshotUrl: string;
  bbox: number[];
}

const detection = (ts: number, confidence: number): Detection => ({
  camera: CAMERA,
  class: 'street_vending',
  confidence,
  ts,
  snapshotUrl: `https://video.beibei.example/snap/${CAMERA}/${ts}.jpg`,
  bbox: [120, 80, 260, 180],
});

// The sequence. Threshold 0.6, and 3 qualifying detections within 120 s open a case.
const stale = detection(T0 - 5 * MINUTE, 0.9); // qualifies, but alone in its window
const first = detection(T0 - 90_000, 0.91);
const blurred = detection(T0 - 60_000, 0.45); // below the threshold: stored, never counts
const second = detection(T0 - 45_000, 0.88);
const third = detection(T0, 0.93); // the third within 120 s: opens the case
const again = detection(T0 + 40_000, 0.9);
const blurredAgain = detection(T0 + 50_000, 0.3);
const againLater = detection(T0 + 55_000, 0.95);

interface Report {
  accepted: number;
  results: { index: number; seq: number; outcome: string; caseId: string | null }[];
  rejected: unknown[];
}

interface CaseBody {
  id: string;
  status: string;
  statusName: string;
  description: string;
  department: { id: string; type: string; unit: string; name: string } | null;
  routing: { text: string } | null;
  allowedActions: string[];
  occurrences: unknown[];
  timeline: {
    seq: number;
    action: string;
    from: string | null;
    to: string;
    at: string;
    actor: string;
    note: string | null;
    attachments: string[];
    data: Record<string, unknown>;
  }[];
}

interface Stats {
  total: {
    counts: Record<string, number>;
    rates: Record<string, number | null>;
    stages: Record<string, { count: number; meanMinutes: number | null; p90Minutes: number | null }>;
  };
  groups: { key: string; counts: Record<string, number> }[];
}

const iso = (ms: number) => new Date(ms).toISOString();

async function detect(at: number, payload: Detection | Detection[]): Promise<Report> {
  now = at;
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/detections',
    headers: cameraKey,
    payload,
  });
  expect(response.statusCode).toBe(200);
  return response.json<Report>();
}

async function getCase(headers: Record<string, string>): Promise<CaseBody> {
  const response = await app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}`, headers });
  expect(response.statusCode).toBe(200);
  return response.json<CaseBody>();
}

/** Acts on the case at a time `minutes` after it opened. */
async function act(headers: Record<string, string>, minutes: number, payload: object) {
  now = OPENED + minutes * MINUTE;
  return app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/transitions`, headers, payload });
}

async function stats(headers: Record<string, string>, query: string): Promise<Stats> {
  const response = await app.inject({
    method: 'GET',
    url: `/api/v1/cases/stats?from=${DAY}&to=${DAY}&${query}`,
    headers,
  });
  expect(response.statusCode).toBe(200);
  return response.json<Stats>();
}

const zero = {
  reported: 0,
  registered: 0,
  cancelled: 0,
  closed: 0,
  closed_on_time: 0,
  reworked: 0,
  extended: 0,
  open: 0,
  overdue: 0,
  escalated: 0,
};

beforeAll(async () => {
  // No alarm timer: nothing but the requests below moves.
  app = await buildTestApp(undefined, {}, { clock: () => now, alarmTickMs: 0 });
  commander = await signIn(app, { role: 'county_commander', scope: COUNTY, username: 'beibei-commander' });
  operator = await signIn(app, { role: 'township_operator', scope: TOWNSHIP, username: 'dongyang-operator' });
  handler = await signIn(app, {
    role: 'department_handler',
    scope: TOWNSHIP,
    department: 'township_office',
    username: 'dongyang-office',
  });
  otherHandler = await signIn(app, {
    role: 'department_handler',
    scope: COUNTY,
    department: 'urban_management',
    username: 'beibei-urban',
  });
  const { key } = await app.services.access.createKey({
    kind: 'camera',
    label: '北碚视频平台',
    scope: COUNTY,
  });
  cameraKey = { 'x-api-key': key };
});
afterAll(async () => app.close());

describe('a street-vending camera in 北碚区, from detections to a closed case', () => {
  it('finds the camera point in 东阳街道 with the jurisdiction lookup and registers the camera there', async () => {
    const lookup = await app.inject({
      method: 'GET',
      url: `/api/v1/jurisdictions/lookup?lon=${PLACE.lon}&lat=${PLACE.lat}`,
      headers: commander,
    });
    expect(lookup.json()).toMatchObject({
      county: { code: COUNTY, name: '北碚区' },
      township: { code: TOWNSHIP, name: '东阳街道' },
    });
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/cameras',
      headers: commander,
      payload: { id: CAMERA, name: '北碚城区步行街口', ...PLACE, metadata: { model: 'DS-2CD3T47' } },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      id: CAMERA,
      jurisdiction: { province: '50', county: COUNTY, township: TOWNSHIP },
    });
  });

  it('reports no cases for 北碚区 or 东阳街道 before any detection', async () => {
    for (const [headers, scope] of [
      [commander, COUNTY],
      [operator, TOWNSHIP],
    ] as const) {
      const before = await stats(headers, `scope=${scope}`);
      expect(before.total.counts).toEqual(zero);
      expect(Object.values(before.total.rates)).toEqual([null, null, null, null, null]);
      expect(Object.values(before.total.stages).map((s) => s.count)).toEqual([0, 0, 0, 0, 0]);
    }
  });

  it('opens one case when three confident detections fall within two minutes, and attaches later ones to it', async () => {
    // A lone detection, then one confident and one blurred: nothing meets the rule yet.
    expect((await detect(stale.ts + 2000, stale)).results).toEqual([
      expect.objectContaining({ outcome: 'pending', caseId: null }),
    ]);
    expect((await detect(blurred.ts + 2000, [first, blurred])).results.map((r) => r.outcome)).toEqual([
      'pending',
      'below_threshold',
    ]);
    expect((await detect(second.ts + 2000, second)).results).toEqual([
      expect.objectContaining({ outcome: 'pending', caseId: null }),
    ]);
    // The third confident one within 120 s of the first: one case.
    const opened = await detect(OPENED, third);
    expect(opened.results).toEqual([expect.objectContaining({ outcome: 'case_opened' })]);
    caseId = opened.results[0]!.caseId!;
    expect(caseId).toMatch(/^C20260302[0-9A-Z]{8}$/);
    // Later detections while it is open go onto it, the blurred one still does not count.
    const later = await detect(T0 + 60_000, [again, blurredAgain, againLater]);
    expect(later.results.map((r) => [r.outcome, r.caseId])).toEqual([
      ['case_attached', caseId],
      ['below_threshold', null],
      ['case_attached', caseId],
    ]);

    const list = await app.inject({
      method: 'GET',
      url: `/api/v1/cases?scope=${COUNTY}&category=street_vending`,
      headers: commander,
    });
    expect(list.json<{ items: { id: string; occurrences: number }[] }>().items).toEqual([
      expect.objectContaining({ id: caseId, occurrences: 2 }),
    ]);

    // Every detection is kept with what became of it; only those that counted point at the case.
    const stored = await app.inject({
      method: 'GET',
      url: `/api/v1/cameras/${CAMERA}/detections`,
      headers: commander,
    });
    const rows = stored.json<{
      items: { seq: number; ts: string; outcome: string; caseId: string | null }[];
    }>();
    const byTs = new Map(rows.items.map((d) => [d.ts, d]));
    expect(rows.items).toHaveLength(8);
    expect(
      [stale, first, blurred, second, third, again, blurredAgain, againLater].map((d) => {
        const row = byTs.get(iso(d.ts));
        return [row?.outcome, row?.caseId];
      }),
    ).toEqual([
      ['pending', null],
      ['case_opened', caseId],
      ['below_threshold', null],
      ['case_opened', caseId],
      ['case_opened', caseId],
      ['case_attached', caseId],
      ['below_threshold', null],
      ['case_attached', caseId],
    ]);

    // Two occurrences: the opening report carries the three detections of the window, the later
    // request the two that attached; each keeps the raw detections and their snapshots.
    const detail = await getCase(commander);
    expect(detail.occurrences).toEqual([
      expect.objectContaining({
        source: 'camera',
        sourceRef: `${CAMERA}/${byTs.get(iso(third.ts))?.seq}`,
        reportedAt: iso(third.ts),
        attachments: [first.snapshotUrl, second.snapshotUrl, third.snapshotUrl],
        raw: [first, second, third],
        lon: PLACE.lon,
        lat: PLACE.lat,
      }),
      expect.objectContaining({
        source: 'camera',
        sourceRef: `${CAMERA}/${byTs.get(iso(againLater.ts))?.seq}`,
        reportedAt: iso(againLater.ts),
        attachments: [again.snapshotUrl, againLater.snapshotUrl],
        raw: [again, againLater],
      }),
    ]);
    expect(detail).toMatchObject({
      category: 'street_vending',
      categoryName: '占道经营',
      source: 'camera',
      address: '北碚城区步行街口',
      description: `AI识别 占道经营: 摄像头 ${CAMERA} (北碚城区步行街口) 3 次识别 / 120 秒`,
      reportedAt: iso(T0),
      lastReportedAt: iso(againLater.ts),
    });
  });

  it('routes the case to the 东阳街道 department the catalog names for street vending, and records why', async () => {
    const categories = await app.inject({
      method: 'GET',
      url: '/api/v1/cases/categories',
      headers: commander,
    });
    const vending = categories
      .json<{ items: { code: string; departmentType: string; level: string }[] }>()
      .items.find((c) => c.code === 'street_vending');
    expect(vending).toMatchObject({ departmentType: 'township_office', level: 'township' });
    const departments = await app.inject({
      method: 'GET',
      url: `/api/v1/cases/departments?unit=${TOWNSHIP}`,
      headers: commander,
    });
    expect(departments.json<{ items: { id: string }[] }>().items).toContainEqual(
      expect.objectContaining({ id: DEPARTMENT, name: '镇街办事处', level: 'township' }),
    );

    const detail = await getCase(commander);
    const routing = {
      rule: null,
      category: 'street_vending',
      priority: 'normal',
      level: 'township',
      departmentType: 'township_office',
      unit: TOWNSHIP,
      text: `占道经营(normal) → 镇街 ${TOWNSHIP} 镇街办事处; 类别默认 category default`,
    };
    expect(detail).toMatchObject({
      status: 'dispatched',
      statusName: '已派遣',
      priority: 'normal',
      jurisdiction: { city: '50', county: COUNTY, township: TOWNSHIP },
      department: { id: DEPARTMENT, type: 'township_office', unit: TOWNSHIP, name: '镇街办事处' },
      level: 'township',
      routing,
      registeredAt: iso(OPENED),
      stage: 'handle',
      stageDeadline: iso(OPENED + 120 * MINUTE),
      // Every stage's limit from the report: 30 + 30 + 120 + 120 + 60 minutes.
      dueAt: iso(T0 + 360 * MINUTE),
      overdue: false,
      reworkCount: 0,
    });
    // 立案 and 派遣 are done by the system at once, each with the routing reason as its note.
    expect(detail.timeline.slice(0, 3)).toEqual([
      expect.objectContaining({
        action: 'report',
        from: null,
        to: 'reported',
        actor: 'camera',
      }),
      expect.objectContaining({
        action: 'register',
        from: 'reported',
        to: 'registered',
        actor: 'system',
        note: routing.text,
        at: iso(OPENED),
      }),
      expect.objectContaining({
        action: 'dispatch',
        from: 'registered',
        to: 'dispatched',
        actor: 'system',
        note: routing.text,
        data: { routing },
        at: iso(OPENED),
      }),
    ]);
    // The report itself already carries the decision.
    expect(detail.timeline[0]?.data.routing).toEqual(routing);
  });

  it('counts the new case as reported, registered and open for both 北碚区 and 东阳街道', async () => {
    for (const [headers, scope] of [
      [commander, COUNTY],
      [operator, TOWNSHIP],
    ] as const) {
      const opened = await stats(headers, `scope=${scope}`);
      // Occurrences are not cases: two reports, one case.
      expect(opened.total.counts).toEqual({ ...zero, reported: 1, registered: 1, open: 1 });
      expect(opened.total.rates).toEqual({
        registrationRate: 1,
        closureRate: 0,
        onTimeClosureRate: 0,
        reworkRate: 0,
        extensionRate: 0,
      });
      expect(opened.total.stages).toEqual({
        register: { count: 1, meanMinutes: 0.5, p90Minutes: 5 },
        dispatch: { count: 1, meanMinutes: 0, p90Minutes: 5 },
        handle: { count: 0, meanMinutes: null, p90Minutes: null },
        verify: { count: 0, meanMinutes: null, p90Minutes: null },
        close: { count: 0, meanMinutes: null, p90Minutes: null },
      });
    }
  });

  it('offers each user only the actions the lifecycle table gives them and refuses others with 409', async () => {
    expect((await getCase(handler)).allowedActions).toEqual([
      'accept',
      'return',
      'request_extension',
      'comment',
    ]);
    expect((await getCase(operator)).allowedActions).toEqual([
      'reassign',
      'accept',
      'suspend',
      'comment',
      'merge',
      'split',
    ]);
    // A handler of another department only watches.
    expect((await getCase(otherHandler)).allowedActions).toEqual(['comment']);

    const early = await act(handler, 5, { action: 'close' });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({
      error: {
        code: 'CASE_ACTION_NOT_ALLOWED',
        details: {
          action: 'close',
          status: 'dispatched',
          reason: 'status',
          allowed: ['accept', 'return', 'request_extension', 'comment'],
        },
      },
    });
    const stranger = await act(otherHandler, 5, { action: 'accept' });
    expect(stranger.statusCode).toBe(409);
    expect(stranger.json()).toMatchObject({
      error: { code: 'CASE_ACTION_NOT_ALLOWED', details: { reason: 'actor', allowed: ['comment'] } },
    });
    const detail = await getCase(commander);
    expect(detail.status).toBe('dispatched');
    expect(detail.timeline).toHaveLength(4);
  });

  it('fails verification into rework (返工) back to the same department, and counts the rework', async () => {
    const accepted = await act(handler, 10, { action: 'accept', note: '已接单, 城管队员前往' });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ status: 'in_progress', statusName: '处置中' });

    const handled = await act(handler, 40, {
      action: 'handle',
      note: '摊贩已劝离',
      attachments: ['https://evidence.beibei.example/handled-1.jpg'],
    });
    expect(handled.json()).toMatchObject({ status: 'handled', stage: 'verify', allowedActions: ['comment'] });
    expect((await getCase(operator)).allowedActions).toEqual([
      'verify_pass',
      'verify_fail',
      'comment',
      'merge',
      'split',
    ]);
    // The handler cannot check its own work.
    const selfCheck = await act(handler, 45, { action: 'verify_pass' });
    expect(selfCheck.statusCode).toBe(409);
    expect(selfCheck.json()).toMatchObject({
      error: { code: 'CASE_ACTION_NOT_ALLOWED', details: { status: 'handled', reason: 'actor' } },
    });
    // 返工 needs a reason.
    const noReason = await act(operator, 55, { action: 'verify_fail' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json()).toMatchObject({ error: { code: 'INVALID_CASE_TRANSITION' } });

    const failed = await act(operator, 60, { action: 'verify_fail', note: '核查发现摊贩仍在原处经营' });
    expect(failed.statusCode).toBe(200);
    expect(failed.json()).toMatchObject({
      status: 'rework',
      statusName: '返工',
      reworkCount: 1,
      department: { id: DEPARTMENT },
      stage: 'handle',
      // Rework restarts the handling clock.
      stageDeadline: iso(OPENED + 180 * MINUTE),
    });
    expect((await getCase(handler)).allowedActions).toEqual([
      'accept',
      'handle',
      'request_extension',
      'comment',
    ]);

    for (const [headers, scope] of [
      [commander, COUNTY],
      [operator, TOWNSHIP],
    ] as const) {
      const reworked = await stats(headers, `scope=${scope}`);
      expect(reworked.total.counts).toEqual({ ...zero, reported: 1, registered: 1, reworked: 1, open: 1 });
      expect(reworked.total.rates).toMatchObject({ reworkRate: 1, closureRate: 0, onTimeClosureRate: 0 });
      expect(reworked.total.stages).toMatchObject({
        handle: { count: 1, meanMinutes: 40, p90Minutes: 60 },
        verify: { count: 1, meanMinutes: 20, p90Minutes: 30 },
        close: { count: 0 },
      });
    }
  });

  it('closes the reworked case on time after a passing verification, and the statistics show it', async () => {
    expect((await act(handler, 70, { action: 'accept', note: '返工接单' })).json()).toMatchObject({
      status: 'in_progress',
    });
    expect(
      (
        await act(handler, 100, {
          action: 'handle',
          note: '摊贩已搬离, 占道物品已清理',
          attachments: ['https://evidence.beibei.example/handled-2.jpg'],
        })
      ).json(),
    ).toMatchObject({ status: 'handled' });
    const passed = await act(operator, 110, { action: 'verify_pass', note: '现场核查通过' });
    expect(passed.json()).toMatchObject({ status: 'verified', stage: 'close' });
    expect((await getCase(commander)).allowedActions).toEqual(['close', 'comment', 'merge', 'split']);
    const closed = await act(commander, 120, { action: 'close', note: '结案' });
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({
      status: 'closed',
      statusName: '已结案',
      closedAt: iso(OPENED + 120 * MINUTE),
      reworkCount: 1,
      stage: null,
      allowedActions: ['reopen', 'comment'],
    });
    expect((await getCase(handler)).allowedActions).toEqual(['comment']);

    const closedCounts = { ...zero, reported: 1, registered: 1, closed: 1, closed_on_time: 1, reworked: 1 };
    for (const [headers, scope] of [
      [commander, COUNTY],
      [operator, TOWNSHIP],
    ] as const) {
      const after = await stats(headers, `scope=${scope}`);
      expect(after.total.counts).toEqual(closedCounts);
      expect(after.total.rates).toEqual({
        registrationRate: 1, // 立案率
        closureRate: 1, // 结案率
        onTimeClosureRate: 1, // 按期结案率
        reworkRate: 1, // 返工率
        extensionRate: 0, // 延期率
      });
      // Two handling rounds of 40 minutes, verifications of 20 and 10, closure after 10.
      expect(after.total.stages).toEqual({
        register: { count: 1, meanMinutes: 0.5, p90Minutes: 5 },
        dispatch: { count: 1, meanMinutes: 0, p90Minutes: 5 },
        handle: { count: 2, meanMinutes: 40, p90Minutes: 60 },
        verify: { count: 2, meanMinutes: 15, p90Minutes: 30 },
        close: { count: 1, meanMinutes: 10, p90Minutes: 15 },
      });
    }
    // The district's figures are 东阳街道's and the 东阳街道 office's alone.
    const byTownship = await stats(commander, `scope=${COUNTY}&groupBy=township`);
    expect(byTownship.groups).toEqual([expect.objectContaining({ key: TOWNSHIP, counts: closedCounts })]);
    const byDepartment = await stats(commander, `scope=${COUNTY}&department=${DEPARTMENT}`);
    expect(byDepartment.total.counts).toEqual(closedCounts);
  });

  it('keeps every step on the timeline with its actor and note, on an intact audit chain', async () => {
    const detail = await getCase(commander);
    const at = (minutes: number) => iso(OPENED + minutes * MINUTE);
    expect(detail.timeline.map((e) => [e.action, e.from, e.to, e.actor, e.note, e.at])).toEqual([
      ['report', null, 'reported', 'camera', detail.description, at(0)],
      ['register', 'reported', 'registered', 'system', detail.routing?.text, at(0)],
      ['dispatch', 'registered', 'dispatched', 'system', detail.routing?.text, at(0)],
      [
        'occurrence',
        'dispatched',
        'dispatched',
        'camera',
        expect.stringContaining('再次识别 2 次'),
        iso(T0 + 60_000),
      ],
      ['accept', 'dispatched', 'in_progress', 'dongyang-office', '已接单, 城管队员前往', at(10)],
      ['handle', 'in_progress', 'handled', 'dongyang-office', '摊贩已劝离', at(40)],
      ['verify_fail', 'handled', 'rework', 'dongyang-operator', '核查发现摊贩仍在原处经营', at(60)],
      ['accept', 'rework', 'in_progress', 'dongyang-office', '返工接单', at(70)],
      ['handle', 'in_progress', 'handled', 'dongyang-office', '摊贩已搬离, 占道物品已清理', at(100)],
      ['verify_pass', 'handled', 'verified', 'dongyang-operator', '现场核查通过', at(110)],
      ['close', 'verified', 'closed', 'beibei-commander', '结案', at(120)],
    ]);
    expect(detail.timeline[5]?.attachments).toEqual(['https://evidence.beibei.example/handled-1.jpg']);
    const seqs = detail.timeline.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    // This app has one case, so its timeline is the whole chain.
    expect(await verifyAuditChain(app.storage.repositories.cases)).toMatchObject({
      ok: true,
      links: detail.timeline.length,
    });
  });

  it('does not attach a detection to the closed case: the rule must be met again', async () => {
    const after = detection(OPENED + 180 * MINUTE, 0.95);
    expect((await detect(after.ts + 1000, after)).results).toEqual([
      expect.objectContaining({ outcome: 'pending', caseId: null }),
    ]);
    const detail = await getCase(commander);
    expect(detail.status).toBe('closed');
    expect(detail.occurrences).toHaveLength(2);
    expect((await stats(commander, `scope=${COUNTY}`)).total.counts).toMatchObject({ reported: 1, open: 0 });
  });
});
