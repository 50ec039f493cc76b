import type { FastifyInstance } from 'fastify';
import type WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING } from '../jurisdictions/visibility.js';
import { buildTestApp } from '../test-support/app.js';
import { signIn } from '../test-support/auth.js';
import type { OverviewDto } from './live.schema.js';
import type { EventsMessage, HelloMessage, LiveEvent, ServerMessage, VitalsMessage } from './live.types.js';

// 北碚区 (500109) and 渝中区 (500103): points known to lie in 东阳街道 / 北碚 and 解放碑.
const BEIBEI = { lon: 106.45, lat: 29.8 };
const YUZHONG = { lon: 106.5775, lat: 29.5576 };

let app: FastifyInstance;
let beibei: { authorization: string };
let seq = 0;

beforeAll(async () => {
  app = await buildTestApp(undefined, {}, { alarmTickMs: 0 });
  beibei = await signIn(app, { role: 'county_commander', scope: '500109' });
});
afterAll(async () => app.close());

const tokenOf = (headers: { authorization: string }) => headers.authorization.slice('Bearer '.length);

async function reportCase(at: { lon: number; lat: number }, category = 'street_vending'): Promise<string> {
  const outcome = await app.services.cases.report(
    {
      source: 'operator',
      sourceRef: `live-test-${++seq}`,
      category,
      // Far enough apart that de-duplication does not fold them into one case.
      lon: at.lon + (seq % 12) * 0.002,
      lat: at.lat,
      description: '实时推送测试',
      reportedAt: Date.now(),
      raw: null,
    },
    EVERYTHING,
  );
  await app.services.bus.drain();
  return outcome.caseId;
}

/** A WebSocket client over injectWS that keeps every message it gets. */
async function connect(
  headers: { authorization: string },
  query = '',
): Promise<{
  ws: WebSocket;
  messages: ServerMessage[];
  next: <T extends ServerMessage>(type: T['type'], where?: (m: T) => boolean) => Promise<T>;
}> {
  const messages: ServerMessage[] = [];
  const waiters: (() => void)[] = [];
  const ws = await app.injectWS(
    `/api/v1/live${query}`,
    {
      headers: { 'sec-websocket-protocol': `cityops.live.v1, cityops.bearer.${tokenOf(headers)}` },
    },
    {
      onInit: (socket: WebSocket) =>
        socket.on('message', (data: Buffer) => {
          messages.push(JSON.parse(data.toString()) as ServerMessage);
          for (const wake of waiters.splice(0)) wake();
        }),
    },
  );
  let read = 0;
  const next = async <T extends ServerMessage>(type: T['type'], where?: (m: T) => boolean): Promise<T> => {
    for (;;) {
      while (read < messages.length) {
        const m = messages[read++]!;
        if (m.type === type && (!where || where(m as T))) return m as T;
      }
      await new Promise<void>((resolve, reject) => {
        waiters.push(resolve);
        setTimeout(() => reject(new Error(`no ${type} message`)), 2000).unref();
      });
    }
  };
  return { ws, messages, next };
}

const caseIds = (events: LiveEvent[]) => [
  ...new Set(events.flatMap((e) => (e.topic === 'case' ? [e.caseId] : []))),
];

describe('GET /api/v1/overview', () => {
  it('gives a county commander its county: townships, case figures and the live position', async () => {
    const before = (
      await app.inject({ method: 'GET', url: '/api/v1/overview', headers: beibei })
    ).json<OverviewDto>();
    expect(before.scope).toMatchObject({
      code: '500109',
      name: '北碚区',
      level: 'county',
      childLevel: 'township',
    });
    expect(before.units.length).toBeGreaterThan(10);
    expect(before.units.every((u) => u.code.startsWith('500109') && u.approximate)).toBe(true);
    expect(before.domains.map((d) => d.domain)).toContain('water_supply');

    const id = await reportCase(BEIBEI);
    const after = (
      await app.inject({ method: 'GET', url: '/api/v1/overview', headers: beibei })
    ).json<OverviewDto>();
    expect(after.figures.reportedToday).toBe(before.figures.reportedToday! + 1);
    expect(after.figures.open).toBe(before.figures.open! + 1);
    expect(after.live.seq).toBeGreaterThan(before.live.seq);
    const township = app.services.jurisdictions.locate(BEIBEI.lon + (seq % 12) * 0.002, BEIBEI.lat)!;
    expect(after.units.find((u) => u.code === township)?.openCases).toBeGreaterThanOrEqual(1);
    expect(caseIds(after.recent)).toContain(id);
  });

  it('narrows the city to the caller’s county and hides other counties', async () => {
    const city = await app.inject({ method: 'GET', url: '/api/v1/overview?scope=50', headers: beibei });
    expect(city.json<OverviewDto>().scope.code).toBe('500109');
    const other = await app.inject({ method: 'GET', url: '/api/v1/overview?scope=500103', headers: beibei });
    expect(other.statusCode).toBe(404);
    expect(other.json<{ error: { code: string } }>().error.code).toBe('JURISDICTION_NOT_FOUND');
  });

  it('counts active alarms per domain and per unit from the alarm engine', async () => {
    const sensor = await app.services.sensors.create({
      id: 'live-gas-1',
      type: 'gas_concentration',
      ...BEIBEI,
    });
    await app.services.ingest.ingest([{ sensor: sensor.id, ts: Date.now(), value: 70 }], EVERYTHING);
    await app.services.bus.drain();
    app.services.live.board.refresh(Date.now());
    const o = (
      await app.inject({ method: 'GET', url: '/api/v1/overview', headers: beibei })
    ).json<OverviewDto>();
    const gas = o.domains.find((d) => d.domain === 'gas')!;
    expect(gas.sensors).toBe(1);
    expect(gas.activeAlarms).toBeGreaterThanOrEqual(1);
    expect(gas.headline).toMatchObject({ type: 'gas_concentration', avg: 70, reporting: 1 });
    expect(o.figures.activeAlarms).toBeGreaterThanOrEqual(1);
  });
});

describe('the live feed', () => {
  it('streams only events inside the user’s jurisdiction (filtered on the server)', async () => {
    const client = await connect(beibei);
    const hello = await client.next<HelloMessage>('hello');
    expect(hello).toMatchObject({ scope: '500109', resumed: false });
    const outside = await reportCase(YUZHONG);
    const inside = await reportCase(BEIBEI);
    app.services.live.hub.flush();
    const events = await client.next<EventsMessage>('events');
    expect(caseIds(events.events)).toContain(inside);
    expect(caseIds(events.events)).not.toContain(outside);
    expect(events.events.find((e) => e.topic === 'case' && e.caseId === inside)).toMatchObject({
      action: 'report',
      categoryName: '占道经营',
      place: expect.stringContaining('北碚区') as string,
    });
    client.ws.terminate();
  });

  it('resumes after a dropped connection without losing events, and says when it cannot', async () => {
    const first = await connect(beibei);
    const hello = await first.next<HelloMessage>('hello');
    first.ws.terminate();
    const missed = [await reportCase(BEIBEI), await reportCase(BEIBEI)];

    const again = await connect(beibei, `?since=${hello.seq}&epoch=${hello.epoch}`);
    expect(await again.next<HelloMessage>('hello')).toMatchObject({ resumed: true, seq: hello.seq });
    const replay = await again.next<EventsMessage>('events');
    expect(caseIds(replay.events)).toEqual(missed);
    again.ws.terminate();

    const stale = await connect(beibei, `?since=${hello.seq}&epoch=another-process`);
    expect(await stale.next<HelloMessage>('hello')).toMatchObject({ resumed: false });
    stale.ws.terminate();
  });

  it('the same resume works over plain HTTP', async () => {
    const start = (await app.inject({ method: 'GET', url: '/api/v1/live', headers: beibei })).json<{
      epoch: string;
      seq: number;
    }>();
    const id = await reportCase(BEIBEI);
    await reportCase(YUZHONG);
    const replay = await app.inject({
      method: 'GET',
      url: `/api/v1/live?since=${start.seq}&epoch=${start.epoch}`,
      headers: beibei,
    });
    expect(replay.json<{ resumed: boolean; events: LiveEvent[] }>()).toMatchObject({ resumed: true });
    expect(caseIds(replay.json<{ events: LiveEvent[] }>().events)).toEqual([id]);
  });

  it('switches the watched scope on request, within what the user may see', async () => {
    const client = await connect(beibei);
    await client.next('hello');
    const township = app.services.jurisdictions.locate(BEIBEI.lon, BEIBEI.lat)!;
    client.ws.send(JSON.stringify({ type: 'view', scope: township }));
    expect(await client.next('view')).toMatchObject({ scope: township });
    client.ws.send(JSON.stringify({ type: 'view', scope: '500103' }));
    expect(await client.next('error')).toMatchObject({ code: 'JURISDICTION_NOT_FOUND' });
    client.ws.terminate();
  });

  it('sends per-domain vital-sign summaries of the watched scope', async () => {
    const sensor = await app.services.sensors.create({
      id: 'live-wp-1',
      type: 'water_main_pressure',
      ...BEIBEI,
    });
    const client = await connect(beibei);
    await client.next('hello');
    await app.services.ingest.ingest([{ sensor: sensor.id, ts: Date.now(), value: 0.35 }], EVERYTHING);
    await app.services.bus.drain();
    app.services.live.hub.tickVitals();
    const vitals = await client.next<VitalsMessage>(
      'vitals',
      (m) => m.sample !== undefined && m.domains[0]!.sensors > 0,
    );
    expect(vitals.scope).toBe('500109');
    expect(vitals.domains.find((d) => d.domain === 'water_supply')).toMatchObject({
      sensors: 1,
      online: 1,
      normalShare: 1,
      value: 0.35,
    });
    expect(vitals.units.every((u) => u.code.startsWith('500109'))).toBe(true);
    client.ws.terminate();
  });

  it('refuses a connection without a valid token before the upgrade', async () => {
    await expect(
      app.injectWS('/api/v1/live', { headers: { 'sec-websocket-protocol': 'cityops.live.v1' } }),
    ).rejects.toThrow(/401/);
    await expect(
      app.injectWS('/api/v1/live', {
        headers: { 'sec-websocket-protocol': 'cityops.live.v1, cityops.bearer.not-a-token' },
      }),
    ).rejects.toThrow(/401/);
  });

  it('closes the connection once the session has ended (re-checked like every request)', async () => {
    const headers = await signIn(app, { role: 'viewer', scope: '500109' });
    const client = await connect(headers);
    await client.next('hello');
    const closed = new Promise<number>((resolve) => client.ws.on('close', (code) => resolve(code)));
    await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers });
    await app.services.live.hub.recheck();
    expect(await closed).toBe(4401);
  });
});
