import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStorage } from '../test-support/app.js';
import type { Storage } from '../storage.js';
import { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import type { AccessEvent } from './access.events.js';
import { AccessService, type AccessOptions } from './access.service.js';
import { DEMO_USERS } from './demo.js';

let storage: Storage;
let access: AccessService;
let now = new Date('2026-05-01T08:00:00.000Z');
let jurisdictions: JurisdictionService;
let published: AccessEvent[];
/** A service on the test's storage and clock, recording what it publishes. */
const service = (options: Partial<AccessOptions> = {}, secret?: string) =>
  AccessService.create({
    repository: storage.repositories.access,
    tree: () => jurisdictions.units,
    clock: () => now,
    options,
    secret,
    publish: async (events) => void published.push(...events),
  });
beforeEach(async () => {
  storage = await memoryStorage();
  jurisdictions = await JurisdictionService.create({ repository: storage.repositories.jurisdictions });
  now = new Date('2026-05-01T08:00:00.000Z');
  published = [];
  access = await service();
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
    [{ username: 'a b' }, /username/],
  ])('rejects %o', async (overrides, message) => {
    await expect(access.createUser({ ...commander, ...overrides })).rejects.toMatchObject({
      code: 'INVALID_USER',
      message: expect.stringMatching(message) as unknown,
    });
  });
});

describe('password policy', () => {
  it.each([
    ['short-pw1', /at least 10/],
    [DEMO_USERS[0]!.password, /published demo password/],
    ['DEMO-VIEWER-2026', /published demo password/],
    ['password123', /first an attacker tries/],
    ['Administrator', /first an attacker tries/],
    ['beibei-commander', /first an attacker tries/],
  ])('refuses %s with WEAK_PASSWORD', async (password, message) => {
    const user = { ...commander, password, username: password === 'beibei-commander' ? password : 'beibei' };
    await expect(access.createUser(user)).rejects.toMatchObject({
      code: 'WEAK_PASSWORD',
      message: expect.stringMatching(message) as unknown,
    });
  });

  it('keeps the demo usernames for demo mode', async () => {
    await expect(access.createUser({ ...commander, username: 'demo-city' })).rejects.toMatchObject({
      code: 'INVALID_USER',
      message: expect.stringMatching(/reserved for demo mode/) as unknown,
    });
    const demo = DEMO_USERS[0]!;
    await expect(access.createUser({ ...demo, department: null }, { demo: true })).resolves.toMatchObject({
      username: demo.username,
    });
  });
});

describe('sign-in lockout per account', () => {
  const wrong = async (times: number, username = 'beibei') => {
    for (let i = 0; i < times; i++) await access.login(username, 'wrong-password').catch(() => undefined);
  };

  it('locks after the configured wrong passwords, even against the right one, until the lock ends', async () => {
    access = await service({ loginMaxFailures: 3, loginLockMinutes: 15 });
    await access.createUser(commander);
    await access.createUser({ ...commander, username: 'yuzhong', scope: '500103' });
    await wrong(2);
    await expect(access.login('beibei', 'wrong-password')).rejects.toMatchObject({
      code: 'ACCOUNT_LOCKED',
      details: { lockedUntil: '2026-05-01T08:15:00.000Z' },
    });
    await expect(access.login('beibei', 'secret-password')).rejects.toMatchObject({ code: 'ACCOUNT_LOCKED' });
    // Another account, and an unknown name, are not affected.
    await expect(access.login('yuzhong', 'secret-password')).resolves.toBeDefined();
    expect(published).toEqual([
      expect.objectContaining({ type: 'account.locked', username: 'beibei', failures: 3 }),
    ]);
    now = new Date(now.getTime() + 15 * 60_000 + 1);
    await expect(access.login('beibei', 'secret-password')).resolves.toBeDefined();
  });

  it('forgets wrong passwords after a successful sign-in', async () => {
    access = await service({ loginMaxFailures: 3 });
    await access.createUser(commander);
    await wrong(2);
    await access.login('beibei', 'secret-password');
    await wrong(2);
    await expect(access.login('beibei', 'secret-password')).resolves.toBeDefined();
  });

  it('a right password checked while another attempt locked the account does not lift the lock', async () => {
    access = await service({ loginMaxFailures: 3 });
    const user = await access.createUser(commander);
    // The right guess is in flight (hashing) when the lock lands, as the 3rd wrong one would set it.
    const inFlight = access.login('beibei', 'secret-password');
    await storage.repositories.access.lockUser(user.id, new Date(now.getTime() + 15 * 60_000).toISOString());
    await expect(inFlight).rejects.toMatchObject({ code: 'ACCOUNT_LOCKED' });
    await expect(access.login('beibei', 'secret-password')).rejects.toMatchObject({ code: 'ACCOUNT_LOCKED' });
  });

  it('with a lock time of 0, stays locked until an administrator unlocks the account', async () => {
    access = await service({ loginMaxFailures: 2, loginLockMinutes: 0 });
    const user = await access.createUser(commander);
    await wrong(2);
    now = new Date(now.getTime() + 365 * 24 * 3_600_000);
    await expect(access.login('beibei', 'secret-password')).rejects.toMatchObject({
      code: 'ACCOUNT_LOCKED',
      details: { lockedUntil: null },
    });
    expect(await access.unlockUser(user.id)).toMatchObject({ lockedUntil: null, failedLogins: 0 });
    await expect(access.login('beibei', 'secret-password')).resolves.toBeDefined();
    expect(published.map((e) => e.type)).toEqual(['account.locked', 'account.unlocked']);
    await expect(access.unlockUser('no-such-user')).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });
});

describe('signing key', () => {
  const secret = 'an-operator-chosen-secret-of-48-characters-000000';

  it('refuses a token without an expiry, even signed with the real key', async () => {
    access = await service({}, secret);
    const user = await access.createUser(commander);
    const { tokens } = await access.login('beibei', 'secret-password');
    const forever = await new SignJWT({ sid: tokens.sessionId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer('cityops')
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .sign(Buffer.from(secret, 'utf8'));
    expect(await access.authenticate({ bearer: tokens.accessToken })).not.toBeNull();
    expect(await access.authenticate({ bearer: forever })).toBeNull();
  });

  it('uses a configured secret instead of storing one in the database', async () => {
    await storage.database.close();
    storage = await memoryStorage();
    access = await service({}, secret);
    await access.createUser(commander);
    const { tokens } = await access.login('beibei', 'secret-password');
    expect(await storage.repositories.access.settingOrInsert('token_secret', 'none-stored')).toBe(
      'none-stored',
    );
    // A process with another key (the stored one, after a rotation) refuses the token.
    const other = await service();
    expect(await other.authenticate({ bearer: tokens.accessToken })).toBeNull();
    expect(await (await service({}, secret)).authenticate({ bearer: tokens.accessToken })).not.toBeNull();
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
    expect(published).toEqual([expect.objectContaining({ type: 'key.revoked', keyId: record.id })]);
    await expect(access.revokeKey(record.id)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  });
});
