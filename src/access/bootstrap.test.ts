import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import type { Storage } from '../storage.js';
import { memoryStorage } from '../test-support/app.js';
import { AccessService } from './access.service.js';
import { ensureFirstAdmin } from './bootstrap.js';
import { syncDemoUsers } from './demo.js';

let storage: Storage;
let access: AccessService;
beforeEach(async () => {
  storage = await memoryStorage();
  const jurisdictions = await JurisdictionService.create({ repository: storage.repositories.jurisdictions });
  access = await AccessService.create({
    repository: storage.repositories.access,
    tree: () => jurisdictions.units,
  });
});
afterEach(async () => storage.database.close());

const find = (username: string) => storage.repositories.access.findUserByUsername(username);

describe('ensureFirstAdmin', () => {
  it('creates the administrator once, with a generated password that signs in', async () => {
    const first = await ensureFirstAdmin(access, storage.repositories.access, undefined);
    expect(first).toMatchObject({ username: 'admin' });
    expect(first!.password!.length).toBeGreaterThanOrEqual(16);
    await expect(access.login('admin', first!.password!)).resolves.toMatchObject({ user: { role: 'admin' } });
    expect(await ensureFirstAdmin(access, storage.repositories.access, undefined)).toBeNull();
  });

  it('still creates it when demo mode made its users first', async () => {
    await syncDemoUsers(access, find, true);
    const created = await ensureFirstAdmin(access, storage.repositories.access, 'configured-admin-pass');
    expect(created).toEqual({ username: 'admin', password: null });
    await expect(access.login('admin', 'configured-admin-pass')).resolves.toMatchObject({
      user: { role: 'admin' },
    });
  });

  it('refuses a published or default CITYOPS_ADMIN_PASSWORD with a StartupError naming it', async () => {
    await expect(ensureFirstAdmin(access, storage.repositories.access, 'demo-city-2026')).rejects.toThrow(
      /^CITYOPS_ADMIN_PASSWORD: .*published demo password/,
    );
    await expect(ensureFirstAdmin(access, storage.repositories.access, 'password123')).rejects.toMatchObject({
      name: 'StartupError',
    });
  });
});
