import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from '../../platform/db/database.js';
import { compactHour, latestOf, type Candidate } from './compaction.js';
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
import { minutesToBytes } from './rollup.js';
import { asBuffer, toChunk, toRollup, type ChunkRow, type RollupRow } from './reading.rows.js';

/**
 * ReadingRepository on SQLite. better-sqlite3 is synchronous, so each transaction runs to the end
 * on the calling thread (ReadingWriter moves the writing ones to a worker thread). With WAL and
 * synchronous=FULL, a resolved appendLog has been fsynced.
 */
export class SqliteReadingRepository implements ReadingRepository {
  private prepared: ReturnType<typeof prepare> | undefined;

  constructor(private readonly database: SqliteDatabase) {}

  // Prepared on first use: the repository may be built before migrations have created the tables.
  private get sql(): ReturnType<typeof prepare> {
    return (this.prepared ??= prepare(this.database.db));
  }

  // A SQLite file belongs to one server process (see docs/telemetry.md); nothing to arbitrate.
  async claimWriter(): Promise<{ release(): Promise<void> }> {
    return { release: async () => undefined };
  }

  async appendLog(bytes: Uint8Array): Promise<number> {
    return Number(this.sql.insertLog.run(asBuffer(bytes)).lastInsertRowid);
  }

  async readLog(afterId: number, limit: number): Promise<LogEntry[]> {
    const rows = this.sql.readLog.all(afterId, limit) as { id: number; data: Buffer }[];
    return rows.map((row) => ({ id: row.id, bytes: row.data }));
  }

  async writePieces(pieces: EncodedPieces): Promise<void> {
    const { sql } = this;
    const { keys, hours, lastTs, last, offsets, lengths, data, seq } = pieces;
    this.database.db
      .transaction(() => {
        for (let i = 0; i < keys.length; i++) {
          const bytes = asBuffer(data.subarray(offsets[i], offsets[i]! + lengths[i]!));
          sql.insertPiece.run(hours[i], seq, keys[i], lastTs[i], last[i], bytes);
        }
      })
      .immediate();
  }

  async dropLog(upToId: number): Promise<void> {
    this.sql.deleteLog.run(upToId);
  }

  async hasPieces(hour: number): Promise<boolean> {
    return this.sql.pieceOfHour.get(hour) !== undefined;
  }

  async dueForCompaction(beforeHour: number): Promise<DueHour | undefined> {
    const { sql } = this;
    // Three index seeks; an aggregate over the hour would read every piece of it.
    const { hour } = sql.oldestPieceHour.get() as { hour: number | null };
    if (hour === null || hour >= beforeHour) return undefined;
    const { seq } = sql.newestSeqOfHour.get(hour) as { seq: number };
    const { max } = sql.maxPieceKey.get() as { max: number };
    return { hour, maxSeq: seq, maxKey: max };
  }

  async compact(hour: number, fromKey: number, toKey: number, maxSeq: number): Promise<CompactionResult> {
    const { sql } = this;
    const result: CompactionResult = { pairs: 0, readings: 0 };
    this.database.db
      .transaction(() => {
        const rows = sql.piecesToCompact.all(fromKey, toKey, hour, maxSeq) as ChunkRow[];
        const chunks = new Map(
          (sql.chunksInRange.all(hour, fromKey, toKey) as ChunkRow[]).map((r) => [r.key, r]),
        );
        const rollups = new Map(
          (sql.rollupsInRange.all(hour, fromKey, toKey) as RollupRow[]).map((r) => [r.key, r]),
        );
        for (let i = 0; i < rows.length;) {
          const key = rows[i]!.key;
          const pieces: StoredChunk[] = [];
          for (; i < rows.length && rows[i]!.key === key; i++) pieces.push(toChunk(rows[i]!));
          const chunk = chunks.get(key);
          const rollup = rollups.get(key);
          const done = compactHour(key, hour, chunk && toChunk(chunk), pieces, rollup && toRollup(rollup));
          if (!done) continue;
          if (done.chunk) {
            sql.upsertChunk.run(hour, key, done.seq, done.last.ts, done.last.value, asBuffer(done.chunk));
          }
          const r = done.rollup;
          const minutes = asBuffer(minutesToBytes(r.minutes));
          sql.upsertRollup.run(hour, key, r.count, r.min, r.max, r.sum, r.last, r.lastTs, minutes);
          result.pairs++;
          result.readings += done.readings;
        }
        // Exactly what was loaded above, in this same transaction.
        sql.deletePieces.run(fromKey, toKey, hour, maxSeq);
      })
      .immediate();
    return result;
  }

  async readSensor(
    key: number,
    fromHour: number,
    toHour: number,
    options: { rollups: boolean; rawHours?: readonly number[] },
  ): Promise<SensorSlice> {
    const { sql } = this;
    // One deferred transaction: a snapshot, so a compaction committing meanwhile cannot be half-seen.
    return this.database.db.transaction((): SensorSlice => {
      const pieces = (sql.piecesIn.all(key, fromHour, toHour) as ChunkRow[]).map(toChunk);
      if (!options.rollups) {
        const chunks = (sql.chunksIn.all(key, fromHour, toHour) as ChunkRow[]).map(toChunk);
        return { chunks, pieces, rollups: [] };
      }
      const rollups = (sql.rollupsIn.all(key, fromHour, toHour) as RollupRow[]).map(toRollup);
      const chunks: StoredChunk[] = [];
      for (const hour of new Set([...pieces.map((p) => p.hour), ...(options.rawHours ?? [])])) {
        const row = sql.chunkOf.get(hour, key) as ChunkRow | undefined;
        if (row) chunks.push(toChunk(row));
      }
      return { chunks, pieces, rollups };
    })();
  }

  async latestStored(): Promise<ReadingColumns> {
    const { sql } = this;
    const { max } = sql.maxKey.get() as { max: number | null };
    const found: [number, Candidate][] = [];
    // One index seek per key and table: GROUP BY key would read every row of every table.
    this.database.db.transaction(() => {
      for (let key = 0; key <= (max ?? -1); key++) {
        // Oldest source first: on a tie of ts the newer source wins.
        const rollup = sql.newestRollup.get(key) as Candidate | undefined;
        const chunk = sql.newestChunk.get(key) as Candidate | undefined;
        const pieces = sql.newestPieces.all(key, key) as Candidate[];
        const latest = latestOf([rollup, chunk, ...pieces]);
        if (latest) found.push([key, latest]);
      }
    })();
    const columns = allocateColumns(found.length);
    found.forEach(([key, latest], i) => {
      columns.keys[i] = key;
      columns.ts[i] = latest.ts;
      columns.values[i] = latest.value;
    });
    return columns;
  }

  async deleteBefore(rawBeforeHour: number, rollupBeforeHour: number, limit: number): Promise<number> {
    const chunks = this.sql.deleteChunks.run(rawBeforeHour, limit).changes;
    const rollups = chunks < limit ? this.sql.deleteRollups.run(rollupBeforeHour, limit - chunks).changes : 0;
    return chunks + rollups;
  }
}

function prepare(db: BetterSqlite3.Database) {
  return {
    insertLog: db.prepare('INSERT INTO telemetry_log (data) VALUES (?)'),
    readLog: db.prepare('SELECT id, data FROM telemetry_log WHERE id > ? ORDER BY id LIMIT ?'),
    deleteLog: db.prepare('DELETE FROM telemetry_log WHERE id <= ?'),
    insertPiece: db.prepare(
      'INSERT OR REPLACE INTO telemetry_pieces (hour, seq, key, last_ts, last, data) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    oldestPieceHour: db.prepare('SELECT min(hour) AS hour FROM telemetry_pieces'),
    pieceOfHour: db.prepare('SELECT 1 FROM telemetry_pieces WHERE hour = ? LIMIT 1'),
    newestSeqOfHour: db.prepare('SELECT seq FROM telemetry_pieces WHERE hour = ? ORDER BY seq DESC LIMIT 1'),
    maxPieceKey: db.prepare('SELECT max(key) AS max FROM telemetry_pieces'),
    // Through the (key, hour, seq) index: a key range of one hour, not a scan of the hour.
    piecesToCompact: db.prepare(
      `SELECT key, hour, seq, data FROM telemetry_pieces INDEXED BY telemetry_pieces_key
       WHERE key BETWEEN ? AND ? AND hour = ? AND seq <= ? ORDER BY key, seq`,
    ),
    deletePieces: db.prepare(
      `DELETE FROM telemetry_pieces INDEXED BY telemetry_pieces_key
       WHERE key BETWEEN ? AND ? AND hour = ? AND seq <= ?`,
    ),
    chunksInRange: db.prepare(
      'SELECT key, hour, seq, data FROM telemetry_chunks WHERE hour = ? AND key BETWEEN ? AND ?',
    ),
    rollupsInRange: db.prepare('SELECT * FROM telemetry_rollups WHERE hour = ? AND key BETWEEN ? AND ?'),
    chunkOf: db.prepare('SELECT key, hour, seq, data FROM telemetry_chunks WHERE hour = ? AND key = ?'),
    upsertChunk: db.prepare(
      'INSERT OR REPLACE INTO telemetry_chunks (hour, key, seq, last_ts, last, data) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    upsertRollup: db.prepare(
      `INSERT OR REPLACE INTO telemetry_rollups (hour, key, count, min, max, sum, last, last_ts, minutes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    piecesIn: db.prepare(
      `SELECT key, hour, seq, data FROM telemetry_pieces
       WHERE key = ? AND hour BETWEEN ? AND ? ORDER BY hour, seq`,
    ),
    chunksIn: db.prepare(
      'SELECT key, hour, seq, data FROM telemetry_chunks WHERE key = ? AND hour BETWEEN ? AND ? ORDER BY hour',
    ),
    rollupsIn: db.prepare(
      'SELECT * FROM telemetry_rollups WHERE key = ? AND hour BETWEEN ? AND ? ORDER BY hour',
    ),
    maxKey: db.prepare(
      `SELECT max(k) AS max FROM (SELECT max(key) AS k FROM telemetry_chunks UNION ALL
       SELECT max(key) FROM telemetry_pieces UNION ALL SELECT max(key) FROM telemetry_rollups)`,
    ),
    newestChunk: db.prepare(
      'SELECT last_ts AS ts, last AS value FROM telemetry_chunks WHERE key = ? ORDER BY hour DESC LIMIT 1',
    ),
    newestPieces: db.prepare(
      `SELECT last_ts AS ts, last AS value FROM telemetry_pieces INDEXED BY telemetry_pieces_key
       WHERE key = ? AND hour = (SELECT max(hour) FROM telemetry_pieces WHERE key = ?) ORDER BY seq`,
    ),
    newestRollup: db.prepare(
      'SELECT last_ts AS ts, last AS value FROM telemetry_rollups WHERE key = ? ORDER BY hour DESC LIMIT 1',
    ),
    deleteChunks: db.prepare(
      `DELETE FROM telemetry_chunks WHERE (hour, key) IN
       (SELECT hour, key FROM telemetry_chunks WHERE hour < ? ORDER BY hour, key LIMIT ?)`,
    ),
    deleteRollups: db.prepare(
      `DELETE FROM telemetry_rollups WHERE (hour, key) IN
       (SELECT hour, key FROM telemetry_rollups WHERE hour < ? ORDER BY hour, key LIMIT ?)`,
    ),
  };
}
