import type { FastifyPluginAsync, onRequestHookHandler } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../errors.js';
import { ErrorResponseSchema } from '../platform/http/error.schema.js';
import type { AccessService } from './access.service.js';
import { toUserDto } from './access.presenter.js';
import {
  DemoUsersSchema,
  LoginBodySchema,
  MeSchema,
  RefreshBodySchema,
  TokenResponseSchema,
} from './access.schema.js';
import { DEMO_USERS } from './demo.js';

/** /api/v1/auth: sign in, refresh, sign out, who am I, and the demo accounts in demo mode. */
export function authRoutes(
  access: AccessService,
  options: { demo: boolean; loginPerMinute: number },
): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['auth'];
    // Answers carrying tokens (and their refusals) must not be kept by a browser or a proxy.
    const noStore: onRequestHookHandler = (_request, reply, done) => {
      void reply.header('cache-control', 'no-store');
      done();
    };

    app.post(
      '/auth/login',
      {
        onRequest: noStore,
        // A tight per-address limit slows password guessing (the service also locks an account after
        // repeated wrong passwords); behind a proxy the address is the client's (CITYOPS_TRUST_PROXY).
        config: { policy: { public: true }, rateLimit: { max: options.loginPerMinute, timeWindow: 60_000 } },
        schema: {
          tags,
          summary: 'Sign in with username and password 登录',
          body: LoginBodySchema,
          response: { 200: TokenResponseSchema, 401: ErrorResponseSchema, 423: ErrorResponseSchema },
        },
      },
      async (request) => {
        const { tokens, user } = await access.login(request.body.username, request.body.password);
        return { ...tokens, tokenType: 'Bearer' as const, user: toUserDto(user) };
      },
    );

    app.post(
      '/auth/refresh',
      {
        onRequest: noStore,
        config: { policy: { public: true } },
        schema: {
          tags,
          summary: 'Exchange a refresh token for a new token pair',
          body: RefreshBodySchema,
          response: { 200: TokenResponseSchema, 401: ErrorResponseSchema },
        },
      },
      async (request) => ({
        ...(await access.refresh(request.body.refreshToken)),
        tokenType: 'Bearer' as const,
      }),
    );

    app.post(
      '/auth/logout',
      {
        config: { policy: { authenticated: true } },
        schema: { tags, summary: 'End this session at once 退出', response: { 204: Type.Null() } },
      },
      async (request, reply) => {
        if (request.principal?.sessionId) await access.logout(request.principal.sessionId);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/auth/me',
      {
        config: { policy: { authenticated: true } },
        schema: { tags, summary: 'The caller: role, scope and permissions', response: { 200: MeSchema } },
      },
      async (request) => {
        const p = request.principal;
        if (!p) throw new AppError('UNAUTHENTICATED');
        return {
          kind: p.kind,
          id: p.id,
          name: p.name,
          role: p.role,
          scope: p.scope,
          department: p.department,
          permissions: [...p.permissions],
        };
      },
    );

    app.get(
      '/auth/demo-users',
      {
        config: { policy: { public: true } },
        schema: {
          tags,
          summary: 'The demo accounts (demo mode only; 404 otherwise)',
          response: { 200: DemoUsersSchema, 404: ErrorResponseSchema },
        },
      },
      async () => {
        if (!options.demo) throw new AppError('ROUTE_NOT_FOUND', 'Demo mode is off.');
        return DEMO_USERS.map(({ username, password, role, scope, label }) => ({
          username,
          password,
          role,
          scope,
          label,
        }));
      },
    );
  };
}
