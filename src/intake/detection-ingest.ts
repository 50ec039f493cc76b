import type { Visibility } from '../jurisdictions/visibility.js';
import { AppError, type ErrorCode } from '../errors.js';
import type { CameraRecord } from '../devices/camera.repository.js';
import type { CasePort } from './case-port.js';
import { isDetectionClass, type DetectionClass, type DetectionRule } from './detection-rules.js';
import type {
  DetectionOutcome,
  DetectionRecord,
  IntakeRepository,
  NewDetection,
} from './intake.repository.js';

/** A refused detection: its position in the request, a stable code, a readable message. */
export interface DetectionRejection {
  index: number;
  code: ErrorCode;
  message: string;
}

/** What became of an accepted detection. */
export interface DetectionResult {
  index: number;
  seq: number;
  outcome: DetectionOutcome;
  caseId: string | null;
}

/** The answer to one detection batch. */
export interface DetectionReport {
  accepted: number;
  results: DetectionResult[];
  rejected: DetectionRejection[];
}

/** What detection ingest needs. */
export interface DetectionIngestDeps {
  repository: IntakeRepository;
  cameras: { find(id: string, visible: Visibility): Promise<CameraRecord | null> };
  cases: Pick<CasePort, 'report' | 'view'>;
  rules: Record<DetectionClass, DetectionRule>;
  /** Epoch milliseconds now (tests inject a clock). */
  clock?: () => number;
  /** Oldest accepted `ts`, as an age in ms (default 7 days). */
  maxAgeMs?: number;
  /** Furthest accepted `ts` ahead of now, in ms (default 5 minutes). */
  maxAheadMs?: number;
}

interface Checked {
  index: number;
  camera: CameraRecord;
  record: NewDetection;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const FIELDS = new Set(['camera', 'class', 'confidence', 'ts', 'snapshotUrl', 'bbox']);
// Enough detections to show the rule was met, without loading a busy camera's whole window.
const MAX_WINDOW_ROWS = 50;

/**
 * AI camera detections → cases. Every well-formed detection is stored as it came (also those
 * below the class threshold: they are the camera's record); each bad one is refused alone. A
 * (camera, class) whose qualifying detections meet the class's persistence rule reports a case
 * through the cases intake (source `camera`, the camera's location, the snapshots as
 * attachments, the detections as raw record); while that case is open, later qualifying
 * detections of the same camera and class are reported onto it (one report per batch).
 */
export class DetectionIngest {
  private readonly clock: () => number;
  private readonly maxAgeMs: number;
  private readonly maxAheadMs: number;

  constructor(private readonly deps: DetectionIngestDeps) {
    this.clock = deps.clock ?? Date.now;
    this.maxAgeMs = deps.maxAgeMs ?? 7 * 24 * 3_600_000;
    this.maxAheadMs = deps.maxAheadMs ?? 5 * 60_000;
  }

  /** The effective rule of every class. */
  rules(): DetectionRule[] {
    return Object.values(this.deps.rules);
  }

  /** The newest stored detections of a camera the caller may see (CAMERA_NOT_FOUND otherwise). */
  async recent(cameraId: string, limit: number, visible: Visibility): Promise<DetectionRecord[]> {
    if (!(await this.deps.cameras.find(cameraId, visible))) {
      throw new AppError('CAMERA_NOT_FOUND', `No camera has the id "${cameraId}".`);
    }
    return this.deps.repository.recentDetections(cameraId, limit);
  }

  /** Checks, stores and evaluates a batch; `visible` limits the cameras the caller may report for. */
  async ingest(items: readonly unknown[], visible: Visibility): Promise<DetectionReport> {
    const now = this.clock();
    const rejected: DetectionRejection[] = [];
    const checked: Checked[] = [];
    const cameras = new Map<string, CameraRecord | null>();
    for (const [index, item] of items.entries()) {
      const result = await this.check(item, now, visible, cameras);
      if ('code' in result) rejected.push({ index, ...result });
      else checked.push({ index, ...result });
    }
    const seqs = await this.deps.repository.insertDetections(checked.map((c) => c.record));
    const results = new Map<number, DetectionResult>();
    checked.forEach((c, i) => {
      const seq = seqs[i] ?? -1;
      results.set(seq, { index: c.index, seq, outcome: c.record.outcome, caseId: null });
    });
    const groups = new Map<
      string,
      { camera: CameraRecord; rule: DetectionRule; items: Checked[]; seqs: number[] }
    >();
    checked.forEach((c, i) => {
      if (!c.record.qualified) return;
      const key = `${c.camera.id}\u0000${c.record.class}`;
      const group = groups.get(key) ?? {
        camera: c.camera,
        rule: this.deps.rules[c.record.class as DetectionClass],
        items: [],
        seqs: [],
      };
      group.items.push(c);
      group.seqs.push(seqs[i] ?? -1);
      groups.set(key, group);
    });
    for (const group of groups.values()) {
      for (const change of await this.evaluate(group.camera, group.rule, group.items, group.seqs, visible)) {
        for (const seq of change.seqs) {
          const result = results.get(seq);
          if (result) {
            result.outcome = change.outcome;
            result.caseId = change.caseId;
          }
        }
      }
    }
    return {
      accepted: checked.length,
      results: [...results.values()].sort((a, b) => a.index - b.index),
      rejected,
    };
  }

  /** Applies the persistence rule to one (camera, class) group of qualifying detections, oldest first. */
  private async evaluate(
    camera: CameraRecord,
    rule: DetectionRule,
    items: Checked[],
    seqs: number[],
    visible: Visibility,
  ): Promise<{ seqs: number[]; outcome: DetectionOutcome; caseId: string }[]> {
    const { repository, cases } = this.deps;
    const order = items
      .map((item, i) => ({ item, seq: seqs[i] ?? -1 }))
      .sort((a, b) => a.item.record.ts - b.item.record.ts);
    const changes: { seqs: number[]; outcome: DetectionOutcome; caseId: string }[] = [];
    let caseId = await repository.cameraCase(camera.id, rule.class);
    if (caseId !== null && !(await cases.view(caseId))?.open) caseId = null;
    const toAttach: { item: Checked; seq: number }[] = [];
    for (const entry of order) {
      if (caseId !== null) {
        toAttach.push(entry);
        continue;
      }
      const ts = entry.item.record.ts;
      const window = await repository.qualifiedDetections(
        camera.id,
        rule.class,
        ts - rule.windowSeconds * 1000,
        ts,
        MAX_WINDOW_ROWS,
      );
      if (window.length < rule.minDetections) continue;
      const outcome = await cases.report(
        {
          source: 'camera',
          sourceRef: `${camera.id}/${entry.seq}`,
          category: rule.category,
          lon: camera.lon,
          lat: camera.lat,
          address: camera.name ?? undefined,
          description: `AI识别 ${rule.zh}: 摄像头 ${camera.id}${camera.name ? ` (${camera.name})` : ''} ${window.length} 次识别 / ${rule.windowSeconds} 秒`,
          reportedAt: ts,
          attachments: snapshots(window.map((w) => w.snapshotUrl)),
          raw: window.map((w) => w.raw),
        },
        visible,
      );
      caseId = outcome.caseId;
      const windowSeqs = window.map((w) => w.seq);
      const kind: DetectionOutcome = outcome.attached ? 'case_attached' : 'case_opened';
      await repository.setDetectionOutcome(windowSeqs, kind, caseId);
      await repository.setCameraCase(camera.id, rule.class, caseId, this.clock());
      changes.push({ seqs: windowSeqs, outcome: kind, caseId });
    }
    if (caseId !== null && toAttach.length > 0) {
      const last = toAttach[toAttach.length - 1]!;
      const outcome = await cases.report(
        {
          source: 'camera',
          sourceRef: `${camera.id}/${last.seq}`,
          category: rule.category,
          lon: camera.lon,
          lat: camera.lat,
          address: camera.name ?? undefined,
          description: `AI识别 ${rule.zh}: 摄像头 ${camera.id} 再次识别 ${toAttach.length} 次`,
          reportedAt: last.item.record.ts,
          attachments: snapshots(toAttach.map((a) => a.item.record.snapshotUrl)),
          raw: toAttach.map((a) => a.item.record.raw),
        },
        visible,
      );
      const attachedSeqs = toAttach.map((a) => a.seq);
      await repository.setDetectionOutcome(attachedSeqs, 'case_attached', outcome.caseId);
      if (outcome.caseId !== caseId) {
        await repository.setCameraCase(camera.id, rule.class, outcome.caseId, this.clock());
      }
      changes.push({ seqs: attachedSeqs, outcome: 'case_attached', caseId: outcome.caseId });
    }
    return changes;
  }

  private async check(
    item: unknown,
    now: number,
    visible: Visibility,
    cameras: Map<string, CameraRecord | null>,
  ): Promise<{ camera: CameraRecord; record: NewDetection } | Omit<DetectionRejection, 'index'>> {
    const invalid = (message: string) => ({ code: 'INVALID_DETECTION' as const, message });
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return invalid('a detection is an object {"camera", "class", "confidence", "ts", …}');
    }
    const fields = item as Record<string, unknown>;
    const extra = Object.keys(fields).find((k) => !FIELDS.has(k));
    if (extra !== undefined) {
      return invalid(`unknown field "${extra.slice(0, 64)}"; a detection has ${[...FIELDS].join(', ')}`);
    }
    const { camera: id, class: cls, confidence, ts, snapshotUrl, bbox } = fields;
    if (typeof id !== 'string' || id === '') return invalid('"camera" must be the camera id (a string)');
    if (!isDetectionClass(cls)) {
      return {
        code: 'UNKNOWN_DETECTION_CLASS',
        message: `"class" must be one of ${Object.keys(this.deps.rules).join(', ')}`,
      };
    }
    if (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1)) {
      return invalid('"confidence" must be a number from 0 to 1');
    }
    const time = timestamp(ts);
    if (time === null) return invalid('"ts" must be epoch milliseconds or ISO-8601 with a zone');
    if (time > now + this.maxAheadMs || time < now - this.maxAgeMs) {
      return {
        code: 'TIMESTAMP_OUT_OF_RANGE',
        message: `"ts" ${new Date(time).toISOString()} is out of range`,
      };
    }
    if (snapshotUrl !== undefined && !isHttpUrl(snapshotUrl)) {
      return invalid('"snapshotUrl" must be an http(s) URL of at most 2048 characters');
    }
    if (
      bbox !== undefined &&
      !(
        Array.isArray(bbox) &&
        bbox.length === 4 &&
        bbox.every((v) => typeof v === 'number' && Number.isFinite(v))
      )
    ) {
      return invalid('"bbox" must be [x, y, width, height] (four numbers)');
    }
    if (!cameras.has(id)) cameras.set(id, id.length <= 64 ? await this.deps.cameras.find(id, visible) : null);
    const camera = cameras.get(id);
    if (!camera) {
      return {
        code: 'UNKNOWN_CAMERA',
        message: `no camera "${id.slice(0, 64)}" is registered (in your jurisdiction)`,
      };
    }
    const qualified = confidence >= this.deps.rules[cls].minConfidence;
    return {
      camera,
      record: {
        camera: id,
        class: cls,
        confidence,
        ts: time,
        snapshotUrl: typeof snapshotUrl === 'string' ? snapshotUrl : null,
        qualified,
        outcome: qualified ? 'pending' : 'below_threshold',
        caseId: null,
        receivedAt: now,
        raw: item,
      },
    };
  }
}

function timestamp(ts: unknown): number | null {
  if (typeof ts === 'number') return Number.isFinite(ts) ? Math.round(ts) : null;
  if (typeof ts !== 'string' || !ISO.test(ts)) return null;
  const parsed = Date.parse(ts);
  return Number.isNaN(parsed) ? null : parsed;
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 2048) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function snapshots(urls: (string | null)[]): string[] {
  return [...new Set(urls.filter((u): u is string => u !== null))].slice(0, 20);
}

/** The codes a detection can be refused with. */
export const DETECTION_CODES: readonly ErrorCode[] = [
  'INVALID_DETECTION',
  'UNKNOWN_DETECTION_CLASS',
  'UNKNOWN_CAMERA',
  'TIMESTAMP_OUT_OF_RANGE',
];
