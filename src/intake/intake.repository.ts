/**
 * Storage of the intake adapters: the raw records of each source and the links that make the
 * adapters idempotent. Times are epoch milliseconds.
 */

/** What became of one detection. */
export type DetectionOutcome = 'below_threshold' | 'pending' | 'case_opened' | 'case_attached';

/** One AI detection as received, with what the intake made of it. */
export interface DetectionRecord {
  /** Assigned by the database, increasing. */
  seq: number;
  camera: string;
  class: string;
  confidence: number;
  ts: number;
  snapshotUrl: string | null;
  /** Confidence at or above the class threshold when it arrived. */
  qualified: boolean;
  outcome: DetectionOutcome;
  caseId: string | null;
  receivedAt: number;
  /** The detection object exactly as the camera sent it. */
  raw: unknown;
}

/** A detection before the database has given it its seq. */
export type NewDetection = Omit<DetectionRecord, 'seq'>;

/** A citizen's Open311 service request as stored. */
export interface Open311Record {
  /** Assigned by the database: the public service_request_id. */
  id: number;
  /** Handed out at submission; GET tokens/{token} finds the id. */
  token: string;
  caseId: string;
  serviceCode: string;
  description: string;
  /** Null (with lat) when the citizen gave address_string alone. */
  lon: number | null;
  lat: number | null;
  address: string | null;
  mediaUrl: string | null;
  requestedAt: number;
  /** Every submitted parameter but api_key. */
  raw: Record<string, unknown>;
}

/** An Open311 request before the database has given it its id. */
export type NewOpen311Request = Omit<Open311Record, 'id'>;

/** Filters of GET requests: by ids or cases (then nothing else applies), or by services, time and page size. */
export interface Open311ListQuery {
  ids?: readonly number[] | undefined;
  /** The requests filed on these cases (servicerequestupdates). */
  caseIds?: readonly string[] | undefined;
  /** Any of these service codes. */
  serviceCodes?: readonly string[] | undefined;
  /** Continue after this request in newest-first order (the service pages through filters it applies itself). */
  before?: { requestedAt: number; id: number } | undefined;
  /** requested_at ≥ from and < to. */
  from?: number | undefined;
  to?: number | undefined;
  limit: number;
}

/** One imported 12345 hotline record. */
export interface HotlineRecord {
  recordNo: string;
  caseId: string;
  importedAt: number;
  raw: Record<string, unknown>;
}

/** Storage for detections, Open311 requests, hotline records and the source → case links. */
export interface IntakeRepository {
  /** Stores detections in one transaction; returns their seqs in input order. */
  insertDetections(detections: readonly NewDetection[]): Promise<number[]>;
  /**
   * Qualified detections of a camera and class with from ≤ ts ≤ to that no case has taken yet
   * (outcome pending), oldest first (at most `limit`): after a case closes, the rule must be met
   * again by new detections.
   */
  qualifiedDetections(
    camera: string,
    cls: string,
    from: number,
    to: number,
    limit: number,
  ): Promise<DetectionRecord[]>;
  /** Records the outcome (and case) of detections by seq. */
  setDetectionOutcome(
    seqs: readonly number[],
    outcome: DetectionOutcome,
    caseId: string | null,
  ): Promise<void>;
  /** The newest detections of a camera, newest first. */
  recentDetections(camera: string, limit: number): Promise<DetectionRecord[]>;

  /** The case last opened for (camera, class), or null. */
  cameraCase(camera: string, cls: string): Promise<string | null>;
  /** Links (camera, class) to a case, replacing an earlier link. */
  setCameraCase(camera: string, cls: string, caseId: string, at: number): Promise<void>;

  /** The case an alarm opened, or null. */
  alarmCase(alarmId: number): Promise<string | null>;
  /** Links an alarm to its case; false (and no change) when the alarm already has one. */
  insertAlarmCase(alarmId: number, caseId: string, at: number): Promise<boolean>;

  /** Stores an Open311 request and returns it with its id. */
  insertOpen311(request: NewOpen311Request): Promise<Open311Record>;
  /** One Open311 request by id, or null. */
  open311ById(id: number): Promise<Open311Record | null>;
  /** One Open311 request by token, or null. */
  open311ByToken(token: string): Promise<Open311Record | null>;
  /** Open311 requests matching the filters, newest first. */
  listOpen311(query: Open311ListQuery): Promise<Open311Record[]>;

  /** An imported hotline record by its number, or null. */
  hotline(recordNo: string): Promise<HotlineRecord | null>;
  /** Stores a hotline record; false (and no change) when the number was imported before. */
  insertHotline(record: HotlineRecord): Promise<boolean>;
}
