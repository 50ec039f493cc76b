import type { PostgresDatabase } from '../platform/db/database.js';
import { AppError } from '../errors.js';
import type { AccessRepository, KeyRecord, SessionRecord, UserRecord } from './access.repository.js';

type Row = Record<string, unknown>;
const iso = (v: unknown): string => (v as Date).toISOString();
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));
const opt = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));

function toUser(r: Row): UserRecord {
  return {
    id: r.id as string,
    username: r.username as string,
    passwordHash: r.password_hash as string,
    role: r.role as UserRecord['role'],
    scope: opt(r.scope),
    department: opt(r.department),
    disabled: r.disabled as boolean,
    createdAt: iso(r.created_at),
    failedLogins: Number(r.failed_logins ?? 0),
    lockedUntil: isoOrNull(r.locked_until),
  };
}
function toSession(r: Row): SessionRecord {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    refreshHash: r.refresh_hash as string,
    expiresAt: iso(r.expires_at),
    revokedAt: isoOrNull(r.revoked_at),
    createdAt: iso(r.created_at),
  };
}
function toKey(r: Row): KeyRecord {
  return {
    id: r.id as string,
    kind: r.kind as KeyRecord['kind'],
    label: r.label as string,
    prefix: r.prefix as string,
    hash: r.hash as string,
    scope: opt(r.scope),
    createdAt: iso(r.created_at),
    revokedAt: isoOrNull(r.revoked_at),
  };
}

/** AccessRepository on PostgreSQL. */
export class PostgresAccessRepository implements AccessRepository {
  constructor(private readonly database: PostgresDatabase) {}

  private async one(sql: string, params: unknown[]): Promise<Row | undefined> {
    return (await this.database.pool.query<Row>(sql, params)).rows[0];
  }
  private async all(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.database.pool.query<Row>(sql, params)).rows;
  }
  private async changed(sql: string, params: unknown[]): Promise<boolean> {
    return ((await this.database.pool.query(sql, params)).rowCount ?? 0) > 0;
  }

  async insertUser(u: UserRecord): Promise<void> {
    try {
      await this.database.pool.query(
        `INSERT INTO access_users (id, username, password_hash, role, scope, department, disabled, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [u.id, u.username, u.passwordHash, u.role, u.scope, u.department, u.disabled, u.createdAt],
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new AppError('USER_CONFLICT', `The username "${u.username}" is taken.`);
      }
      throw error;
    }
  }
  async findUserById(id: string): Promise<UserRecord | undefined> {
    const row = await this.one('SELECT * FROM access_users WHERE id = $1', [id]);
    return row && toUser(row);
  }
  async findUserByUsername(username: string): Promise<UserRecord | undefined> {
    const row = await this.one('SELECT * FROM access_users WHERE username = $1', [username]);
    return row && toUser(row);
  }
  async listUsers(): Promise<UserRecord[]> {
    return (await this.all('SELECT * FROM access_users ORDER BY username')).map(toUser);
  }
  async countUsers(): Promise<number> {
    return Number((await this.one('SELECT count(*) AS n FROM access_users', []))?.n ?? 0);
  }
  async setUserDisabled(id: string, disabled: boolean): Promise<boolean> {
    return this.changed('UPDATE access_users SET disabled = $1 WHERE id = $2', [disabled, id]);
  }

  async recordLoginFailure(id: string): Promise<number> {
    const row = await this.one(
      'UPDATE access_users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins',
      [id],
    );
    return Number(row?.failed_logins ?? 0);
  }
  async lockUser(id: string, until: string): Promise<void> {
    await this.database.pool.query(
      'UPDATE access_users SET locked_until = $1, failed_logins = 0 WHERE id = $2',
      [until, id],
    );
  }
  async clearLoginFailures(id: string): Promise<boolean> {
    return this.changed('UPDATE access_users SET failed_logins = 0, locked_until = NULL WHERE id = $1', [id]);
  }

  async insertSession(s: SessionRecord): Promise<void> {
    await this.database.pool.query(
      `INSERT INTO access_sessions (id, user_id, refresh_hash, expires_at, revoked_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [s.id, s.userId, s.refreshHash, s.expiresAt, s.revokedAt, s.createdAt],
    );
  }
  async findSession(id: string): Promise<SessionRecord | undefined> {
    const row = await this.one('SELECT * FROM access_sessions WHERE id = $1', [id]);
    return row && toSession(row);
  }
  async findSessionByRefreshHash(hash: string): Promise<SessionRecord | undefined> {
    const row = await this.one('SELECT * FROM access_sessions WHERE refresh_hash = $1', [hash]);
    return row && toSession(row);
  }
  async rotateRefresh(id: string, refreshHash: string, expiresAt: string): Promise<boolean> {
    return this.changed(
      'UPDATE access_sessions SET refresh_hash = $1, expires_at = $2 WHERE id = $3 AND revoked_at IS NULL',
      [refreshHash, expiresAt, id],
    );
  }
  async revokeSession(id: string, at: string): Promise<void> {
    await this.changed('UPDATE access_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [
      at,
      id,
    ]);
  }
  async revokeUserSessions(userId: string, at: string): Promise<void> {
    await this.changed(
      'UPDATE access_sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL',
      [at, userId],
    );
  }

  async insertKey(k: KeyRecord): Promise<void> {
    await this.database.pool.query(
      `INSERT INTO access_keys (id, kind, label, prefix, hash, scope, created_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [k.id, k.kind, k.label, k.prefix, k.hash, k.scope, k.createdAt, k.revokedAt],
    );
  }
  async findKeyByHash(hash: string): Promise<KeyRecord | undefined> {
    const row = await this.one('SELECT * FROM access_keys WHERE hash = $1', [hash]);
    return row && toKey(row);
  }
  async findKey(id: string): Promise<KeyRecord | undefined> {
    const row = await this.one('SELECT * FROM access_keys WHERE id = $1', [id]);
    return row && toKey(row);
  }
  async listKeys(): Promise<KeyRecord[]> {
    return (await this.all('SELECT * FROM access_keys ORDER BY created_at, id')).map(toKey);
  }
  async revokeKey(id: string, at: string): Promise<boolean> {
    return this.changed('UPDATE access_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [
      at,
      id,
    ]);
  }

  async settingOrInsert(name: string, value: string): Promise<string> {
    await this.database.pool.query(
      'INSERT INTO access_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [name, value],
    );
    return (await this.one('SELECT value FROM access_settings WHERE name = $1', [name]))?.value as string;
  }
}
