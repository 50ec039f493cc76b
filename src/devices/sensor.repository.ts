import type { UnitChain } from '../jurisdictions/geo.types.js';
import type { DeviceRecord, DeviceScope } from './device.js';

/** Where a sensor stands in the jurisdiction tree, resolved from its location when it is written. */
export type SensorChain = UnitChain;

/** A registered sensor as stored. */
export interface SensorRecord extends DeviceRecord {
  /**
   * Dense integer assigned by the database on insert and never reused, even after a delete: the
   * telemetry engine stores readings by key, so a reused key would hand old readings to a new sensor.
   * (`id` is chosen by the city, e.g. `CQ-LJSD-WD-01`.)
   */
  key: number;
  type: string;
}

/** A sensor before the database has given it a key. */
export type NewSensorRecord = Omit<SensorRecord, 'key'>;

/** The fields the in-memory registry holds: everything but department, metadata and times. */
export type SensorIndexRow = Pick<SensorRecord, 'key' | 'id' | 'type' | 'lon' | 'lat'> & SensorChain;

/** Filters for listing; all optional except paging. Results are ordered by id. */
export interface SensorListQuery {
  /** Only these types (a domain filter becomes its list of types). An empty list matches nothing. */
  types?: readonly string[] | undefined;
  /** Only sensors whose stored chain has `code` at `level` ("anywhere below" that unit). */
  scope?: DeviceScope | undefined;
  limit: number;
  offset: number;
}

/** Storage for the sensor registry. */
export interface SensorRepository {
  /** Inserts one sensor and returns it with its key; a taken id is a SENSOR_CONFLICT. */
  insert(sensor: NewSensorRecord): Promise<SensorRecord>;
  /** Inserts many in one transaction (all or none), keys in input order; a taken id is a SENSOR_CONFLICT. */
  insertMany(sensors: readonly NewSensorRecord[]): Promise<SensorRecord[]>;
  /** Replaces everything but id, key and createdAt; null when no sensor has the id. */
  update(sensor: NewSensorRecord): Promise<SensorRecord | null>;
  /** Deletes by id; false when there was none. The key is not reused. */
  delete(id: string): Promise<boolean>;
  /** One sensor by id, or null. */
  get(id: string): Promise<SensorRecord | null>;
  /** A page of sensors matching the filters, ordered by id, with the total over all pages. */
  list(query: SensorListQuery): Promise<{ items: SensorRecord[]; total: number }>;
  /** Every sensor's key, id, type, location and chain, ordered by key: loaded at start. */
  listIndex(): Promise<SensorIndexRow[]>;
}
