import path from 'node:path';
import type { Config } from './config.js';
import { StartupError } from './errors.js';
import type { Database, SqliteDatabase } from './platform/db/database.js';
import { migrate, type Migration } from './platform/db/migrate.js';
import { openPostgres } from './platform/db/postgres.js';
import { openSqlite } from './platform/db/sqlite.js';
import { jurisdictionMigrations } from './jurisdictions/jurisdiction.migrations.js';
import type { JurisdictionRepository } from './jurisdictions/jurisdiction.repository.js';
import { PostgresJurisdictionRepository } from './jurisdictions/jurisdiction.repository.postgres.js';
import { SqliteJurisdictionRepository } from './jurisdictions/jurisdiction.repository.sqlite.js';
import { accessMigrations } from './access/access.migrations.js';
import type { AccessRepository } from './access/access.repository.js';
import { PostgresAccessRepository } from './access/access.repository.postgres.js';
import { SqliteAccessRepository } from './access/access.repository.sqlite.js';
import { alarmMigrations } from './alarms/alarm.migrations.js';
import type { AlarmRepository } from './alarms/alarm.repository.js';
import { PostgresAlarmRepository } from './alarms/alarm.repository.postgres.js';
import { SqliteAlarmRepository } from './alarms/alarm.repository.sqlite.js';
import { sensorMigrations } from './devices/sensor.migrations.js';
import type { SensorRepository } from './devices/sensor.repository.js';
import { PostgresSensorRepository } from './devices/sensor.repository.postgres.js';
import { SqliteSensorRepository } from './devices/sensor.repository.sqlite.js';
import { telemetryMigrations } from './telemetry/store/telemetry.migrations.js';
import type { ReadingRepository } from './telemetry/store/reading.repository.js';
import { PostgresReadingRepository } from './telemetry/store/reading.repository.postgres.js';
import { SqliteReadingRepository } from './telemetry/store/reading.repository.sqlite.js';
import { ReadingWriter } from './telemetry/store/reading-writer.js';
import { caseMigrations } from './cases/case.migrations.js';
import type { CaseRepository } from './cases/case.repository.js';
import { PostgresCaseRepository } from './cases/case.repository.postgres.js';
import { SqliteCaseRepository } from './cases/case.repository.sqlite.js';
import { intakeMigrations } from './intake/intake.migrations.js';
import type { CameraRepository } from './devices/camera.repository.js';
import { PostgresCameraRepository } from './devices/camera.repository.postgres.js';
import { SqliteCameraRepository } from './devices/camera.repository.sqlite.js';
import type { IntakeRepository } from './intake/intake.repository.js';
import { PostgresIntakeRepository } from './intake/intake.repository.postgres.js';
import { SqliteIntakeRepository } from './intake/intake.repository.sqlite.js';

/** Every domain's migrations, in id order (the order they apply). A new domain adds its list here. */
export const MIGRATIONS: readonly Migration[] = [
  ...jurisdictionMigrations,
  ...sensorMigrations,
  ...telemetryMigrations,
  ...accessMigrations,
  ...alarmMigrations,
  ...caseMigrations,
  ...intakeMigrations,
].sort((a, b) => (a.id < b.id ? -1 : 1));

/** Every domain's repository. A new domain adds its interface here and in createRepositories. */
export interface Repositories {
  jurisdictions: JurisdictionRepository;
  access: AccessRepository;
  sensors: SensorRepository;
  readings: ReadingRepository;
  cases: CaseRepository;
  alarms: AlarmRepository;
  cameras: CameraRepository;
  intake: IntakeRepository;
}

/** The SQLite implementations (the concrete cases repository: Storage starts its writer thread). */
function sqliteRepositories(database: SqliteDatabase): Repositories & { cases: SqliteCaseRepository } {
  return {
    jurisdictions: new SqliteJurisdictionRepository(database),
    access: new SqliteAccessRepository(database),
    sensors: new SqliteSensorRepository(database),
    readings: new SqliteReadingRepository(database),
    cases: new SqliteCaseRepository(database),
    alarms: new SqliteAlarmRepository(database),
    cameras: new SqliteCameraRepository(database),
    intake: new SqliteIntakeRepository(database),
  };
}

/** Picks each repository's implementation for the engine behind `database`. */
export function createRepositories(database: Database): Repositories {
  switch (database.engine) {
    case 'sqlite':
      return sqliteRepositories(database);
    case 'postgres':
      return {
        jurisdictions: new PostgresJurisdictionRepository(database),
        access: new PostgresAccessRepository(database),
        sensors: new PostgresSensorRepository(database),
        readings: new PostgresReadingRepository(database),
        cases: new PostgresCaseRepository(database),
        alarms: new PostgresAlarmRepository(database),
        cameras: new PostgresCameraRepository(database),
        intake: new PostgresIntakeRepository(database),
      };
  }
}

/** What Storage.start runs. */
export interface StorageStartOptions {
  /** Commit cases on a writer thread when the database is a SQLite file (default true). */
  caseWriterThread?: boolean;
}

/** An open, migrated database, the repositories on it, and what they run beside it. */
export interface Storage {
  database: Database;
  repositories: Repositories;
  /** Migration ids applied by this open (empty when the schema was current). */
  applied: string[];
  /**
   * Starts what the repositories need beside the database: on a SQLite file, the writer threads
   * of the cases' group commit and of telemetry's writes (repositories.readings then writes on
   * its thread); nothing on PostgreSQL or SQLite in memory. A second call does nothing.
   */
  start(options?: StorageStartOptions): Promise<void>;
  /** Drains and stops what start() started (writes go back to the caller's thread); the database stays open. */
  stop(): Promise<void>;
}

/** Nothing to run beside the database. */
const NO_THREADS = { start: async () => undefined, stop: async () => undefined };

/**
 * The writer threads of a SQLite file. Why threads: better-sqlite3 blocks its thread for every
 * statement and fsync, so writes leave the HTTP thread (platform/db/writer-thread.ts).
 */
function sqliteThreads(
  database: SqliteDatabase,
  repositories: Repositories,
  cases: SqliteCaseRepository,
): Pick<Storage, 'start' | 'stop'> {
  if (database.location === ':memory:') return NO_THREADS; // one connection only: writes stay here
  const local = repositories.readings;
  let started = false;
  let readings: ReadingWriter | undefined;
  const stop = async () => {
    if (!started) return;
    started = false;
    repositories.readings = local;
    await readings?.close();
    readings = undefined;
    await cases.stopWriterThread();
  };
  return {
    start: async ({ caseWriterThread = true } = {}) => {
      if (started) return;
      started = true;
      try {
        if (caseWriterThread) await cases.startWriterThread();
        readings = new ReadingWriter(database);
        await readings.ready;
        repositories.readings = readings;
      } catch (error) {
        await stop();
        throw error;
      }
    },
    stop,
  };
}

/** Wraps a migrated database as Storage: its repositories and their threads. */
export function storageOn(database: Database, applied: string[] = []): Storage {
  if (database.engine === 'postgres') {
    return { database, repositories: createRepositories(database), applied, ...NO_THREADS };
  }
  const repositories = sqliteRepositories(database);
  return { database, repositories, applied, ...sqliteThreads(database, repositories, repositories.cases) };
}

/** Opens the configured database (SQLite under dataDir unless databaseUrl is set) and migrates it. */
export async function openStorage(
  config: Pick<Config, 'dataDir' | 'databaseUrl'> & Partial<Pick<Config, 'sqliteCacheMiB'>>,
): Promise<Storage> {
  let database: Database;
  try {
    database = config.databaseUrl
      ? await openPostgres(config.databaseUrl)
      : openSqlite(path.join(config.dataDir, 'cityops.sqlite'), { cacheMiB: config.sqliteCacheMiB });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const where = config.databaseUrl
      ? `PostgreSQL at ${config.databaseUrl.replace(/:[^:@/]*@/, ':***@')} (CITYOPS_DATABASE_URL)`
      : `the SQLite database under ${config.dataDir} (CITYOPS_DATA_DIR)`;
    throw new StartupError(`cannot open ${where}: ${reason}`, { cause: error });
  }
  try {
    const applied = await migrate(database, MIGRATIONS);
    return storageOn(database, applied);
  } catch (error) {
    await database.close();
    throw error;
  }
}
