import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { DEFAULT_SQLITE_CACHE_MIB, type SqliteDatabase } from './database.js';

/** Opens (creating if needed) the embedded SQLite database; `file` may be ':memory:'. */
export function openSqlite(file: string, options: { cacheMiB?: number } = {}): SqliteDatabase {
  const cacheMiB = options.cacheMiB ?? DEFAULT_SQLITE_CACHE_MIB;
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new BetterSqlite3(file);
  // WAL lets readers run beside the single writer; synchronous=FULL makes a committed
  // transaction survive a power cut as well as a process crash, which is what
  // "acknowledged only after commit" promises. Batching keeps the fsync cost small.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // 64 MiB of page cache by default instead of SQLite's 2 MiB: with millions of cases the hot
  // index pages (the newest entries of each county, status and category) stay in memory between
  // commits. Each connection has its own: the HTTP thread's and each writer thread's.
  db.pragma(`cache_size = ${-cacheMiB * 1024}`);
  return {
    engine: 'sqlite',
    db,
    location: file,
    cacheMiB,
    close: () => {
      if (db.open) db.close();
      return Promise.resolve();
    },
  };
}
