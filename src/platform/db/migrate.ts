import type { Database } from './database.js';
import { withTransaction } from './postgres.js';

/** One versioned schema change, written once per engine. Ids sort in the order they apply. */
export interface Migration {
  id: string;
  sqlite: string;
  postgres: string;
}

// Arbitrary but fixed: serialises concurrent migrators (several cityops processes starting at once).
const PG_MIGRATION_LOCK = 720_500_051;

/** Applies every migration not yet recorded, each in its own transaction; returns the ids applied. */
export async function migrate(database: Database, migrations: readonly Migration[]): Promise<string[]> {
  const ids = migrations.map((m) => m.id);
  if (new Set(ids).size !== ids.length) throw new Error('duplicate migration id');
  if ([...ids].sort().join() !== ids.join()) throw new Error('migrations must be listed in id order');
  const applied: string[] = [];
  if (database.engine === 'sqlite') {
    const { db } = database;
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`);
    const done = new Set(
      db
        .prepare('SELECT id FROM schema_migrations')
        .all()
        .map((row) => (row as { id: string }).id),
    );
    const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
    for (const migration of migrations) {
      if (done.has(migration.id)) continue;
      db.transaction(() => {
        db.exec(migration.sqlite);
        record.run(migration.id, new Date().toISOString());
      }).immediate();
      applied.push(migration.id);
    }
    return applied;
  }
  await withTransaction(database.pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [PG_MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)',
    );
    const { rows } = await client.query<{ id: string }>('SELECT id FROM schema_migrations');
    const done = new Set(rows.map((row) => row.id));
    for (const migration of migrations) {
      if (done.has(migration.id)) continue;
      await client.query(migration.postgres);
      await client.query('INSERT INTO schema_migrations (id, applied_at) VALUES ($1, now())', [migration.id]);
      applied.push(migration.id);
    }
  });
  return applied;
}
