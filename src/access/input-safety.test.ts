import { Writable } from 'node:stream';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../app.js';
import { loadConfig } from '../config.js';
import { ERRORS } from '../errors.js';
import { buildTestApp, memoryStorage } from '../test-support/app.js';
import { signIn } from '../test-support/auth.js';

let app: FastifyInstance;
let admin: Record<string, string>;
beforeAll(async () => {
  app = await buildTestApp();
  admin = await signIn(app, { role: 'admin', scope: null });
});
afterAll(async () => app.close());

const codes = new Set(Object.keys(ERRORS));

/** Any JSON value, including the shapes a careless or hostile client sends. */
const anyJson = fc.jsonValue({ maxDepth: 3 });
const userish = fc.record(
  {
    username: fc.oneof(fc.string(), fc.constantFrom('admin', 'a', 'x'.repeat(100))),
    password: fc.oneof(fc.string(), fc.integer()),
    role: fc.oneof(fc.constantFrom('admin', 'viewer', 'county_commander', 'emperor'), fc.string()),
    scope: fc.oneof(fc.constantFrom('50', '500109', '500109001', '999', null), fc.string()),
    department: fc.oneof(fc.string(), fc.constant(null)),
    extra: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);

describe('fuzzing every write endpoint (fast-check)', () => {
  const endpoints: { method: 'POST' | 'DELETE'; url: string; body: fc.Arbitrary<unknown> }[] = [
    { method: 'POST', url: '/api/v1/auth/login', body: fc.oneof(anyJson, userish) },
    {
      method: 'POST',
      url: '/api/v1/auth/refresh',
      body: fc.oneof(anyJson, fc.record({ refreshToken: fc.string() })),
    },
    { method: 'POST', url: '/api/v1/users', body: fc.oneof(anyJson, userish) },
    {
      method: 'POST',
      url: '/api/v1/keys',
      body: fc.oneof(
        anyJson,
        fc.record(
          { kind: fc.string(), scope: fc.oneof(fc.string(), fc.constant(null)) },
          { requiredKeys: [] },
        ),
      ),
    },
  ];
  for (const endpoint of endpoints) {
    it(`${endpoint.method} ${endpoint.url}: no 5xx, and every rejection carries a catalog code`, async () => {
      const seen = new Set<number>();
      await fc.assert(
        fc.asyncProperty(endpoint.body, async (body) => {
          const response = await app.inject({
            method: endpoint.method,
            url: endpoint.url,
            headers: { ...admin, 'content-type': 'application/json' },
            payload: JSON.stringify(body),
          });
          seen.add(response.statusCode);
          expect(response.statusCode).toBeLessThan(500);
          if (response.statusCode >= 400) {
            expect(codes.has(response.json<{ error: { code: string } }>().error.code)).toBe(true);
          }
        }),
        { numRuns: 60 },
      );
      // The bodies must reach validation and the service, not stop at the content-type check.
      expect(seen.has(415)).toBe(false);
      expect([...seen].some((status) => status === 400)).toBe(true);
    });
  }

  it('DELETE /api/v1/keys/:id with arbitrary ids: no 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 80 }), async (id) => {
        const response = await app.inject({
          method: 'DELETE',
          url: `/api/v1/keys/${encodeURIComponent(id)}`,
          headers: admin,
        });
        expect(response.statusCode).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
  });

  it('query strings of the read endpoints: no 5xx, catalog codes only', async () => {
    const query = fc.dictionary(
      fc.constantFrom('level', 'parent', 'limit', 'offset', 'lon', 'lat', 'x'),
      fc.string(),
      { maxKeys: 4 },
    );
    const path = fc.constantFrom(
      '/api/v1/jurisdictions',
      '/api/v1/jurisdictions/lookup',
      '/api/v1/jurisdictions/geojson',
    );
    await fc.assert(
      fc.asyncProperty(path, query, async (url, q) => {
        const response = await app.inject({ method: 'GET', url, query: q, headers: admin });
        expect(response.statusCode).toBeLessThan(500);
        if (response.statusCode >= 400) {
          expect(codes.has(response.json<{ error: { code: string } }>().error.code)).toBe(true);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('a malformed JSON body is INVALID_JSON and an unknown field VALIDATION_FAILED naming it', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'INVALID_JSON' } });
    const extra = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'a', password: 'b', admin: true },
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json()).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'admin' })] },
    });
  });
});

describe('rate limits, headers and logs', () => {
  it('answers 429 RATE_LIMITED with Retry-After once a user exceeds the limit', async () => {
    const storage = await memoryStorage();
    const limited = await build(loadConfig({ CITYOPS_RATE_LIMIT_USER: '3', CITYOPS_LOG_LEVEL: 'silent' }), {
      storage,
      closeStorage: true,
      logger: false,
    });
    try {
      const headers = await signIn(limited, { role: 'viewer', scope: '500109' });
      const responses = [];
      for (let i = 0; i < 5; i++) {
        responses.push(await limited.inject({ method: 'GET', url: '/api/v1/jurisdictions/500109', headers }));
      }
      expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 429, 429]);
      const last = responses.at(-1);
      expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
      expect(last?.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    } finally {
      await limited.close();
    }
  });

  it('sends security headers and a content security policy with the dashboard', async () => {
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBeDefined();
  });

  it('never writes a password or token to the log, even at trace level', async () => {
    let log = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log += chunk.toString();
        done();
      },
    });
    const storage = await memoryStorage();
    const traced = await build(loadConfig({ CITYOPS_LOG_LEVEL: 'trace' }), {
      storage,
      closeStorage: true,
      logStream: stream,
    });
    try {
      await traced.services.access.createUser({
        username: 'logged',
        password: 'super-secret-pw',
        role: 'viewer',
        scope: '50',
      });
      const login = await traced.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'logged', password: 'super-secret-pw' },
      });
      const { accessToken, refreshToken } = login.json<{ accessToken: string; refreshToken: string }>();
      await traced.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: { authorization: `Bearer ${accessToken}` },
      });
      await traced.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });
      expect(log.length).toBeGreaterThan(0);
      expect(log).not.toContain('super-secret-pw');
      expect(log).not.toContain(accessToken);
      expect(log).not.toContain(refreshToken);
    } finally {
      await traced.close();
    }
  });
});
