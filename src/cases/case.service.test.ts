import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EVERYTHING, type Visibility } from '../jurisdictions/visibility.js';
import { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import type { SqliteDatabase } from '../platform/db/database.js';
import { migrate } from '../platform/db/migrate.js';
import { openSqlite } from '../platform/db/sqlite.js';
import { InProcessBus } from '../platform/bus/in-process-bus.js';
import { createRepositories, MIGRATIONS, type Repositories } from '../storage.js';
import { buildReport, CASE_PLACES } from './case-factories.js';
import { CASE_EVENTS, CASE_OVERDUE, type CaseEvent } from './case-intake.js';
import { CaseService, type CaseActor } from './case.service.js';

let jurisdictions: JurisdictionService;
let database: SqliteDatabase;
let repositories: Repositories;
let service: CaseService;
let bus: InProcessBus;
let now: number;
const T0 = Date.UTC(2026, 2, 1, 2, 0, 0);
const MIN = 60_000;

const command: CaseActor = { kind: 'command', name: 'op-beibei', department: null };
const townshipOffice: CaseActor = { kind: 'handler', name: 'h-dongyang', department: 'township_office' };
const water: CaseActor = { kind: 'handler', name: 'h-water', department: 'water' };

const within = (root: string): Visibility => ({
  root,
  contains: (code) => code !== null && code !== undefined && jurisdictions.units.isWithin(code, root),
});

beforeAll(async () => {
  const db = openSqlite(':memory:');
  await migrate(db, MIGRATIONS);
  jurisdictions = await JurisdictionService.create({ repository: createRepositories(db).jurisdictions });
});
beforeEach(async () => {
  database = openSqlite(':memory:');
  await migrate(database, MIGRATIONS);
  repositories = createRepositories(database);
  now = T0;
  bus = new InProcessBus();
  service = await CaseService.create({
    repository: repositories.cases,
    jurisdictions,
    bus,
    clock: () => now,
  });
});
afterEach(async () => {
  await bus.close();
  await database.close();
});

describe('intake', () => {
  it('opens, registers and dispatches a camera report to the township office, saying why', async () => {
    const outcome = await service.report(buildReport(), EVERYTHING);
    expect(outcome).toMatchObject({ attached: false, status: 'dispatched' });
    const detail = await service.getCase(outcome.caseId, EVERYTHING, command);
    expect(detail.record).toMatchObject({
      townshipCode: '500109004',
      countyCode: '500109',
      provinceCode: '50',
      departmentType: 'township_office',
      departmentUnit: '500109004',
      level: 'township',
    });
    expect(detail.record.routing?.text).toMatch(/镇街办事处/);
    expect(detail.timeline.map((e) => e.action)).toEqual(['report', 'register', 'dispatch']);
    expect(detail.occurrences).toHaveLength(1);
    expect(detail.allowedActions).toContain('reassign');
  });

  it('keeps citizen reports waiting for 立案 and routes urgent ones to the county', async () => {
    const outcome = await service.report(
      buildReport({ source: 'open311', category: 'street_vending', priority: 'urgent' }),
      EVERYTHING,
    );
    expect(outcome.status).toBe('reported');
    const pipe = await service.report(buildReport({ source: 'alarm', category: 'pipe_burst' }), EVERYTHING);
    const record = (await service.getCase(pipe.caseId, EVERYTHING)).record;
    expect(record).toMatchObject({ departmentType: 'water', departmentUnit: '500109', level: 'county' });
    expect(record.routing?.rule).toBe('urgent-to-county');
  });

  it('de-duplicates within radius and window, idempotently per source record, and not across categories', async () => {
    const first = await service.report(buildReport(), EVERYTHING);
    const again = await service.report(
      buildReport({ lon: CASE_PLACES.beibei.lon + 0.0002, reportedAt: T0 + 30 * MIN }),
      EVERYTHING,
    );
    expect(again).toEqual({ caseId: first.caseId, attached: true, status: 'dispatched' });
    const ref = buildReport({ reportedAt: T0 + 31 * MIN });
    await service.report(ref, EVERYTHING);
    expect((await service.report(ref, EVERYTHING)).caseId).toBe(first.caseId);
    const far = await service.report(buildReport({ lon: CASE_PLACES.beibei.lon + 0.01 }), EVERYTHING);
    const later = await service.report(buildReport({ reportedAt: T0 + 10 * 60 * MIN }), EVERYTHING);
    const other = await service.report(buildReport({ category: 'exposed_garbage' }), EVERYTHING);
    for (const o of [far, later, other]) expect(o.attached).toBe(false);
    const detail = await service.getCase(first.caseId, EVERYTHING);
    expect(detail.record.occurrences).toBe(3);
    expect(detail.occurrences).toHaveLength(3);
  });

  it('opens one case for concurrent duplicate reports', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => service.report(buildReport(), EVERYTHING)),
    );
    expect(new Set(outcomes.map((o) => o.caseId)).size).toBe(1);
  });

  it('refuses unknown categories and points outside the caller or the city', async () => {
    await expect(service.report(buildReport({ category: 'nope' }), EVERYTHING)).rejects.toMatchObject({
      code: 'UNKNOWN_CASE_CATEGORY',
    });
    await expect(service.report(buildReport({ ...CASE_PLACES.beijing }), EVERYTHING)).rejects.toMatchObject({
      code: 'OUTSIDE_JURISDICTION',
    });
    await expect(service.report(buildReport(), within('500103'))).rejects.toMatchObject({
      code: 'OUTSIDE_JURISDICTION',
    });
  });
});

describe('lifecycle', () => {
  it('goes through the whole lifecycle with one rework, and the statistics follow', async () => {
    const { caseId } = await service.report(buildReport(), EVERYTHING);
    const step = async (actor: CaseActor, action: string, extra: Record<string, unknown> = {}) => {
      now += 10 * MIN;
      return service.transition(caseId, { action, ...extra }, actor, within('500109'));
    };
    await step(townshipOffice, 'accept');
    await step(townshipOffice, 'handle', { note: '已劝离', attachments: ['https://x/after.jpg'] });
    await step(command, 'verify_fail', { note: '摊贩仍在' });
    await step(townshipOffice, 'handle', { note: '再次劝离' });
    await step(command, 'verify_pass');
    const closed = await step(command, 'close');
    expect(closed.record).toMatchObject({ status: 'closed', reworkCount: 1 });
    expect(closed.timeline.map((e) => e.action)).toEqual([
      'report',
      'register',
      'dispatch',
      'accept',
      'handle',
      'verify_fail',
      'handle',
      'verify_pass',
      'close',
    ]);
    expect(closed.timeline[4]!.attachments).toEqual(['https://x/after.jpg']);
    expect(closed.allowedActions).toEqual(['reopen', 'comment']);
    const stats = await service.stats({ scope: '500109' }, EVERYTHING);
    expect(stats.total.counts).toMatchObject({
      reported: 1,
      registered: 1,
      closed: 1,
      closed_on_time: 1,
      reworked: 1,
      open: 0,
    });
    expect(stats.total.rates).toMatchObject({
      registrationRate: 1,
      closureRate: 1,
      onTimeClosureRate: 1,
      reworkRate: 1,
    });
    expect(stats.total.stages.handle!.count).toBe(2);
    const city = await service.stats({ groupBy: 'county' }, EVERYTHING);
    expect(city.groups.find((g) => g.key === '500109')?.counts.closed).toBe(1);
  });

  it('answers 409 with a stable code and the allowed actions when the table refuses', async () => {
    const { caseId } = await service.report(buildReport(), EVERYTHING);
    const refused = service.transition(caseId, { action: 'close' }, command, EVERYTHING);
    await expect(refused).rejects.toMatchObject({ code: 'CASE_ACTION_NOT_ALLOWED', status: 409 });
    // Another department's handler may only comment.
    await expect(
      service.transition(caseId, { action: 'accept' }, water, within('500109')),
    ).rejects.toMatchObject({
      code: 'CASE_ACTION_NOT_ALLOWED',
    });
    const commented = await service.transition(
      caseId,
      { action: 'comment', note: 'fyi' },
      water,
      within('500109'),
    );
    expect(commented.allowedActions).toEqual(['comment']);
    await expect(
      service.transition(caseId, { action: 'return' }, townshipOffice, within('500109')),
    ).rejects.toMatchObject({
      code: 'INVALID_CASE_TRANSITION',
    });
    await expect(service.getCase(caseId, within('500103'))).rejects.toMatchObject({ code: 'CASE_NOT_FOUND' });
  });

  it('returns, re-dispatches to another department, extends, suspends, resumes, cancels and reopens', async () => {
    const { caseId } = await service.report(buildReport({ category: 'road_damage' }), EVERYTHING);
    const transport: CaseActor = { kind: 'handler', name: 'h-transport', department: 'transport' };
    const v = within('500109');
    await service.transition(caseId, { action: 'return', note: '非本部门职责' }, transport, v);
    const redispatched = await service.transition(
      caseId,
      { action: 'dispatch', department: 'housing' },
      command,
      v,
    );
    expect(redispatched.record).toMatchObject({
      status: 'dispatched',
      departmentType: 'housing',
      departmentUnit: '500109',
    });
    const housing: CaseActor = { kind: 'handler', name: 'h-housing', department: 'housing' };
    await service.transition(caseId, { action: 'accept' }, housing, v);
    const before = (await service.getCase(caseId, v)).record;
    await service.transition(
      caseId,
      { action: 'request_extension', note: '需要材料', minutes: 1440 },
      housing,
      v,
    );
    const approved = await service.transition(caseId, { action: 'approve_extension' }, command, v);
    expect(approved.record.stageDeadline).toBe(before.stageDeadline! + 1440 * MIN);
    expect(approved.record.extensionCount).toBe(1);
    const suspended = await service.transition(caseId, { action: 'suspend', note: '等待第三方' }, command, v);
    expect(suspended.record).toMatchObject({ status: 'suspended', stage: null, nextEscalationAt: null });
    const resumed = await service.transition(caseId, { action: 'resume' }, command, v);
    expect(resumed.record.status).toBe('in_progress');
    const reported = await service.report(
      buildReport({ source: 'hotline', category: 'noise_nuisance' }),
      EVERYTHING,
    );
    await service.transition(reported.caseId, { action: 'cancel', note: '无效' }, command, v);
    const reopened = await service.transition(
      reported.caseId,
      { action: 'reopen', note: '复核有效' },
      command,
      v,
    );
    expect(reopened.record.status).toBe('registered');
  });

  it('merges a duplicate into another case with its occurrences', async () => {
    const a = await service.report(buildReport(), EVERYTHING);
    const b = await service.report(buildReport({ lon: CASE_PLACES.beibei.lon + 0.002 }), EVERYTHING);
    expect(b.attached).toBe(false);
    const merged = await service.transition(
      b.caseId,
      { action: 'merge', into: a.caseId },
      command,
      EVERYTHING,
    );
    expect(merged.record).toMatchObject({ status: 'merged', mergedInto: a.caseId });
    const target = await service.getCase(a.caseId, EVERYTHING);
    expect(target.record.occurrences).toBe(2);
    expect(target.occurrences).toHaveLength(2);
    const stats = await service.stats({ scope: '500109004' }, EVERYTHING);
    expect(stats.total.counts.reported).toBe(1);
  });
});

describe('split 拆分', () => {
  it('moves chosen occurrences to a new case, routed afresh in the category the operator gives', async () => {
    const first = await service.report(buildReport({ category: 'exposed_garbage' }), EVERYTHING);
    for (let i = 1; i <= 2; i++) {
      now += MIN;
      await service.report(
        buildReport({ category: 'exposed_garbage', reportedAt: T0 + i * MIN, description: `report ${i}` }),
        EVERYTHING,
      );
    }
    const before = await service.getCase(first.caseId, EVERYTHING, command);
    expect(before.record.occurrences).toBe(3);
    expect(before.allowedActions).toContain('split');
    const moving = before.occurrences.filter((o) => o.description === 'report 2').map((o) => o.id);
    now += MIN;
    const after = await service.transition(
      first.caseId,
      { action: 'split', occurrences: moving, category: 'construction_debris', note: '实为建筑垃圾' },
      command,
      EVERYTHING,
    );
    expect(after.record).toMatchObject({ status: 'dispatched', occurrences: 2 });
    expect(after.occurrences).toHaveLength(2);
    const splitEvent = after.timeline.at(-1)!;
    expect(splitEvent).toMatchObject({
      action: 'split',
      note: '实为建筑垃圾',
      data: { occurrences: moving },
    });
    const newId = splitEvent.data.to as string;
    const split = await service.getCase(newId, EVERYTHING, command);
    expect(split.record).toMatchObject({
      category: 'construction_debris',
      status: 'dispatched',
      occurrences: 1,
      reportedAt: T0 + 2 * MIN,
      description: 'report 2',
      townshipCode: '500109004',
    });
    expect(split.record.routing?.category).toBe('construction_debris');
    expect(split.occurrences.map((o) => o.id)).toEqual(moving);
    expect(split.timeline.map((e) => e.action)).toEqual(['split_in', 'register', 'dispatch']);
    expect(split.timeline[0]!.data).toMatchObject({ from: first.caseId });
    const stats = await service.stats({ scope: '500109004', groupBy: 'category' }, EVERYTHING);
    expect(Object.fromEntries(stats.groups.map((g) => [g.key, g.counts.reported]))).toEqual({
      construction_debris: 1,
      exposed_garbage: 1,
    });
  });

  it('refuses to split off nothing, everything or occurrences of another case, and refuses handlers', async () => {
    const a = await service.report(buildReport(), EVERYTHING);
    await service.report(buildReport({ reportedAt: T0 + MIN }), EVERYTHING);
    const other = await service.report(buildReport({ category: 'illegal_parking' }), EVERYTHING);
    const mine = (await service.getCase(a.caseId, EVERYTHING)).occurrences.map((o) => o.id);
    const theirs = (await service.getCase(other.caseId, EVERYTHING)).occurrences.map((o) => o.id);
    for (const occurrences of [[], mine, theirs]) {
      await expect(
        service.transition(a.caseId, { action: 'split', occurrences, note: 'x' }, command, EVERYTHING),
      ).rejects.toMatchObject({ code: 'INVALID_CASE_TRANSITION' });
    }
    await expect(
      service.transition(
        a.caseId,
        { action: 'split', occurrences: mine.slice(0, 1), note: 'x' },
        townshipOffice,
        EVERYTHING,
      ),
    ).rejects.toMatchObject({ code: 'CASE_ACTION_NOT_ALLOWED' });
    expect((await service.getCase(a.caseId, EVERYTHING)).record.occurrences).toBe(2);
  });
});

describe('deadlines', () => {
  it('escalates overdue cases one level at a time and notifies on the bus', async () => {
    const overdue: CaseEvent[] = [];
    const events: CaseEvent[] = [];
    bus.subscribe(CASE_OVERDUE, (m) => void overdue.push(...m.events), { name: 'test-overdue' });
    bus.subscribe(CASE_EVENTS, (m) => void events.push(...m.events), { name: 'test-events' });
    const { caseId } = await service.report(buildReport(), EVERYTHING);
    expect(await service.escalateOverdue()).toBe(0);
    now = T0 + 121 * MIN; // street vending, normal: 120 minutes to handle
    expect(await service.escalateOverdue()).toBe(1);
    expect(await service.escalateOverdue()).toBe(0);
    let record = (await service.getCase(caseId, EVERYTHING)).record;
    expect(record).toMatchObject({ overdue: true, escalation: 1 });
    now += 121 * MIN;
    expect(await service.escalateOverdue()).toBe(1);
    now += 1000 * MIN;
    expect(await service.escalateOverdue()).toBe(0);
    record = (await service.getCase(caseId, EVERYTHING)).record;
    expect(record).toMatchObject({ escalation: 2, nextEscalationAt: null });
    await bus.drain();
    expect(overdue.map((e) => e.action)).toEqual(['escalate', 'escalate']);
    expect(events.map((e) => e.action)).toContain('dispatch');
    const list = await service.list({ overdue: true, limit: 10 }, EVERYTHING);
    expect(list.items.map((c) => c.id)).toEqual([caseId]);
    const stats = await service.stats({ scope: '50' }, EVERYTHING);
    expect(stats.total.counts).toMatchObject({ overdue: 1, escalated: 1, open: 1 });
  });
});

describe('list', () => {
  it('pages newest first with a cursor and filters by scope, status, category and text', async () => {
    for (let i = 0; i < 5; i++) {
      await service.report(
        buildReport({ reportedAt: T0 + i * 1000, lon: CASE_PLACES.beibei.lon + i * 0.01 }),
        EVERYTHING,
      );
    }
    await service.report(
      buildReport({ ...CASE_PLACES.jiefangbei, description: '解放碑 垃圾', category: 'exposed_garbage' }),
      EVERYTHING,
    );
    const first = await service.list({ scope: '500109', limit: 2 }, EVERYTHING);
    expect(first.items).toHaveLength(2);
    const second = await service.list({ scope: '500109', limit: 2, cursor: first.nextCursor! }, EVERYTHING);
    const third = await service.list({ scope: '500109', limit: 2, cursor: second.nextCursor! }, EVERYTHING);
    expect(third.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items, ...third.items].map((c) => c.reportedAt);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(ids).toHaveLength(5);
    expect((await service.list({ q: '解放碑', limit: 10 }, EVERYTHING)).items).toHaveLength(1);
    expect(
      (await service.list({ category: 'exposed_garbage', status: 'dispatched', limit: 10 }, within('500109')))
        .items,
    ).toHaveLength(0);
    expect((await service.list({ scope: '50', limit: 10 }, within('500103'))).items).toHaveLength(1);
    await expect(service.list({ limit: 1, cursor: 'garbage' }, EVERYTHING)).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
  });
});
