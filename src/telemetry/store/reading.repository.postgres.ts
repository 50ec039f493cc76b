import type { PostgresDatabase } from '../../platform/db/database.js';
import { AppError } from '../../errors.js';
import { withTransaction } from '../../platform/db/postgres.js';
import { compactHour, latestOf, type Candidate, type CompactedHour } from './compaction.js';
import { writeCompacted } from './reading-bulk.postgres.js';
import type { EncodedPieces } from './memtable.js';
import { allocateColumns } from './reading-codec.js';
import type {
  CompactionResult,
  DueHour,
  LogEntry,
  ReadingRepository,
  SensorSlice,
  StoredChunk,
} from './reading.repository.js';
import type { ReadingColumns } from './reading.types.js';
import { asBuffer, toChunk, toRollup, type ChunkRow, type RollupRow } from './reading.rows.js';

// Arbitrary but fixed: one compactor at a time per database, however many processes run jobs.
const PG_COMPACTION_LOCK = 720_500_301;
// One ingest writer per schema (with the schema's hash as the lock's second half).
const PG_WRITER_LOCK = 720_500_302;

/**
 * ReadingRepository on PostgreSQL. Bulk writes are one statement each over unnest() of arrays
 * (no row-per-statement round trips, no COPY dependency); reads for one query share a
 * REPEATABLE READ snapshot.
 */
export class PostgresReadingRepository implements ReadingRepository {
  constructor(private readonly database: PostgresDatabase) {}

  async claimWriter(): Promise<{ release(): Promise<void> }> {
    // A session lock, per schema, on a connection held for as long as the store is open: it is
    // released by the server too if this process dies.
    const client = await this.database.pool.connect();
    try {
      const { rows } = await client.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_lock($1, hashtext(current_schema())) AS ok',
        [PG_WRITER_LOCK],
      );
      if (!rows[0]?.ok) {
        throw new AppError(
          'SERVICE_UNAVAILABLE',
          'Another cityops process is already ingesting telemetry into this database.',
        );
      }
    } catch (error) {
      client.release();
      throw error;
    }
    let held = true;
    return {
      release: async () => {
        if (!held) return;
        held = false;
        await client
          .query('SELECT pg_advisory_unlock($1, hashtext(current_schema()))', [PG_WRITER_LOCK])
          .catch(() => undefined);
        client.release();
      },
    };
  }

  async appendLog(bytes: Uint8Array): Promise<number> {
    const { rows } = await this.database.pool.query<{ id: number }>(
      'INSERT INTO telemetry_log (data) VALUES ($1) RETURNING id',
      [asBuffer(bytes)],
    );
    return rows[0]!.id;
  }

  async readLog(afterId: number, limit: number): Promise<LogEntry[]> {
    const { rows } = await this.database.pool.query<{ id: number; data: Buffer }>(
      'SELECT id, data FROM telemetry_log WHERE id > $1 ORDER BY id LIMIT $2',
      [afterId, limit],
    );
    return rows.map((row) => ({ id: row.id, bytes: row.data }));
  }

  async writePieces(pieces: EncodedPieces): Promise<void> {
    const { keys, hours, lastTs, last, offsets, lengths, data, seq } = pieces;
    await this.database.pool.query(
      `INSERT INTO telemetry_pieces (key, hour, seq, last_ts, last, data)
         SELECT k, h, $1, lt, l, substring($2::bytea FROM o + 1 FOR n)
         FROM unnest($3::int[], $4::int[], $5::bigint[], $6::float8[], $7::int[], $8::int[]) AS t(k, h, lt, l, o, n)
         ON CONFLICT (key, hour, seq) DO UPDATE SET data = excluded.data, last_ts = excluded.last_ts,
           last = excluded.last`,
      [
        seq,
        asBuffer(data),
        Array.from(keys),
        Array.from(hours),
        Array.from(lastTs),
        Array.from(last),
        Array.from(offsets),
        Array.from(lengths),
      ],
    );
  }

  async dropLog(upToId: number): Promise<void> {
    await this.database.pool.query('DELETE FROM telemetry_log WHERE id <= $1', [upToId]);
  }

  async hasPieces(hour: number): Promise<boolean> {
    const { rowCount } = await this.database.pool.query(
      'SELECT 1 FROM telemetry_pieces WHERE hour = $1 LIMIT 1',
      [hour],
    );
    return (rowCount ?? 0) > 0;
  }

  async dueForCompaction(beforeHour: number): Promise<DueHour | undefined> {
    const { rows } = await this.database.pool.query<{ hour: number; max_seq: number; max_key: number }>(
      `SELECT hour, max(seq) AS max_seq, (SELECT max(key) FROM telemetry_pieces) AS max_key FROM telemetry_pieces
       WHERE hour = (SELECT min(hour) FROM telemetry_pieces) AND hour < $1 GROUP BY hour`,
      [beforeHour],
    );
    const row = rows[0];
    return row && { hour: row.hour, maxSeq: row.max_seq, maxKey: row.max_key };
  }

  async compact(hour: number, fromKey: number, toKey: number, maxSeq: number): Promise<CompactionResult> {
    return withTransaction(this.database.pool, async (client) => {
      const { rows: lock } = await client.query<{ locked: boolean }>(
        // Per schema, like the writer lock: deployments in other schemas of the database are not blocked.
        'SELECT pg_try_advisory_xact_lock($1, hashtext(current_schema())) AS locked',
        [PG_COMPACTION_LOCK],
      );
      if (!lock[0]?.locked) return { pairs: 0, readings: 0 };
      const range = [hour, fromKey, toKey];
      // Delete and load in one statement: under READ COMMITTED a separate SELECT and DELETE see
      // different snapshots, and a flush slice committed in between (same seq) would be deleted
      // without having been merged. RETURNING hands back exactly the rows this transaction removed.
      const deleted = await client.query<ChunkRow>(
        `DELETE FROM telemetry_pieces WHERE key BETWEEN $2 AND $3 AND hour = $1 AND seq <= $4
         RETURNING key, hour, seq, data`,
        [...range, maxSeq],
      );
      const pieces = { rows: deleted.rows.sort((a, b) => a.key - b.key || a.seq - b.seq) };
      const chunks = await client.query<ChunkRow>(
        'SELECT key, hour, seq, data FROM telemetry_chunks WHERE hour = $1 AND key BETWEEN $2 AND $3',
        range,
      );
      const rollups = await client.query<RollupRow>(
        'SELECT * FROM telemetry_rollups WHERE hour = $1 AND key BETWEEN $2 AND $3',
        range,
      );
      const chunkOf = new Map(chunks.rows.map((row) => [row.key, toChunk(row)]));
      const rollupOf = new Map(rollups.rows.map((row) => [row.key, toRollup(row)]));
      const done: CompactedHour[] = [];
      for (let i = 0; i < pieces.rows.length;) {
        const key = pieces.rows[i]!.key;
        const own: StoredChunk[] = [];
        for (; i < pieces.rows.length && pieces.rows[i]!.key === key; i++) own.push(toChunk(pieces.rows[i]!));
        const result = compactHour(key, hour, chunkOf.get(key), own, rollupOf.get(key));
        if (result) done.push(result);
      }
      if (done.length > 0) await writeCompacted(client, done);
      return { pairs: done.length, readings: done.reduce((sum, d) => sum + d.readings, 0) };
    });
  }

  async readSensor(
    key: number,
    fromHour: number,
    toHour: number,
    options: { rollups: boolean; rawHours?: readonly number[] },
  ): Promise<SensorSlice> {
    const client = await this.database.pool.connect();
    try {
      // One snapshot for every statement: a compaction committing meanwhile cannot be half-seen.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const range = [key, fromHour, toHour];
      const pieces = await client.query<ChunkRow>(
        'SELECT hour, seq, data FROM telemetry_pieces WHERE key = $1 AND hour BETWEEN $2 AND $3 ORDER BY hour, seq',
        range,
      );
      let chunks: ChunkRow[];
      let rollups: RollupRow[] = [];
      if (!options.rollups) {
        chunks = (
          await client.query<ChunkRow>(
            'SELECT hour, seq, data FROM telemetry_chunks WHERE key = $1 AND hour BETWEEN $2 AND $3 ORDER BY hour',
            range,
          )
        ).rows;
      } else {
        rollups = (
          await client.query<RollupRow>(
            'SELECT * FROM telemetry_rollups WHERE key = $1 AND hour BETWEEN $2 AND $3 ORDER BY hour',
            range,
          )
        ).rows;
        const hours = [...new Set([...pieces.rows.map((p) => p.hour), ...(options.rawHours ?? [])])];
        chunks = (
          await client.query<ChunkRow>(
            'SELECT hour, seq, data FROM telemetry_chunks WHERE key = $1 AND hour = ANY($2::int[])',
            [key, hours],
          )
        ).rows;
      }
      await client.query('COMMIT');
      return {
        chunks: chunks.map(toChunk),
        pieces: pieces.rows.map(toChunk),
        rollups: rollups.map(toRollup),
      };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async latestStored(): Promise<ReadingColumns> {
    // One index probe per key (LATERAL … LIMIT 1); DISTINCT ON would read every row.
    const { rows } = await this.database.pool.query<{ key: number; sources: Candidate[] }>(
      `WITH m AS (SELECT greatest((SELECT max(key) FROM telemetry_chunks), (SELECT max(key) FROM telemetry_pieces),
                    (SELECT max(key) FROM telemetry_rollups)) AS k)
       SELECT k.key, json_build_array(r.c, c.c, p.c) AS sources
       FROM m, generate_series(0, coalesce(m.k, -1)) AS k(key)
       LEFT JOIN LATERAL (SELECT json_build_object('ts', last_ts, 'value', last) AS c FROM telemetry_rollups
         WHERE key = k.key ORDER BY hour DESC LIMIT 1) r ON true
       LEFT JOIN LATERAL (SELECT json_build_object('ts', last_ts, 'value', last) AS c FROM telemetry_chunks
         WHERE key = k.key ORDER BY hour DESC LIMIT 1) c ON true
       LEFT JOIN LATERAL (SELECT json_build_object('ts', last_ts, 'value', last) AS c FROM telemetry_pieces
         WHERE key = k.key ORDER BY hour DESC, last_ts DESC, seq DESC LIMIT 1) p ON true
       WHERE r.c IS NOT NULL OR c.c IS NOT NULL OR p.c IS NOT NULL`,
    );
    const columns = allocateColumns(rows.length);
    rows.forEach((row, i) => {
      // Oldest source first (rollup, chunk, piece): on a tie of ts the newer source wins.
      const latest = latestOf(row.sources.map((s) => s ?? undefined))!;
      columns.keys[i] = row.key;
      columns.ts[i] = latest.ts;
      columns.values[i] = latest.value;
    });
    return columns;
  }

  async deleteBefore(rawBeforeHour: number, rollupBeforeHour: number, limit: number): Promise<number> {
    const { pool } = this.database;
    const chunks = await pool.query(
      `DELETE FROM telemetry_chunks WHERE (hour, key) IN
       (SELECT hour, key FROM telemetry_chunks WHERE hour < $1 ORDER BY hour, key LIMIT $2)`,
      [rawBeforeHour, limit],
    );
    const deleted = chunks.rowCount ?? 0;
    if (deleted >= limit) return deleted;
    const rollups = await pool.query(
      `DELETE FROM telemetry_rollups WHERE (hour, key) IN
       (SELECT hour, key FROM telemetry_rollups WHERE hour < $1 ORDER BY hour, key LIMIT $2)`,
      [rollupBeforeHour, limit - deleted],
    );
    return deleted + (rollups.rowCount ?? 0);
  }
}
