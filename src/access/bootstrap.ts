import type { AccessRepository } from './access.repository.js';
import type { AccessService } from './access.service.js';
import { generatePassword } from './password.js';

/**
 * Creates the first administrator when there are no users at all: with CITYOPS_ADMIN_PASSWORD, or
 * a generated password that the caller prints once (it is never logged and cannot be shown again).
 */
export async function ensureFirstAdmin(
  access: AccessService,
  repository: AccessRepository,
  configured: string | undefined,
): Promise<{ username: string; password: string | null } | null> {
  if ((await repository.countUsers()) > 0) return null;
  const password = configured ?? generatePassword();
  await access.createUser({ username: 'admin', password, role: 'admin', scope: null });
  return { username: 'admin', password: configured ? null : password };
}
