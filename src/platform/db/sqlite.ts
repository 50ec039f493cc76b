import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';

/** Opens (creating if needed) the embedded SQLite database; `file` may be ':memory:'. */
export function openSqlite(file: string): SqliteDatabase {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new BetterSqlite3(file);
  // WAL lets readers run beside the single writer; synchronous=FULL makes a committed
  // transaction survive a power cut as well as a process crash, which is what
  // "acknowledged only after commit" promises. Batching keeps the fsync cost small.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // 64 MiB of page cache instead of 2 MiB: with millions of cases the hot index pages (the
  // newest entries of each county, status and category) stay in memory between commits.
  db.pragma('cache_size = -65536');
  return {
    engine: 'sqlite',
    db,
    location: file,
    close: () => {
      if (db.open) db.close();
      return Promise.resolve();
    },
  };
}
