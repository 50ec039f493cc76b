import { InProcessBus } from '../platform/bus/in-process-bus.js';
import type { SqliteDatabase } from '../platform/db/database.js';
import { migrate } from '../platform/db/migrate.js';
import { openSqlite } from '../platform/db/sqlite.js';
import { MIGRATIONS, storageOn } from '../storage.js';
import {
  openTelemetryEngine,
  type TelemetryEngine,
  type TelemetryEngineOptions,
} from '../telemetry/store/telemetry-engine.js';

/**
 * The production telemetry path on a SQLite file (writer thread, jobs running) for tests,
 * benchmarks and the crash fixture: migrates the file, starts its storage's telemetry writer
 * thread, opens the engine on a fresh bus.
 */
export async function openEngineOnFile(
  file: string,
  options: Omit<TelemetryEngineOptions, 'repository' | 'bus'>,
): Promise<{ engine: TelemetryEngine; database: SqliteDatabase; close: () => Promise<void> }> {
  const database = openSqlite(file);
  const storage = storageOn(database, await migrate(database, MIGRATIONS));
  // Telemetry only: no case writer thread beside it (the ingest benchmark measures this path).
  await storage.start({ caseWriterThread: false });
  const engine = await openTelemetryEngine({
    ...options,
    repository: storage.repositories.readings,
    bus: new InProcessBus(),
  }).catch(async (error: unknown) => {
    await storage.stop();
    throw error;
  });
  return {
    engine,
    database,
    close: async () => {
      await engine.close();
      await storage.stop();
      await database.close();
    },
  };
}
