import type { SqliteDatabase } from '../platform/db/database.js';
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
  qualified: number;
  outcome: DetectionOutcome;
  case_id: string | null;
  received_at: number;
  raw: string;
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
  raw: string;
}

function toDetection(row: DetectionRow): DetectionRecord {
  return {
    seq: row.seq,
    camera: row.camera_id,
    class: row.class,
    confidence: row.confidence,
    ts: row.ts,
    snapshotUrl: row.snapshot_url,
    qualified: row.qualified === 1,
    outcome: row.outcome,
    caseId: row.case_id,
    receivedAt: row.received_at,
    raw: JSON.parse(row.raw) as unknown,
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
    raw: JSON.parse(row.raw) as Record<string, unknown>,
  };
}

/** IntakeRepository on the embedded SQLite database. */
export class SqliteIntakeRepository implements IntakeRepository {
  constructor(private readonly database: SqliteDatabase) {}

  private get db() {
    return this.database.db;
  }

  async insertDetections(detections: readonly NewDetection[]): Promise<number[]> {
    const insert = this.db.prepare(
      `INSERT INTO detections (camera_id, class, confidence, ts, snapshot_url, qualified, outcome, case_id,
         received_at, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    return this.db
      .transaction(() =>
        detections.map((d) =>
          Number(
            insert.run(
              d.camera,
              d.class,
              d.confidence,
              d.ts,
              d.snapshotUrl,
              d.qualified ? 1 : 0,
              d.outcome,
              d.caseId,
              d.receivedAt,
              JSON.stringify(d.raw),
            ).lastInsertRowid,
          ),
        ),
      )
      .immediate();
  }

  async qualifiedDetections(
    camera: string,
    cls: string,
    from: number,
    to: number,
    limit: number,
  ): Promise<DetectionRecord[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM detections WHERE camera_id = ? AND class = ? AND ts BETWEEN ? AND ? AND qualified = 1 AND outcome = 'pending'
         ORDER BY ts, seq LIMIT ?`,
      )
      .all(camera, cls, from, to, limit) as DetectionRow[];
    return rows.map(toDetection);
  }

  async setDetectionOutcome(
    seqs: readonly number[],
    outcome: DetectionOutcome,
    caseId: string | null,
  ): Promise<void> {
    this.db
      .prepare('UPDATE detections SET outcome = ?, case_id = ? WHERE seq IN (SELECT value FROM json_each(?))')
      .run(outcome, caseId, JSON.stringify(seqs));
  }

  async recentDetections(camera: string, limit: number): Promise<DetectionRecord[]> {
    const rows = this.db
      .prepare('SELECT * FROM detections WHERE camera_id = ? ORDER BY ts DESC, seq DESC LIMIT ?')
      .all(camera, limit) as DetectionRow[];
    return rows.map(toDetection);
  }

  async cameraCase(camera: string, cls: string): Promise<string | null> {
    const row = this.db
      .prepare('SELECT case_id FROM camera_cases WHERE camera_id = ? AND class = ?')
      .get(camera, cls) as { case_id: string } | undefined;
    return row?.case_id ?? null;
  }

  async setCameraCase(camera: string, cls: string, caseId: string, at: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO camera_cases (camera_id, class, case_id, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (camera_id, class) DO UPDATE SET case_id = excluded.case_id, updated_at = excluded.updated_at`,
      )
      .run(camera, cls, caseId, at);
  }

  async alarmCase(alarmId: number): Promise<string | null> {
    const row = this.db.prepare('SELECT case_id FROM alarm_cases WHERE alarm_id = ?').get(alarmId) as
      { case_id: string } | undefined;
    return row?.case_id ?? null;
  }

  async insertAlarmCase(alarmId: number, caseId: string, at: number): Promise<boolean> {
    return (
      this.db
        .prepare(
          'INSERT INTO alarm_cases (alarm_id, case_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        )
        .run(alarmId, caseId, at).changes > 0
    );
  }

  async insertOpen311(request: NewOpen311Request): Promise<Open311Record> {
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO open311_requests (token, case_id, service_code, description, lon, lat, address, media_url,
           requested_at, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
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
      );
    return { ...request, id: Number(lastInsertRowid) };
  }

  async open311ById(id: number): Promise<Open311Record | null> {
    const row = this.db.prepare('SELECT * FROM open311_requests WHERE id = ?').get(id) as
      Open311Row | undefined;
    return row ? toOpen311(row) : null;
  }

  async open311ByToken(token: string): Promise<Open311Record | null> {
    const row = this.db.prepare('SELECT * FROM open311_requests WHERE token = ?').get(token) as
      Open311Row | undefined;
    return row ? toOpen311(row) : null;
  }

  async listOpen311(query: Open311ListQuery): Promise<Open311Record[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.ids !== undefined) {
      where.push('id IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(query.ids));
    } else if (query.caseIds !== undefined) {
      where.push('case_id IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(query.caseIds));
    } else {
      if (query.serviceCodes !== undefined) {
        where.push('service_code IN (SELECT value FROM json_each(?))');
        params.push(JSON.stringify(query.serviceCodes));
      }
      if (query.before !== undefined) {
        where.push('(requested_at < ? OR (requested_at = ? AND id < ?))');
        params.push(query.before.requestedAt, query.before.requestedAt, query.before.id);
      }
      if (query.from !== undefined) {
        where.push('requested_at >= ?');
        params.push(query.from);
      }
      if (query.to !== undefined) {
        where.push('requested_at < ?');
        params.push(query.to);
      }
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT * FROM open311_requests ${clause} ORDER BY requested_at DESC, id DESC LIMIT ?`)
      .all(...params, query.limit) as Open311Row[];
    return rows.map(toOpen311);
  }

  async hotline(recordNo: string): Promise<HotlineRecord | null> {
    const row = this.db.prepare('SELECT * FROM hotline_records WHERE record_no = ?').get(recordNo) as
      { record_no: string; case_id: string; imported_at: number; raw: string } | undefined;
    return row
      ? {
          recordNo: row.record_no,
          caseId: row.case_id,
          importedAt: row.imported_at,
          raw: JSON.parse(row.raw) as Record<string, unknown>,
        }
      : null;
  }

  async insertHotline(record: HotlineRecord): Promise<boolean> {
    return (
      this.db
        .prepare(
          `INSERT INTO hotline_records (record_no, case_id, imported_at, raw) VALUES (?, ?, ?, ?)
           ON CONFLICT DO NOTHING`,
        )
        .run(record.recordNo, record.caseId, record.importedAt, JSON.stringify(record.raw)).changes > 0
    );
  }
}
