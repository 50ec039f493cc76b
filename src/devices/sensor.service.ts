import { EVERYTHING, type Visibility } from '../jurisdictions/visibility.js';
import { AppError } from '../errors.js';
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import type { ImportFormat } from '../platform/import-file.js';
import { DeviceRegistry } from './device-registry.js';
import { readImportFile } from './sensor-import.js';
import { importSensors } from './sensor-importer.js';
import { SensorIndex, type RegisteredSensor } from './sensor-index.js';
import { toSensor } from './sensor.presenter.js';
import type { NewSensorRecord, SensorChain, SensorRecord, SensorRepository } from './sensor.repository.js';
import {
  type ImportReport,
  type SensorCreate,
  type SensorDto,
  type SensorListQueryDto,
  type SensorListResponse,
  type SensorPatch,
  type SensorTypeListResponse,
} from './sensor.schema.js';
import { SENSOR_DOMAINS, SENSOR_TYPES, sensorType, typesOfDomain, type SensorType } from './sensor-types.js';

export type { RegisteredSensor } from './sensor-index.js';

/**
 * The sensor registry (传感器台账). Writes go to the repository first and then to an in-memory
 * index (id → key, type, chain) that ingest consults for every reading, so `resolve` is one Map
 * lookup. The index is loaded at start; another process's writes (the CLI) show after `reload()`.
 */
export class SensorService {
  private index = new SensorIndex();
  private readonly registry: DeviceRegistry<SensorRecord>;

  private constructor(
    private readonly repository: SensorRepository,
    private readonly jurisdictions: JurisdictionService,
    clock: () => Date,
  ) {
    this.registry = new DeviceRegistry({
      jurisdictions,
      clock,
      get: (id) => repository.get(id),
      invalid: 'INVALID_SENSOR',
      notFound,
    });
  }

  /** Loads the registry index and returns the service. */
  static async create(options: {
    repository: SensorRepository;
    jurisdictions: JurisdictionService;
    clock?: () => Date;
  }): Promise<SensorService> {
    const service = new SensorService(
      options.repository,
      options.jurisdictions,
      options.clock ?? (() => new Date()),
    );
    await service.reload();
    return service;
  }

  /** Re-reads the whole index from the repository (after the CLI or another process wrote). */
  async reload(): Promise<void> {
    this.index = SensorIndex.of(await this.repository.listIndex());
  }

  /** Changes whenever a sensor is added, moved or removed (alarm rule plans are rebuilt then). */
  get revision(): number {
    return this.index.revision;
  }

  /** The registered sensor with this id, or undefined: the ingest hot path, O(1). */
  resolve(id: string): RegisteredSensor | undefined {
    return this.index.get(id);
  }

  /** The registered sensor with this key, or undefined: for readers of the telemetry store. */
  resolveKey(key: number): RegisteredSensor | undefined {
    return this.index.getKey(key);
  }

  /** Every registered sensor (the in-memory index): for indicators computed over a whole area. */
  registered(): IterableIterator<RegisteredSensor> {
    return this.index.values();
  }

  /** Number of registered sensors. */
  get size(): number {
    return this.index.size;
  }

  /** The type catalog, optionally one domain's types. */
  types(domain?: SensorType['domain']): SensorTypeListResponse {
    const items = domain ? SENSOR_TYPES.filter((t) => t.domain === domain) : SENSOR_TYPES;
    return { domains: [...SENSOR_DOMAINS], items: [...items] };
  }

  /** A page of sensors by type, domain and scope (a jurisdiction code: anywhere below it), by id. */
  async list(query: SensorListQueryDto, visible: Visibility = EVERYTHING): Promise<SensorListResponse> {
    let types: string[] | undefined;
    if (query.type !== undefined) {
      requireType(query.type);
      types = [query.type];
    }
    if (query.domain !== undefined) {
      const inDomain = typesOfDomain(query.domain);
      types = types ? types.filter((t) => inDomain.includes(t)) : inDomain;
    }
    const scope = this.registry.scope(query.scope, visible);
    const page = await this.repository.list({ types, scope, limit: query.limit, offset: query.offset });
    return { items: page.items.map(toSensor), total: page.total };
  }

  /** One sensor, or SENSOR_NOT_FOUND (also for one outside the caller's jurisdiction). */
  async get(id: string, visible: Visibility = EVERYTHING): Promise<SensorDto> {
    return toSensor(await this.registry.require(id, visible));
  }

  /** Registers a sensor: checks its type, resolves its jurisdiction chain, assigns its key. */
  async create(input: SensorCreate, visible: Visibility = EVERYTHING): Promise<SensorDto> {
    const record = await this.repository.insert(this.check(input, visible, this.registry.now()));
    this.index.set(record);
    return toSensor(record);
  }

  /** Replaces the given fields; a new location re-resolves the chain. The type and key never change. */
  async update(id: string, patch: SensorPatch, visible: Visibility = EVERYTHING): Promise<SensorDto> {
    const current = await this.registry.require(id, visible);
    const updated = await this.repository.update(this.registry.patched(current, patch, visible));
    if (!updated) throw notFound(id);
    this.index.set(updated);
    return toSensor(updated);
  }

  /** Removes a sensor. Its key is never reused; readings already stored under it stay where they are. */
  async delete(id: string, visible: Visibility = EVERYTHING): Promise<void> {
    await this.registry.require(id, visible);
    if (!(await this.repository.delete(id))) throw notFound(id);
    this.index.delete(id);
  }

  /**
   * Bulk import from CSV or JSON (formats: sensor-import.ts; workflow: sensor-importer.ts). Each row
   * is checked on its own, the valid ones go in one transaction, the others are reported by code.
   * With `dryRun`, nothing is written: the report says what an import would do.
   */
  async import(
    text: string,
    format: ImportFormat,
    options: { visible?: Visibility; dryRun?: boolean } = {},
  ): Promise<ImportReport> {
    return importSensors({
      registry: this,
      rows: readImportFile(text, format),
      visible: options.visible ?? EVERYTHING,
      now: this.registry.now(),
      dryRun: options.dryRun ?? false,
    });
  }

  /** Inserts already checked sensors in one transaction (all or none) and indexes them. */
  async registerMany(records: readonly NewSensorRecord[]): Promise<SensorRecord[]> {
    const inserted = await this.repository.insertMany(records);
    for (const record of inserted) this.index.set(record);
    return inserted;
  }

  /**
   * Re-resolves every sensor's chain against the current jurisdiction tree and stores the ones that
   * changed (after a zone took over townships, or real boundaries were imported). Returns how many.
   */
  async rechain(): Promise<number> {
    let changed = 0;
    for (const entry of [...this.index.values()]) {
      let chain: SensorChain;
      try {
        chain = this.jurisdictions.chainAt(entry.lon, entry.lat, EVERYTHING);
      } catch {
        continue; // now outside every boundary: keep the last known chain rather than lose the sensor
      }
      if (sameChain(chain, entry)) continue;
      const current = await this.repository.get(entry.id);
      if (!current) continue;
      const updated = await this.repository.update({
        ...current,
        ...chain,
        updatedAt: this.registry.now(),
      });
      if (updated) {
        this.index.set(updated);
        changed += 1;
      }
    }
    return changed;
  }

  /**
   * Checks a create body against the catalog, the registry and the map, and resolves its chain:
   * the record to insert, or the AppError an import row is rejected with.
   */
  check(input: SensorCreate, visible: Visibility, now: string): NewSensorRecord {
    requireType(input.type);
    if (this.index.get(input.id)) throw new AppError('SENSOR_CONFLICT', alreadyRegistered(input.id));
    return { ...this.registry.place(input, visible, now), type: input.type };
  }
}

function requireType(code: string): SensorType {
  const type = sensorType(code);
  if (!type) {
    throw new AppError(
      'UNKNOWN_SENSOR_TYPE',
      `"${code}" is not a sensor type; GET /api/v1/sensor-types lists them.`,
    );
  }
  return type;
}

function sameChain(a: SensorChain, b: SensorChain): boolean {
  return (
    a.provinceCode === b.provinceCode &&
    a.prefectureCode === b.prefectureCode &&
    a.countyCode === b.countyCode &&
    a.townshipCode === b.townshipCode
  );
}

const notFound = (id: string) => new AppError('SENSOR_NOT_FOUND', `No sensor has the id "${id}".`);
/** The message of a SENSOR_CONFLICT for an id already in the registry. */
export const alreadyRegistered = (id: string) => `A sensor with the id "${id}" is already registered.`;
