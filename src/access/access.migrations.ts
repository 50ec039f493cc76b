import type { Migration } from '../platform/db/migrate.js';

const tables = (time: string): string => `
  CREATE TABLE access_users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    scope TEXT,
    department TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at ${time} NOT NULL
  );
  CREATE TABLE access_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES access_users (id) ON DELETE CASCADE,
    refresh_hash TEXT NOT NULL UNIQUE,
    expires_at ${time} NOT NULL,
    revoked_at ${time},
    created_at ${time} NOT NULL
  );
  CREATE INDEX access_sessions_user ON access_sessions (user_id);
  CREATE TABLE access_keys (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    prefix TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    scope TEXT,
    created_at ${time} NOT NULL,
    revoked_at ${time}
  );
  CREATE TABLE access_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);`;

// Per-account sign-in limit: wrong passwords in a row, and until when the account is locked.
const lockout = (time: string): string => `
  ALTER TABLE access_users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE access_users ADD COLUMN locked_until ${time};`;

/** Users, sessions, API keys, settings. Times are ISO text on SQLite and timestamptz on PostgreSQL. */
export const accessMigrations: Migration[] = [
  { id: '0004_access', sqlite: tables('TEXT'), postgres: tables('TIMESTAMPTZ') },
  { id: '0013_access_lockout', sqlite: lockout('TEXT'), postgres: lockout('TIMESTAMPTZ') },
];
