import type { FastifyInstance } from 'fastify';
import { build, type BuildOptions } from '../app.js';
import { loadConfig } from '../config.js';
import { migrate } from '../platform/db/migrate.js';
import { openSqlite } from '../platform/db/sqlite.js';
import { MIGRATIONS, storageOn, type Storage } from '../storage.js';

/** An in-memory storage, migrated, for HTTP tests. */
export async function memoryStorage(): Promise<Storage> {
  const database = openSqlite(':memory:');
  const applied = await migrate(database, MIGRATIONS);
  return storageOn(database, applied);
}

/** The whole app on an in-memory database, without a port: drive it with `app.inject()`. */
export async function buildTestApp(
  storage?: Storage,
  env: Record<string, string> = {},
  options: Pick<BuildOptions, 'clock' | 'alarmTickMs'> = {},
): Promise<FastifyInstance> {
  const own = storage ?? (await memoryStorage());
  return build(loadConfig({ CITYOPS_LOG_LEVEL: 'silent', ...env }), {
    storage: own,
    closeStorage: storage === undefined,
    logger: false,
    ...options,
  });
}
