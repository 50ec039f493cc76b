import type { PostgresDatabase } from '../platform/db/database.js';
import { withTransaction } from '../platform/db/postgres.js';
import type {
  DetectionOutcome,
  DetectionRecord,
  HotlineRecord,
  IntakeRepository,
  NewDetection,
  NewOpen311Request,
  Open311ListQuery,
  Open311Record,
} from './intake.repository.js';

interface DetectionRow {
  seq: number;
  camera_id: string;
  class: string;
  confidence: number;
  ts: number;
  snapshot_url: string | null;
  qualified: boolean;
  outcome: DetectionOutcome;
  case_id: string | null;
  received_at: number;
  raw: unknown;
}

interface Open311Row {
  id: number;
  token: string;
  case_id: string;
  service_code: string;
  description: string;
  lon: number | null;
  lat: number | null;
  address: string | null;
  media_url: string | null;
  requested_at: number;
  raw: Record<string, unknown>;
}

function toDetection(row: DetectionRow): DetectionRecord {
  return {
    seq: row.seq,
    camera: row.camera_id,
    class: row.class,
    confidence: row.confidence,
    ts: row.ts,
    snapshotUrl: row.snapshot_url,
    qualified: row.qualified,
    outcome: row.outcome,
    caseId: row.case_id,
    receivedAt: row.received_at,
    raw: row.raw,
  };
}

function toOpen311(row: Open311Row): Open311Record {
  return {
    id: row.id,
    token: row.token,
    caseId: row.case_id,
    serviceCode: row.service_code,
    description: row.description,
    lon: row.lon,
    lat: row.lat,
    address: row.address,
    mediaUrl: row.media_url,
    requestedAt: row.requested_at,
    raw: row.raw,
  };
}

/** IntakeRepository on PostgreSQL. */
export class PostgresIntakeRepository implements IntakeRepository {
  constructor(private readonly database: PostgresDatabase) {}

  private get pool() {
    return this.database.pool;
  }

  async insertDetections(detections: readonly NewDetection[]): Promise<number[]> {
    if (detections.length === 0) return [];
    return withTransaction(this.pool, async (client) => {
      // WITH ORDINALITY + ORDER BY makes the identity sequence follow input order.
      const { rows } = await client.query<{ seq: number }>(
        `INSERT INTO detections (camera_id, class, confidence, ts, snapshot_url, qualified, outcome, case_id,
           received_at, raw)
         SELECT c, k, f, t, s, q, o, i, r, w::jsonb
         FROM unnest($1::text[], $2::text[], $3::float8[], $4::int8[], $5::text[], $6::bool[], $7::text[],
                     $8::text[], $9::int8[], $10::text[]) WITH ORDINALITY AS u (c, k, f, t, s, q, o, i, r, w, n)
         ORDER BY n
         RETURNING seq`,
        [
          detections.map((d) => d.camera),
          detections.map((d) => d.class),
          detections.map((d) => d.confidence),
          detections.map((d) => d.ts),
          detections.map((d) => d.snapshotUrl),
          detections.map((d) => d.qualified),
          detections.map((d) => d.outcome),
          detections.map((d) => d.caseId),
          detections.map((d) => d.receivedAt),
          detections.map((d) => JSON.stringify(d.raw)),
        ],
      );
      // Identity values are handed out in insertion order, so sorting restores input order.
      return rows.map((r) => r.seq).sort((a, b) => a - b);
    });
  }

  async qualifiedDetections(
    camera: string,
    cls: string,
    from: number,
    to: number,
    limit: number,
  ): Promise<DetectionRecord[]> {
    const { rows } = await this.pool.query<DetectionRow>(
      `SELECT * FROM detections WHERE camera_id = $1 AND class = $2 AND ts BETWEEN $3 AND $4 AND qualified AND outcome = 'pending'
       ORDER BY ts, seq LIMIT $5`,
      [camera, cls, from, to, limit],
    );
    return rows.map(toDetection);
  }

  async setDetectionOutcome(
    seqs: readonly number[],
    outcome: DetectionOutcome,
    caseId: string | null,
  ): Promise<void> {
    await this.pool.query('UPDATE detections SET outcome = $1, case_id = $2 WHERE seq = ANY($3::int8[])', [
      outcome,
      caseId,
      seqs,
    ]);
  }

  async recentDetections(camera: string, limit: number): Promise<DetectionRecord[]> {
    const { rows } = await this.pool.query<DetectionRow>(
      'SELECT * FROM detections WHERE camera_id = $1 ORDER BY ts DESC, seq DESC LIMIT $2',
      [camera, limit],
    );
    return rows.map(toDetection);
  }

  async cameraCase(camera: string, cls: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ case_id: string }>(
      'SELECT case_id FROM camera_cases WHERE camera_id = $1 AND class = $2',
      [camera, cls],
    );
    return rows[0]?.case_id ?? null;
  }

  async setCameraCase(camera: string, cls: string, caseId: string, at: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO camera_cases (camera_id, class, case_id, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (camera_id, class) DO UPDATE SET case_id = excluded.case_id, updated_at = excluded.updated_at`,
      [camera, cls, caseId, at],
    );
  }

  async alarmCase(alarmId: number): Promise<string | null> {
    const { rows } = await this.pool.query<{ case_id: string }>(
      'SELECT case_id FROM alarm_cases WHERE alarm_id = $1',
      [alarmId],
    );
    return rows[0]?.case_id ?? null;
  }

  async insertAlarmCase(alarmId: number, caseId: string, at: number): Promise<boolean> {
    const result = await this.pool.query(
      'INSERT INTO alarm_cases (alarm_id, case_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [alarmId, caseId, at],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async insertOpen311(request: NewOpen311Request): Promise<Open311Record> {
    const { rows } = await this.pool.query<{ id: number }>(
      `INSERT INTO open311_requests (token, case_id, service_code, description, lon, lat, address, media_url,
         requested_at, raw) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb) RETURNING id`,
      [
        request.token,
        request.caseId,
        request.serviceCode,
        request.description,
        request.lon,
        request.lat,
        request.address,
        request.mediaUrl,
        request.requestedAt,
        JSON.stringify(request.raw),
      ],
    );
    return { ...request, id: rows[0]?.id ?? Number.NaN };
  }

  async open311ById(id: number): Promise<Open311Record | null> {
    const { rows } = await this.pool.query<Open311Row>('SELECT * FROM open311_requests WHERE id = $1', [id]);
    return rows[0] ? toOpen311(rows[0]) : null;
  }

  async open311ByToken(token: string): Promise<Open311Record | null> {
    const { rows } = await this.pool.query<Open311Row>('SELECT * FROM open311_requests WHERE token = $1', [
      token,
    ]);
    return rows[0] ? toOpen311(rows[0]) : null;
  }

  async listOpen311(query: Open311ListQuery): Promise<Open311Record[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.ids !== undefined) {
      params.push(query.ids);
      where.push(`id = ANY($${params.length}::int8[])`);
    } else if (query.caseIds !== undefined) {
      params.push(query.caseIds);
      where.push(`case_id = ANY($${params.length}::text[])`);
    } else {
      if (query.serviceCodes !== undefined) {
        params.push(query.serviceCodes);
        where.push(`service_code = ANY($${params.length}::text[])`);
      }
      if (query.before !== undefined) {
        params.push(query.before.requestedAt, query.before.id);
        where.push(`(requested_at, id) < ($${params.length - 1}, $${params.length})`);
      }
      if (query.from !== undefined) {
        params.push(query.from);
        where.push(`requested_at >= $${params.length}`);
      }
      if (query.to !== undefined) {
        params.push(query.to);
        where.push(`requested_at < $${params.length}`);
      }
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    params.push(query.limit);
    const { rows } = await this.pool.query<Open311Row>(
      `SELECT * FROM open311_requests ${clause} ORDER BY requested_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toOpen311);
  }

  async hotline(recordNo: string): Promise<HotlineRecord | null> {
    const { rows } = await this.pool.query<{
      record_no: string;
      case_id: string;
      imported_at: number;
      raw: Record<string, unknown>;
    }>('SELECT * FROM hotline_records WHERE record_no = $1', [recordNo]);
    const row = rows[0];
    return row
      ? { recordNo: row.record_no, caseId: row.case_id, importedAt: row.imported_at, raw: row.raw }
      : null;
  }

  async insertHotline(record: HotlineRecord): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO hotline_records (record_no, case_id, imported_at, raw) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT DO NOTHING`,
      [record.recordNo, record.caseId, record.importedAt, JSON.stringify(record.raw)],
    );
    return (result.rowCount ?? 0) > 0;
  }
}
