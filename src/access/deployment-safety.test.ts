import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { StartupError } from '../errors.js';
import { serve } from '../server.js';
import { buildTestApp, memoryStorage } from '../test-support/app.js';
import { signIn } from '../test-support/auth.js';
import { demoExposureProblem } from './demo.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});
async function app(env: Record<string, string> = {}, storage?: Awaited<ReturnType<typeof memoryStorage>>) {
  const built = await buildTestApp(storage, env);
  apps.push(built);
  return built;
}

const login = (a: FastifyInstance, username: string, password: string, from?: string) =>
  a.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
    ...(from ? { headers: { 'x-forwarded-for': from } } : {}),
  });

describe('demo accounts on a public address', () => {
  it.each([
    [{ HOST: '0.0.0.0', CITYOPS_DEMO: 'on', CITYOPS_SIM: 'off' }, /CITYOPS_DEMO=on/],
    [{ HOST: '::' }, /the simulator turns demo mode on/],
    [{ HOST: '192.168.1.20', CITYOPS_DEMO: 'on' }, /CITYOPS_DEMO=on/],
    // nginx in front of 127.0.0.1 brings the internet to a loopback address.
    [{ HOST: '127.0.0.1', CITYOPS_TRUST_PROXY: '1', CITYOPS_DEMO: 'on' }, /behind a reverse proxy/],
  ])('refuses to start with %o, in one line saying what to do', async (env, why) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityops-demo-'));
    try {
      const start = serve(loadConfig({ PORT: '0', CITYOPS_DATA_DIR: dataDir, ...env }));
      await expect(start).rejects.toBeInstanceOf(StartupError);
      const message = (await start.catch((error: Error) => error)) as Error;
      expect(message.message).toMatch(why);
      expect(message.message).toMatch(/Set CITYOPS_DEMO=off .* HOST=127\.0\.0\.1/);
      expect(message.message).not.toContain('\n');
      // Refused before anything opened: no database was created.
      expect(fs.readdirSync(dataDir)).toEqual([]);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('allows demo accounts on loopback, and a public address without them', () => {
    const at = (host: string, demo: boolean, simTurnsDemoOn: boolean) =>
      demoExposureProblem({
        host,
        loopback: host.startsWith('127.') || host === '::1',
        demo,
        simTurnsDemoOn,
      });
    expect(at('127.0.0.1', true, true)).toBeNull();
    expect(at('::1', true, false)).toBeNull();
    expect(at('0.0.0.0', false, false)).toBeNull();
    expect(at('0.0.0.0', false, true)).toMatch(/simulator/);
  });
});

describe('demo accounts outlive demo mode (fixed)', () => {
  it('disables them and ends their sessions when demo mode is off, and brings them back with it', async () => {
    const storage = await memoryStorage();
    try {
      const demo = await app({ CITYOPS_DEMO: 'on' }, storage);
      const signedIn = await login(demo, 'demo-city', 'demo-city-2026');
      expect(signedIn.statusCode).toBe(200);
      const token = signedIn.json<{ accessToken: string }>().accessToken;
      await demo.close();
      apps.splice(0);

      const production = await app({ CITYOPS_DEMO: 'off' }, storage);
      expect((await login(production, 'demo-city', 'demo-city-2026')).statusCode).toBe(401);
      const me = await production.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(me.statusCode).toBe(401);
      await production.close();
      apps.splice(0);

      const again = await app({ CITYOPS_DEMO: 'on' }, storage);
      expect((await login(again, 'demo-city', 'demo-city-2026')).statusCode).toBe(200);
    } finally {
      await storage.database.close();
    }
  });
});

describe('behind a proxy (CITYOPS_TRUST_PROXY)', () => {
  // 20 wrong guesses a minute per address; unknown names, so no account lock gets in the way.
  const exhaust = async (a: FastifyInstance, from: string) => {
    for (let i = 0; i < 20; i++) {
      expect((await login(a, `nobody-${i}`, 'wrong-password', from)).statusCode).toBe(401);
    }
    expect((await login(a, 'nobody', 'wrong-password', from)).statusCode).toBe(429);
  };

  it('limits sign-in per client address: one client exhausting its limit leaves another alone', async () => {
    const a = await app({ CITYOPS_TRUST_PROXY: '127.0.0.1' });
    await exhaust(a, '203.0.113.7');
    const other = await login(a, 'nobody', 'wrong-password', '198.51.100.9');
    expect(other.statusCode).toBe(401);
  });

  it('trusts a hop count too', async () => {
    const a = await app({ CITYOPS_TRUST_PROXY: '1' });
    await exhaust(a, '203.0.113.7');
    expect((await login(a, 'nobody', 'wrong-password', '198.51.100.9')).statusCode).toBe(401);
  });

  it('without it, ignores X-Forwarded-For (a client cannot choose its own bucket)', async () => {
    const a = await app();
    await exhaust(a, '203.0.113.7');
    expect((await login(a, 'nobody', 'wrong-password', '198.51.100.9')).statusCode).toBe(429);
  });
});

describe('sign-in lockout per account', () => {
  it('locks the account after CITYOPS_LOGIN_MAX_FAILURES wrong passwords; an administrator lifts it', async () => {
    const a = await app({ CITYOPS_LOGIN_MAX_FAILURES: '3', CITYOPS_TRUST_PROXY: '127.0.0.1' });
    const target = await a.services.access.createUser({
      username: 'real-admin',
      password: 'correct-horse-battery',
      role: 'admin',
      scope: null,
    });
    // From three different addresses: the per-address limit alone would never stop this.
    for (const from of ['203.0.113.1', '203.0.113.2']) {
      expect((await login(a, 'real-admin', 'guess-password', from)).statusCode).toBe(401);
    }
    const locked = await login(a, 'real-admin', 'guess-password', '203.0.113.3');
    expect(locked.statusCode).toBe(423);
    expect(locked.json()).toMatchObject({ error: { code: 'ACCOUNT_LOCKED' } });
    expect((await login(a, 'real-admin', 'correct-horse-battery', '10.0.0.9')).json()).toMatchObject({
      error: { code: 'ACCOUNT_LOCKED' },
    });

    const admin = await signIn(a, { role: 'admin', scope: null });
    const listed = await a.inject({ method: 'GET', url: '/api/v1/users', headers: admin });
    expect(listed.json<{ username: string; lockedUntil: string | null }[]>()).toContainEqual(
      expect.objectContaining({ username: 'real-admin', lockedUntil: expect.any(String) as unknown }),
    );
    const unlocked = await a.inject({
      method: 'POST',
      url: `/api/v1/users/${target.id}/unlock`,
      headers: admin,
    });
    expect(unlocked.statusCode).toBe(200);
    expect(unlocked.json()).toMatchObject({ username: 'real-admin', lockedUntil: null });
    expect((await login(a, 'real-admin', 'correct-horse-battery', '10.0.0.9')).statusCode).toBe(200);
  });
});

describe('/metrics', () => {
  it('answers without a credential on loopback, and needs one on any other address', async () => {
    expect((await (await app()).inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    const exposed = await app({ HOST: '0.0.0.0' });
    expect((await exposed.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const admin = await signIn(exposed, { role: 'admin', scope: null });
    expect((await exposed.inject({ method: 'GET', url: '/metrics', headers: admin })).statusCode).toBe(200);
    const chosen = await app({ HOST: '0.0.0.0', CITYOPS_METRICS_PUBLIC: 'on' });
    expect((await chosen.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });
});
