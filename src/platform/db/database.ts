import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';

/** The embedded engine: one SQLite file in WAL mode, used synchronously. */
/** The SQLite page cache per connection unless configured (CITYOPS_SQLITE_CACHE_MIB), MiB. */
export const DEFAULT_SQLITE_CACHE_MIB = 64;

export interface SqliteDatabase {
  readonly engine: 'sqlite';
  readonly db: BetterSqlite3.Database;
  /** Where the file lives, or ':memory:'. */
  readonly location: string;
  /** The page cache of each connection, MiB (writer threads open theirs with the same). */
  readonly cacheMiB: number;
  close(): Promise<void>;
}

/** The scale-out engine: a PostgreSQL pool, optionally pinned to one schema (tests use a schema each). */
export interface PostgresDatabase {
  readonly engine: 'postgres';
  readonly pool: pg.Pool;
  readonly schema: string | undefined;
  readonly location: string;
  close(): Promise<void>;
}

/** Either engine; repositories pick their implementation by `engine`. */
export type Database = SqliteDatabase | PostgresDatabase;

/** Engine names, as used by the contract suite and the logs. */
export type Engine = Database['engine'];
