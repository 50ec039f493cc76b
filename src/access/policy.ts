import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { AccessService } from './access.service.js';
import { visibilityOf, type Principal } from './principal.js';
import { type Visibility } from '../jurisdictions/visibility.js';
import type { Permission } from './roles.js';

/**
 * Who may call a route. Every /api route declares one in `config.policy`; a route without one
 * makes the app refuse to start, so a new route cannot forget it.
 */
export type RoutePolicy = { public: true } | { authenticated: true } | { permission: Permission };

declare module 'fastify' {
  interface FastifyContextConfig {
    policy?: RoutePolicy;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Routes that must declare a policy: the API and the operations endpoints. */
function needsPolicy(url: string): boolean {
  if (url.startsWith('/api/docs')) return false;
  return url.startsWith('/api/') || url === '/metrics' || url === '/healthz';
}

/** Every registered route with its policy, in registration order: the authorization matrix reads it. */
export interface RouteEntry {
  method: string;
  url: string;
  policy: RoutePolicy;
}

/**
 * Installs authentication and authorization for the whole app, in one place: reads the bearer
 * token or X-API-Key, sets `request.principal`, and answers 401/403 before any handler runs.
 * Must be installed before routes are registered. Returns the live route table.
 */
export function installAccessControl(app: FastifyInstance, access: AccessService): RouteEntry[] {
  const routes: RouteEntry[] = [];
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    const policy = route.config?.policy;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!policy) {
      if (needsPolicy(route.url)) {
        throw new Error(`route ${methods.join(',')} ${route.url} has no access policy (config.policy)`);
      }
      return;
    }
    for (const method of methods) if (method !== 'HEAD') routes.push({ method, url: route.url, policy });
  });
  app.addHook('onRequest', async (request) => {
    const policy = request.routeOptions.config?.policy;
    if (!policy) return;
    request.principal = await access.authenticate(credentialsOf(request));
    if ('public' in policy) return;
    if (!request.principal) throw new AppError('UNAUTHENTICATED');
    if ('permission' in policy && !request.principal.permissions.has(policy.permission)) {
      throw new AppError(
        'FORBIDDEN',
        `Your role (${request.principal.role}) may not do this (${policy.permission}).`,
      );
    }
  });
  return routes;
}

/** The credentials a request carries: `Authorization: Bearer …` or `X-API-Key: …`. */
function credentialsOf(request: FastifyRequest): { bearer?: string; apiKey?: string } {
  const header = request.headers.authorization;
  const apiKey = request.headers['x-api-key'];
  const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  return {
    ...(bearer ? { bearer } : {}),
    ...(typeof apiKey === 'string' && apiKey ? { apiKey } : {}),
  };
}

/** What the caller of this request may see; services filter and 404 by it. */
export function visibility(request: FastifyRequest, tree: JurisdictionTree): Visibility {
  return visibilityOf(request.principal, tree);
}

/**
 * The rate limit's key and ceiling per caller: per user or per key once authenticated (the limit
 * runs after access control), per address otherwise; keys get their own, larger, ceiling.
 */
export function principalRateLimit(perMinute: { user: number; key: number }): {
  key: (request: FastifyRequest) => string;
  max: (request: FastifyRequest) => number;
} {
  return {
    key: (request) =>
      request.principal ? `${request.principal.kind}:${request.principal.id}` : `ip:${request.ip}`,
    max: (request) => (request.principal?.kind === 'key' ? perMinute.key : perMinute.user),
  };
}
