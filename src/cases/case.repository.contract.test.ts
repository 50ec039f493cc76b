import { beforeAll, expect, it } from 'vitest';
import { EVERYTHING } from '../jurisdictions/visibility.js';
import { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import type { Database } from '../platform/db/database.js';
import { openPostgres } from '../platform/db/postgres.js';
import { createRepositories } from '../storage.js';
import { describeContract } from '../test-support/engines.js';
import { verifyAuditChain } from './case-audit-verify.js';
import { DEFAULT_CATEGORIES, type Category } from './case-catalog.js';
import { buildReport, CASE_PLACES } from './case-factories.js';
import { CaseService, type CaseActor } from './case.service.js';
import { COUNTERS } from './case-stats.js';
import { foldDepartmentsSql } from './case.migrations.js';

const T0 = Date.UTC(2026, 2, 1, 2, 0, 0);
const MIN = 60_000;
const command: CaseActor = { kind: 'command', name: 'op', department: null };
const office: CaseActor = { kind: 'handler', name: 'h', department: 'township_office' };

async function sqlExec(database: Database, text: string): Promise<void> {
  if (database.engine === 'sqlite') database.db.exec(text);
  else await database.pool.query(text);
}

describeContract('case repository', (ctx) => {
  let service: CaseService;
  let now = T0;

  beforeAll(async () => {
    const { repositories } = ctx();
    const jurisdictions = await JurisdictionService.create({ repository: repositories.jurisdictions });
    service = await CaseService.create({ repository: repositories.cases, jurisdictions, clock: () => now });
  });

  it('seeds the catalog once and keeps the city’s edits', async () => {
    const { repositories } = ctx();
    expect((await repositories.cases.catalog()).categories).toHaveLength(DEFAULT_CATEGORIES.length);
    await service.catalog.putCategory({ ...DEFAULT_CATEGORIES[0]!, zh: '窨井盖' });
    expect(await repositories.cases.seedCatalog({ categories: [], departmentTypes: [], rules: [] })).toBe(
      false,
    );
    const catalog = await repositories.cases.catalog();
    expect(catalog.categories.find((c) => c.code === 'manhole_cover')?.zh).toBe('窨井盖');
    await service.catalog.putRoutingRule({
      id: 'x',
      category: '*',
      priority: 'low',
      level: 'county',
      departmentType: null,
      note: '',
    });
    expect((await repositories.cases.catalog()).rules.map((r) => r.id)).toContain('x');
    await service.catalog.deleteRoutingRule('x');
    expect((await repositories.cases.catalog()).rules.map((r) => r.id)).not.toContain('x');
  });

  it('gives a category stored before citizenReportable existed the default of its group', async () => {
    const { repositories } = ctx();
    for (const code of ['gas_incident', 'street_light']) {
      const { citizenReportable, ...stored } = DEFAULT_CATEGORIES.find((c) => c.code === code)!;
      await repositories.cases.putCategory(stored as Category);
      await service.catalog.reload();
      expect(service.catalog.category(code).citizenReportable).toBe(citizenReportable);
    }
  });

  it('stores a report with its occurrence, timeline and routing, and finds it by source and nearby', async () => {
    const { repositories } = ctx();
    const report = buildReport({ raw: { nested: { a: [1, 2] } }, attachments: ['https://cam/1.jpg'] });
    const outcome = await service.report(report, EVERYTHING);
    const stored = await repositories.cases.get(outcome.caseId);
    expect(stored).toMatchObject({
      status: 'dispatched',
      townshipCode: '500109004',
      departmentType: 'township_office',
      version: 1,
    });
    expect(stored?.routing?.unit).toBe('500109004');
    expect(await repositories.cases.findBySource(report.source, report.sourceRef)).toBe(outcome.caseId);
    const [occurrence] = await repositories.cases.occurrences(outcome.caseId);
    expect(occurrence).toMatchObject({ raw: { nested: { a: [1, 2] } }, attachments: ['https://cam/1.jpg'] });
    const events = await repositories.cases.events(outcome.caseId);
    expect(events.map((e) => e.action)).toEqual(['report', 'register', 'dispatch']);
    const near = await repositories.cases.findOpenNear(
      'street_vending',
      { minLon: 106.4, maxLon: 106.5, minLat: 29.8, maxLat: 29.9 },
      T0 - MIN,
    );
    expect(near.map((c) => c.id)).toContain(outcome.caseId);
    const again = await service.report(buildReport({ lat: CASE_PLACES.beibei.lat + 0.0001 }), EVERYTHING);
    expect(again).toMatchObject({ caseId: outcome.caseId, attached: true });
  });

  it('refuses a stale write whole (CASE_CONFLICT) and keeps the chain', async () => {
    const { repositories } = ctx();
    const { caseId } = await service.report(buildReport({ category: 'exposed_garbage' }), EVERYTHING);
    const stale = (await repositories.cases.get(caseId))!;
    await service.transition(caseId, { action: 'accept' }, office, EVERYTHING);
    const bogus = { ...stale, status: 'closed' as const, version: stale.version + 1 };
    await expect(
      repositories.cases.commit([
        {
          writes: [{ before: stale, after: bogus }],
          events: [
            {
              caseId,
              action: 'close',
              from: 'dispatched',
              to: 'closed',
              at: now,
              actor: 'x',
              note: null,
              attachments: [],
              data: {},
            },
          ],
        },
      ]),
    ).rejects.toMatchObject({ code: 'CASE_CONFLICT' });
    expect((await repositories.cases.get(caseId))?.status).toBe('in_progress');
    expect((await verifyAuditChain(repositories.cases)).ok).toBe(true);
  });

  it('keeps statistics in step with transitions, by scope, group and period', async () => {
    const { caseId } = await service.report(buildReport({ category: 'garbage_overflow' }), EVERYTHING);
    for (const [actor, action, note] of [
      [office, 'accept', undefined],
      [office, 'handle', '已清运'],
      [command, 'verify_fail', '未清理干净'],
      [office, 'handle', '已清运'],
      [command, 'verify_pass', undefined],
      [command, 'close', undefined],
    ] as const) {
      now += 5 * MIN;
      await service.transition(caseId, { action, note }, actor, EVERYTHING);
    }
    const byCategory = await service.stats(
      { scope: '500109', groupBy: 'category', from: '2026-03-01', to: '2026-03-31' },
      EVERYTHING,
    );
    const garbage = byCategory.groups.find((g) => g.key === 'garbage_overflow')!;
    expect(garbage.counts).toMatchObject({
      reported: 1,
      registered: 1,
      closed: 1,
      closed_on_time: 1,
      reworked: 1,
      open: 0,
    });
    expect(garbage.stages.handle).toMatchObject({ count: 2, p90Minutes: 15 });
    const partial = await service.stats(
      { scope: '500109004', from: '2026-02-15', to: '2026-03-01' },
      EVERYTHING,
    );
    const month = await service.stats({ scope: '50' }, EVERYTHING);
    expect(partial.total.counts.reported).toBe(month.total.counts.reported);
    const elsewhere = await service.stats(
      { scope: '500109', from: '2026-04-01', to: '2026-04-30' },
      EVERYTHING,
    );
    expect(elsewhere.total.counts.reported).toBe(0);
    const byDay = await service.stats({ scope: '500109', groupBy: 'day' }, EVERYTHING);
    expect(byDay.groups.map((g) => g.key)).toEqual(['2026-03-01']);
    const byDepartment = await service.stats(
      { scope: '500109', groupBy: 'department', department: 'township_office' },
      EVERYTHING,
    );
    expect(byDepartment.groups.map((g) => g.key)).toEqual(['township_office@500109004']);
  });

  it('answers department questions from township rows and refuses a department grouped by county', async () => {
    const byDepartment = await service.stats({ scope: '50', department: 'township_office' }, EVERYTHING);
    const byTownship = await service.stats(
      { scope: '500109', groupBy: 'township', department: 'township_office@500109004' },
      EVERYTHING,
    );
    expect(byDepartment.total.counts.reported).toBeGreaterThan(0);
    expect(byTownship.total.counts).toEqual(byDepartment.total.counts);
    await expect(
      service.stats({ scope: '500109', groupBy: 'county', department: 'township_office' }, EVERYTHING),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('folds the departments out of older county and city statistics rows (migration 0008)', async () => {
    const { database } = ctx();
    const zeros = COUNTERS.map(() => '0').join(', ');
    const row = (unit: string, level: string, department: string, reported: number) =>
      `('${level}', '${unit}', 'm', 1, 'fold_test', '${department}', ${reported}, ${zeros.slice(3)})`;
    await sqlExec(
      database,
      `INSERT INTO case_stats (level, unit, grain, bucket, category, department, ${COUNTERS.join(', ')}) VALUES
        ${row('500109', 'county', 'water@500109', 2)}, ${row('500109', 'county', 'transport@500109', 3)},
        ${row('500109', 'county', '', 1)}, ${row('500109004', 'township', 'water@500109', 4)}`,
    );
    await sqlExec(database, foldDepartmentsSql());
    const read = async (): Promise<{ level: string; department: string; reported: number }[]> => {
      const text = `SELECT level, department, reported FROM case_stats WHERE category = 'fold_test' ORDER BY level`;
      const rows =
        database.engine === 'sqlite'
          ? (database.db.prepare(text).all() as Record<string, unknown>[])
          : (await database.pool.query<Record<string, unknown>>(text)).rows;
      return rows.map((r) => ({
        level: String(r.level),
        department: String(r.department),
        reported: Number(r.reported),
      }));
    };
    expect(await read()).toEqual([
      { level: 'county', department: '', reported: 6 },
      { level: 'township', department: 'water@500109', reported: 4 },
    ]);
  });

  it('opens one case for simultaneous reports of one place, and one per place far apart', async () => {
    const { repositories } = ctx();
    const at = { category: 'illegal_parking', reportedAt: now };
    const same = await Promise.all(
      Array.from({ length: 8 }, () => service.report(buildReport(at), EVERYTHING)),
    );
    expect(new Set(same.map((o) => o.caseId)).size).toBe(1);
    expect((await repositories.cases.get(same[0]!.caseId))?.occurrences).toBe(8);
    const apart = await Promise.all(
      [0, 1, 2].map((i) =>
        service.report(
          buildReport({ ...at, ...CASE_PLACES.jiefangbei, lon: 106.5775 + i * 0.05 }),
          EVERYTHING,
        ),
      ),
    );
    expect(new Set(apart.map((o) => o.caseId)).size).toBe(3);
    expect((await verifyAuditChain(repositories.cases)).ok).toBe(true);
  });

  it('opens one case when two API processes report the same place at once', async () => {
    const { database, repositories } = ctx();
    // A second "process": on PostgreSQL its own connection pool, so only the advisory locks
    // stand between the two; on SQLite another repository and service over the same database.
    const second =
      database.engine === 'postgres'
        ? await openPostgres(process.env.CITYOPS_TEST_DATABASE_URL!, database.schema)
        : database;
    try {
      const jurisdictions = await JurisdictionService.create({ repository: repositories.jurisdictions });
      const other = await CaseService.create({
        repository: createRepositories(second).cases,
        jurisdictions,
        clock: () => now,
      });
      const at = { category: 'tree_greenery', reportedAt: now, ...CASE_PLACES.jiefangbei };
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? other : service).report(buildReport(at), EVERYTHING)),
      );
      expect(new Set(outcomes.map((o) => o.caseId)).size).toBe(1);
      expect(outcomes.filter((o) => !o.attached)).toHaveLength(1);
    } finally {
      if (second !== database) await second.close();
    }
  });

  it('fails only the conflicting change of changes committed together', async () => {
    const { repositories } = ctx();
    const { caseId } = await service.report(
      buildReport({ category: 'street_light', lon: 106.45 }),
      EVERYTHING,
    );
    const current = (await repositories.cases.get(caseId))!;
    const stale = { ...current, version: current.version - 1 };
    const note = (text: string) => ({
      caseId,
      action: 'comment',
      from: current.status,
      to: current.status,
      at: now,
      actor: 'x',
      note: text,
      attachments: [],
      data: {},
    });
    const [good, bad] = await Promise.allSettled([
      repositories.cases.commit([
        {
          writes: [{ before: current, after: { ...current, version: current.version + 1 } }],
          events: [note('kept')],
        },
      ]),
      repositories.cases.commit([
        {
          writes: [{ before: stale, after: { ...stale, version: current.version } }],
          events: [note('lost')],
        },
      ]),
    ]);
    expect(good.status).toBe('fulfilled');
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'CASE_CONFLICT' } });
    const notes = (await repositories.cases.events(caseId)).map((e) => e.note);
    expect(notes).toContain('kept');
    expect(notes).not.toContain('lost');
    expect((await verifyAuditChain(repositories.cases)).ok).toBe(true);
  });

  it('pages the list by keyset with filters, and finds escalation candidates', async () => {
    const { repositories } = ctx();
    for (let i = 0; i < 3; i++) {
      await service.report(
        buildReport({
          category: 'road_damage',
          reportedAt: T0 + i,
          lon: 106.43 + i * 0.01,
          description: `路面坑洞 Pothole ${i}`,
        }),
        EVERYTHING,
      );
    }
    const first = await service.list({ category: 'road_damage', limit: 2 }, EVERYTHING);
    const second = await service.list(
      { category: 'road_damage', limit: 2, cursor: first.nextCursor! },
      EVERYTHING,
    );
    expect([...first.items, ...second.items].map((c) => c.description)).toEqual([
      '路面坑洞 Pothole 2',
      '路面坑洞 Pothole 1',
      '路面坑洞 Pothole 0',
    ]);
    expect(second.nextCursor).toBeNull();
    expect((await service.list({ q: 'pothole 1', limit: 10 }, EVERYTHING)).items).toHaveLength(1);
    expect(
      (
        await service.list(
          { scope: '500109', status: 'dispatched,in_progress', department: 'transport@500109', limit: 10 },
          EVERYTHING,
        )
      ).items,
    ).toHaveLength(3);
    const due = await repositories.cases.dueForEscalation(T0 + 100 * 24 * 60 * MIN, 100);
    expect(due.length).toBeGreaterThanOrEqual(3);
  });

  it('lists open cases soonest deadline first, by keyset pages, within a scope', async () => {
    // Categories with different dispatch limits and priorities, so the deadlines differ.
    const reports = ['fire_smoke', 'garbage_overflow', 'street_light', 'illegal_parking', 'road_damage'];
    const opened: string[] = [];
    for (const [i, category] of reports.entries()) {
      const { caseId } = await service.report(
        buildReport({ category, reportedAt: now + i, lon: 106.4 + i * 0.01, lat: 29.83 }),
        EVERYTHING,
      );
      opened.push(caseId);
    }
    // A citizen's report waits for 立案; cancelled (注销), it leaves every work queue.
    const { caseId: cancelled } = await service.report(
      buildReport({
        source: 'open311',
        category: 'exposed_garbage',
        reportedAt: now,
        lon: 106.46,
        lat: 29.83,
      }),
      EVERYTHING,
    );
    await service.transition(cancelled, { action: 'cancel', note: '无效' }, command, EVERYTHING);
    const deadline = (c: { stageDeadline: number | null; dueAt: number }) => c.stageDeadline ?? c.dueAt;
    const all = await service.list({ scope: '500109', sort: 'deadline', limit: 500 }, EVERYTHING);
    expect(all.items.every((c) => c.status !== 'closed' && c.status !== 'cancelled')).toBe(true);
    expect(all.items.map((c) => c.id)).not.toContain(cancelled);
    expect(all.items.map((c) => c.id)).toEqual(expect.arrayContaining(opened));
    const keys = all.items.map((c) => [deadline(c), c.id] as const);
    const sorted = [...keys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
    expect(keys).toEqual(sorted);
    expect(new Set(keys.map((k) => k[0])).size).toBeGreaterThan(1);

    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await service.list({ scope: '500109', sort: 'deadline', limit: 2, cursor }, EVERYTHING);
      paged.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(all.items.map((c) => c.id));

    const elsewhere = await service.list({ scope: '500103', sort: 'deadline', limit: 500 }, EVERYTHING);
    expect(elsewhere.items.every((c) => c.countyCode === '500103')).toBe(true);
    const newest = await service.list({ scope: '500109', limit: 1 }, EVERYTHING);
    await expect(
      service.list({ scope: '500109', sort: 'deadline', limit: 1, cursor: newest.nextCursor! }, EVERYTHING),
    ).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
  });

  it('switches new audit links to SM3 with the chain still verifiable, and reads the head', async () => {
    const { repositories } = ctx();
    expect(await repositories.cases.auditHead()).toMatchObject({ algorithm: 'sha256' });
    await repositories.cases.setAuditHash('sm3');
    await service.report(buildReport(), EVERYTHING);
    const head = await repositories.cases.auditHead();
    expect(head).toMatchObject({ algorithm: 'sm3' });
    expect(head.hash).toMatch(/^sm3:[0-9a-f]{64}$/);
    expect(await verifyAuditChain(repositories.cases)).toEqual({
      ok: true,
      links: head.seq,
      head: head.hash,
    });
    expect(
      await verifyAuditChain(repositories.cases, 5000, { seq: head.seq, hash: head.hash }),
    ).toMatchObject({
      ok: true,
    });
    await repositories.cases.setAuditHash('sha256');
  });

  it('detects an edited, a deleted and a reordered audit row', async () => {
    const { repositories, database } = ctx();
    const ok = await verifyAuditChain(repositories.cases, 7);
    expect(ok.ok).toBe(true);
    await sqlExec(database, `UPDATE case_events SET note = 'forged' WHERE seq = 5`);
    expect(await verifyAuditChain(repositories.cases, 7)).toMatchObject({
      ok: false,
      broken: { seq: 5, reason: 'hash' },
    });
    await sqlExec(database, `DELETE FROM case_events WHERE seq = 5`);
    expect(await verifyAuditChain(repositories.cases)).toMatchObject({
      ok: false,
      broken: { seq: 6, reason: 'gap' },
    });
  });

  it('keeps a case without a point (0017): null lon/lat, listed as needing a location, located later', async () => {
    const { repositories } = ctx();
    const report = buildReport({
      source: 'open311',
      category: 'road_damage',
      lon: null,
      lat: null,
      address: '北碚区天生路 2 号',
    });
    const outcome = await service.report(report, {
      root: '500109',
      contains: (code) => typeof code === 'string' && code.startsWith('500109'),
    });
    expect(await repositories.cases.get(outcome.caseId)).toMatchObject({
      lon: null,
      lat: null,
      countyCode: '500109',
      townshipCode: '500109',
    });
    expect((await repositories.cases.occurrences(outcome.caseId))[0]).toMatchObject({ lon: null, lat: null });
    // The source record finds its case again (at-least-once delivery).
    expect((await service.report(report, EVERYTHING)).caseId).toBe(outcome.caseId);
    const queue = await repositories.cases.list({ scope: undefined, needsLocation: true, limit: 10 });
    expect(queue.map((c) => c.id)).toEqual([outcome.caseId]);
    const others = await repositories.cases.list({ scope: undefined, needsLocation: false, limit: 500 });
    expect(others.map((c) => c.id)).not.toContain(outcome.caseId);
    await service.transition(
      outcome.caseId,
      { action: 'locate', ...CASE_PLACES.beibei },
      command,
      EVERYTHING,
    );
    expect(await repositories.cases.get(outcome.caseId)).toMatchObject({
      ...CASE_PLACES.beibei,
      townshipCode: '500109004',
    });
    expect(await repositories.cases.list({ scope: undefined, needsLocation: true, limit: 10 })).toEqual([]);
  });
});
