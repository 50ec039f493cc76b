import type { KeyRecord, UserRecord } from './access.repository.js';
import type { KeyDto, UserDto } from './access.schema.js';

/** A user for the API: everything but the password hash. */
export function toUserDto(user: UserRecord): UserDto {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    scope: user.scope,
    department: user.department,
    disabled: user.disabled,
    createdAt: user.createdAt,
    lockedUntil: user.lockedUntil,
  };
}

/** An API key for lists: never the hash, only the recognisable prefix. */
export function toKeyDto(key: KeyRecord): KeyDto {
  return {
    id: key.id,
    kind: key.kind,
    label: key.label,
    prefix: key.prefix,
    scope: key.scope,
    createdAt: key.createdAt,
    revokedAt: key.revokedAt,
  };
}
