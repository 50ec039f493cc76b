import type pg from 'pg';
import type { CompactedHour } from './compaction.js';
import { minutesToBytes } from './rollup.js';

/**
 * Many blobs as one binary parameter plus offsets: pg sends a Buffer parameter as raw bytes, while
 * a bytea[] would go as hex text at twice the size. SQL cuts it with substring(… FROM o + 1 FOR l).
 */
export function packBlobs(blobs: readonly Uint8Array[]): {
  data: Buffer;
  offsets: number[];
  lengths: number[];
} {
  const offsets: number[] = [];
  const lengths: number[] = [];
  let size = 0;
  for (const b of blobs) {
    offsets.push(size);
    lengths.push(b.byteLength);
    size += b.byteLength;
  }
  const data = Buffer.allocUnsafe(size);
  blobs.forEach((b, i) => data.set(b, offsets[i]));
  return { data, offsets, lengths };
}

/** Upserts compacted chunks and rollups, each kind in one statement over unnest(). */
export async function writeCompacted(client: pg.PoolClient, done: readonly CompactedHour[]): Promise<void> {
  const withChunk = done.filter((d) => d.chunk !== undefined);
  const chunks = packBlobs(withChunk.map((d) => d.chunk!));
  await client.query(
    `INSERT INTO telemetry_chunks (key, hour, seq, last_ts, last, data)
     SELECT k, h, s, lt, l, substring($1::bytea FROM o + 1 FOR n)
     FROM unnest($2::int[], $3::int[], $4::bigint[], $5::bigint[], $6::float8[], $7::int[], $8::int[])
       AS t(k, h, s, lt, l, o, n)
     ON CONFLICT (key, hour) DO UPDATE SET seq = excluded.seq, last_ts = excluded.last_ts,
       last = excluded.last, data = excluded.data`,
    [
      chunks.data,
      withChunk.map((d) => d.key),
      withChunk.map((d) => d.hour),
      withChunk.map((d) => d.seq),
      withChunk.map((d) => d.last.ts),
      withChunk.map((d) => d.last.value),
      chunks.offsets,
      chunks.lengths,
    ],
  );
  const minutes = packBlobs(done.map((d) => minutesToBytes(d.rollup.minutes)));
  const r = done.map((d) => d.rollup);
  await client.query(
    `INSERT INTO telemetry_rollups (key, hour, count, min, max, sum, last, last_ts, minutes)
     SELECT k, h, c, mn, mx, sm, l, lt, substring($1::bytea FROM o + 1 FOR n)
     FROM unnest($2::int[], $3::int[], $4::int[], $5::float8[], $6::float8[], $7::float8[], $8::float8[],
       $9::bigint[], $10::int[], $11::int[]) AS t(k, h, c, mn, mx, sm, l, lt, o, n)
     ON CONFLICT (key, hour) DO UPDATE SET count = excluded.count, min = excluded.min, max = excluded.max,
       sum = excluded.sum, last = excluded.last, last_ts = excluded.last_ts, minutes = excluded.minutes`,
    [
      minutes.data,
      done.map((d) => d.key),
      done.map((d) => d.hour),
      r.map((x) => x.count),
      r.map((x) => x.min),
      r.map((x) => x.max),
      r.map((x) => x.sum),
      r.map((x) => x.last),
      r.map((x) => x.lastTs),
      minutes.offsets,
      minutes.lengths,
    ],
  );
}
