import { describe, expect, it } from 'vitest';
import { describeContract } from '../test-support/engines.js';
import type { KeyRecord, SessionRecord, UserRecord } from './access.repository.js';

let n = 0;
const user = (overrides: Partial<UserRecord> = {}): UserRecord => ({
  id: `u-${++n}`,
  username: `user${n}`,
  passwordHash: 'scrypt$1$1$1$a$b',
  role: 'county_commander',
  scope: '500109',
  department: null,
  disabled: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  failedLogins: 0,
  lockedUntil: null,
  ...overrides,
});
const session = (userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  id: `s-${++n}`,
  userId,
  refreshHash: `h-${n}`,
  expiresAt: '2026-02-01T00:00:00.000Z',
  revokedAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});
const key = (overrides: Partial<KeyRecord> = {}): KeyRecord => ({
  id: `k-${++n}`,
  kind: 'device',
  label: 'gateway',
  prefix: 'cok_device_abc',
  hash: `kh-${n}`,
  scope: '500109',
  createdAt: '2026-01-01T00:00:00.000Z',
  revokedAt: null,
  ...overrides,
});

describeContract('AccessRepository', (ctx) => {
  const repo = () => ctx().repositories.access;

  describe('users', () => {
    it('stores and finds users by id and username', async () => {
      const u = user({ department: 'water', role: 'department_handler' });
      await repo().insertUser(u);
      expect(await repo().findUserById(u.id)).toEqual(u);
      expect(await repo().findUserByUsername(u.username)).toEqual(u);
      expect(await repo().findUserByUsername('nobody')).toBeUndefined();
      expect(await repo().countUsers()).toBeGreaterThanOrEqual(1);
    });

    it('refuses a taken username with USER_CONFLICT', async () => {
      const u = user();
      await repo().insertUser(u);
      await expect(repo().insertUser(user({ username: u.username }))).rejects.toMatchObject({
        code: 'USER_CONFLICT',
      });
    });

    it('disables a user', async () => {
      const u = user();
      await repo().insertUser(u);
      expect(await repo().setUserDisabled(u.id, true)).toBe(true);
      expect((await repo().findUserById(u.id))?.disabled).toBe(true);
    });

    it('counts wrong passwords, locks, and clears both', async () => {
      const u = user();
      await repo().insertUser(u);
      expect(await repo().recordLoginFailure(u.id)).toBe(1);
      expect(await repo().recordLoginFailure(u.id)).toBe(2);
      expect(await repo().recordLoginFailure('no-such-user')).toBe(0);
      await repo().lockUser(u.id, '9999-12-31T23:59:59.999Z');
      expect(await repo().findUserById(u.id)).toMatchObject({
        failedLogins: 0,
        lockedUntil: '9999-12-31T23:59:59.999Z',
      });
      await repo().recordLoginFailure(u.id);
      expect(await repo().clearLoginFailures(u.id)).toBe(true);
      expect(await repo().findUserById(u.id)).toMatchObject({ failedLogins: 0, lockedUntil: null });
      expect(await repo().clearLoginFailures('no-such-user')).toBe(false);
    });
  });

  describe('sessions', () => {
    it('rotates a refresh token and revokes sessions', async () => {
      const u = user();
      await repo().insertUser(u);
      const s = session(u.id);
      await repo().insertSession(s);
      expect(await repo().findSessionByRefreshHash(s.refreshHash)).toEqual(s);
      expect(await repo().rotateRefresh(s.id, 'rotated', '2026-03-01T00:00:00.000Z')).toBe(true);
      expect(await repo().findSessionByRefreshHash(s.refreshHash)).toBeUndefined();
      expect((await repo().findSession(s.id))?.expiresAt).toBe('2026-03-01T00:00:00.000Z');
      await repo().revokeSession(s.id, '2026-01-02T00:00:00.000Z');
      expect((await repo().findSession(s.id))?.revokedAt).toBe('2026-01-02T00:00:00.000Z');
      expect(await repo().rotateRefresh(s.id, 'again', '2026-03-01T00:00:00.000Z')).toBe(false);
    });

    it('revokes every session of a user', async () => {
      const u = user();
      await repo().insertUser(u);
      const [a, b] = [session(u.id), session(u.id)];
      await repo().insertSession(a);
      await repo().insertSession(b);
      await repo().revokeUserSessions(u.id, '2026-01-03T00:00:00.000Z');
      expect((await repo().findSession(a.id))?.revokedAt).not.toBeNull();
      expect((await repo().findSession(b.id))?.revokedAt).not.toBeNull();
    });
  });

  describe('keys', () => {
    it('finds keys by hash, lists and revokes them once', async () => {
      const k = key({ scope: null, kind: 'open311' });
      await repo().insertKey(k);
      expect(await repo().findKeyByHash(k.hash)).toEqual(k);
      expect(await repo().findKey(k.id)).toEqual(k);
      expect(await repo().findKey('no-such-key')).toBeUndefined();
      expect((await repo().listKeys()).map((x) => x.id)).toContain(k.id);
      expect(await repo().revokeKey(k.id, '2026-01-04T00:00:00.000Z')).toBe(true);
      expect(await repo().revokeKey(k.id, '2026-01-05T00:00:00.000Z')).toBe(false);
      expect((await repo().findKeyByHash(k.hash))?.revokedAt).toBe('2026-01-04T00:00:00.000Z');
    });
  });

  describe('settings', () => {
    it('keeps the first value stored under a name', async () => {
      expect(await repo().settingOrInsert('token_secret', 'first')).toBe('first');
      expect(await repo().settingOrInsert('token_secret', 'second')).toBe('first');
    });
  });
});
