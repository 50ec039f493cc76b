import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import type { Database, Engine } from '../platform/db/database.js';
import { migrate } from '../platform/db/migrate.js';
import { openPostgres } from '../platform/db/postgres.js';
import { openSqlite } from '../platform/db/sqlite.js';
import { createRepositories, MIGRATIONS, type Repositories } from '../storage.js';

/** A fresh, migrated database on one engine and its repositories, for one contract test file. */
export interface EngineContext {
  engine: Engine;
  database: Database;
  repositories: Repositories;
}

/** The engines the contract suite runs on: SQLite always, PostgreSQL when CITYOPS_TEST_DATABASE_URL is set. */
export function testEngines(): Engine[] {
  const only = process.env.CITYOPS_TEST_ENGINES?.split(',').map((s) => s.trim());
  if (only?.includes('postgres') && !process.env.CITYOPS_TEST_DATABASE_URL) {
    // Asked for PostgreSQL explicitly (npm run test:pg): silently running nothing would lie.
    throw new Error('CITYOPS_TEST_ENGINES includes postgres but CITYOPS_TEST_DATABASE_URL is not set');
  }
  const engines: Engine[] = ['sqlite'];
  if (process.env.CITYOPS_TEST_DATABASE_URL) engines.push('postgres');
  return only ? engines.filter((e) => only.includes(e)) : engines;
}

/** Opens a throw-away database: SQLite in memory, or a new PostgreSQL schema dropped afterwards. */
export async function openTestDatabase(engine: Engine): Promise<Database> {
  if (engine === 'sqlite') return openSqlite(':memory:');
  const url = process.env.CITYOPS_TEST_DATABASE_URL;
  if (!url) throw new Error('CITYOPS_TEST_DATABASE_URL is not set');
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const database = await openPostgres(url, schema);
  const close = () => database.close();
  return {
    ...database,
    close: async () => {
      await database.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await close();
    },
  };
}

/**
 * Declares a contract suite that runs once per engine. `body` receives a getter for a freshly
 * migrated database; tests must create their own rows (each engine gets its own empty database).
 */
export function describeContract(name: string, body: (ctx: () => EngineContext) => void): void {
  for (const engine of testEngines()) {
    describe(`${name} [${engine}]`, () => {
      let context: EngineContext | undefined;
      beforeAll(async () => {
        const database = await openTestDatabase(engine);
        await migrate(database, MIGRATIONS);
        context = { engine, database, repositories: createRepositories(database) };
      });
      afterAll(async () => {
        await context?.database.close();
      });
      body(() => {
        if (!context) throw new Error('contract context used outside a test');
        return context;
      });
    });
  }
}
