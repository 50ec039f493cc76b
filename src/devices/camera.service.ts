import { EVERYTHING, type Visibility } from '../jurisdictions/visibility.js';
import { AppError } from '../errors.js';
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import { DeviceRegistry } from './device-registry.js';
import { readCameraFile } from './camera-import.js';
import { judgeRows, type ImportFormat } from '../platform/import-file.js';
import { toCamera } from './camera.presenter.js';
import type { CameraRecord, CameraRepository } from './camera.repository.js';
import type {
  CameraCreate,
  CameraDto,
  CameraImportReport,
  CameraListQueryDto,
  CameraListResponse,
  CameraPatch,
} from './camera.schema.js';

/**
 * The AI camera registry (视频智能识别点位台账), the sensor registry's sibling: every camera has a
 * location, and from it the jurisdiction chain that scopes who sees it and where its cases go.
 */
export class CameraService {
  private readonly registry: DeviceRegistry<CameraRecord>;

  constructor(
    private readonly repository: CameraRepository,
    jurisdictions: JurisdictionService,
    clock: () => Date = () => new Date(),
  ) {
    this.registry = new DeviceRegistry({
      jurisdictions,
      clock,
      get: (id) => repository.get(id),
      invalid: 'INVALID_CAMERA',
      notFound,
    });
  }

  /** A page of cameras in a scope (anywhere below a jurisdiction code), by id. */
  async list(query: CameraListQueryDto, visible: Visibility = EVERYTHING): Promise<CameraListResponse> {
    const scope = this.registry.scope(query.scope, visible);
    const page = await this.repository.list({ scope, limit: query.limit, offset: query.offset });
    return { items: page.items.map(toCamera), total: page.total };
  }

  /** One camera, or CAMERA_NOT_FOUND (also for one outside the caller's jurisdiction). */
  async get(id: string, visible: Visibility = EVERYTHING): Promise<CameraDto> {
    return toCamera(await this.registry.require(id, visible));
  }

  /** The stored camera if the caller may see it, else null: for detection ingest. */
  async find(id: string, visible: Visibility = EVERYTHING): Promise<CameraRecord | null> {
    return this.registry.find(id, visible);
  }

  /** Registers a camera, resolving its jurisdiction chain from lon/lat. */
  async create(input: CameraCreate, visible: Visibility = EVERYTHING): Promise<CameraDto> {
    return toCamera(await this.repository.insert(this.check(input, visible, this.registry.now())));
  }

  /** Replaces the given fields; a new location re-resolves the chain. */
  async update(id: string, patch: CameraPatch, visible: Visibility = EVERYTHING): Promise<CameraDto> {
    const current = await this.registry.require(id, visible);
    const next: CameraRecord = {
      ...this.registry.patched(current, patch, visible),
      name: patch.name === undefined ? current.name : patch.name,
    };
    const updated = await this.repository.update(next);
    if (!updated) throw notFound(id);
    return toCamera(updated);
  }

  /** Removes a camera. Its stored detections stay (they are the record of what it saw). */
  async delete(id: string, visible: Visibility = EVERYTHING): Promise<void> {
    await this.registry.require(id, visible);
    if (!(await this.repository.delete(id))) throw notFound(id);
  }

  /**
   * Bulk import from CSV or JSON: each row is checked alone, the valid ones are registered in one
   * transaction, the others reported by row with a code. With `dryRun` nothing is written.
   */
  async import(
    text: string,
    format: ImportFormat,
    options: { visible?: Visibility; dryRun?: boolean } = {},
  ): Promise<CameraImportReport> {
    const visible = options.visible ?? EVERYTHING;
    const now = this.registry.now();
    const rows = readCameraFile(text, format);
    const ids = rows.flatMap((r) => (r.result.ok ? [r.result.value.id] : []));
    const taken = await this.repository.existing(ids);
    const { accepted, rejected } = judgeRows(rows, {
      check: (camera) => {
        if (taken.has(camera.id)) {
          throw new AppError('CAMERA_CONFLICT', `A camera with the id "${camera.id}" is already registered.`);
        }
        return this.check(camera, visible, now);
      },
      codeOf: (code) =>
        code === 'OUTSIDE_JURISDICTION' || code === 'CAMERA_CONFLICT' ? code : 'INVALID_CAMERA',
      conflict: 'CAMERA_CONFLICT',
    });
    const records = accepted.map((a) => a.record);
    if (!options.dryRun && records.length > 0) await this.repository.insertMany(records);
    return { imported: records.length, rejected: rejected.sort((a, b) => a.row - b.row) };
  }

  private check(input: CameraCreate, visible: Visibility, now: string): CameraRecord {
    return { ...this.registry.place(input, visible, now), name: input.name ?? null };
  }
}

const notFound = (id: string) => new AppError('CAMERA_NOT_FOUND', `No camera has the id "${id}".`);
