import type { KeyKind, Role } from './roles.js';

/** A user account as stored. */
export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
  scope: string | null;
  department: string | null;
  disabled: boolean;
  createdAt: string;
  /** Wrong passwords in a row since the last successful sign-in or unlock. */
  failedLogins: number;
  /** While in the future, sign-in is refused (ACCOUNT_LOCKED); null when not locked. */
  lockedUntil: string | null;
}

/** A sign-in session: the refresh token (hashed) and whether it was revoked (logout). */
export interface SessionRecord {
  id: string;
  userId: string;
  refreshHash: string;
  expiresAt: string;
  revokedAt: string | null;
  createdAt: string;
}

/** An API key for a device, camera or Open311 client; only a hash of the secret is kept. */
export interface KeyRecord {
  id: string;
  kind: KeyKind;
  label: string;
  /** The first characters of the key, to recognise it in lists. */
  prefix: string;
  hash: string;
  scope: string | null;
  createdAt: string;
  revokedAt: string | null;
}

/** Storage for users, sessions, API keys and access settings (the token signing secret). */
export interface AccessRepository {
  insertUser(user: UserRecord): Promise<void>;
  findUserById(id: string): Promise<UserRecord | undefined>;
  findUserByUsername(username: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  countUsers(): Promise<number>;
  setUserDisabled(id: string, disabled: boolean): Promise<boolean>;
  /** Counts one more wrong password atomically; returns the new count (0 for an unknown id). */
  recordLoginFailure(id: string): Promise<number>;
  /** Locks the account until `until` and restarts its count of wrong passwords. */
  lockUser(id: string, until: string): Promise<void>;
  /** Clears the count and any lock (a successful sign-in, or an administrator's unlock). */
  clearLoginFailures(id: string): Promise<boolean>;

  insertSession(session: SessionRecord): Promise<void>;
  findSession(id: string): Promise<SessionRecord | undefined>;
  findSessionByRefreshHash(hash: string): Promise<SessionRecord | undefined>;
  /** Replaces the refresh token of a live session (rotation); false when it was revoked meanwhile. */
  rotateRefresh(id: string, refreshHash: string, expiresAt: string): Promise<boolean>;
  revokeSession(id: string, at: string): Promise<void>;
  revokeUserSessions(userId: string, at: string): Promise<void>;

  insertKey(key: KeyRecord): Promise<void>;
  findKeyByHash(hash: string): Promise<KeyRecord | undefined>;
  findKey(id: string): Promise<KeyRecord | undefined>;
  listKeys(): Promise<KeyRecord[]>;
  revokeKey(id: string, at: string): Promise<boolean>;

  /** Stores `value` under `name` unless one exists; returns the stored value either way (race-safe). */
  settingOrInsert(name: string, value: string): Promise<string>;
}
