import pg from 'pg';
import type { PostgresDatabase } from './database.js';

// Return BIGINT (int8) as a JS number: our counts and epoch-millisecond times stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

/** Connects a pool to PostgreSQL; with `schema`, every connection works inside it (created if missing). */
export async function openPostgres(url: string, schema?: string): Promise<PostgresDatabase> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name "${schema}"`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  else await pool.query('SELECT 1');
  return {
    engine: 'postgres',
    pool,
    schema,
    location: url.replace(/:[^:@/]*@/, ':***@'),
    close: () => {
      // Idempotent: the app's onClose hook and an error path may both close.
      if (pool.ended || pool.ending) return Promise.resolve();
      return pool.end();
    },
  };
}

/** Runs `fn` inside one transaction on one pooled client. */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
