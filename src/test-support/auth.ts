import type { FastifyInstance } from 'fastify';
import type { Role } from '../access/roles.js';

let counter = 0;

/** Creates a user with the given role and scope and signs it in; returns the headers to send. */
export async function signIn(
  app: FastifyInstance,
  user: { role: Role; scope: string | null; department?: string; username?: string },
): Promise<{ authorization: string }> {
  const username = user.username ?? `test-${user.role}-${++counter}`;
  const password = 'correct-horse-battery';
  await app.services.access.createUser({ ...user, username, password, department: user.department ?? null });
  const { tokens } = await app.services.access.login(username, password);
  return { authorization: `Bearer ${tokens.accessToken}` };
}
