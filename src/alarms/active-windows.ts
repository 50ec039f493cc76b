import { finestCode } from '../jurisdictions/geo.types.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { RegisteredSensor } from '../devices/sensor.service.js';
import type { MaintenanceWindow } from './alarm.types.js';

/**
 * The maintenance windows not yet over, as the engine checks them: a window keeps a rule from
 * raising on its sensors or area; it never hides or clears an alarm already open.
 */
export class ActiveWindows {
  private windows: MaintenanceWindow[] = [];

  constructor(private readonly tree: () => JurisdictionTree) {}

  /** Replaces the windows (after one was added or removed). */
  replace(windows: MaintenanceWindow[]): void {
    this.windows = windows;
  }

  /** Forgets the windows that have ended. */
  prune(now: number): void {
    this.windows = this.windows.filter((w) => w.endsAt > now);
  }

  /** True when no window is known: the hot loop then skips the checks below. */
  get none(): boolean {
    return this.windows.length === 0;
  }

  /** Whether a window covers the sensor at `t` (by its id or its jurisdiction). */
  suppresses(sensor: RegisteredSensor, t: number): boolean {
    for (const w of this.windows) {
      if (t < w.startsAt || t >= w.endsAt) continue;
      if (w.sensors !== null && !w.sensors.includes(sensor.id)) continue;
      if (w.jurisdiction !== null && !this.tree().isWithin(finestCode(sensor), w.jurisdiction)) continue;
      return true;
    }
    return false;
  }

  /** Whether a window covers a composite rule's area at `t`; a list of sensors never covers an area. */
  suppressesArea(area: string, t: number): boolean {
    const tree = this.tree();
    return this.windows.some(
      (w) =>
        t >= w.startsAt &&
        t < w.endsAt &&
        w.sensors === null &&
        (w.jurisdiction === null || tree.isWithin(area, w.jurisdiction)),
    );
  }
}
