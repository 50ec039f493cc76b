import { randomUUID } from 'node:crypto';
import type { Visibility } from '../jurisdictions/visibility.js';
import { AppError } from '../errors.js';
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import type { ReadingStore } from '../telemetry/store/reading-store.js';
import { finestCode } from '../jurisdictions/geo.types.js';
import type { RegisteredSensor } from '../devices/sensor.service.js';
import { isSensorDomain, sensorType } from '../devices/sensor-types.js';
import type { AlarmEngine, SensorSource } from './alarm-engine.js';
import { toAlarmDto, toCommentDto, toRuleDto, toWindowDto } from './alarm.presenter.js';
import type { AlarmRepository } from './alarm.repository.js';
import type {
  AlarmDto,
  CommentDto,
  DryRunResponse,
  RuleCreate,
  RuleDto,
  RulePatch,
  WindowCreate,
  WindowDto,
} from './alarm.schema.js';
import {
  ALARM_STATES,
  SEVERITIES,
  type Alarm,
  type AlarmRule,
  type AlarmState,
  type RuleKind,
  type RuleParamsByKind,
} from './alarm.types.js';
import { defaultRules } from './default-rules.js';
import { dryRun } from './dry-run.js';
import { ruleProblems } from './rule-check.js';

/** Sensors a dry run replays at most (the answer says when there were more). */
const DRY_RUN_MAX_SENSORS = 2000;
/** Longest maintenance window: longer work is a decommissioning, not maintenance. */
const MAX_WINDOW_MS = 90 * 86_400_000;

/** A problem with a rule, for INVALID_RULE's details. */
interface Problem {
  field: string;
  message: string;
}

/** Who is acting: the username (or key label) recorded on what they change. */
export interface Actor {
  name: string;
  visible: Visibility;
}

/**
 * Alarm rules, alarms and maintenance windows for the API. Rules and windows are stored here and
 * the engine is told to reload; alarm state changes go through the engine, which owns open alarms.
 */
export class AlarmService {
  constructor(
    private readonly repository: AlarmRepository,
    private readonly engine: AlarmEngine,
    private readonly sensors: SensorSource,
    private readonly jurisdictions: JurisdictionService,
    private readonly readings: ReadingStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Seeds the built-in rules never seen before; returns how many were added. */
  static async seedDefaults(repository: AlarmRepository, now: number): Promise<number> {
    return repository.seedRules(defaultRules().map((r) => ({ ...r, createdAt: now, updatedAt: now })));
  }

  // ---- rules ----------------------------------------------------------------------------------

  async listRules(
    query: { sensorType?: string | undefined; kind?: RuleKind | undefined; enabled?: boolean | undefined },
    visible: Visibility,
  ): Promise<{ items: RuleDto[] }> {
    const rules = await this.repository.listRules();
    return {
      items: rules
        .filter((r) => this.ruleVisible(r, visible))
        .filter((r) => query.sensorType === undefined || ruleTypes(r).includes(query.sensorType))
        .filter((r) => query.kind === undefined || r.kind === query.kind)
        .filter((r) => query.enabled === undefined || r.enabled === query.enabled)
        .map((r) => toRuleDto(r, ruleProblems(r))),
    };
  }

  async getRule(id: string, visible: Visibility): Promise<RuleDto> {
    const rule = await this.requireRule(id, visible);
    return toRuleDto(rule, ruleProblems(rule));
  }

  async createRule(input: RuleCreate, actor: Actor): Promise<RuleDto> {
    const now = this.clock();
    const rule = this.validate(
      {
        id: input.id ?? `rule-${randomUUID().slice(0, 8)}`,
        builtin: false,
        version: 1,
        createdBy: actor.name,
        createdAt: now,
        updatedAt: now,
      },
      input,
      actor.visible,
    );
    await this.repository.insertRule(rule);
    await this.engine.reloadRules(actor.name);
    return toRuleDto(rule);
  }

  async updateRule(id: string, patch: RulePatch, actor: Actor): Promise<RuleDto> {
    const current = await this.requireRule(id, actor.visible);
    this.requireWritable(current, actor.visible);
    const merged = { ...current, ...patch } as RuleCreate;
    const rule = this.validate(
      {
        id,
        builtin: current.builtin,
        version: current.version + 1,
        createdBy: current.createdBy,
        createdAt: current.createdAt,
        updatedAt: this.clock(),
      },
      merged,
      actor.visible,
    );
    if (!(await this.repository.updateRule(rule))) throw notFoundRule(id);
    await this.engine.reloadRules(actor.name);
    return toRuleDto(rule);
  }

  /** Deletes a rule; its open alarms are cleared (reason rule_removed). */
  async deleteRule(id: string, actor: Actor): Promise<void> {
    const current = await this.requireRule(id, actor.visible);
    this.requireWritable(current, actor.visible);
    if (!(await this.repository.deleteRule(id))) throw notFoundRule(id);
    await this.engine.reloadRules(actor.name);
  }

  /** Replays the last `hours` of stored readings through a rule (saved, or given unsaved). */
  async dryRun(rule: string | RuleCreate, hours: number, visible: Visibility): Promise<DryRunResponse> {
    const now = this.clock();
    const resolved =
      typeof rule === 'string'
        ? await this.requireRule(rule, visible)
        : this.validate(
            { id: 'dry-run', builtin: false, version: 1, createdBy: null, createdAt: now, updatedAt: now },
            rule,
            visible,
          );
    const types = new Set(ruleTypes(resolved));
    const matching: RegisteredSensor[] = [];
    let truncated = false;
    for (const sensor of this.sensors.registered()) {
      if (!types.has(sensor.type.code) || !visible.contains(finestCode(sensor))) continue;
      if (resolved.sensor !== null && sensor.id !== resolved.sensor) continue;
      if (
        resolved.jurisdiction !== null &&
        !this.jurisdictions.units.isWithin(finestCode(sensor), resolved.jurisdiction)
      ) {
        continue;
      }
      if (matching.length >= DRY_RUN_MAX_SENSORS) {
        truncated = true;
        break;
      }
      matching.push(sensor);
    }
    const from = now - hours * 3_600_000;
    const result = await dryRun(
      resolved,
      matching,
      async (sensor, a, b) => {
        const series = await this.readings.series(sensor.key, { from: a, to: b, bucket: 'raw' });
        return series.bucket === 'raw' ? series.points : [];
      },
      from,
      now,
    );
    const tree = this.jurisdictions.units;
    const byCounty = new Map<string, number>();
    for (const hit of result.hits) {
      if (hit.countyCode) byCounty.set(hit.countyCode, (byCounty.get(hit.countyCode) ?? 0) + hit.fired);
    }
    return {
      from: new Date(from).toISOString(),
      to: new Date(now).toISOString(),
      fired: result.fired,
      sensorsEvaluated: result.sensorsEvaluated,
      readingsEvaluated: result.readingsEvaluated,
      truncated,
      subjects: [...result.hits]
        .sort((a, b) => b.fired - a.fired)
        .slice(0, 100)
        .map((h) => ({
          subject: h.subject,
          jurisdiction: h.jurisdiction,
          fired: h.fired,
          firstAt: new Date(h.firstAt).toISOString(),
          lastAt: new Date(h.lastAt).toISOString(),
        })),
      byCounty: [...byCounty]
        .sort((a, b) => b[1] - a[1])
        .map(([code, fired]) => ({ code, name: tree.get(code)?.name ?? code, fired })),
    };
  }

  // ---- alarms ---------------------------------------------------------------------------------

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

  async getAlarm(id: number, visible: Visibility): Promise<AlarmDto & { comments: CommentDto[] }> {
    const alarm = await this.requireAlarm(id, visible);
    const comments = await this.repository.listComments(id);
    return { ...toAlarmDto(alarm), comments: comments.map(toCommentDto) };
  }

  acknowledge(id: number, note: string | undefined, actor: Actor): Promise<AlarmDto> {
    return this.act(id, note, actor, () => this.engine.acknowledge(id, actor.name));
  }

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

  // ---- maintenance windows --------------------------------------------------------------------

  async listWindows(visible: Visibility): Promise<{ items: WindowDto[] }> {
    const windows = await this.repository.listWindows(this.clock());
    return { items: windows.filter((w) => this.windowVisible(w, visible)).map(toWindowDto) };
  }

  async createWindow(input: WindowCreate, actor: Actor): Promise<WindowDto> {
    const startsAt = Date.parse(input.startsAt);
    const endsAt = Date.parse(input.endsAt);
    const problems: Problem[] = [];
    if (!(endsAt > startsAt)) problems.push({ field: 'endsAt', message: 'must be after startsAt' });
    if (endsAt - startsAt > MAX_WINDOW_MS) {
      problems.push({ field: 'endsAt', message: 'at most 90 days after startsAt' });
    }
    if (endsAt <= this.clock()) problems.push({ field: 'endsAt', message: 'is already past' });
    const jurisdiction = input.jurisdiction ?? null;
    const sensors = input.sensors ?? null;
    if (
      jurisdiction !== null &&
      (!this.jurisdictions.units.get(jurisdiction) || !actor.visible.contains(jurisdiction))
    ) {
      problems.push({ field: 'jurisdiction', message: `no jurisdiction ${jurisdiction} in your scope` });
    }
    for (const id of sensors ?? []) {
      const sensor = this.sensors.resolve(id);
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
      createdAt: this.clock(),
    };
    await this.repository.insertWindow(window);
    await this.engine.reloadWindows();
    return toWindowDto(window);
  }

  async deleteWindow(id: string, actor: Actor): Promise<void> {
    const window = await this.repository.getWindow(id);
    if (!window || !this.windowVisible(window, actor.visible)) {
      throw new AppError('WINDOW_NOT_FOUND', `No maintenance window has the id "${id}".`);
    }
    await this.repository.deleteWindow(id);
    await this.engine.reloadWindows();
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Checks a rule body and returns the stored form with defaults filled in, or throws INVALID_RULE. */
  private validate(
    meta: Pick<AlarmRule, 'id' | 'builtin' | 'version' | 'createdBy' | 'createdAt' | 'updatedAt'>,
    input: RuleCreate,
    visible: Visibility,
  ): AlarmRule {
    const problems: Problem[] = [];
    const tree = this.jurisdictions.units;
    const jurisdiction = input.jurisdiction ?? null;
    const sensorId = input.sensor ?? null;
    let typeCode = input.sensorType ?? null;
    const kind = input.kind;
    const params = normalizeParams(kind, input.params, problems);
    if (jurisdiction !== null && sensorId !== null) {
      problems.push({
        field: 'sensor',
        message: 'attach a rule to a jurisdiction or to one sensor, not both',
      });
    }
    if (jurisdiction !== null && (!tree.get(jurisdiction) || !visible.contains(jurisdiction))) {
      problems.push({ field: 'jurisdiction', message: `no jurisdiction ${jurisdiction} in your scope` });
    }
    if (sensorId !== null) {
      const sensor = this.sensors.resolve(sensorId);
      if (!sensor || !visible.contains(finestCode(sensor))) {
        problems.push({ field: 'sensor', message: `no sensor ${sensorId} in your scope` });
      } else if (typeCode !== null && typeCode !== sensor.type.code) {
        problems.push({
          field: 'sensorType',
          message: `sensor ${sensorId} is a ${sensor.type.code}, not ${typeCode}`,
        });
      } else typeCode = sensor.type.code;
    }
    if (kind === 'composite') {
      if (typeCode !== null) {
        problems.push({ field: 'sensorType', message: 'a composite names its types in its conditions' });
      }
      if (sensorId !== null) {
        problems.push({ field: 'sensor', message: 'a composite watches an area, not one sensor' });
      }
    } else if (typeCode === null) {
      problems.push({ field: 'sensorType', message: 'required (or give a sensor)' });
    } else if (!sensorType(typeCode)) {
      problems.push({ field: 'sensorType', message: `"${typeCode}" is not in the sensor type catalog` });
    }
    if (jurisdiction === null && sensorId === null && visible.root !== null) {
      problems.push({
        field: 'jurisdiction',
        message: `a rule for every sensor of a type reaches beyond your scope; set jurisdiction to ${visible.root} or below`,
      });
    }
    const severity = input.severity;
    const escalation = input.escalation ?? null;
    if (escalation && SEVERITIES.indexOf(escalation.severity) <= SEVERITIES.indexOf(severity)) {
      problems.push({
        field: 'escalation.severity',
        message: `must be above the rule's severity (${severity})`,
      });
    }
    if (problems.length > 0) {
      throw new AppError('INVALID_RULE', `The alarm rule is not valid: ${summary(problems)}`, { problems });
    }
    const rule = {
      ...meta,
      name: input.name,
      description: input.description ?? '',
      kind,
      params,
      sensorType: kind === 'composite' ? null : typeCode,
      jurisdiction,
      sensor: sensorId,
      severity,
      schedule: input.schedule ?? null,
      escalation,
      enabled: input.enabled ?? true,
    } as AlarmRule;
    // The stored form is checked as the engine will read it, before anything is written: what
    // the engine would refuse is never stored (a merged PATCH of a broken rule included).
    const stored = ruleProblems(rule);
    if (stored.length > 0) {
      const details = stored.map((message) => ({ field: 'rule', message }));
      throw new AppError('INVALID_RULE', `The alarm rule is not valid: ${stored.join('; ')}`, {
        problems: details,
      });
    }
    return rule;
  }

  private ruleVisible(rule: AlarmRule, visible: Visibility): boolean {
    if (visible.root === null) return true;
    if (rule.sensor !== null) {
      const sensor = this.sensors.resolve(rule.sensor);
      return sensor !== undefined && visible.contains(finestCode(sensor));
    }
    // City-wide rules apply to the caller's sensors too, so they see them (read-only).
    if (rule.jurisdiction === null) return true;
    const tree = this.jurisdictions.units;
    return (
      visible.contains(rule.jurisdiction) ||
      (tree.get(visible.root) !== undefined && tree.isWithin(visible.root, rule.jurisdiction))
    );
  }

  private requireWritable(rule: AlarmRule, visible: Visibility): void {
    if (visible.root === null) return;
    const inside =
      rule.sensor !== null || (rule.jurisdiction !== null && visible.contains(rule.jurisdiction));
    if (!inside) {
      throw new AppError(
        'FORBIDDEN',
        `Rule ${rule.id} also covers sensors outside your jurisdiction; ask the city center.`,
      );
    }
  }

  private windowVisible(
    window: { jurisdiction: string | null; sensors: string[] | null },
    visible: Visibility,
  ): boolean {
    if (visible.root === null) return true;
    if (window.jurisdiction !== null) return visible.contains(window.jurisdiction);
    return (window.sensors ?? []).some((id) => {
      const sensor = this.sensors.resolve(id);
      return sensor !== undefined && visible.contains(finestCode(sensor));
    });
  }

  private async requireRule(id: string, visible: Visibility): Promise<AlarmRule> {
    const rule = await this.repository.getRule(id);
    if (!rule || !this.ruleVisible(rule, visible)) throw notFoundRule(id);
    return rule;
  }

  private async requireAlarm(id: number, visible: Visibility): Promise<Alarm> {
    const alarm = this.engine.openAlarm(id) ?? (await this.repository.getAlarm(id));
    if (!alarm || !visible.contains(finestCode(alarm))) {
      throw new AppError('ALARM_NOT_FOUND', `No alarm has the id ${id}.`);
    }
    return alarm;
  }
}

const notFoundRule = (id: string) => new AppError('RULE_NOT_FOUND', `No alarm rule has the id "${id}".`);

const summary = (problems: readonly Problem[]) => problems.map((p) => `${p.field} ${p.message}`).join('; ');

/** The sensor types a rule reads. */
export function ruleTypes(rule: AlarmRule): string[] {
  return rule.kind === 'composite' ? rule.params.conditions.map((c) => c.sensorType) : [rule.sensorType!];
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

const has = (o: Record<string, unknown>, key: string) => o[key] !== undefined;

/** Checks that params fit the kind and fills defaults. */
function normalizeParams(
  kind: RuleKind,
  p: Record<string, unknown>,
  problems: Problem[],
): RuleParamsByKind[RuleKind] {
  const expect: Record<RuleKind, string> = {
    threshold: 'op',
    rate: 'direction',
    stale: 'missedIntervals',
    anomaly: 'zScore',
    composite: 'conditions',
  };
  if (typeof p !== 'object' || p === null || !has(p, expect[kind])) {
    problems.push({ field: 'params', message: `a ${kind} rule needs params.${expect[kind]}` });
    return p as never;
  }
  switch (kind) {
    case 'threshold':
      return {
        op: p.op,
        value: p.value,
        hysteresis: p.hysteresis ?? 0,
        forSeconds: p.forSeconds ?? 0,
      } as never;
    case 'rate':
    case 'stale':
      return p as never;
    case 'anomaly':
      return {
        zScore: p.zScore,
        alpha: p.alpha ?? 0.05,
        warmup: p.warmup ?? 30,
        minStd: p.minStd ?? 1e-6,
      } as never;
    case 'composite': {
      const conditions = p.conditions as { sensorType: string }[];
      conditions.forEach((c, i) => {
        if (!sensorType(c.sensorType)) {
          problems.push({
            field: `params.conditions.${i}.sensorType`,
            message: `"${c.sensorType}" is not in the catalog`,
          });
        }
      });
      return {
        match: p.match,
        conditions,
        per: p.per ?? 'township',
        forSeconds: p.forSeconds ?? 0,
        maxAgeSeconds: p.maxAgeSeconds ?? 900,
      } as never;
    }
  }
}
