import { InProcessBus } from '../platform/bus/in-process-bus.js';
import type { SqliteDatabase } from '../platform/db/database.js';
import { migrate } from '../platform/db/migrate.js';
import { openSqlite } from '../platform/db/sqlite.js';
import { createRepositories, MIGRATIONS } from '../storage.js';
import {
  openTelemetryEngine,
  type TelemetryEngine,
  type TelemetryEngineOptions,
} from '../telemetry/store/telemetry-engine.js';

/**
 * The production telemetry path on a SQLite file (writer thread, jobs running) for tests,
 * benchmarks and the crash fixture: migrates the file, opens the engine on a fresh bus.
 */
export async function openEngineOnFile(
  file: string,
  options: Omit<TelemetryEngineOptions, 'database' | 'repository' | 'bus'>,
): Promise<{ engine: TelemetryEngine; database: SqliteDatabase; close(): Promise<void> }> {
  const database = openSqlite(file);
  await migrate(database, MIGRATIONS);
  const engine = await openTelemetryEngine({
    ...options,
    database,
    repository: createRepositories(database).readings,
    bus: new InProcessBus(),
  });
  return {
    engine,
    database,
    close: async () => {
      await engine.close();
      await database.close();
    },
  };
}
