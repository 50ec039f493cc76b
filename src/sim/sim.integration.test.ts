import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../test-support/app.js';
import { Session, SimHttp } from './http-client.js';
import { loadScenario } from './scenario.js';
import { externalAccess } from './sim-access.js';
import { Simulator } from './simulator.js';
import type { SimSummary } from './summary.js';

// `cityops sim --scenario rainstorm --target … --speed 60`, shortened: the real app listening on a
// port, the simulator as an external client with an administrator's password, two simulated hours
// of the storm at 1,800× (about four seconds). The storm must flood tunnels and surcharge drains in
// several districts, the default rules must raise the alarms, and the alarms must become cases
// routed to departments, which the simulated staff then work.

const PASSWORD = 'sim-integration-admin';
const WATER_RULES = [
  'default.tunnel_water_depth.waterlogged',
  'default.tunnel_water_depth.flooded',
  'default.road_waterlogging_depth.waterlogged',
  'default.sewer_fill_ratio.surcharged',
  'default.composite.tunnel_drainage',
];

let app: FastifyInstance;
let http: SimHttp;
let summary: SimSummary;
let token: string;

beforeAll(async () => {
  app = await buildTestApp();
  await app.services.access.createUser({ username: 'admin', password: PASSWORD, role: 'admin', scope: null });
  http = new SimHttp(await app.listen({ port: 0, host: '127.0.0.1' }));
  const access = await externalAccess(http, {
    admin: { username: 'admin', password: PASSWORD },
    prefix: 'TEST',
    staff: true,
  });
  const simulator = await Simulator.prepare(http, access, {
    scenario: loadScenario('rainstorm'),
    prefix: 'TEST',
    work: 'own',
    sensors: 2500,
    cameraScale: 0.005,
    pace: 1800,
    durationMs: 2 * 3_600_000,
  });
  summary = await simulator.run();
  const login = await http.send<{ accessToken: string }>('POST', '/api/v1/auth/login', {
    json: { username: 'admin', password: PASSWORD },
  });
  token = login.body.accessToken;
}, 90_000);

afterAll(async () => {
  await app?.close();
});

const get = async <T>(path: string): Promise<T> =>
  (await http.send<T>('GET', path, { auth: { session: new Session('admin', token, '', Infinity) } })).body;

describe('a shortened rainstorm drill against a listening server', () => {
  it('sends every reading it generates and reads them all accepted', () => {
    expect(summary.registration.sensorsAdded).toBe(2500);
    expect(summary.telemetry.accepted).toBeGreaterThan(50_000);
    expect(summary.telemetry.rejected).toEqual({});
    expect(summary.telemetry.failedBatches).toBe(0);
  });

  it('raises tunnel and drainage alarms under the default rules in at least two districts', async () => {
    const alarms = await get<{ items: { ruleId: string; countyCode: string; sensorId: string | null }[] }>(
      '/api/v1/alarms?state=active,acknowledged,cleared&limit=500',
    );
    const water = alarms.items.filter((a) => WATER_RULES.includes(a.ruleId));
    const tunnel = water.filter((a) => a.ruleId.includes('tunnel'));
    const drainage = water.filter(
      (a) => a.ruleId.includes('sewer') || a.ruleId.includes('road_waterlogging'),
    );
    expect(tunnel.length).toBeGreaterThan(0);
    expect(drainage.length).toBeGreaterThan(0);
    expect(new Set(water.map((a) => a.countyCode)).size).toBeGreaterThanOrEqual(2);
    // Every one of them is the simulator's own sensor or area, and the summary counted them.
    expect(water.every((a) => a.sensorId === null || a.sensorId.startsWith('TEST-'))).toBe(true);
    expect(summary.outcome.alarms).toBeGreaterThanOrEqual(water.length);
  });

  it('turns the alarms into cases routed to a department, which the simulated staff work', async () => {
    const cases = await get<{
      items: { source: string; category: string; department: { id: string } | null; status: string }[];
    }>('/api/v1/cases?limit=500');
    const fromAlarms = cases.items.filter(
      (c) =>
        c.source === 'alarm' &&
        ['tunnel_incident', 'drainage_incident', 'road_waterlogging'].includes(c.category),
    );
    expect(fromAlarms.length).toBeGreaterThan(0);
    expect(fromAlarms.every((c) => c.department !== null)).toBe(true);
    expect(summary.outcome.casesRouted).toBeGreaterThan(0);
    expect(summary.staff?.actions.accept ?? 0).toBeGreaterThan(0);
    expect(cases.items.some((c) => c.status !== 'dispatched' && c.status !== 'reported')).toBe(true);
  });

  it('revokes the API keys it created when the run ends', async () => {
    const keys = await get<{ label: string; revokedAt: string | null }[]>('/api/v1/keys');
    const mine = keys.filter((k) => k.label.startsWith('TEST '));
    expect(mine).toHaveLength(3);
    expect(mine.every((k) => k.revokedAt !== null)).toBe(true);
  });
});
