import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../test-support/app.js';
import { signIn } from '../test-support/auth.js';
import { PLACES } from '../test-support/sensor-factories.js';
import type { AlarmDto } from './alarm.schema.js';

// Each rule kind end to end, as the city sees it: readings POSTed over HTTP with a device key are
// committed, published on the bus, evaluated, and the alarms show (and change) through the API.
// The engine's clock (offline rules, escalation) is moved by hand and its tick run directly.

let app: FastifyInstance;
let admin: Record<string, string>;
let deviceKey: string;
let now = Date.now();
// Reading times: within ingest's accepted range, a minute apart per step of a test.
const T0 = Date.now() - 6 * 3_600_000;

beforeAll(async () => {
  app = await buildTestApp(undefined, {}, { clock: () => now, alarmTickMs: 0 });
  admin = await signIn(app, { role: 'admin', scope: null, username: 'duty-admin' });
  deviceKey = (await app.services.access.createKey({ kind: 'device', label: 'gw', scope: null })).key;
});
afterAll(async () => {
  await app?.close();
});

const api = async <T = Record<string, unknown>>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = admin,
) => {
  const response = await app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: response.statusCode, body: (response.body ? response.json() : null) as T };
};

let sensorCount = 0;
async function sensor(type: string, at: { lon: number; lat: number } = PLACES.jiefangbei): Promise<string> {
  const id = `IT-${type}-${++sensorCount}`;
  const created = await api('POST', '/api/v1/sensors', { id, type, ...at });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return id;
}

/** Sends readings (offset seconds from T0) and waits until the evaluator has handled them. */
async function send(id: string, ...points: [seconds: number, value: number][]): Promise<void> {
  const response = await api(
    'POST',
    '/api/v1/telemetry',
    { readings: points.map(([s, value]) => ({ sensor: id, ts: T0 + s * 1000, value })) },
    { 'x-api-key': deviceKey },
  );
  expect(response.body).toMatchObject({ accepted: points.length });
  await app.services.bus.drain();
}

async function alarmsOf(id: string, state = 'active,acknowledged,cleared'): Promise<AlarmDto[]> {
  const list = await api<{ items: AlarmDto[] }>('GET', `/api/v1/alarms?sensor=${id}&state=${state}`);
  expect(list.status).toBe(200);
  return list.body.items;
}

describe('alarm rules over live telemetry', () => {
  it('threshold: waits for the duration, counts re-crossings inside the hysteresis band, escalates, auto-clears', async () => {
    const id = await sensor('tunnel_water_depth');
    // > 15 cm held 60 s (major). 30 s is not long enough.
    await send(id, [0, 20], [30, 21]);
    expect(await alarmsOf(id)).toEqual([]);
    await send(id, [60, 22]);
    let [alarm] = await alarmsOf(id);
    expect(alarm).toMatchObject({
      ruleId: 'default.tunnel_water_depth.waterlogged',
      severity: 'major',
      state: 'active',
      occurrences: 1,
      value: 22,
      domain: 'tunnel',
      countyCode: '500103',
      kind: 'threshold',
    });
    expect(alarm!.townshipCode).toMatch(/^500103/);
    // 14 cm is below the limit but inside the 3 cm band: no clear; crossing again is an occurrence.
    await send(id, [90, 14], [120, 19]);
    [alarm] = await alarmsOf(id);
    expect(alarm).toMatchObject({ state: 'active', occurrences: 2, value: 19 });
    expect(await alarmsOf(id)).toHaveLength(1);

    // Unacknowledged for 30 minutes: major → critical.
    now += 31 * 60_000;
    await app.services.alarmEngine.tick();
    // (The tick also finds the sensor silent for 31 minutes: an offline alarm beside it.)
    alarm = (await alarmsOf(id)).find((a) => a.id === alarm!.id);
    expect(alarm).toMatchObject({ severity: 'critical', initialSeverity: 'major' });
    expect(alarm!.escalatedAt).not.toBeNull();

    // Back below 12 cm: cleared automatically.
    await send(id, [180, 8]);
    alarm = (await alarmsOf(id)).find((a) => a.id === alarm!.id);
    expect(alarm).toMatchObject({ state: 'cleared', clearReason: 'auto', clearedBy: null });
    expect(await alarmsOf(id, 'active,acknowledged')).toEqual([]);
  });

  it('rate of change: a 0.1 MPa pressure fall within 60 s raises a burst alarm that clears on recovery', async () => {
    const id = await sensor('water_main_pressure');
    await send(id, [0, 0.42], [30, 0.41]);
    await send(id, [60, 0.3]);
    const burst = (await alarmsOf(id)).find((a) => a.ruleId === 'default.water_main_pressure.burst');
    expect(burst).toMatchObject({ severity: 'critical', state: 'active', kind: 'rate', value: 0.3 });
    // Recovered to within 0.05 MPa of the 0.42 it fell from.
    await send(id, [120, 0.39]);
    expect((await alarmsOf(id)).find((a) => a.id === burst!.id)).toMatchObject({ state: 'cleared' });
  });

  it('stale: three missed intervals raise an offline alarm; the next reading clears it', async () => {
    const id = await sensor('gas_concentration'); // reports every 30 s
    await send(id, [0, 3]);
    await app.services.alarmEngine.tick();
    expect(await alarmsOf(id)).toEqual([]);
    now += 91_000;
    await app.services.alarmEngine.tick();
    const [offline] = await alarmsOf(id);
    expect(offline).toMatchObject({
      ruleId: 'default.gas_concentration.offline',
      kind: 'stale',
      severity: 'warning',
    });
    await send(id, [120, 3]);
    expect((await alarmsOf(id))[0]).toMatchObject({ state: 'cleared', clearReason: 'auto' });
  });

  it('anomaly: a reading far from the sensor’s own EWMA baseline raises after warm-up, clears when back', async () => {
    const id = await sensor('bridge_deflection');
    const created = await api('POST', '/api/v1/alarm-rules', {
      id: 'it-deflection-anomaly',
      name: '挠度异常',
      kind: 'anomaly',
      sensor: id,
      severity: 'minor',
      params: { zScore: 5, warmup: 10, alpha: 0.1, minStd: 0.5 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ sensorType: 'bridge_deflection', version: 1 });
    const calm = Array.from({ length: 12 }, (_, i): [number, number] => [i * 60, 10 + (i % 2) * 0.2]);
    await send(id, ...calm);
    expect(await alarmsOf(id)).toEqual([]);
    await send(id, [13 * 60, 30]);
    const [alarm] = await alarmsOf(id);
    expect(alarm).toMatchObject({ ruleId: 'it-deflection-anomaly', kind: 'anomaly', value: 30 });
    await send(id, [14 * 60, 10.1]);
    expect((await alarmsOf(id))[0]).toMatchObject({ state: 'cleared' });
  });

  it('composite: tunnel water AND surcharged sewer in one township, held a minute, raise one area alarm', async () => {
    const tunnel = await sensor('tunnel_water_depth', PLACES.airport);
    const sewer = await sensor('sewer_fill_ratio', {
      lon: PLACES.airport.lon + 0.001,
      lat: PLACES.airport.lat,
    });
    await send(tunnel, [0, 18]);
    await send(sewer, [0, 120]);
    await send(tunnel, [70, 19]);
    const township = (await api<{ jurisdiction: { township: string } }>('GET', `/api/v1/sensors/${tunnel}`))
      .body.jurisdiction.township;
    const list = await api<{ items: AlarmDto[] }>(
      'GET',
      `/api/v1/alarms?rule=default.composite.tunnel_drainage`,
    );
    const area = list.body.items.find((a) => a.subject === `area:${township}`);
    expect(area).toMatchObject({
      kind: 'composite',
      severity: 'critical',
      sensorId: null,
      townshipCode: township,
    });
    // The sewer drains: the composite clears.
    await send(sewer, [100, 60]);
    await send(tunnel, [110, 19]);
    const after = await api<AlarmDto>('GET', `/api/v1/alarms/${area!.id}`);
    expect(after.body).toMatchObject({ state: 'cleared' });
  });

  it('schedules and maintenance windows keep a rule from raising; an operator acknowledges, comments and clears', async () => {
    const id = await sensor('station_co2');
    // Active only in a window that excludes the readings' hour.
    const hour = new Date(T0 + 8 * 3_600_000).getUTCHours();
    const off = `${String((hour + 2) % 24).padStart(2, '0')}:00`;
    const offEnd = `${String((hour + 3) % 24).padStart(2, '0')}:00`;
    const scheduled = await api('POST', '/api/v1/alarm-rules', {
      name: 'CO₂ 夜间',
      kind: 'threshold',
      sensor: id,
      severity: 'major',
      params: { op: 'above', value: 2000 },
      schedule: { days: [1, 2, 3, 4, 5, 6, 7], from: off, to: offEnd },
    });
    expect(scheduled.status).toBe(201);
    // The sensor rule replaces the type's default threshold for this sensor.
    await send(id, [0, 5000]);
    expect(await alarmsOf(id)).toEqual([]);

    const window = await api('POST', '/api/v1/maintenance-windows', {
      sensors: [id],
      startsAt: new Date(T0).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      reason: '更换探头',
    });
    expect(window.status, JSON.stringify(window.body)).toBe(201);
    await api('PATCH', `/api/v1/alarm-rules/${String(scheduled.body.id)}`, { schedule: null });
    await send(id, [60, 5000]);
    expect(await alarmsOf(id)).toEqual([]);
    expect((await api('DELETE', `/api/v1/maintenance-windows/${String(window.body.id)}`)).status).toBe(204);
    await send(id, [120, 5000]);
    const [alarm] = await alarmsOf(id);
    expect(alarm).toMatchObject({ ruleId: scheduled.body.id, state: 'active' });

    const ack = await api('POST', `/api/v1/alarms/${alarm!.id}/ack`, { note: '已通知车站' });
    expect(ack.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'duty-admin' });
    const again = await api('POST', `/api/v1/alarms/${alarm!.id}/ack`, {});
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'ALARM_STATE_CONFLICT' } } });
    expect((await api('POST', `/api/v1/alarms/${alarm!.id}/comments`, { text: '通风已开启' })).status).toBe(
      201,
    );
    const cleared = await api('POST', `/api/v1/alarms/${alarm!.id}/clear`, {});
    expect(cleared.body).toMatchObject({ state: 'cleared', clearReason: 'manual', clearedBy: 'duty-admin' });
    const detail = await api<{ comments: { text: string }[] }>('GET', `/api/v1/alarms/${alarm!.id}`);
    expect(detail.body.comments.map((c) => c.text)).toEqual(['已通知车站', '通风已开启']);
    // The condition still holds: a new alarm after the next reading (duration 0).
    await send(id, [180, 5000]);
    expect(await alarmsOf(id, 'active')).toHaveLength(1);
  });

  it('dry run: counts where a candidate rule would have fired on stored readings, and rejects a bad rule', async () => {
    const id = await sensor('tunnel_co');
    await send(id, [0, 50], [60, 160], [120, 170], [180, 40], [240, 180]);
    const result = await api('POST', '/api/v1/alarm-rules/dry-run?hours=24', {
      name: 'CO 超 150',
      kind: 'threshold',
      sensorType: 'tunnel_co',
      jurisdiction: '500103',
      severity: 'major',
      params: { op: 'above', value: 150, hysteresis: 20 },
    });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body).toMatchObject({
      fired: 2,
      subjects: [{ subject: id, fired: 2 }],
      byCounty: [{ code: '500103', name: '渝中区', fired: 2 }],
    });
    const bad = await api('POST', '/api/v1/alarm-rules', {
      name: 'x',
      kind: 'rate',
      sensorType: 'no_such_type',
      severity: 'minor',
      params: { op: 'above', value: 1 },
    });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ error: { code: 'INVALID_RULE' } });
  });

  it('a county commander sees only alarms of the county and cannot write city-wide rules', async () => {
    const wanzhou = await sensor('tunnel_water_depth', PLACES.wanzhou);
    await send(wanzhou, [0, 40], [200, 40]);
    const yuzhong = await signIn(app, { role: 'county_commander', scope: '500103' });
    const mine = await api<{ items: AlarmDto[] }>(
      'GET',
      '/api/v1/alarms?state=active,acknowledged,cleared',
      undefined,
      yuzhong,
    );
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every((a) => a.countyCode === '500103')).toBe(true);
    const hidden = (await alarmsOf(wanzhou))[0]!;
    expect((await api('GET', `/api/v1/alarms/${hidden.id}`, undefined, yuzhong)).status).toBe(404);
    const citywide = await api(
      'PATCH',
      '/api/v1/alarm-rules/default.tunnel_co.high',
      { enabled: false },
      yuzhong,
    );
    expect(citywide.status).toBe(403);
  });
});
