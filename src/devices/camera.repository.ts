import type { DeviceRecord, DeviceScope } from './device.js';

/** A registered AI camera (视频智能识别点位) as stored: where it looks and who owns it. */
export interface CameraRecord extends DeviceRecord {
  /** What it looks at (e.g. 天生路与云华路交叉口); `id` is chosen by the city (e.g. `BB-TS-0001`). */
  name: string | null;
}

/** Filters for listing cameras, ordered by id. */
export interface CameraListQuery {
  /** Only cameras whose stored chain has `code` at `level` ("anywhere below" that unit). */
  scope?: DeviceScope | undefined;
  limit: number;
  offset: number;
}

/** Storage for the camera registry. */
export interface CameraRepository {
  /** Inserts one camera; a taken id is a CAMERA_CONFLICT. */
  insert(camera: CameraRecord): Promise<CameraRecord>;
  /** Inserts many in one transaction (all or none); a taken id is a CAMERA_CONFLICT. */
  insertMany(cameras: readonly CameraRecord[]): Promise<void>;
  /** Replaces everything but id and createdAt; null when no camera has the id. */
  update(camera: CameraRecord): Promise<CameraRecord | null>;
  /** Deletes by id; false when there was none. */
  delete(id: string): Promise<boolean>;
  /** One camera by id, or null. */
  get(id: string): Promise<CameraRecord | null>;
  /** Which of these ids are registered (for imports). */
  existing(ids: readonly string[]): Promise<Set<string>>;
  /** A page of cameras, ordered by id, with the total over all pages. */
  list(query: CameraListQuery): Promise<{ items: CameraRecord[]; total: number }>;
}
