import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../errors.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import { ErrorResponseSchema } from '../platform/http/error.schema.js';
import type { AccessRepository } from './access.repository.js';
import type { AccessService } from './access.service.js';
import { toKeyDto, toUserDto } from './access.presenter.js';
import { CreatedKeySchema, KeySchema, NewKeySchema, NewUserSchema, UserSchema } from './access.schema.js';
import { visibility } from './policy.js';

/** /api/v1/users and /api/v1/keys: accounts and API keys, for administrators. */
export function adminRoutes(
  access: AccessService,
  repository: AccessRepository,
  tree: () => JurisdictionTree,
): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const users = { policy: { permission: 'users:manage' } } as const;
    const keys = { policy: { permission: 'keys:manage' } } as const;

    app.get(
      '/users',
      {
        config: users,
        schema: { tags: ['access'], summary: 'List users', response: { 200: Type.Array(UserSchema) } },
      },
      async (request) => {
        const seen = visibility(request, tree());
        return (await repository.listUsers())
          .filter((u) => (u.scope === null ? seen.root === null : seen.contains(u.scope)))
          .map(toUserDto);
      },
    );

    app.post(
      '/users',
      {
        config: users,
        schema: {
          tags: ['access'],
          summary: 'Create a user bound to a jurisdiction 新增用户',
          body: NewUserSchema,
          response: { 201: UserSchema, 409: ErrorResponseSchema, 422: ErrorResponseSchema },
        },
      },
      async (request, reply) => {
        const seen = visibility(request, tree());
        // An administrator bound to a subtree may only create users inside it.
        if (seen.root !== null && (request.body.scope === null || !seen.contains(request.body.scope))) {
          throw new AppError('INVALID_USER', 'The scope lies outside your jurisdiction.');
        }
        const user = await access.createUser({
          ...request.body,
          department: request.body.department ?? null,
        });
        return reply.status(201).send(toUserDto(user));
      },
    );

    app.post(
      '/users/:id/unlock',
      {
        config: users,
        schema: {
          tags: ['access'],
          summary: 'Lift a sign-in lock after too many wrong passwords 解锁账号',
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
          response: { 200: UserSchema, 404: ErrorResponseSchema },
        },
      },
      async (request) => {
        const seen = visibility(request, tree());
        const user = await repository.findUserById(request.params.id);
        // Like every scoped record: a user outside the caller's jurisdiction answers as missing.
        if (!user || (seen.root !== null && !seen.contains(user.scope))) throw new AppError('USER_NOT_FOUND');
        return toUserDto(await access.unlockUser(user.id));
      },
    );

    app.get(
      '/keys',
      {
        config: keys,
        schema: { tags: ['access'], summary: 'List API keys', response: { 200: Type.Array(KeySchema) } },
      },
      async (request) => {
        const seen = visibility(request, tree());
        return (await repository.listKeys())
          .filter((k) => (k.scope === null ? seen.root === null : seen.contains(k.scope)))
          .map(toKeyDto);
      },
    );

    app.post(
      '/keys',
      {
        config: keys,
        schema: {
          tags: ['access'],
          summary: 'Create an API key for a device, camera or Open311 client (the key is shown once)',
          body: NewKeySchema,
          response: { 201: CreatedKeySchema, 422: ErrorResponseSchema },
        },
      },
      async (request, reply) => {
        const seen = visibility(request, tree());
        const scope = request.body.scope ?? seen.root;
        if (seen.root !== null && (scope === null || !seen.contains(scope))) {
          throw new AppError('INVALID_JURISDICTION', 'The scope lies outside your jurisdiction.');
        }
        const created = await access.createKey({
          kind: request.body.kind,
          label: request.body.label ?? '',
          scope,
        });
        return reply.status(201).send({ key: created.key, record: toKeyDto(created.record) });
      },
    );

    app.delete(
      '/keys/:id',
      {
        config: keys,
        schema: {
          tags: ['access'],
          summary: 'Revoke an API key (at once)',
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
          response: { 204: Type.Null(), 404: ErrorResponseSchema },
        },
      },
      async (request, reply) => {
        const seen = visibility(request, tree());
        const key = await repository.findKey(request.params.id);
        if (!key || (seen.root !== null && !seen.contains(key.scope))) throw new AppError('KEY_NOT_FOUND');
        await access.revokeKey(key.id);
        return reply.status(204).send(null);
      },
    );
  };
}
