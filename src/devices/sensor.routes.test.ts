import type { Visibility } from '../jurisdictions/visibility.js';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import { installErrorHandling } from '../platform/http/errors.js';
import type { Storage } from '../storage.js';
import { memoryStorage } from '../test-support/app.js';
import { buildSensorInput, PLACES } from '../test-support/sensor-factories.js';
import { sensorRoutes } from './sensor.routes.js';
import { SensorService } from './sensor.service.js';

let storage: Storage;
let service: SensorService;
let app: FastifyInstance;
let yuzhongApp: FastifyInstance;

/** A bare app with the production parser options and error handler, and only the sensor routes. */
async function buildApp(visible: Visibility): Promise<FastifyInstance> {
  const instance = Fastify({
    logger: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
  });
  installErrorHandling(instance);
  await instance.register(
    sensorRoutes(service, () => visible),
    { prefix: '/api/v1' },
  );
  await instance.ready();
  return instance;
}

beforeAll(async () => {
  storage = await memoryStorage();
  const jurisdictions = await JurisdictionService.create({ repository: storage.repositories.jurisdictions });
  service = await SensorService.create({ repository: storage.repositories.sensors, jurisdictions });
  app = await buildApp({ root: null, contains: () => true });
  yuzhongApp = await buildApp({
    root: '500103',
    contains: (code) => code !== null && code !== undefined && jurisdictions.units.isWithin(code, '500103'),
  });
});
afterAll(async () => {
  await app.close();
  await yuzhongApp.close();
  await storage.database.close();
});

const call = async (options: InjectOptions, on = app) => {
  const response = await on.inject(options);
  const text = response.body;
  return { status: response.statusCode, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
};
const get = (url: string, on = app) => call({ method: 'GET', url }, on);
const post = (url: string, payload: unknown) => call({ method: 'POST', url, payload: payload as object });

describe('GET /api/v1/sensor-types', () => {
  it('lists the ten domains and the catalog, or one domain', async () => {
    const all = await get('/api/v1/sensor-types');
    expect(all.status).toBe(200);
    expect(all.body.domains).toHaveLength(10);
    expect((all.body.items as unknown[]).length).toBeGreaterThanOrEqual(20);
    const tunnels = await get('/api/v1/sensor-types?domain=tunnel');
    const items = tunnels.body.items as { domain: string; normal: { min: number | null } }[];
    expect(items.every((t) => t.domain === 'tunnel')).toBe(true);
    expect(items[0]?.normal.min).toBeNull();
  });

  it.each(['domain=weather', 'colour=red'])('answers 400 VALIDATION_FAILED for %s', async (query) => {
    const { status, body } = await get(`/api/v1/sensor-types?${query}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('sensor CRUD', () => {
  it('POST registers a sensor with its chain and key; metadata round-trips', async () => {
    const input = buildSensorInput({ id: 'HTTP-1', metadata: { tags: ['DN600'], depth: { m: 1.5 } } });
    const { status, body } = await post('/api/v1/sensors', input);
    expect(status).toBe(201);
    expect(body).toMatchObject({
      id: 'HTTP-1',
      key: expect.any(Number) as number,
      domain: 'water_supply',
      jurisdiction: { province: '50', prefecture: null, county: '500103' },
      metadata: { tags: ['DN600'], depth: { m: 1.5 } },
    });
    expect((await get('/api/v1/sensors/HTTP-1')).body).toEqual(body);
  });

  it.each([
    ['a taken id', { id: 'HTTP-1' }, 409, 'SENSOR_CONFLICT'],
    ['an unknown type', { id: 'HTTP-X', type: 'weather' }, 422, 'UNKNOWN_SENSOR_TYPE'],
    ['a point in Beijing', { id: 'HTTP-X', ...PLACES.beijing }, 404, 'OUTSIDE_JURISDICTION'],
    ['an id with a slash', { id: 'a/b' }, 400, 'VALIDATION_FAILED'],
    ['an unknown field', { id: 'HTTP-X', colour: 'red' }, 400, 'VALIDATION_FAILED'],
    ['metadata that is an array', { id: 'HTTP-X', metadata: [1] }, 400, 'VALIDATION_FAILED'],
  ])('POST rejects %s', async (_what, overrides, status, code) => {
    const answer = await post('/api/v1/sensors', { ...buildSensorInput(), ...overrides });
    expect(answer).toMatchObject({ status, body: { error: { code } } });
  });

  it('PATCH replaces fields and re-resolves a moved sensor; the type cannot change', async () => {
    const moved = await call({
      method: 'PATCH',
      url: '/api/v1/sensors/HTTP-1',
      payload: { ...PLACES.airport },
    });
    expect(moved).toMatchObject({ status: 200, body: { jurisdiction: { county: '500112' } } });
    for (const payload of [{ type: 'tunnel_co' }, {}]) {
      const refused = await call({ method: 'PATCH', url: '/api/v1/sensors/HTTP-1', payload });
      expect(refused).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
    }
  });

  it('takes ids with dots, colons, underscores and hyphens in the path', async () => {
    expect((await post('/api/v1/sensors', buildSensorInput({ id: 'CQ.YZ:01-a_b' }))).status).toBe(201);
    expect((await get('/api/v1/sensors/CQ.YZ:01-a_b')).body).toMatchObject({ id: 'CQ.YZ:01-a_b' });
    expect((await get('/api/v1/sensors/CQ%20X')).status).toBe(400);
  });

  it('DELETE answers 204, then 404 SENSOR_NOT_FOUND', async () => {
    await post('/api/v1/sensors', buildSensorInput({ id: 'HTTP-DEL' }));
    expect((await call({ method: 'DELETE', url: '/api/v1/sensors/HTTP-DEL' })).status).toBe(204);
    const again = await call({ method: 'DELETE', url: '/api/v1/sensors/HTTP-DEL' });
    expect(again).toMatchObject({ status: 404, body: { error: { code: 'SENSOR_NOT_FOUND' } } });
  });
});

describe('GET /api/v1/sensors', () => {
  beforeAll(async () => {
    await post('/api/v1/sensors', buildSensorInput({ id: 'LIST-YZ', type: 'tunnel_water_depth' }));
    await post('/api/v1/sensors', buildSensorInput({ id: 'LIST-WZ', type: 'tunnel_co', ...PLACES.wanzhou }));
  });

  it('filters by domain and scope and pages', async () => {
    const { body } = await get('/api/v1/sensors?domain=tunnel&scope=500101');
    expect(body).toMatchObject({ total: 1, items: [{ id: 'LIST-WZ' }] });
    const page = await get('/api/v1/sensors?domain=tunnel&limit=1&offset=1');
    expect(page.body).toMatchObject({ total: 2, items: [{ id: 'LIST-YZ' }] });
  });

  it('shows a district center only its district', async () => {
    const { body } = await get('/api/v1/sensors?domain=tunnel', yuzhongApp);
    expect((body.items as { id: string }[]).map((s) => s.id)).toEqual(['LIST-YZ']);
    expect((await get('/api/v1/sensors/LIST-WZ', yuzhongApp)).status).toBe(404);
  });

  it.each([
    ['limit=0', 400, 'VALIDATION_FAILED'],
    ['page=2', 400, 'VALIDATION_FAILED'],
    ['type=nope', 422, 'UNKNOWN_SENSOR_TYPE'],
    ['scope=999999', 404, 'JURISDICTION_NOT_FOUND'],
  ])('answers %s with %i %s', async (query, status, code) => {
    expect(await get(`/api/v1/sensors?${query}`)).toMatchObject({ status, body: { error: { code } } });
  });
});

describe('POST /api/v1/sensors/import', () => {
  const { lon, lat } = PLACES.jiefangbei;
  const importing = (payload: string, contentType: string, query = '') =>
    call({
      method: 'POST',
      url: `/api/v1/sensors/import${query}`,
      payload,
      headers: { 'content-type': contentType },
    });

  it('imports a CSV body and reports rejected rows', async () => {
    const csv = `id,type,lon,lat\nIMP-1,gas_concentration,${lon},${lat}\nIMP-2,nope,${lon},${lat}\n`;
    const { status, body } = await importing(csv, 'text/csv; charset=utf-8');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      imported: 1,
      rejected: [{ row: 2, line: 3, id: 'IMP-2', code: 'UNKNOWN_SENSOR_TYPE' }],
    });
    expect((await get('/api/v1/sensors/IMP-1')).status).toBe(200);
  });

  it('imports a JSON array, and with dryRun writes nothing', async () => {
    const json = JSON.stringify([buildSensorInput({ id: 'IMP-J1' })]);
    expect((await importing(json, 'application/json', '?dryRun=true')).body).toEqual({
      imported: 1,
      rejected: [],
    });
    expect((await get('/api/v1/sensors/IMP-J1')).status).toBe(404);
    expect((await importing(json, 'application/json')).body).toEqual({ imported: 1, rejected: [] });
    expect((await get('/api/v1/sensors/IMP-J1')).status).toBe(200);
  });

  it('refuses, row by row, metadata nested too deep or holding a number that overflowed, and keeps the rest', async () => {
    const deep = '{"a":'.repeat(99) + '{}' + '}'.repeat(99);
    const rows = [
      JSON.stringify(buildSensorInput({ id: 'IMP-OK' })),
      JSON.stringify({ ...buildSensorInput({ id: 'IMP-INF' }), metadata: { span: 0 } }).replace(
        '"span":0',
        '"span":1e999',
      ),
      JSON.stringify({ ...buildSensorInput({ id: 'IMP-DEEP' }), metadata: {} }).replace(
        '"metadata":{}',
        `"metadata":${deep}`,
      ),
    ];
    const { status, body } = await importing(`[${rows.join(',')}]`, 'application/json');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      imported: 1,
      rejected: [
        { row: 2, message: expect.stringContaining('/metadata/span must be a finite number') as unknown },
        { row: 3, message: expect.stringContaining('deeper than') as unknown },
      ],
    });
    expect((await get('/api/v1/sensors/IMP-OK')).status).toBe(200);
    expect((await get('/api/v1/sensors/IMP-INF')).status).toBe(404);
  });

  it('answers 422 INVALID_IMPORT_FILE for an unreadable file and 415 for other media types', async () => {
    expect(await importing('[{', 'application/json')).toMatchObject({
      status: 422,
      body: { error: { code: 'INVALID_IMPORT_FILE' } },
    });
    expect(await importing('id,colour\n', 'text/csv')).toMatchObject({ status: 422 });
    expect((await importing('hello', 'text/plain')).status).toBe(415);
  });
});
