import type { SensorChain, SensorIndexRow } from './sensor.repository.js';
import { sensorType, type SensorType } from './sensor-types.js';

/** A sensor as ingest sees it: key, type (with unit and ranges) and where it stands. Immutable. */
export interface RegisteredSensor extends Readonly<SensorChain> {
  readonly key: number;
  readonly id: string;
  readonly type: SensorType;
  readonly lon: number;
  readonly lat: number;
}

/**
 * The in-memory registry index: id → sensor as a Map, key → sensor as an array (keys are dense).
 * Entries are frozen and replaced, never mutated, so a reader always sees a whole entry.
 */
export class SensorIndex {
  private static changes = 0;
  private byId = new Map<string, RegisteredSensor>();
  private byKey: (RegisteredSensor | undefined)[] = [];
  /** Changes on every set and delete, unique across indexes: consumers that cache per-sensor plans compare it. */
  revision = ++SensorIndex.changes;

  /** An index over these rows (as the repository's listIndex gives them). */
  static of(rows: readonly SensorIndexRow[]): SensorIndex {
    const index = new SensorIndex();
    for (const row of rows) index.set(row);
    return index;
  }

  /** The sensor with this id: one Map lookup. */
  get(id: string): RegisteredSensor | undefined {
    return this.byId.get(id);
  }

  /** The sensor with this key: one array read. */
  getKey(key: number): RegisteredSensor | undefined {
    return this.byKey[key];
  }

  /** Adds or replaces the entry for a stored sensor. */
  set(row: SensorIndexRow): void {
    const type = sensorType(row.type);
    // The service stores catalog types only and catalog codes are never removed.
    if (!type) throw new Error(`sensor ${row.id} has type "${row.type}", which is not in the catalog`);
    const entry: RegisteredSensor = Object.freeze({
      key: row.key,
      id: row.id,
      type,
      lon: row.lon,
      lat: row.lat,
      provinceCode: row.provinceCode,
      prefectureCode: row.prefectureCode,
      countyCode: row.countyCode,
      townshipCode: row.townshipCode,
    });
    this.byId.set(entry.id, entry);
    this.byKey[entry.key] = entry;
    this.revision = ++SensorIndex.changes;
  }

  /** Drops a sensor. */
  delete(id: string): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    this.byId.delete(id);
    this.byKey[entry.key] = undefined;
    this.revision = ++SensorIndex.changes;
  }

  /** Every entry, in insertion order. */
  values(): IterableIterator<RegisteredSensor> {
    return this.byId.values();
  }

  /** Number of sensors. */
  get size(): number {
    return this.byId.size;
  }
}
