import { AppError, StartupError } from '../errors.js';
import type { AccessRepository } from './access.repository.js';
import type { AccessService } from './access.service.js';
import { generatePassword } from './password.js';

/**
 * Creates the first administrator when no administrator account exists yet (demo mode's users do
 * not count: none of them is an administrator): with CITYOPS_ADMIN_PASSWORD, or a generated
 * password that the caller prints once (it is never logged and cannot be shown again). An `admin`
 * account that exists in any state — disabled on purpose, say — is left alone.
 */
export async function ensureFirstAdmin(
  access: AccessService,
  repository: AccessRepository,
  configured: string | undefined,
): Promise<{ username: string; password: string | null } | null> {
  const users = await repository.listUsers();
  if (users.some((u) => u.role === 'admin') || users.some((u) => u.username === 'admin')) return null;
  const password = configured ?? generatePassword();
  try {
    await access.createUser({ username: 'admin', password, role: 'admin', scope: null });
  } catch (error) {
    // A weak CITYOPS_ADMIN_PASSWORD is the operator's to fix: one line, no stack trace.
    if (error instanceof AppError && error.code === 'WEAK_PASSWORD') {
      throw new StartupError(`CITYOPS_ADMIN_PASSWORD: ${error.message}`);
    }
    throw error;
  }
  return { username: 'admin', password: configured ? null : password };
}
