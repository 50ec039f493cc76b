import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test-support/app.js';
import { signIn } from '../../test-support/auth.js';
import { buildSensorInput } from '../../test-support/sensor-factories.js';
import { MAX_JSON_DEPTH } from './json-body.js';

// Issue 14 §5: numbers written as text, deep JSON, the framework's own error answers and the
// security headers on early answers — all through the whole app, as a client sees them.

let app: FastifyInstance;
let admin: Record<string, string>;
const THRESHOLD = 'default.tunnel_water_depth.waterlogged';

beforeAll(async () => {
  app = await buildTestApp(undefined, {}, { alarmTickMs: 0 });
  admin = await signIn(app, { role: 'admin', scope: null });
});
afterAll(async () => {
  await app?.close();
});

const rule = async () => {
  const response = await app.inject({
    method: 'GET',
    url: `/api/v1/alarm-rules/${THRESHOLD}`,
    headers: admin,
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ params: Record<string, unknown>; version: number }>();
};

describe('numbers in a JSON body', () => {
  it.each(['Infinity', '-Infinity', '1e999', '12', ''])(
    'refuses %j as a rule threshold with 400 VALIDATION_FAILED and stores nothing',
    async (text) => {
      const before = await rule();
      const response = await app.inject({
        method: 'PATCH',
        url: `/api/v1/alarm-rules/${THRESHOLD}`,
        headers: admin,
        payload: { params: { ...before.params, value: text } },
      });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toMatchObject({
        error: {
          code: 'VALIDATION_FAILED',
          details: expect.arrayContaining([
            expect.objectContaining({ where: 'body', path: '/params/value' }),
          ]) as unknown,
        },
      });
      expect(await rule()).toEqual(before);
      const list = await app.inject({ method: 'GET', url: '/api/v1/alarm-rules', headers: admin });
      expect(list.statusCode).toBe(200);
    },
  );

  it('refuses a number literal too large for a double (1e999 parses to Infinity)', async () => {
    const before = await rule();
    const body = JSON.stringify({ params: { ...before.params, value: 0 } }).replace(
      '"value":0',
      '"value":1e999',
    );
    const response = await app.inject({
      method: 'PATCH',
      url: `/api/v1/alarm-rules/${THRESHOLD}`,
      headers: { ...admin, 'content-type': 'application/json' },
      payload: body,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(await rule()).toEqual(before);
  });

  it('refuses null for a number instead of reading it as 0, and a string for a sensor coordinate', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors',
      headers: admin,
      payload: { ...buildSensorInput({ id: 'STRICT-1' }), lon: '106.58' },
    });
    expect(created.statusCode).toBe(400);
    expect(created.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const missing = await app.inject({ method: 'GET', url: '/api/v1/sensors/STRICT-1', headers: admin });
    expect(missing.statusCode).toBe(404);
  });

  it('still reads numbers from the querystring, but not a non-finite one', async () => {
    const ok = await app.inject({ method: 'GET', url: '/api/v1/alarms?limit=5&before=10', headers: admin });
    expect(ok.statusCode).toBe(200);
    const huge = await app.inject({ method: 'GET', url: '/api/v1/alarms?before=1e999', headers: admin });
    expect(huge.statusCode).toBe(400);
    expect(huge.json()).toMatchObject({
      error: {
        code: 'VALIDATION_FAILED',
        details: [expect.objectContaining({ where: 'querystring', path: '/before' })],
      },
    });
  });
});

describe('formats in a JSON body', () => {
  it('are judged as before the strict check (a space separator and a +0800 offset are date-times)', async () => {
    const sensor = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors',
      headers: admin,
      payload: buildSensorInput({ id: 'FMT-1' }),
    });
    expect(sensor.statusCode).toBe(201);
    const window = (startsAt: string, endsAt: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/maintenance-windows',
        headers: admin,
        payload: { sensors: ['FMT-1'], startsAt, endsAt, reason: '更换探头' },
      });
    const accepted = await window('2030-01-01 10:00:00+0800', '2030-01-01T12:00:00+08:00');
    expect(accepted.statusCode, accepted.body).toBe(201);
    const refused = await window('yesterday', '2030-01-01T12:00:00+08:00');
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('numbers in free-form fields', () => {
  it('refuses 1e999 inside sensor metadata (no schema types it) and stores nothing', async () => {
    const payload = JSON.stringify({ ...buildSensorInput({ id: 'INF-1' }), metadata: { span: 0 } }).replace(
      '"span":0',
      '"span":1e999',
    );
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors',
      headers: { ...admin, 'content-type': 'application/json' },
      payload,
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: [{ where: 'body', path: '/metadata/span' }] },
    });
    const read = await app.inject({ method: 'GET', url: '/api/v1/sensors/INF-1', headers: admin });
    expect(read.statusCode).toBe(404);
  });
});

describe('JSON depth', () => {
  const nested = (depth: number) => '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);

  it.each([
    ['POST', '/api/v1/sensors'],
    ['PATCH', '/api/v1/sensors/DEEP-1'],
  ] as const)('%s %s with metadata 1,000 deep is 400 JSON_TOO_DEEP', async (method, url) => {
    if (method === 'PATCH') {
      const created = await app.inject({
        method: 'POST',
        url: '/api/v1/sensors',
        headers: admin,
        payload: buildSensorInput({ id: 'DEEP-1' }),
      });
      expect(created.statusCode).toBe(201);
    }
    const payload = `{"id":"DEEP-2","type":"tunnel_water_depth","lon":106.58,"lat":29.56,"metadata":${nested(1000)}}`;
    const response = await app.inject({
      method,
      url,
      headers: { ...admin, 'content-type': 'application/json' },
      payload: method === 'PATCH' ? `{"metadata":${nested(1000)}}` : payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: { code: 'JSON_TOO_DEEP', details: { maxDepth: MAX_JSON_DEPTH } },
    });
  });

  it('accepts a body exactly at the bound (the bound is on nesting, not on size)', async () => {
    // Top level + metadata = 2 levels; the rest nests inside metadata up to the bound.
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: `{"id":"DEEP-3","type":"tunnel_water_depth","lon":106.58,"lat":29.56,"metadata":${nested(MAX_JSON_DEPTH - 1)}}`,
    });
    expect(response.statusCode, response.body).toBe(201);
  });
});

describe('framework error answers use the catalog shape', () => {
  it('bad percent-encoding is 400 BAD_URL', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/sensors/%E0%A4%A', headers: admin });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: { code: 'BAD_URL', message: expect.any(String) as unknown } });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('a path parameter over the router limit is 414 URL_TOO_LONG', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/sensors/${'x'.repeat(500)}`,
      headers: admin,
    });
    expect(response.statusCode).toBe(414);
    expect(response.json()).toEqual({
      error: { code: 'URL_TOO_LONG', message: expect.any(String) as unknown },
    });
  });

  it('headers over the server limit are 431 HEADERS_TOO_LARGE, and broken HTTP is 400 MALFORMED_REQUEST', async () => {
    const server = await buildTestApp();
    try {
      await server.listen({ port: 0, host: '127.0.0.1' });
      const { port } = server.server.address() as net.AddressInfo;
      const raw = (request: string) =>
        new Promise<string>((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
          let data = '';
          socket.on('data', (chunk) => (data += chunk.toString()));
          socket.on('close', () => resolve(data));
          socket.on('error', reject);
        });
      const big = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(big).toMatch(/^HTTP\/1.1 431 /);
      expect(big).toMatch(/x-content-type-options: nosniff/i);
      expect(JSON.parse(big.slice(big.indexOf('\r\n\r\n') + 4))).toEqual({
        error: { code: 'HEADERS_TOO_LARGE', message: expect.any(String) as unknown },
      });
      const longUrl = await raw(`GET /api/v1/sensors?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(longUrl).toMatch(/^HTTP\/1.1 431 /);
      const broken = await raw('NOT HTTP AT ALL\r\n\r\n');
      expect(broken).toMatch(/^HTTP\/1.1 400 /);
      expect(broken).toContain('"MALFORMED_REQUEST"');
    } finally {
      await server.close();
    }
  });
});

describe('security headers on every answer', () => {
  it.each([
    ['401', { method: 'GET', url: '/api/v1/sensors' }],
    ['404', { method: 'GET', url: '/api/v1/no-such-route' }],
  ] as const)('%s carries them', async (_status, request) => {
    const response = await app.inject(request);
    expect(String(response.statusCode)).toBe(_status);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBeDefined();
    expect(response.headers['strict-transport-security']).toBeDefined();
  });

  it('403 carries them', async () => {
    const viewer = await signIn(app, { role: 'viewer', scope: '50' });
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors',
      headers: viewer,
      payload: buildSensorInput(),
    });
    expect(response.statusCode).toBe(403);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBeDefined();
  });

  it('sign-in and refresh answers are not cacheable, refused or not', async () => {
    await app.services.access.createUser({
      username: 'cache-test',
      password: 'correct-horse-battery',
      role: 'viewer',
      scope: '50',
      department: null,
    });
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'cache-test', password: 'correct-horse-battery' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'cache-test', password: 'wrong-password-x' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['cache-control']).toBe('no-store');
    const refreshed = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: ok.json<{ refreshToken: string }>().refreshToken },
    });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.headers['cache-control']).toBe('no-store');
  });
});
