import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { describeContract } from '../test-support/engines.js';
import { ruleProblems } from './rule-check.js';
import type {
  Alarm,
  AlarmListQuery,
  AlarmRule,
  MaintenanceWindow,
  NewAlarm,
  RuleKind,
  RuleParamsByKind,
} from './alarm.types.js';

// Epoch milliseconds past 2^31, so a 32-bit column or a string BIGINT would show.
const T0 = 1_767_225_600_123;

const PARAMS: RuleParamsByKind = {
  threshold: { op: 'above', value: 27.5, hysteresis: 0.5, forSeconds: 60 },
  rate: { direction: 'fall', delta: 0.1, windowSeconds: 60 },
  stale: { missedIntervals: 3 },
  anomaly: { alpha: 0.05, zScore: 3.5, warmup: 30, minStd: 0.001 },
  composite: {
    match: 'all',
    conditions: [
      { sensorType: 'tunnel_water_depth', op: 'above', value: 27 },
      { sensorType: 'sewer_fill_ratio', op: 'above', value: 1 },
    ],
    per: 'township',
    forSeconds: 120,
    maxAgeSeconds: 300,
  },
};

type RuleOverrides = Partial<Omit<AlarmRule, 'kind' | 'params'>> & { kind?: RuleKind; params?: unknown };

/** A rule of `kind` (threshold by default) with that kind's sample params. */
function buildRule(overrides: RuleOverrides = {}): AlarmRule {
  const kind = overrides.kind ?? 'threshold';
  return {
    id: 'rule-test',
    name: '隧道积水',
    description: '积水深度超过 27.5 cm 持续 60 秒',
    kind,
    params: PARAMS[kind],
    sensorType: kind === 'composite' ? null : 'tunnel_water_depth',
    jurisdiction: null,
    sensor: null,
    severity: 'major',
    schedule: null,
    escalation: null,
    enabled: true,
    builtin: false,
    version: 1,
    createdBy: 'admin',
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  } as AlarmRule;
}

let subjects = 0;

/** An active threshold alarm on a fresh subject (so no two defaults share an active key). */
function buildAlarm(overrides: Partial<NewAlarm> = {}): NewAlarm {
  subjects += 1;
  const sensor = `S-${String(subjects).padStart(4, '0')}`;
  return {
    ruleId: 'rule-alarm',
    ruleName: '隧道积水',
    kind: 'threshold',
    subject: sensor,
    sensorId: sensor,
    sensorType: 'tunnel_water_depth',
    domain: 'tunnel',
    provinceCode: '50',
    prefectureCode: '5001',
    countyCode: '500103',
    townshipCode: '500103001',
    severity: 'major',
    initialSeverity: 'major',
    state: 'active',
    message: '积水深度 31.2 cm，超过 27.5 cm',
    value: 31.2,
    firstSeenAt: T0,
    lastSeenAt: T0 + 1000,
    occurrences: 1,
    raisedAt: T0 + 1000,
    acknowledgedAt: null,
    acknowledgedBy: null,
    clearedAt: null,
    clearedBy: null,
    clearReason: null,
    escalatedAt: null,
    updatedAt: T0 + 1000,
    ...overrides,
  };
}

/** A window of an hour from T0 over one county. */
function buildWindow(overrides: Partial<MaintenanceWindow> = {}): MaintenanceWindow {
  return {
    id: 'mw-test',
    jurisdiction: '500103',
    sensors: null,
    startsAt: T0,
    endsAt: T0 + 3_600_000,
    reason: '管网检修',
    createdBy: 'operator',
    createdAt: T0 - 1000,
    ...overrides,
  };
}

describeContract('AlarmRepository', (ctx) => {
  const repo = () => ctx().repositories.alarms;
  /** Inserts alarms (no updates, no checkpoint) and returns them with ids. */
  const raise = (...alarms: NewAlarm[]) => repo().applyChanges({ inserts: alarms, updates: [] });

  // First, while the database is empty: nothing has saved a checkpoint yet.
  describe('checkpoint', () => {
    it('is null before the first save, then round-trips and is overwritten (one row)', async () => {
      expect(await repo().loadCheckpoint()).toBeNull();
      const first = { seq: 2 ** 40 + 7, state: JSON.stringify({ 'rule|S-1': { since: T0 } }), savedAt: T0 };
      expect(await repo().applyChanges({ inserts: [], updates: [], checkpoint: first })).toEqual([]);
      expect(await repo().loadCheckpoint()).toEqual(first);
      const second = { seq: 2 ** 40 + 8, state: 'x'.repeat(200_000), savedAt: T0 + 5 };
      await repo().applyChanges({ inserts: [], updates: [], checkpoint: second });
      expect(await repo().loadCheckpoint()).toEqual(second);
    });

    it('is left as it was by a call without one', async () => {
      const before = await repo().loadCheckpoint();
      await raise(buildAlarm());
      expect(await repo().loadCheckpoint()).toEqual(before);
    });
  });

  describe('rules', () => {
    it('round-trips every kind with its params, schedule and escalation intact', async () => {
      const kinds: RuleKind[] = ['threshold', 'rate', 'stale', 'anomaly', 'composite'];
      for (const kind of kinds) {
        const rule = buildRule({
          id: `rt.${kind}`,
          kind,
          jurisdiction: '500103',
          sensor: kind === 'threshold' ? 'CQ-LJSD-WD-01' : null,
          schedule: { days: [1, 2, 3, 4, 5], from: '22:00', to: '06:00' },
          escalation: { afterSeconds: 900, severity: 'critical' },
          builtin: kind === 'stale',
          enabled: kind !== 'rate',
          version: 3,
          createdBy: null,
        });
        await repo().insertRule(rule);
        expect(await repo().getRule(rule.id)).toEqual(rule);
      }
      const composite = await repo().getRule('rt.composite');
      expect(composite?.kind === 'composite' && composite.params.conditions[1]?.sensorType).toBe(
        'sewer_fill_ratio',
      );
    });

    it('reads back a rule whose stored JSON is damaged instead of failing the whole list (规则异常)', async () => {
      await repo().insertRule(buildRule({ id: 'bad.params' }));
      await repo().insertRule(buildRule({ id: 'bad.schedule' }));
      const database = ctx().database;
      // Written behind the service's back, as an old version, a hand edit or a restore might.
      const damage = async (id: string, column: string, value: string): Promise<void> => {
        if (database.engine === 'sqlite') {
          database.db.prepare(`UPDATE alarm_rules SET ${column} = ? WHERE id = ?`).run(value, id);
        } else {
          await database.pool.query(`UPDATE alarm_rules SET ${column} = $1::jsonb WHERE id = $2`, [
            value,
            id,
          ]);
        }
      };
      await damage('bad.params', 'params', '{"op":"above","value":null}');
      await damage('bad.schedule', 'schedule', '{"days":"x"}');
      const rules = await repo().listRules();
      const params = rules.find((r) => r.id === 'bad.params');
      expect(params?.params).toEqual({ op: 'above', value: null });
      expect(ruleProblems(params!)).toEqual([expect.stringMatching(/^params\/value /)]);
      const schedule = await repo().getRule('bad.schedule');
      expect(ruleProblems(schedule!)).toEqual(['schedule is not valid']);
      expect(ruleProblems(buildRule({ id: 'fine' }))).toEqual([]);
    });

    it('keeps null schedule and escalation as null', async () => {
      const rule = buildRule({ id: 'rt.nulls' });
      await repo().insertRule(rule);
      expect(await repo().getRule('rt.nulls')).toMatchObject({ schedule: null, escalation: null });
      expect(await repo().getRule('rt.none')).toBeNull();
    });

    it('lists every rule ordered by id, bytewise', async () => {
      for (const id of ['ord.b', 'ord.B', 'ord.a', 'ord.A', 'ord._']) {
        await repo().insertRule(buildRule({ id }));
      }
      const ids = (await repo().listRules()).map((r) => r.id).filter((id) => id.startsWith('ord.'));
      expect(ids).toEqual(['ord.A', 'ord.B', 'ord._', 'ord.a', 'ord.b']);
    });

    it('rejects a taken id with RULE_CONFLICT and keeps the stored rule', async () => {
      await repo().insertRule(buildRule({ id: 'dup.rule', name: 'first' }));
      const again = repo().insertRule(buildRule({ id: 'dup.rule', name: 'second', kind: 'stale' }));
      await expect(again).rejects.toBeInstanceOf(AppError);
      await expect(again).rejects.toMatchObject({ code: 'RULE_CONFLICT' });
      expect(await repo().getRule('dup.rule')).toMatchObject({ name: 'first', kind: 'threshold' });
    });

    it('updateRule replaces everything by id, kind and params included; false when there is none', async () => {
      await repo().insertRule(buildRule({ id: 'upd.rule' }));
      const changed = buildRule({
        id: 'upd.rule',
        kind: 'rate',
        name: '供水管爆管',
        description: '60 秒内下降 0.1 MPa',
        sensorType: 'water_main_pressure',
        jurisdiction: '500112',
        severity: 'critical',
        schedule: { days: [6, 7], from: '00:00', to: '23:59' },
        escalation: { afterSeconds: 60, severity: 'critical' },
        enabled: false,
        builtin: true,
        version: 2,
        createdBy: 'someone',
        createdAt: T0 + 1,
        updatedAt: T0 + 99,
      });
      expect(await repo().updateRule(changed)).toBe(true);
      expect(await repo().getRule('upd.rule')).toEqual(changed);
      expect(await repo().updateRule(buildRule({ id: 'upd.ghost' }))).toBe(false);
      expect(await repo().getRule('upd.ghost')).toBeNull();
    });

    it('deleteRule answers whether there was one, and leaves the rule’s alarms in place', async () => {
      await repo().insertRule(buildRule({ id: 'del.rule' }));
      const [alarm] = await raise(buildAlarm({ ruleId: 'del.rule', ruleName: '将被删除' }));
      expect(await repo().deleteRule('del.rule')).toBe(true);
      expect(await repo().getRule('del.rule')).toBeNull();
      expect(await repo().deleteRule('del.rule')).toBe(false);
      expect(await repo().getAlarm(alarm!.id)).toEqual(alarm);
    });
  });

  describe('seedRules', () => {
    const builtin = (id: string, overrides: RuleOverrides = {}) =>
      buildRule({ id: `default.${id}`, builtin: true, createdBy: null, ...overrides });

    it('inserts only ids never seen, and counts them', async () => {
      expect(await repo().seedRules([builtin('seed.a'), builtin('seed.b', { kind: 'stale' })])).toBe(2);
      const edited = { ...builtin('seed.a'), name: '城市自定义', version: 2 };
      expect(await repo().updateRule(edited)).toBe(true);
      const upgrade = [builtin('seed.a', { name: '新版默认' }), builtin('seed.b'), builtin('seed.c')];
      expect(await repo().seedRules(upgrade)).toBe(1);
      expect(await repo().getRule('default.seed.a')).toEqual(edited);
      expect(await repo().getRule('default.seed.b')).toMatchObject({ kind: 'stale' });
      expect(await repo().getRule('default.seed.c')).toEqual(builtin('seed.c'));
      expect(await repo().seedRules([])).toBe(0);
    });

    it('never brings back a built-in rule an operator deleted', async () => {
      expect(await repo().seedRules([builtin('seed.gone')])).toBe(1);
      expect(await repo().deleteRule('default.seed.gone')).toBe(true);
      expect(await repo().seedRules([builtin('seed.gone'), builtin('seed.new')])).toBe(1);
      expect(await repo().getRule('default.seed.gone')).toBeNull();
      expect(await repo().getRule('default.seed.new')).not.toBeNull();
    });

    it('still lets an operator create a rule under a deleted built-in id, and then leaves it alone', async () => {
      await repo().seedRules([builtin('seed.reused')]);
      await repo().deleteRule('default.seed.reused');
      const own = buildRule({ id: 'default.seed.reused', name: '手工重建' });
      await repo().insertRule(own);
      expect(await repo().seedRules([builtin('seed.reused')])).toBe(0);
      expect(await repo().getRule('default.seed.reused')).toEqual(own);
    });

    it('remembers only built-in deletions: a deleted city rule id can be seeded', async () => {
      await repo().insertRule(buildRule({ id: 'default.seed.custom', builtin: false }));
      expect(await repo().deleteRule('default.seed.custom')).toBe(true);
      expect(await repo().seedRules([builtin('seed.custom')])).toBe(1);
      expect(await repo().getRule('default.seed.custom')).toMatchObject({ builtin: true });
    });

    it('is all or none: one bad rule rolls the whole seed back', async () => {
      const bad = builtin('seed.bad', { params: ['not', 'an', 'object'] });
      await expect(repo().seedRules([builtin('seed.tx1'), bad])).rejects.toThrow();
      expect(await repo().getRule('default.seed.tx1')).toBeNull();
      expect(await repo().getRule('default.seed.bad')).toBeNull();
    });
  });

  describe('applyChanges and reading alarms', () => {
    it('inserts in order, returns ids, and stores every field', async () => {
      const a = buildAlarm({ value: 0.1 + 0.2 });
      const b = buildAlarm({
        kind: 'composite',
        subject: 'area:500103001',
        sensorId: null,
        sensorType: null,
        value: null,
        prefectureCode: null,
        countyCode: null,
        townshipCode: null,
      });
      const c = buildAlarm({ domain: 'water' });
      const inserted = await raise(a, b, c);
      expect(inserted).toEqual([a, b, c].map((alarm, i) => ({ ...alarm, id: inserted[i]!.id })));
      const ids = inserted.map((x) => x.id);
      expect(ids.every(Number.isInteger)).toBe(true);
      expect(ids[0]!).toBeLessThan(ids[1]!);
      expect(ids[1]!).toBeLessThan(ids[2]!);
      for (const alarm of inserted) expect(await repo().getAlarm(alarm.id)).toEqual(alarm);
      expect(await repo().getAlarm(2 ** 40)).toBeNull();
    });

    it('updates every mutable field by id', async () => {
      const [raised] = await raise(buildAlarm());
      const updated: Alarm = {
        ...raised!,
        ruleName: '隧道积水（改）',
        severity: 'critical',
        state: 'cleared',
        message: '已恢复',
        value: 12.25,
        lastSeenAt: T0 + 9000,
        occurrences: 4,
        acknowledgedAt: T0 + 5000,
        acknowledgedBy: 'operator',
        clearedAt: T0 + 9000,
        clearedBy: 'operator',
        clearReason: 'manual',
        escalatedAt: T0 + 4000,
        updatedAt: T0 + 9000,
        countyCode: '500112',
        townshipCode: '500112001',
      };
      expect(await repo().applyChanges({ inserts: [], updates: [updated] })).toEqual([]);
      expect(await repo().getAlarm(raised!.id)).toEqual(updated);
    });

    it('handles batches larger than one statement’s chunk, in order', async () => {
      const batch = Array.from({ length: 2500 }, () => buildAlarm({ ruleId: 'bulk' }));
      const inserted = await raise(...batch);
      expect(inserted.map((a) => a.subject)).toEqual(batch.map((a) => a.subject));
      const ids = inserted.map((a) => a.id);
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      expect(new Set(ids).size).toBe(2500);
      expect(await repo().getAlarm(ids[1234]!)).toEqual(inserted[1234]);
      const cleared = inserted.map((a) => ({
        ...a,
        state: 'cleared' as const,
        clearedAt: T0 + 1,
        clearReason: 'auto' as const,
      }));
      await repo().applyChanges({ inserts: [], updates: cleared });
      expect(await repo().getAlarm(ids[2222]!)).toEqual(cleared[2222]);
      const page = await repo().listAlarms({ ruleId: 'bulk', states: ['cleared'], limit: 1 });
      expect(page.total).toBe(2500);
    });

    it('listOpenAlarms gives active and acknowledged alarms, not cleared ones, by id', async () => {
      const [active, acked, cleared] = await raise(
        buildAlarm({ ruleId: 'open' }),
        buildAlarm({ ruleId: 'open', state: 'acknowledged', acknowledgedAt: T0, acknowledgedBy: 'op' }),
        buildAlarm({ ruleId: 'open', state: 'cleared', clearedAt: T0, clearReason: 'auto' }),
      );
      const open = (await repo().listOpenAlarms()).filter((a) => a.ruleId === 'open');
      expect(open).toEqual([active, acked]);
      expect(open.map((a) => a.id)).not.toContain(cleared!.id);
      const all = (await repo().listOpenAlarms()).map((a) => a.id);
      expect(all).toEqual([...all].sort((x, y) => x - y));
      expect((await repo().listOpenAlarms()).every((a) => a.state !== 'cleared')).toBe(true);
    });
  });

  describe('one open alarm per rule and subject', () => {
    it('refuses a second open alarm for the same rule and subject, whether active or acknowledged', async () => {
      const [first] = await raise(buildAlarm({ ruleId: 'uniq', subject: 'U-1', sensorId: 'U-1' }));
      await expect(raise(buildAlarm({ ruleId: 'uniq', subject: 'U-1', sensorId: 'U-1' }))).rejects.toThrow(
        /already has an open alarm/,
      );
      await repo().applyChanges({
        inserts: [],
        updates: [{ ...first!, state: 'acknowledged', acknowledgedAt: T0, acknowledgedBy: 'op' }],
      });
      await expect(raise(buildAlarm({ ruleId: 'uniq', subject: 'U-1', sensorId: 'U-1' }))).rejects.toThrow();
      const open = (await repo().listOpenAlarms()).filter((a) => a.ruleId === 'uniq');
      expect(open.map((a) => a.id)).toEqual([first!.id]);
    });

    it('allows the same subject under another rule, and another subject under the same rule', async () => {
      await raise(buildAlarm({ ruleId: 'uniq2', subject: 'U-2', sensorId: 'U-2' }));
      await raise(
        buildAlarm({ ruleId: 'uniq2-other', subject: 'U-2', sensorId: 'U-2' }),
        buildAlarm({ ruleId: 'uniq2', subject: 'U-3', sensorId: 'U-3' }),
      );
      expect((await repo().listOpenAlarms()).filter((a) => a.subject === 'U-2')).toHaveLength(2);
    });

    it('refuses two open alarms for one key in the same batch', async () => {
      const twin = () => buildAlarm({ ruleId: 'uniq3', subject: 'U-4', sensorId: 'U-4' });
      await expect(raise(twin(), twin())).rejects.toThrow();
      expect((await repo().listAlarms({ ruleId: 'uniq3', limit: 10 })).total).toBe(0);
    });

    it('allows a new alarm once the old one is cleared, also within one batch', async () => {
      const key = { ruleId: 'uniq4', subject: 'U-5', sensorId: 'U-5' };
      const [first] = await raise(buildAlarm(key));
      await repo().applyChanges({
        inserts: [],
        updates: [{ ...first!, state: 'cleared', clearedAt: T0 + 10, clearReason: 'auto' }],
      });
      const [second] = await raise(buildAlarm(key));
      // The evaluator clears and re-raises in one step when a condition ends and starts again.
      const [third] = await repo().applyChanges({
        inserts: [buildAlarm(key)],
        updates: [{ ...second!, state: 'cleared', clearedAt: T0 + 20, clearReason: 'auto' }],
      });
      const page = await repo().listAlarms({ ruleId: 'uniq4', limit: 10 });
      expect(page.items.map((a) => [a.id, a.state])).toEqual([
        [third!.id, 'active'],
        [second!.id, 'cleared'],
        [first!.id, 'cleared'],
      ]);
      expect(second!.id).toBeGreaterThan(first!.id);
    });

    it('accepts a cleared alarm beside an open one for the same key', async () => {
      const key = { ruleId: 'uniq5', subject: 'U-6', sensorId: 'U-6' };
      await raise(buildAlarm(key));
      await raise(buildAlarm({ ...key, state: 'cleared', clearedAt: T0, clearReason: 'rule_removed' }));
      expect((await repo().listAlarms({ ruleId: 'uniq5', limit: 10 })).total).toBe(2);
    });
  });

  describe('applyChanges is all or none', () => {
    it('a failing insert undoes the updates, the earlier inserts and the checkpoint', async () => {
      const [open] = await raise(buildAlarm({ ruleId: 'atom', subject: 'A-1', sensorId: 'A-1' }));
      const checkpoint = await repo().loadCheckpoint();
      const call = repo().applyChanges({
        updates: [{ ...open!, occurrences: 9, message: 'should not stick' }],
        inserts: [
          buildAlarm({ ruleId: 'atom', subject: 'A-2', sensorId: 'A-2' }),
          buildAlarm({ ruleId: 'atom', subject: 'A-1', sensorId: 'A-1' }),
        ],
        checkpoint: { seq: 999_999, state: '{}', savedAt: T0 + 1 },
      });
      await expect(call).rejects.toThrow(/rule atom already has an open alarm for A-1/);
      expect(await repo().getAlarm(open!.id)).toEqual(open);
      expect((await repo().listAlarms({ ruleId: 'atom', limit: 10 })).items).toEqual([open]);
      expect(await repo().loadCheckpoint()).toEqual(checkpoint);
    });

    it('an update of an unknown alarm undoes the inserts and the checkpoint', async () => {
      const [open] = await raise(buildAlarm({ ruleId: 'atom2' }));
      const checkpoint = await repo().loadCheckpoint();
      const call = repo().applyChanges({
        updates: [
          { ...open!, occurrences: 2 },
          { ...open!, id: 2 ** 40, subject: 'ghost' },
        ],
        inserts: [buildAlarm({ ruleId: 'atom2' })],
        checkpoint: { seq: 999_998, state: '{}', savedAt: T0 + 2 },
      });
      await expect(call).rejects.toThrow(/does not exist/);
      expect(await repo().getAlarm(open!.id)).toEqual(open);
      expect((await repo().listAlarms({ ruleId: 'atom2', limit: 10 })).total).toBe(1);
      expect(await repo().loadCheckpoint()).toEqual(checkpoint);
    });

    it('an update re-opening a second alarm for a key undoes the whole call', async () => {
      const key = { ruleId: 'atom3', subject: 'A-3', sensorId: 'A-3' };
      const [old] = await raise(buildAlarm({ ...key, state: 'cleared', clearedAt: T0, clearReason: 'auto' }));
      const [current] = await raise(buildAlarm(key));
      const checkpoint = await repo().loadCheckpoint();
      const call = repo().applyChanges({
        updates: [{ ...old!, state: 'active', clearedAt: null, clearReason: null }],
        inserts: [buildAlarm({ ruleId: 'atom3' })],
        checkpoint: { seq: 999_997, state: '{}', savedAt: T0 + 3 },
      });
      await expect(call).rejects.toThrow(/already has an open alarm/);
      expect(await repo().getAlarm(old!.id)).toEqual(old);
      expect(await repo().getAlarm(current!.id)).toEqual(current);
      expect((await repo().listAlarms({ ruleId: 'atom3', limit: 10 })).total).toBe(2);
      expect(await repo().loadCheckpoint()).toEqual(checkpoint);
    });
  });

  describe('listAlarms', () => {
    // Every alarm here has one of these domains, so `only` isolates them from the other tests'.
    const only = { domains: ['L-tunnel', 'L-water', 'L-bridge'] };
    const byTag = new Map<string, number>();
    const ids = (page: { items: Alarm[] }) => page.items.map((a) => a.id);
    const tags = (page: { items: Alarm[] }) =>
      page.items.map((a) => [...byTag].find(([, id]) => id === a.id)?.[0]);
    const list = (query: Partial<AlarmListQuery>) => repo().listAlarms({ ...only, limit: 100, ...query });

    beforeAll(async () => {
      const rows: [string, Partial<NewAlarm>][] = [
        ['t1', { domain: 'L-tunnel', ruleId: 'L.depth', sensorId: 'L-S1', subject: 'L-S1' }],
        [
          't2',
          {
            domain: 'L-tunnel',
            ruleId: 'L.depth',
            sensorId: 'L-S2',
            subject: 'L-S2',
            severity: 'critical',
            state: 'acknowledged',
            acknowledgedAt: T0,
            acknowledgedBy: 'op',
          },
        ],
        [
          'w1',
          {
            domain: 'L-water',
            ruleId: 'L.burst',
            sensorId: 'L-S3',
            subject: 'L-S3',
            severity: 'minor',
            countyCode: '500112',
            townshipCode: '500112001',
          },
        ],
        [
          'w2',
          {
            domain: 'L-water',
            ruleId: 'L.burst',
            sensorId: 'L-S3',
            subject: 'L-S3',
            severity: 'warning',
            state: 'cleared',
            clearedAt: T0,
            clearReason: 'auto',
            countyCode: '500112',
            townshipCode: '500112002',
          },
        ],
        [
          'b1',
          {
            domain: 'L-bridge',
            ruleId: 'L.strain',
            kind: 'composite',
            sensorId: null,
            subject: 'area:511622',
            provinceCode: '51',
            prefectureCode: '5116',
            countyCode: '511622',
            townshipCode: null,
          },
        ],
      ];
      for (const [tag, overrides] of rows) {
        const [alarm] = await raise(buildAlarm(overrides));
        byTag.set(tag, alarm!.id);
      }
    });

    it('gives the newest first with the total', async () => {
      const page = await list({});
      expect(tags(page)).toEqual(['b1', 'w2', 'w1', 't2', 't1']);
      expect(page.total).toBe(5);
      const everything = await repo().listAlarms({ limit: 3 });
      expect(everything.items).toHaveLength(3);
      expect(everything.total).toBeGreaterThan(5);
      const all = ids(everything);
      expect(all).toEqual([...all].sort((x, y) => y - x));
    });

    it('filters by state, severity, domain, rule and sensor, alone and together', async () => {
      expect(tags(await list({ states: ['active'] }))).toEqual(['b1', 'w1', 't1']);
      expect(tags(await list({ states: ['active', 'acknowledged'] }))).toEqual(['b1', 'w1', 't2', 't1']);
      expect(tags(await list({ severities: ['critical', 'minor'] }))).toEqual(['w1', 't2']);
      expect(tags(await list({ domains: ['L-water'] }))).toEqual(['w2', 'w1']);
      expect(tags(await list({ ruleId: 'L.depth' }))).toEqual(['t2', 't1']);
      expect(tags(await list({ sensorId: 'L-S3' }))).toEqual(['w2', 'w1']);
      const combined = await list({
        domains: ['L-water', 'L-tunnel'],
        states: ['active'],
        severities: ['major'],
      });
      expect(tags(combined)).toEqual(['t1']);
      expect(combined.total).toBe(1);
      expect(await list({ ruleId: 'L.none' })).toEqual({ items: [], total: 0 });
    });

    it('filters by scope at each level of the chain', async () => {
      expect(tags(await list({ scope: { level: 'province', code: '50' } }))).toEqual([
        'w2',
        'w1',
        't2',
        't1',
      ]);
      expect(tags(await list({ scope: { level: 'prefecture', code: '5116' } }))).toEqual(['b1']);
      expect(tags(await list({ scope: { level: 'county', code: '500112' } }))).toEqual(['w2', 'w1']);
      expect(tags(await list({ scope: { level: 'township', code: '500103001' } }))).toEqual(['t2', 't1']);
      expect(
        tags(await list({ scope: { level: 'township', code: '500112002' }, states: ['cleared'] })),
      ).toEqual(['w2']);
    });

    it('an empty list of states, severities or domains matches nothing', async () => {
      expect(await list({ states: [] })).toEqual({ items: [], total: 0 });
      expect(await list({ severities: [] })).toEqual({ items: [], total: 0 });
      expect(await repo().listAlarms({ domains: [], limit: 10 })).toEqual({ items: [], total: 0 });
    });

    it('pages with `before` (the last id seen) while the total stays over all pages', async () => {
      const first = await list({ limit: 2 });
      expect(tags(first)).toEqual(['b1', 'w2']);
      expect(first.total).toBe(5);
      const second = await list({ limit: 2, before: first.items.at(-1)!.id });
      expect(tags(second)).toEqual(['w1', 't2']);
      expect(second.total).toBe(5);
      const third = await list({ limit: 2, before: second.items.at(-1)!.id });
      expect(tags(third)).toEqual(['t1']);
      expect(await list({ limit: 2, before: third.items[0]!.id })).toEqual({ items: [], total: 5 });
      const filtered = await list({ states: ['active'], limit: 1, before: byTag.get('b1') });
      expect(tags(filtered)).toEqual(['w1']);
      expect(filtered.total).toBe(3);
    });

    it('returns whole alarms', async () => {
      const page = await list({ ruleId: 'L.strain' });
      expect(page.items[0]).toEqual(await repo().getAlarm(byTag.get('b1')!));
      expect(page.items[0]).toMatchObject({ sensorId: null, townshipCode: null, kind: 'composite' });
    });
  });

  describe('comments', () => {
    it('adds comments with ids and lists an alarm’s own, oldest first', async () => {
      const [alarm, other] = await raise(buildAlarm(), buildAlarm());
      const c1 = await repo().addComment({
        alarmId: alarm!.id,
        author: 'op1',
        text: '已派人',
        createdAt: T0 + 10,
      });
      expect(c1).toEqual({
        id: c1.id,
        alarmId: alarm!.id,
        author: 'op1',
        text: '已派人',
        createdAt: T0 + 10,
      });
      expect(Number.isInteger(c1.id)).toBe(true);
      const c2 = await repo().addComment({
        alarmId: alarm!.id,
        author: 'op2',
        text: '现场确认',
        createdAt: T0 + 10,
      });
      const early = await repo().addComment({
        alarmId: alarm!.id,
        author: 'op3',
        text: '补记',
        createdAt: T0,
      });
      await repo().addComment({ alarmId: other!.id, author: 'op1', text: '另一条', createdAt: T0 });
      expect(c2.id).toBeGreaterThan(c1.id);
      expect(await repo().listComments(alarm!.id)).toEqual([early, c1, c2]);
      expect(await repo().listComments(other!.id)).toHaveLength(1);
      expect(await repo().listComments(2 ** 40)).toEqual([]);
    });

    it('refuses a comment on an alarm that does not exist', async () => {
      await expect(
        repo().addComment({ alarmId: 2 ** 40, author: 'op', text: 'x', createdAt: T0 }),
      ).rejects.toThrow();
    });
  });

  describe('maintenance windows', () => {
    it('round-trips a window with and without a sensor list', async () => {
      const area = buildWindow({ id: 'mw.area' });
      const sensors = buildWindow({
        id: 'mw.sensors',
        jurisdiction: null,
        sensors: ['CQ-A', 'CQ-B'],
        createdBy: null,
      });
      await repo().insertWindow(area);
      await repo().insertWindow(sensors);
      expect(await repo().getWindow('mw.area')).toEqual(area);
      expect(await repo().getWindow('mw.sensors')).toEqual(sensors);
      expect(await repo().getWindow('mw.none')).toBeNull();
    });

    it('rejects a taken id with WINDOW_CONFLICT', async () => {
      const again = repo().insertWindow(buildWindow({ id: 'mw.area', reason: '另一次' }));
      await expect(again).rejects.toBeInstanceOf(AppError);
      await expect(again).rejects.toMatchObject({ code: 'WINDOW_CONFLICT' });
      expect(await repo().getWindow('mw.area')).toMatchObject({ reason: '管网检修' });
    });

    it('lists the windows not ended by now, by start', async () => {
      const hour = 3_600_000;
      await repo().insertWindow(buildWindow({ id: 'mw.past', startsAt: T0 - 2 * hour, endsAt: T0 - hour }));
      await repo().insertWindow(buildWindow({ id: 'mw.edge', startsAt: T0 - hour, endsAt: T0 + hour / 2 }));
      await repo().insertWindow(
        buildWindow({ id: 'mw.future', startsAt: T0 + 5 * hour, endsAt: T0 + 6 * hour }),
      );
      await repo().insertWindow(
        buildWindow({ id: 'mw.early', startsAt: T0 - 3 * hour, endsAt: T0 + 2 * hour }),
      );
      const at = async (now: number) => (await repo().listWindows(now)).map((w) => w.id);
      expect(await at(T0 + 1)).toEqual(['mw.early', 'mw.edge', 'mw.area', 'mw.sensors', 'mw.future']);
      // A window ends at endsAt: at that instant it no longer counts.
      expect(await at(T0 + hour / 2)).toEqual(['mw.early', 'mw.area', 'mw.sensors', 'mw.future']);
      expect(await at(T0 - hour - 1)).toEqual([
        'mw.early',
        'mw.past',
        'mw.edge',
        'mw.area',
        'mw.sensors',
        'mw.future',
      ]);
      expect(await at(T0 + 6 * hour)).toEqual([]);
      expect((await repo().listWindows(T0 + 1)).find((w) => w.id === 'mw.sensors')).toEqual(
        await repo().getWindow('mw.sensors'),
      );
    });

    it('deletes a window; false when there was none', async () => {
      expect(await repo().deleteWindow('mw.past')).toBe(true);
      expect(await repo().getWindow('mw.past')).toBeNull();
      expect(await repo().deleteWindow('mw.past')).toBe(false);
    });
  });
});
