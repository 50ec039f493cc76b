import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStorage } from '../test-support/app.js';
import type { Storage } from '../storage.js';
import { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import { AccessService } from './access.service.js';

let storage: Storage;
let access: AccessService;
let now = new Date('2026-05-01T08:00:00.000Z');
beforeEach(async () => {
  storage = await memoryStorage();
  const jurisdictions = await JurisdictionService.create({ repository: storage.repositories.jurisdictions });
  now = new Date('2026-05-01T08:00:00.000Z');
  access = await AccessService.create({
    repository: storage.repositories.access,
    tree: () => jurisdictions.units,
    clock: () => now,
  });
});
afterEach(async () => storage.database.close());

const commander = {
  username: 'beibei',
  password: 'secret-password',
  role: 'county_commander' as const,
  scope: '500109',
};

describe('users', () => {
  it('stores only a scrypt hash of the password', async () => {
    const user = await access.createUser(commander);
    expect(user.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(user.passwordHash).not.toContain(commander.password);
  });

  it.each([
    [{ scope: '500109001' }, /county level/],
    [{ role: 'township_operator' as const, scope: '500109' }, /township level/],
    [{ scope: null }, /needs a jurisdiction/],
    [{ scope: '999999' }, /No jurisdiction/],
    [{ role: 'department_handler' as const }, /needs a department/],
    [{ password: 'short' }, /at least 8/],
    [{ username: 'a b' }, /username/],
  ])('rejects %o', async (overrides, message) => {
    await expect(access.createUser({ ...commander, ...overrides })).rejects.toMatchObject({
      code: 'INVALID_USER',
      message: expect.stringMatching(message) as unknown,
    });
  });
});

describe('sessions', () => {
  it('signs in, authenticates the token, and logout takes effect at once', async () => {
    await access.createUser(commander);
    const { tokens } = await access.login('beibei', 'secret-password');
    const principal = await access.authenticate({ bearer: tokens.accessToken });
    expect(principal).toMatchObject({ kind: 'user', role: 'county_commander', scope: '500109' });
    await access.logout(tokens.sessionId);
    expect(await access.authenticate({ bearer: tokens.accessToken })).toBeNull();
    await expect(access.refresh(tokens.refreshToken)).rejects.toMatchObject({
      code: 'INVALID_REFRESH_TOKEN',
    });
  });

  it('answers a wrong password and an unknown user alike', async () => {
    await access.createUser(commander);
    await expect(access.login('beibei', 'wrong-password')).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    await expect(access.login('nobody', 'secret-password')).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
  });

  it('rotates refresh tokens: the old one stops working', async () => {
    await access.createUser(commander);
    const { tokens } = await access.login('beibei', 'secret-password');
    const next = await access.refresh(tokens.refreshToken);
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    await expect(access.refresh(tokens.refreshToken)).rejects.toMatchObject({
      code: 'INVALID_REFRESH_TOKEN',
    });
    expect(await access.authenticate({ bearer: next.accessToken })).not.toBeNull();
  });

  it('expires access tokens after their lifetime (injected clock)', async () => {
    await access.createUser(commander);
    const { tokens } = await access.login('beibei', 'secret-password');
    now = new Date(now.getTime() + 16 * 60 * 1000);
    expect(await access.authenticate({ bearer: tokens.accessToken })).toBeNull();
  });

  it('refuses a disabled user at once, even with a live token', async () => {
    const user = await access.createUser(commander);
    const { tokens } = await access.login('beibei', 'secret-password');
    await storage.repositories.access.setUserDisabled(user.id, true);
    expect(await access.authenticate({ bearer: tokens.accessToken })).toBeNull();
  });

  it('rejects a forged token signed with another secret', async () => {
    expect(
      await access.authenticate({
        bearer:
          'eyJhbGciOiJIUzI1NiJ9.eyJzaWQiOiJ4Iiwic3ViIjoieCIsImlzcyI6ImNpdHlvcHMiLCJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJl',
      }),
    ).toBeNull();
  });
});

describe('API keys', () => {
  it('works until revoked, and revocation takes effect at once', async () => {
    const { key, record } = await access.createKey({ kind: 'device', label: 'gateway-1', scope: '500109' });
    expect(key).toMatch(/^cok_device_/);
    expect(record.hash).not.toContain(key);
    expect(await access.authenticate({ apiKey: key })).toMatchObject({
      kind: 'key',
      role: 'device',
      scope: '500109',
      permissions: new Set(['telemetry:ingest']),
    });
    await access.revokeKey(record.id);
    expect(await access.authenticate({ apiKey: key })).toBeNull();
    await expect(access.revokeKey(record.id)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  });
});
