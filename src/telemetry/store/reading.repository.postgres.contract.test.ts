import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../platform/db/migrate.js';
import type { PostgresDatabase } from '../../platform/db/database.js';
import { openTestDatabase, testEngines } from '../../test-support/engines.js';
import { MIGRATIONS } from '../../storage.js';
import { MemTable } from './memtable.js';
import { allocateColumns } from './reading-codec.js';
import { PostgresReadingRepository } from './reading.repository.postgres.js';
import { HOUR_MS } from './reading.types.js';

// PostgreSQL runs compaction at READ COMMITTED while flush slices commit beside it. A regression
// test for a race found in review: a slice of the same flush (same seq) committing between
// compaction's read and its delete was deleted without being merged, losing acknowledged readings.

describe.skipIf(!testEngines().includes('postgres'))('PostgresReadingRepository.compact [postgres]', () => {
  it('merges a flush slice that commits while the hour is being compacted', async () => {
    const database = (await openTestDatabase('postgres')) as PostgresDatabase;
    try {
      await migrate(database, MIGRATIONS);
      const repo = new PostgresReadingRepository(database);
      const hour = 490_000;
      // One flush (seq 7) whose pieces for this hour span two slices: key 0, then key 50.
      const memtable = new MemTable();
      const columns = allocateColumns(2);
      columns.keys.set([0, 50]);
      columns.ts.set([hour * HOUR_MS + 1000, hour * HOUR_MS + 2000]);
      columns.values.set([1, 2]);
      memtable.append(columns, 7);
      const [slice1, slice2] = [...memtable.pieces(1)];
      await repo.writePieces(slice1!);
      const due = (await repo.dueForCompaction(hour + 1))!;

      // Commit slice 2 from another connection just before compaction deletes the pieces it merged.
      const pool = database.pool as pg.Pool & { connect: () => Promise<pg.PoolClient> };
      const connect = pool.connect.bind(pool);
      let injected = false;
      pool.connect = async () => {
        const client = await connect();
        const query = client.query.bind(client) as (text: unknown, ...rest: unknown[]) => Promise<unknown>;
        (client as unknown as { query: typeof query }).query = async (text, ...rest) => {
          if (!injected && typeof text === 'string' && /^\s*DELETE FROM telemetry_pieces/.test(text)) {
            injected = true;
            pool.connect = connect;
            await repo.writePieces(slice2!);
          }
          return query(text, ...rest);
        };
        return client;
      };
      await repo.compact(due.hour, 0, 99, due.maxSeq);
      pool.connect = connect;
      expect(injected).toBe(true);

      const slice = await repo.readSensor(50, hour, hour, { rollups: false });
      expect(slice.pieces.length + slice.chunks.length).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  });
});
