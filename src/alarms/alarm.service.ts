import type { Visibility } from '../jurisdictions/visibility.js';
import { AppError } from '../errors.js';
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import type { ReadingStore } from '../telemetry/store/reading-store.js';
import { finestCode } from '../jurisdictions/geo.types.js';
import { isSensorDomain } from '../devices/sensor-types.js';
import type { Actor } from './alarm-caller.js';
import type { AlarmEngine } from './alarm-engine.js';
import { AlarmRules } from './alarm-rules.service.js';
import { toAlarmDto, toCommentDto } from './alarm.presenter.js';
import type { AlarmRepository } from './alarm.repository.js';
import type { AlarmDto, CommentDto } from './alarm.schema.js';
import { ALARM_STATES, SEVERITIES, type Alarm, type AlarmState } from './alarm.types.js';
import { MaintenanceWindows } from './maintenance-windows.js';
import type { SensorSource } from './rule-plan.js';

// The routes import the caller's type from here, beside the service they call.
export type { Actor } from './alarm-caller.js';

/**
 * The alarm domain's API: alarms themselves (list, acknowledge, clear, comment) here, rules in
 * `AlarmRules` and maintenance windows in `MaintenanceWindows`, reachable through this one
 * object so routes and callers keep a single dependency. Alarm state changes go through the
 * engine, which owns open alarms.
 */
export class AlarmService {
  /** Rule listing, validated writes and dry runs. */
  readonly rules: AlarmRules;
  /** Maintenance windows. */
  readonly windows: MaintenanceWindows;

  constructor(
    private readonly repository: AlarmRepository,
    private readonly engine: AlarmEngine,
    sensors: SensorSource,
    private readonly jurisdictions: JurisdictionService,
    readings: ReadingStore,
    private readonly clock: () => number = Date.now,
  ) {
    this.rules = new AlarmRules({ repository, engine, sensors, jurisdictions, readings, clock });
    this.windows = new MaintenanceWindows({ repository, engine, sensors, jurisdictions, clock });
  }

  /** Seeds the built-in rules never seen before; returns how many were added. */
  static seedDefaults(repository: AlarmRepository, now: number): Promise<number> {
    return AlarmRules.seedDefaults(repository, now);
  }

  // ---- rules and windows: see alarm-rules.service.ts and maintenance-windows.ts ----------------

  /** The rules visible to the caller. */
  listRules(...args: Parameters<AlarmRules['list']>): ReturnType<AlarmRules['list']> {
    return this.rules.list(...args);
  }

  /** One visible rule. */
  getRule(...args: Parameters<AlarmRules['get']>): ReturnType<AlarmRules['get']> {
    return this.rules.get(...args);
  }

  /** Creates a rule. */
  createRule(...args: Parameters<AlarmRules['create']>): ReturnType<AlarmRules['create']> {
    return this.rules.create(...args);
  }

  /** Patches a rule. */
  updateRule(...args: Parameters<AlarmRules['update']>): ReturnType<AlarmRules['update']> {
    return this.rules.update(...args);
  }

  /** Deletes a rule; its open alarms are cleared (reason rule_removed). */
  deleteRule(...args: Parameters<AlarmRules['delete']>): ReturnType<AlarmRules['delete']> {
    return this.rules.delete(...args);
  }

  /** Replays stored readings through a rule. */
  dryRun(...args: Parameters<AlarmRules['dryRun']>): ReturnType<AlarmRules['dryRun']> {
    return this.rules.dryRun(...args);
  }

  /** The maintenance windows visible to the caller. */
  listWindows(...args: Parameters<MaintenanceWindows['list']>): ReturnType<MaintenanceWindows['list']> {
    return this.windows.list(...args);
  }

  /** Creates a maintenance window. */
  createWindow(...args: Parameters<MaintenanceWindows['create']>): ReturnType<MaintenanceWindows['create']> {
    return this.windows.create(...args);
  }

  /** Deletes a maintenance window. */
  deleteWindow(...args: Parameters<MaintenanceWindows['delete']>): ReturnType<MaintenanceWindows['delete']> {
    return this.windows.delete(...args);
  }

  // ---- alarms ------------------------------------------------------------------------------------

  /** Alarms in the caller's scope, newest first, filtered and paged. */
  async listAlarms(
    query: {
      scope?: string | undefined;
      state?: string | undefined;
      severity?: string | undefined;
      domain?: string | undefined;
      rule?: string | undefined;
      sensor?: string | undefined;
      before?: number | undefined;
      limit?: number | undefined;
    },
    visible: Visibility,
  ): Promise<{ items: AlarmDto[]; total: number; nextBefore: number | null }> {
    const scopeCode = query.scope ?? visible.root;
    let scope: { level: 'province' | 'prefecture' | 'county' | 'township'; code: string } | undefined;
    if (scopeCode !== null) {
      const unit = this.jurisdictions.units.get(scopeCode);
      if (!unit || !visible.contains(scopeCode)) {
        throw new AppError('JURISDICTION_NOT_FOUND', `No jurisdiction ${scopeCode} in your scope.`);
      }
      scope = { level: unit.level, code: unit.code };
    }
    const limit = query.limit ?? 50;
    const states = list(query.state, ALARM_STATES, 'state') ?? (['active', 'acknowledged'] as AlarmState[]);
    const severities = list(query.severity, SEVERITIES, 'severity');
    const domains = query.domain?.split(',').map((d) => d.trim());
    for (const d of domains ?? []) {
      if (!isSensorDomain(d)) {
        throw new AppError('VALIDATION_FAILED', `Unknown domain "${d}".`, { field: 'domain' });
      }
    }
    const page = await this.repository.listAlarms({
      scope,
      states,
      severities,
      domains,
      ruleId: query.rule,
      sensorId: query.sensor,
      before: query.before,
      limit,
    });
    // Open alarms are fresher in the engine (last-seen times are written every few seconds).
    const items = page.items.map((a) => toAlarmDto(this.engine.openAlarm(a.id) ?? a));
    const last = page.items[page.items.length - 1];
    return { items, total: page.total, nextBefore: page.items.length === limit && last ? last.id : null };
  }

  /** One visible alarm with its comments. */
  async getAlarm(id: number, visible: Visibility): Promise<AlarmDto & { comments: CommentDto[] }> {
    const alarm = await this.requireAlarm(id, visible);
    const comments = await this.repository.listComments(id);
    return { ...toAlarmDto(alarm), comments: comments.map(toCommentDto) };
  }

  /** Acknowledges a visible alarm. */
  acknowledge(id: number, note: string | undefined, actor: Actor): Promise<AlarmDto> {
    return this.act(id, note, actor, () => this.engine.acknowledge(id, actor.name));
  }

  /** Clears a visible alarm by hand. */
  clear(id: number, note: string | undefined, actor: Actor): Promise<AlarmDto> {
    return this.act(id, note, actor, () => this.engine.clear(id, actor.name));
  }

  /** An operator's action on a visible alarm; the note, if any, is kept as a comment. */
  private async act(
    id: number,
    note: string | undefined,
    actor: Actor,
    action: () => Promise<Alarm>,
  ): Promise<AlarmDto> {
    await this.requireAlarm(id, actor.visible);
    const alarm = await action();
    if (note) {
      await this.repository.addComment({
        alarmId: id,
        author: actor.name,
        text: note,
        createdAt: this.clock(),
      });
    }
    return toAlarmDto(alarm);
  }

  /** Comments on a visible alarm (published as a `commented` event). */
  async comment(id: number, text: string, actor: Actor): Promise<CommentDto> {
    const alarm = await this.requireAlarm(id, actor.visible);
    const comment = await this.repository.addComment({
      alarmId: id,
      author: actor.name,
      text,
      createdAt: this.clock(),
    });
    await this.engine.commented(alarm, actor.name);
    return toCommentDto(comment);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private async requireAlarm(id: number, visible: Visibility): Promise<Alarm> {
    const alarm = this.engine.openAlarm(id) ?? (await this.repository.getAlarm(id));
    if (!alarm || !visible.contains(finestCode(alarm))) {
      throw new AppError('ALARM_NOT_FOUND', `No alarm has the id ${id}.`);
    }
    return alarm;
  }
}

function list<T extends string>(
  text: string | undefined,
  allowed: readonly T[],
  field: string,
): T[] | undefined {
  if (text === undefined) return undefined;
  const values = text.split(',').map((v) => v.trim());
  for (const v of values) {
    if (!(allowed as readonly string[]).includes(v)) {
      throw new AppError('VALIDATION_FAILED', `Unknown ${field} "${v}"; use ${allowed.join(', ')}.`, {
        field,
      });
    }
  }
  return values as T[];
}
