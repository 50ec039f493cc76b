import type { SqliteDatabase } from '../platform/db/database.js';
import type BetterSqlite3 from 'better-sqlite3';
import { AppError } from '../errors.js';
import { StatementCache } from '../platform/db/statement-cache.js';
import type { AccessRepository, KeyRecord, SessionRecord, UserRecord } from './access.repository.js';

type Row = Record<string, unknown>;
const str = (v: unknown): string => v as string;
const opt = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));

function toUser(r: Row): UserRecord {
  return {
    id: str(r.id),
    username: str(r.username),
    passwordHash: str(r.password_hash),
    role: r.role as UserRecord['role'],
    scope: opt(r.scope),
    department: opt(r.department),
    disabled: Boolean(r.disabled),
    createdAt: str(r.created_at),
    failedLogins: Number(r.failed_logins ?? 0),
    lockedUntil: opt(r.locked_until),
  };
}
function toSession(r: Row): SessionRecord {
  return {
    id: str(r.id),
    userId: str(r.user_id),
    refreshHash: str(r.refresh_hash),
    expiresAt: str(r.expires_at),
    revokedAt: opt(r.revoked_at),
    createdAt: str(r.created_at),
  };
}
function toKey(r: Row): KeyRecord {
  return {
    id: str(r.id),
    kind: r.kind as KeyRecord['kind'],
    label: str(r.label),
    prefix: str(r.prefix),
    hash: str(r.hash),
    scope: opt(r.scope),
    createdAt: str(r.created_at),
    revokedAt: opt(r.revoked_at),
  };
}

/** AccessRepository on SQLite (async like PostgreSQL, so failures are rejections). */
export class SqliteAccessRepository implements AccessRepository {
  constructor(private readonly database: SqliteDatabase) {}

  private get db() {
    return this.database.db;
  }

  private statementCache: StatementCache | undefined;

  // Every request with an API key or a session looks one up: preparing the SELECT each time was
  // ≈3 % of HTTP ingest, so those lookups keep their statement.
  private statement(text: string): BetterSqlite3.Statement {
    return (this.statementCache ??= new StatementCache(this.db)).get(text);
  }

  async insertUser(u: UserRecord): Promise<void> {
    try {
      this.db
        .prepare(
          `INSERT INTO access_users (id, username, password_hash, role, scope, department, disabled, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          u.id,
          u.username,
          u.passwordHash,
          u.role,
          u.scope,
          u.department,
          u.disabled ? 1 : 0,
          u.createdAt,
        );
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new AppError('USER_CONFLICT', `The username "${u.username}" is taken.`);
      }
      throw error;
    }
  }
  async findUserById(id: string): Promise<UserRecord | undefined> {
    const row = this.statement('SELECT * FROM access_users WHERE id = ?').get(id) as Row | undefined;
    return row && toUser(row);
  }
  async findUserByUsername(username: string): Promise<UserRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM access_users WHERE username = ?').get(username) as
      Row | undefined;
    return row && toUser(row);
  }
  async listUsers(): Promise<UserRecord[]> {
    return (this.db.prepare('SELECT * FROM access_users ORDER BY username').all() as Row[]).map(toUser);
  }
  async countUsers(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM access_users').get() as { n: number }).n;
  }
  async setUserDisabled(id: string, disabled: boolean): Promise<boolean> {
    return (
      this.db.prepare('UPDATE access_users SET disabled = ? WHERE id = ?').run(disabled ? 1 : 0, id).changes >
      0
    );
  }

  async recordLoginFailure(id: string): Promise<number> {
    const row = this.db
      .prepare(
        'UPDATE access_users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins',
      )
      .get(id) as { failed_logins: number } | undefined;
    return row?.failed_logins ?? 0;
  }
  async lockUser(id: string, until: string): Promise<void> {
    this.db
      .prepare('UPDATE access_users SET locked_until = ?, failed_logins = 0 WHERE id = ?')
      .run(until, id);
  }
  async clearLoginFailures(id: string): Promise<boolean> {
    return (
      this.db.prepare('UPDATE access_users SET failed_logins = 0, locked_until = NULL WHERE id = ?').run(id)
        .changes > 0
    );
  }

  async insertSession(s: SessionRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO access_sessions (id, user_id, refresh_hash, expires_at, revoked_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(s.id, s.userId, s.refreshHash, s.expiresAt, s.revokedAt, s.createdAt);
  }
  async findSession(id: string): Promise<SessionRecord | undefined> {
    const row = this.statement('SELECT * FROM access_sessions WHERE id = ?').get(id) as Row | undefined;
    return row && toSession(row);
  }
  async findSessionByRefreshHash(hash: string): Promise<SessionRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM access_sessions WHERE refresh_hash = ?').get(hash) as
      Row | undefined;
    return row && toSession(row);
  }
  async rotateRefresh(id: string, refreshHash: string, expiresAt: string): Promise<boolean> {
    const result = this.db
      .prepare(
        'UPDATE access_sessions SET refresh_hash = ?, expires_at = ? WHERE id = ? AND revoked_at IS NULL',
      )
      .run(refreshHash, expiresAt, id);
    return result.changes > 0;
  }
  async revokeSession(id: string, at: string): Promise<void> {
    this.db
      .prepare('UPDATE access_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(at, id);
  }
  async revokeUserSessions(userId: string, at: string): Promise<void> {
    this.db
      .prepare('UPDATE access_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL')
      .run(at, userId);
  }

  async insertKey(k: KeyRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO access_keys (id, kind, label, prefix, hash, scope, created_at, revoked_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(k.id, k.kind, k.label, k.prefix, k.hash, k.scope, k.createdAt, k.revokedAt);
  }
  async findKeyByHash(hash: string): Promise<KeyRecord | undefined> {
    const row = this.statement('SELECT * FROM access_keys WHERE hash = ?').get(hash) as Row | undefined;
    return row && toKey(row);
  }
  async findKey(id: string): Promise<KeyRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM access_keys WHERE id = ?').get(id) as Row | undefined;
    return row && toKey(row);
  }
  async listKeys(): Promise<KeyRecord[]> {
    return (this.db.prepare('SELECT * FROM access_keys ORDER BY created_at, id').all() as Row[]).map(toKey);
  }
  async revokeKey(id: string, at: string): Promise<boolean> {
    return (
      this.db.prepare('UPDATE access_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id)
        .changes > 0
    );
  }

  async settingOrInsert(name: string, value: string): Promise<string> {
    this.db
      .prepare('INSERT INTO access_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING')
      .run(name, value);
    return (
      this.db.prepare('SELECT value FROM access_settings WHERE name = ?').get(name) as { value: string }
    ).value;
  }
}
