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
