import type { AppError, ErrorCode } from '../errors.js';
import { finestCode } from '../jurisdictions/geo.types.js';
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import type { Visibility } from '../jurisdictions/visibility.js';
import { checkMetadata } from '../platform/metadata.js';
import type { DeviceRecord, DeviceScope } from './device.js';

/** The fields of a create body every device has. */
export interface DevicePlacement {
  id: string;
  lon: number;
  lat: number;
  department?: string | null | undefined;
  metadata?: Record<string, unknown> | undefined;
}

/** The fields of a patch body every device has. */
export type DevicePatch = Partial<Pick<DevicePlacement, 'lon' | 'lat' | 'department' | 'metadata'>>;

/**
 * The part of a device registry that sensors and cameras share: placing a device on the
 * jurisdiction tree (its chain from lon/lat, refused outside the caller's scope), re-placing it
 * when it moves, the scope of a list, and "hidden is missing" for one outside the caller's scope.
 * Each registry's service keeps what is its own (sensor types and the index; camera names).
 */
export class DeviceRegistry<R extends DeviceRecord> {
  constructor(
    private readonly deps: {
      jurisdictions: JurisdictionService;
      clock: () => Date;
      /** One device by id from the registry's repository. */
      get: (id: string) => Promise<R | null>;
      /** The code of a bad create or patch body (metadata too large). */
      invalid: ErrorCode;
      /** The answer for an absent or hidden id. */
      notFound: (id: string) => AppError;
    },
  ) {}

  /** Now, as the registry stamps createdAt and updatedAt. */
  now(): string {
    return this.deps.clock().toISOString();
  }

  /** The scope of a list: the asked jurisdiction narrowed to what the caller sees. */
  scope(asked: string | undefined, visible: Visibility): DeviceScope | undefined {
    const { jurisdictions } = this.deps;
    const code = jurisdictions.narrowScope(asked, visible);
    return code ? { level: jurisdictions.units.require(code).level, code } : undefined;
  }

  /** The shared fields of a new record: the chain from lon/lat (422 outside `visible`), metadata checked. */
  place(input: DevicePlacement, visible: Visibility, now: string): DeviceRecord {
    return {
      id: input.id,
      lon: input.lon,
      lat: input.lat,
      ...this.deps.jurisdictions.chainAt(input.lon, input.lat, visible),
      department: input.department ?? null,
      metadata: checkMetadata(input.metadata ?? {}, this.deps.invalid),
      createdAt: now,
      updatedAt: now,
    };
  }

  /** `current` with the shared fields of a patch applied; a new location re-resolves the chain. */
  patched(current: R, patch: DevicePatch, visible: Visibility): R {
    const lon = patch.lon ?? current.lon;
    const lat = patch.lat ?? current.lat;
    const moved = lon !== current.lon || lat !== current.lat;
    return {
      ...current,
      ...(moved ? this.deps.jurisdictions.chainAt(lon, lat, visible) : {}),
      lon,
      lat,
      department: patch.department === undefined ? current.department : patch.department,
      metadata:
        patch.metadata === undefined ? current.metadata : checkMetadata(patch.metadata, this.deps.invalid),
      updatedAt: this.now(),
    };
  }

  /** The stored device if the caller may see it, else null. */
  async find(id: string, visible: Visibility): Promise<R | null> {
    const record = await this.deps.get(id);
    return record && visible.contains(finestCode(record)) ? record : null;
  }

  /** The stored device, or the not-found error (the same for one outside the caller's scope). */
  async require(id: string, visible: Visibility): Promise<R> {
    const record = await this.find(id, visible);
    if (!record) throw this.deps.notFound(id);
    return record;
  }
}
