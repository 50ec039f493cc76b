import { randomUUID } from 'node:crypto';
import type { Visibility } from '../jurisdictions/visibility.js';
import { AppError } from '../errors.js';
import { finestCode } from '../jurisdictions/geo.types.js';
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import { summary, type Actor, type Problem } from './alarm-caller.js';
import type { AlarmEngine } from './alarm-engine.js';
import { toWindowDto } from './alarm.presenter.js';
import type { AlarmRepository } from './alarm.repository.js';
import type { WindowCreate, WindowDto } from './alarm.schema.js';
import type { SensorSource } from './rule-plan.js';

/** Longest maintenance window: longer work is a decommissioning, not maintenance. */
const MAX_WINDOW_MS = 90 * 86_400_000;

/** What the maintenance-window workflow needs. */
export interface MaintenanceWindowsDeps {
  repository: AlarmRepository;
  /** Told to reload after every write: windows take effect on the live stream at once. */
  engine: Pick<AlarmEngine, 'reloadWindows'>;
  sensors: Pick<SensorSource, 'resolve'>;
  jurisdictions: JurisdictionService;
  clock: () => number;
}

/**
 * Maintenance windows (维护窗口) for the API: a jurisdiction or a list of sensors, from–to, during
 * which rules do not raise. Each caller sees and sets windows only inside their jurisdiction.
 */
export class MaintenanceWindows {
  constructor(private readonly deps: MaintenanceWindowsDeps) {}

  /** The windows not yet over that touch the caller's jurisdiction. */
  async list(visible: Visibility): Promise<{ items: WindowDto[] }> {
    const windows = await this.deps.repository.listWindows(this.deps.clock());
    return { items: windows.filter((w) => this.visible(w, visible)).map(toWindowDto) };
  }

  /** Validates and stores a window (INVALID_WINDOW with every problem otherwise). */
  async create(input: WindowCreate, actor: Actor): Promise<WindowDto> {
    const startsAt = Date.parse(input.startsAt);
    const endsAt = Date.parse(input.endsAt);
    const problems: Problem[] = [];
    if (!(endsAt > startsAt)) problems.push({ field: 'endsAt', message: 'must be after startsAt' });
    if (endsAt - startsAt > MAX_WINDOW_MS) {
      problems.push({ field: 'endsAt', message: 'at most 90 days after startsAt' });
    }
    if (endsAt <= this.deps.clock()) problems.push({ field: 'endsAt', message: 'is already past' });
    const jurisdiction = input.jurisdiction ?? null;
    const sensors = input.sensors ?? null;
    if (
      jurisdiction !== null &&
      (!this.deps.jurisdictions.units.get(jurisdiction) || !actor.visible.contains(jurisdiction))
    ) {
      problems.push({ field: 'jurisdiction', message: `no jurisdiction ${jurisdiction} in your scope` });
    }
    for (const id of sensors ?? []) {
      const sensor = this.deps.sensors.resolve(id);
      if (!sensor || !actor.visible.contains(finestCode(sensor))) {
        problems.push({ field: 'sensors', message: `no sensor ${id} in your scope` });
      }
    }
    if (jurisdiction === null && sensors === null && actor.visible.root !== null) {
      problems.push({ field: 'jurisdiction', message: 'give a jurisdiction or sensors inside your scope' });
    }
    if (problems.length > 0) {
      throw new AppError('INVALID_WINDOW', `The maintenance window is not valid: ${summary(problems)}`, {
        problems,
      });
    }
    const window = {
      id: input.id ?? `mw-${randomUUID().slice(0, 8)}`,
      jurisdiction,
      sensors,
      startsAt,
      endsAt,
      reason: input.reason,
      createdBy: actor.name,
      createdAt: this.deps.clock(),
    };
    await this.deps.repository.insertWindow(window);
    await this.deps.engine.reloadWindows();
    return toWindowDto(window);
  }

  /** Deletes a visible window; rules raise again at once. */
  async delete(id: string, actor: Actor): Promise<void> {
    const window = await this.deps.repository.getWindow(id);
    if (!window || !this.visible(window, actor.visible)) {
      throw new AppError('WINDOW_NOT_FOUND', `No maintenance window has the id "${id}".`);
    }
    await this.deps.repository.deleteWindow(id);
    await this.deps.engine.reloadWindows();
  }

  /** A window is seen by callers whose jurisdiction holds its unit or one of its sensors. */
  private visible(
    window: { jurisdiction: string | null; sensors: string[] | null },
    visible: Visibility,
  ): boolean {
    if (visible.root === null) return true;
    if (window.jurisdiction !== null) return visible.contains(window.jurisdiction);
    return (window.sensors ?? []).some((id) => {
      const sensor = this.deps.sensors.resolve(id);
      return sensor !== undefined && visible.contains(finestCode(sensor));
    });
  }
}
