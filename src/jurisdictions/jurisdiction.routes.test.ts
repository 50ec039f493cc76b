import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../test-support/app.js';
import { signIn } from '../test-support/auth.js';

let app: FastifyInstance;
let headers: { authorization: string };
beforeAll(async () => {
  app = await buildTestApp();
  headers = await signIn(app, { role: 'admin', scope: null });
});
afterAll(async () => app.close());

const get = async (url: string) => {
  const response = await app.inject({ method: 'GET', url, headers });
  return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
};

describe('GET /api/v1/jurisdictions', () => {
  it('needs a signed-in user: 401 UNAUTHENTICATED without a token', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/jurisdictions?parent=50' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });

  it('lists the 38 district/county units and 1,031 towns/streets of Chongqing', async () => {
    const counties = await get('/api/v1/jurisdictions?level=county&parent=50');
    expect(counties.status).toBe(200);
    expect(counties.body.total).toBe(38);
    const townships = await get('/api/v1/jurisdictions?level=township&parent=50');
    expect(townships.body.total).toBe(1031);
    expect(townships.body.items).toHaveLength(1031);
  });

  it('lists direct children when only parent is given, and pages', async () => {
    const prefectures = await get('/api/v1/jurisdictions?parent=51');
    expect(prefectures.body.total).toBe(21);
    const page = await get('/api/v1/jurisdictions?parent=51&limit=5&offset=20');
    expect(page.body.items).toHaveLength(1);
  });

  it('marks derived boundaries as approximate', async () => {
    const { body } = await get('/api/v1/jurisdictions?parent=500109');
    const items = body.items as { boundary: { approximate: boolean } | null }[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.boundary?.approximate === true)).toBe(true);
  });

  it('rejects an unknown query field and a bad level with VALIDATION_FAILED', async () => {
    for (const url of ['/api/v1/jurisdictions?colour=red', '/api/v1/jurisdictions?level=city']) {
      const { status, body } = await get(url);
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    }
  });

  it('answers 404 JURISDICTION_NOT_FOUND for an unknown parent', async () => {
    const { status, body } = await get('/api/v1/jurisdictions?parent=999999');
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: { code: 'JURISDICTION_NOT_FOUND' } });
  });
});

describe('GET /api/v1/jurisdictions/{code}', () => {
  it('gives a unit with its chain and counts', async () => {
    const { status, body } = await get('/api/v1/jurisdictions/500109');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      code: '500109',
      name: '北碚区',
      level: 'county',
      parent: '50',
      chain: [{ code: '50', name: '重庆市', level: 'province' }],
      boundary: { approximate: false, imported: false },
    });
    expect((body.descendants as { township: number }).township).toBe(body.children);
  });

  it('counts the whole province', async () => {
    const { body } = await get('/api/v1/jurisdictions/51');
    expect(body.descendants).toEqual({ prefecture: 21, county: 183, township: 3111 });
  });
});

describe('GET /api/v1/jurisdictions/lookup', () => {
  it.each([
    ['解放碑步行街 Jiefangbei', 106.5775, 29.5576, '500103', '渝中区'],
    ['江北国际机场 Jiangbei airport', 106.6417, 29.7195, '500112', '渝北区'],
    ['万州城区 Wanzhou', 108.408, 30.807, '500101', '万州区'],
  ])('%s → %s', async (_place, lon, lat, code, name) => {
    const { status, body } = await get(`/api/v1/jurisdictions/lookup?lon=${lon}&lat=${lat}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ province: { code: '50' }, prefecture: null, county: { code, name } });
    expect((body.township as { code: string }).code.startsWith(code)).toBe(true);
    expect(body.approximate).toBe(true);
  });

  it('天府广场 Tianfu Square → 成都市', async () => {
    const { body } = await get('/api/v1/jurisdictions/lookup?lon=104.0657&lat=30.657');
    expect(body).toMatchObject({ province: { code: '51' }, prefecture: { code: '5101', name: '成都市' } });
  });

  it('answers OUTSIDE_JURISDICTION for Beijing', async () => {
    const { status, body } = await get('/api/v1/jurisdictions/lookup?lon=116.397&lat=39.909');
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: { code: 'OUTSIDE_JURISDICTION' } });
  });

  it.each(['lon=abc&lat=29', 'lon=106', 'lon=200&lat=29', 'lon=106&lat=29&extra=1'])(
    'answers 400 VALIDATION_FAILED for %s',
    async (query) => {
      const { status, body } = await get(`/api/v1/jurisdictions/lookup?${query}`);
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    },
  );
});

describe('GET /api/v1/jurisdictions/geojson', () => {
  it('gives the 38 district/county polygons with code and name', async () => {
    const { status, body } = await get('/api/v1/jurisdictions/geojson?level=county&parent=50');
    expect(status).toBe(200);
    const features = body.features as {
      properties: { code: string; name: string; approximate: boolean };
      geometry: { type: string };
    }[];
    expect(body.type).toBe('FeatureCollection');
    expect(features).toHaveLength(38);
    expect(
      features.every((f) => f.geometry.type === 'MultiPolygon' && f.properties.approximate === false),
    ).toBe(true);
    expect(features.map((f) => f.properties.code)).toContain('500155');
    expect(features.find((f) => f.properties.code === '500156')?.properties.name).toBe('武隆区');
  });

  it('marks township polygons approximate', async () => {
    const { body } = await get('/api/v1/jurisdictions/geojson?level=township&parent=500103');
    const features = body.features as { properties: { approximate: boolean } }[];
    expect(features.length).toBeGreaterThan(5);
    expect(features.every((f) => f.properties.approximate)).toBe(true);
  });
});

describe('operations endpoints', () => {
  it('GET /healthz reports the database', async () => {
    const { status, body } = await get('/healthz');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', database: { engine: 'sqlite', ok: true } });
  });

  it('GET /metrics is Prometheus text', async () => {
    await get('/healthz');
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.headers['content-type']).toMatch(/text\/plain/);
    expect(response.body).toMatch(/cityops_http_request_duration_seconds_count\{[^}]*route="\/healthz"/);
  });

  it('GET /api/docs/json is an OpenAPI 3 document with the jurisdiction routes', async () => {
    const { status, body } = await get('/api/docs/json');
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    expect(Object.keys(body.paths as object)).toEqual(
      expect.arrayContaining([
        '/api/v1/jurisdictions',
        '/api/v1/jurisdictions/lookup',
        '/api/v1/jurisdictions/{code}',
      ]),
    );
  });

  it('GET /api/docs serves the browsable UI', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/swagger/i);
  });

  it('an unknown API route is a JSON ROUTE_NOT_FOUND', async () => {
    const { status, body } = await get('/api/v1/nothing-here');
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  });
});
