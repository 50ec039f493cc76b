import { Type, type Static } from 'typebox';
import { KEY_KINDS, ROLES, type KeyKind, type Role } from './roles.js';

const RoleSchema = Type.Unsafe<Role>({ type: 'string', enum: [...ROLES] });
const KeyKindSchema = Type.Unsafe<KeyKind>({ type: 'string', enum: [...KEY_KINDS] });
const Scope = Type.Union(
  [Type.String({ minLength: 2, maxLength: 24, pattern: '^[0-9A-Za-z_-]+$' }), Type.Null()],
  {
    description: 'jurisdiction code of the subtree worked in; null = everywhere (administrators only)',
  },
);

/** A user as the API shows it (never the password hash). */
export const UserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  role: RoleSchema,
  scope: Type.Union([Type.String(), Type.Null()]),
  department: Type.Union([Type.String(), Type.Null()]),
  disabled: Type.Boolean(),
  createdAt: Type.String(),
  lockedUntil: Type.Union([Type.String(), Type.Null()], {
    description: 'sign-in is refused (ACCOUNT_LOCKED) while this lies ahead; 9999-… until unlocked',
  }),
});
export type UserDto = Static<typeof UserSchema>;

export const LoginBodySchema = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const RefreshBodySchema = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);

export const TokenResponseSchema = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'seconds until the access token expires' }),
  user: Type.Optional(UserSchema),
});

/** The caller, as GET /api/v1/auth/me shows it. */
export const MeSchema = Type.Object({
  kind: Type.Union([Type.Literal('user'), Type.Literal('key')]),
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
  scope: Type.Union([Type.String(), Type.Null()]),
  department: Type.Union([Type.String(), Type.Null()]),
  permissions: Type.Array(Type.String()),
});

export const NewUserSchema = Type.Object(
  {
    username: Type.String({ minLength: 3, maxLength: 64 }),
    password: Type.String({ minLength: 10, maxLength: 256 }),
    role: RoleSchema,
    scope: Scope,
    department: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  },
  { additionalProperties: false },
);

/** An API key as listed (the secret itself is shown only once, at creation). */
export const KeySchema = Type.Object({
  id: Type.String(),
  kind: KeyKindSchema,
  label: Type.String(),
  prefix: Type.String(),
  scope: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});
export type KeyDto = Static<typeof KeySchema>;

export const NewKeySchema = Type.Object(
  { kind: KeyKindSchema, label: Type.Optional(Type.String({ maxLength: 64 })), scope: Type.Optional(Scope) },
  { additionalProperties: false },
);

export const CreatedKeySchema = Type.Object({
  key: Type.String({ description: 'shown once' }),
  record: KeySchema,
});

export const DemoUsersSchema = Type.Array(
  Type.Object({
    username: Type.String(),
    password: Type.String(),
    role: Type.String(),
    scope: Type.String(),
    label: Type.String(),
  }),
);
