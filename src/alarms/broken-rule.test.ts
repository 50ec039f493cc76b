import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING } from '../jurisdictions/visibility.js';
import type { SqliteDatabase } from '../platform/db/database.js';
import type { Storage } from '../storage.js';
import { buildTestApp, memoryStorage } from '../test-support/app.js';
import { signIn } from '../test-support/auth.js';
import { PLACES } from '../test-support/sensor-factories.js';
import type { AlarmDto, RuleDto } from './alarm.schema.js';
import { AlarmService } from './alarm.service.js';
import type { AlarmRule } from './alarm.types.js';

// Issue 14 §5: a rule stored broken (here: written straight into the database) or failing while
// it evaluates must cost only itself. It is listed flagged, raises one 规则异常 alarm, and every
// other rule — the tunnel and gas alarms above all — keeps firing.

const FLOODED = 'default.tunnel_water_depth.flooded';
const GAS_HIGH = 'default.gas_main_pressure.high';
const WATERLOGGED = 'default.tunnel_water_depth.waterlogged';
const LEAK = 'default.gas_concentration.leak';
const T0 = Date.now() - 3_600_000;

let storage: Storage;
let app: FastifyInstance;
let admin: Record<string, string>;

beforeAll(async () => {
  storage = await memoryStorage();
  await AlarmService.seedDefaults(storage.repositories.alarms, Date.now());
  const { db } = storage.database as SqliteDatabase;
  db.prepare('UPDATE alarm_rules SET params = ? WHERE id = ?').run(
    '{"op":"above","value":null,"hysteresis":5,"forSeconds":120}',
    FLOODED,
  );
  db.prepare('UPDATE alarm_rules SET severity = ? WHERE id = ?').run('apocalyptic', GAS_HIGH);
  app = await buildTestApp(storage, {}, { alarmTickMs: 0 });
  admin = await signIn(app, { role: 'admin', scope: null });
});
afterAll(async () => {
  await app?.close();
  await storage?.database.close();
});

const get = async <T>(url: string) => {
  const response = await app.inject({ method: 'GET', url, headers: admin });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<T>();
};
const brokenAlarms = async () =>
  (await get<{ items: AlarmDto[] }>('/api/v1/alarms?state=active,acknowledged,cleared')).items.filter((a) =>
    a.subject.startsWith('rule:'),
  );
async function send(sensor: string, ...points: [seconds: number, value: number][]): Promise<void> {
  const report = await app.services.ingest.ingest(
    points.map(([s, value]) => ({ sensor, ts: T0 + s * 1000, value })),
    EVERYTHING,
  );
  expect(report.accepted).toBe(points.length);
  await app.services.bus.drain();
}
const alarmsOf = async (sensor: string) =>
  (await app.services.alarms.listAlarms({ sensor, state: 'active,acknowledged,cleared' }, EVERYTHING)).items;

describe('a broken stored rule', () => {
  it('is listed, flagged with its problems, and the list still answers', async () => {
    const { items } = await get<{ items: RuleDto[] }>('/api/v1/alarm-rules');
    const flooded = items.find((r) => r.id === FLOODED);
    expect(flooded?.problems).toEqual([expect.stringMatching(/^params\/value /)]);
    expect(items.find((r) => r.id === GAS_HIGH)?.problems).toEqual([
      'severity "apocalyptic" is not a severity',
    ]);
    expect(items.find((r) => r.id === WATERLOGGED)?.problems).toBeUndefined();
    expect((await get<RuleDto>(`/api/v1/alarm-rules/${FLOODED}`)).problems).toHaveLength(1);
  });

  it('raises one 规则异常 alarm per broken rule, domain platform, major', async () => {
    const alarms = await brokenAlarms();
    expect(alarms.map((a) => a.ruleId).sort()).toEqual([GAS_HIGH, FLOODED]);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({ domain: 'platform', severity: 'major', state: 'active', sensorId: null });
      expect(alarm.message).toMatch(/^规则异常 /);
    }
  });

  it('does not stop the other rules of the same sensor types: tunnel at 80 cm and gas at 90 %LEL alarm', async () => {
    await app.services.sensors.create({ id: 'BR-TUNNEL', type: 'tunnel_water_depth', ...PLACES.jiefangbei });
    await app.services.sensors.create({ id: 'BR-GAS', type: 'gas_concentration', ...PLACES.jiefangbei });
    await app.services.sensors.create({ id: 'BR-GASMAIN', type: 'gas_main_pressure', ...PLACES.jiefangbei });
    await send('BR-TUNNEL', [0, 80], [70, 80]);
    await send('BR-GAS', [0, 90]);
    await send('BR-GASMAIN', [0, 0.3]);
    expect((await alarmsOf('BR-TUNNEL')).map((a) => a.ruleId)).toEqual([WATERLOGGED]);
    expect((await alarmsOf('BR-GAS')).map((a) => a.ruleId)).toEqual([LEAK]);
  });

  it('is fixed by a valid PATCH: the rule-broken alarm clears itself; a bad PATCH stores nothing', async () => {
    const bad = await app.inject({
      method: 'PATCH',
      url: `/api/v1/alarm-rules/${FLOODED}`,
      headers: admin,
      payload: { params: { op: 'above', value: 'Infinity', hysteresis: 5, forSeconds: 120 } },
    });
    expect(bad.statusCode).toBe(400);
    expect((await get<RuleDto>(`/api/v1/alarm-rules/${FLOODED}`)).problems).toHaveLength(1);
    // A PATCH that leaves the broken part alone cannot store it again.
    const partial = await app.inject({
      method: 'PATCH',
      url: `/api/v1/alarm-rules/${FLOODED}`,
      headers: admin,
      payload: { name: 'renamed' },
    });
    expect(partial.statusCode).toBe(422);
    expect(partial.json()).toMatchObject({ error: { code: 'INVALID_RULE' } });
    const fixed = await app.inject({
      method: 'PATCH',
      url: `/api/v1/alarm-rules/${FLOODED}`,
      headers: admin,
      payload: { params: { op: 'above', value: 30, hysteresis: 5, forSeconds: 120 } },
    });
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect(fixed.json<RuleDto>().problems).toBeUndefined();
    const [cleared] = (await brokenAlarms()).filter((a) => a.ruleId === FLOODED);
    expect(cleared).toMatchObject({ state: 'cleared', clearReason: 'auto' });
  });
});

describe('a rule that fails while evaluating', () => {
  it('is taken out alone, raises its 规则异常 alarm, and the batch goes on for the other rules', async () => {
    const repository = storage.repositories.alarms;
    const listRules = repository.listRules.bind(repository);
    let armed = false;
    // A rule whose params blow up on use, standing in for any bug in a rule kind's step.
    repository.listRules = async (): Promise<AlarmRule[]> =>
      (await listRules()).map((rule) => {
        if (rule.id !== FLOODED || rule.kind !== 'threshold') return rule;
        const params = { ...rule.params };
        Object.defineProperty(params, 'value', {
          enumerable: true,
          get: () => {
            if (armed) throw new Error('boom');
            return 30;
          },
        });
        return { ...rule, params };
      });
    try {
      await app.services.alarmEngine.reloadRules();
      armed = true;
      await app.services.sensors.create({
        id: 'BR-TUNNEL-2',
        type: 'tunnel_water_depth',
        ...PLACES.jiefangbei,
      });
      await send('BR-TUNNEL-2', [0, 80], [70, 80]);
      expect((await alarmsOf('BR-TUNNEL-2')).map((a) => a.ruleId)).toEqual([WATERLOGGED]);
      const broken = (await brokenAlarms()).filter((a) => a.ruleId === FLOODED && a.state === 'active');
      expect(broken).toHaveLength(1);
      expect(broken[0]!.message).toContain('boom');
      // Reloading the rules (any rule edited) keeps it out and its alarm open: not cleared as
      // fixed, then raised again by the next reading.
      // (Disarmed while loading: the rule checks and compiles fine, it only fails while evaluating.)
      armed = false;
      await app.services.alarmEngine.reloadRules();
      armed = true;
      await send('BR-TUNNEL-2', [140, 80]);
      // (Alarms of this rule from the earlier tests, before this one's, are left out.)
      const after = (await brokenAlarms()).filter((a) => a.ruleId === FLOODED && a.id >= broken[0]!.id);
      expect(after.map((a) => [a.id, a.state])).toEqual([[broken[0]!.id, 'active']]);
    } finally {
      repository.listRules = listRules;
    }
  });
});
