import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../test-support/app.js';
import { signIn } from '../test-support/auth.js';
import { verifyAuditChain } from './case-audit-verify.js';
import { CASE_PLACES } from './case-factories.js';

let app: FastifyInstance;
let operator: { authorization: string };
let handler: { authorization: string };
let viewer: { authorization: string };

beforeAll(async () => {
  app = await buildTestApp();
  operator = await signIn(app, { role: 'county_commander', scope: '500109' });
  handler = await signIn(app, { role: 'department_handler', scope: '500109', department: 'township_office' });
  viewer = await signIn(app, { role: 'viewer', scope: '500103' });
});
afterAll(async () => app.close());

const act = (id: string, headers: object, payload: object) =>
  app.inject({ method: 'POST', url: `/api/v1/cases/${id}/transitions`, headers: { ...headers }, payload });

describe('/api/v1/cases', () => {
  it('takes a manual report, lists it, and walks it to closure with the allowed actions in each answer', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: operator,
      payload: {
        category: 'street_vending',
        ...CASE_PLACES.beibei,
        description: '流动摊贩占道',
        attachments: ['https://x/1.jpg'],
      },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json<{
      id: string;
      status: string;
      department: { id: string };
      allowedActions: string[];
      timeline: unknown[];
    }>();
    expect(body).toMatchObject({ status: 'dispatched', department: { id: 'township_office@500109004' } });
    expect(body.allowedActions).toContain('accept');
    const id = body.id;

    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/cases?scope=500109&status=dispatched&category=street_vending',
      headers: operator,
    });
    expect(list.json<{ items: { id: string }[] }>().items.map((c) => c.id)).toContain(id);

    const refused = await act(id, operator, { action: 'close' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      error: { code: 'CASE_ACTION_NOT_ALLOWED', details: { status: 'dispatched' } },
    });

    expect((await act(id, handler, { action: 'accept' })).json()).toMatchObject({ status: 'in_progress' });
    const handled = await act(id, handler, {
      action: 'handle',
      note: '已劝离',
      attachments: ['https://x/2.jpg'],
    });
    expect(handled.json<{ allowedActions: string[] }>().allowedActions).toEqual(['comment']);
    expect((await act(id, operator, { action: 'verify_fail', note: '仍在' })).json()).toMatchObject({
      status: 'rework',
      reworkCount: 1,
    });
    await act(id, handler, { action: 'handle', note: '再次劝离' });
    await act(id, operator, { action: 'verify_pass' });
    const closed = await act(id, operator, { action: 'close' });
    expect(closed.json()).toMatchObject({ status: 'closed', statusName: '已结案' });

    const stats = await app.inject({
      method: 'GET',
      url: '/api/v1/cases/stats?scope=500109&groupBy=township',
      headers: operator,
    });
    expect(stats.statusCode).toBe(200);
    expect(stats.json()).toMatchObject({
      total: { counts: { closed: 1, reworked: 1 }, rates: { closureRate: 1, reworkRate: 1 } },
    });

    const detail = await app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: viewer });
    expect(detail.json()).toMatchObject({ error: { code: 'CASE_NOT_FOUND' } });
  });

  it('validates input strictly and exports CSV and GeoJSON', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: operator,
      payload: { category: 'street_vending', lon: 1, lat: 2, description: 'x', extra: 1 },
    });
    expect(bad.statusCode).toBe(400);
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: operator,
      payload: { category: 'nope', ...CASE_PLACES.beibei, description: 'x' },
    });
    expect(unknown.json()).toMatchObject({ error: { code: 'UNKNOWN_CASE_CATEGORY' } });
    const csv = await app.inject({
      method: 'GET',
      url: '/api/v1/cases/export?format=csv&scope=500109',
      headers: operator,
    });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.split('\r\n')[0]).toContain('id,status,statusName');
    const geo = await app.inject({
      method: 'GET',
      url: '/api/v1/cases/export?format=geojson',
      headers: operator,
    });
    expect(geo.json<{ type: string; features: unknown[] }>().type).toBe('FeatureCollection');
    const queue = await app.inject({
      method: 'GET',
      url: '/api/v1/cases?scope=500109&sort=deadline&limit=1',
      headers: operator,
    });
    expect(queue.statusCode).toBe(200);
    const page = queue.json<{ items: { status: string }[]; nextCursor: string | null }>();
    expect(page.items.every((c) => c.status !== 'closed')).toBe(true);
    const badSort = await app.inject({ method: 'GET', url: '/api/v1/cases?sort=oldest', headers: operator });
    expect(badSort.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('serves the catalog, departments and routing table; only administrators change them', async () => {
    const categories = await app.inject({ method: 'GET', url: '/api/v1/cases/categories', headers: viewer });
    expect(categories.json<{ items: { code: string }[] }>().items.map((c) => c.code)).toContain(
      'manhole_cover',
    );
    const departments = await app.inject({
      method: 'GET',
      url: '/api/v1/cases/departments?unit=500109',
      headers: operator,
    });
    expect(departments.json<{ items: { id: string }[] }>().items.map((d) => d.id)).toContain('water@500109');
    const rule = {
      id: 'r1',
      category: '*',
      priority: 'low',
      level: 'county',
      departmentType: null,
      note: '',
    };
    const put = await app.inject({
      method: 'PUT',
      url: '/api/v1/cases/routing-rules/r1',
      headers: operator,
      payload: rule,
    });
    expect(put.statusCode).toBe(403);
  });

  it('splits an occurrence off into a new case over HTTP, and rejects malformed occurrence ids', async () => {
    const report = (description: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: operator,
        payload: { category: 'exposed_garbage', ...CASE_PLACES.beibei, description },
      });
    const id = (await report('垃圾堆放')).json<{ id: string }>().id;
    await report('又见垃圾');
    const detail = await app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: operator });
    const occurrences = detail.json<{ occurrences: { id: string; description: string }[] }>().occurrences;
    expect(occurrences).toHaveLength(2);
    const bad = await act(id, operator, { action: 'split', occurrences: ['not-an-id'], note: 'x' });
    expect(bad.statusCode).toBe(400);
    const split = await act(id, operator, {
      action: 'split',
      occurrences: [occurrences[1]!.id],
      category: 'construction_debris',
      note: '另一处问题',
    });
    expect(split.statusCode).toBe(200);
    const newId = split.json<{ timeline: { action: string; data: { to?: string } }[] }>().timeline.at(-1)!
      .data.to!;
    const created = await app.inject({ method: 'GET', url: `/api/v1/cases/${newId}`, headers: operator });
    expect(created.json()).toMatchObject({
      category: 'construction_debris',
      occurrences: [{ description: '又见垃圾' }],
    });
  });
  it('refuses a public reply from a read-only viewer and from another department (observer)', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: operator,
      payload: { category: 'street_vending', ...CASE_PLACES.beibei, description: '占道' },
    });
    const id = created.json<{ id: string }>().id;
    const localViewer = await signIn(app, { role: 'viewer', scope: '500109' });
    const water = await signIn(app, { role: 'department_handler', scope: '500109', department: 'water' });
    const reply = { action: 'comment', publicNote: '已处理 handled' };
    const fromViewer = await act(id, localViewer, reply);
    expect(fromViewer.statusCode).toBe(403);
    const fromObserver = await act(id, water, reply);
    expect(fromObserver.statusCode).toBe(409);
    expect(fromObserver.json()).toMatchObject({
      error: { code: 'CASE_ACTION_NOT_ALLOWED', details: { reason: 'public_note' } },
    });
    // The observer may still comment privately; nothing public was written by either refusal.
    expect((await act(id, water, { action: 'comment', note: '水务知悉' })).statusCode).toBe(200);
    const detail = await app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: operator });
    const timeline = detail.json<{ timeline: { publicNote: string | null }[] }>().timeline;
    expect(timeline.every((e) => e.publicNote === null)).toBe(true);
  });

  it('lists cases that need a location, and lets the command center locate one', async () => {
    const reported = await app.services.cases.report(
      {
        source: 'open311',
        sourceRef: 'addr-only-1',
        category: 'road_damage',
        lon: null,
        lat: null,
        address: '北碚区天生路 2 号',
        description: '路面塌陷',
        reportedAt: Date.now(),
        raw: {},
      },
      { root: '500109', contains: (code) => typeof code === 'string' && code.startsWith('500109') },
    );
    const id = reported.caseId;
    const queue = await app.inject({
      method: 'GET',
      url: '/api/v1/cases?needsLocation=true',
      headers: operator,
    });
    const items = queue.json<{ items: { id: string; needsLocation: boolean; lon: null }[] }>().items;
    expect(items.map((c) => c.id)).toEqual([id]);
    expect(items[0]).toMatchObject({ needsLocation: true, lon: null });
    const located = await app.inject({
      method: 'GET',
      url: '/api/v1/cases?needsLocation=false',
      headers: operator,
    });
    expect(located.json<{ items: { id: string }[] }>().items.map((c) => c.id)).not.toContain(id);
    const before = await app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: operator });
    expect(before.json()).toMatchObject({ jurisdiction: { county: '500109', township: '500109' } });
    expect(before.json<{ allowedActions: string[] }>().allowedActions).toContain('locate');

    expect((await act(id, handler, { action: 'locate', ...CASE_PLACES.beibei })).statusCode).toBe(409);
    expect((await act(id, operator, { action: 'locate' })).statusCode).toBe(422);
    const done = await act(id, operator, { action: 'locate', ...CASE_PLACES.beibei, note: '电话核实位置' });
    expect(done.statusCode, done.body).toBe(200);
    const body = done.json<{
      needsLocation: boolean;
      allowedActions: string[];
      timeline: { action: string; actor: string; data: { lon?: number } }[];
    }>();
    expect(body).toMatchObject({
      needsLocation: false,
      ...CASE_PLACES.beibei,
      jurisdiction: { county: '500109', township: '500109004' },
    });
    expect(body.timeline.at(-1)).toMatchObject({ action: 'locate', data: { lon: CASE_PLACES.beibei.lon } });
    expect(body.allowedActions).not.toContain('locate');
    const queueAfter = await app.inject({
      method: 'GET',
      url: '/api/v1/cases?needsLocation=true',
      headers: operator,
    });
    expect(queueAfter.json<{ items: unknown[] }>().items).toEqual([]);
    expect(await verifyAuditChain(app.storage.repositories.cases)).toMatchObject({ ok: true });
  });
});
