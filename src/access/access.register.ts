import type { FastifyInstance } from 'fastify';
import type { OpenApiTag } from '../platform/http/shell.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { AccessRepository } from './access.repository.js';
import type { AccessService } from './access.service.js';
import { adminRoutes } from './admin.routes.js';
import { authRoutes } from './auth.routes.js';

/** This domain's OpenAPI tags, with what each groups. */
export const ACCESS_TAGS: OpenApiTag[] = [
  { name: 'auth', description: '登录 sign-in: tokens for users (Bearer); devices use X-API-Key' },
  { name: 'access', description: '用户与密钥 users and API keys (administrators)' },
];

/** What the access routes need: the service, its repository (admin listings) and the jurisdiction tree. */
export interface AccessRouteDeps {
  access: AccessService;
  repository: AccessRepository;
  tree: () => JurisdictionTree;
  demo: boolean;
}

/** Registers sign-in (/api/v1/auth) and the users and keys administration under /api/v1. */
export async function registerAccess(app: FastifyInstance, deps: AccessRouteDeps): Promise<void> {
  await app.register(authRoutes(deps.access, { demo: deps.demo, loginPerMinute: 20 }), { prefix: '/api/v1' });
  await app.register(adminRoutes(deps.access, deps.repository, deps.tree), { prefix: '/api/v1' });
}
