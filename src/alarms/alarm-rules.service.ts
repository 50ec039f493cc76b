import { randomUUID } from 'node:crypto';
import type { Visibility } from '../jurisdictions/visibility.js';
import { AppError } from '../errors.js';
import { finestCode } from '../jurisdictions/geo.types.js';
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import type { ReadingStore } from '../telemetry/store/reading-store.js';
import type { RegisteredSensor } from '../devices/sensor.service.js';
import type { Actor } from './alarm-caller.js';
import type { AlarmEngine } from './alarm-engine.js';
import { toRuleDto } from './alarm.presenter.js';
import type { AlarmRepository } from './alarm.repository.js';
import type { DryRunResponse, RuleCreate, RuleDto, RulePatch } from './alarm.schema.js';
import type { AlarmRule, RuleKind } from './alarm.types.js';
import { defaultRules } from './default-rules.js';
import { dryRun } from './dry-run.js';
import { ruleProblems } from './rule-check.js';
import type { SensorSource } from './rule-plan.js';
import { validateRule, type RuleMeta } from './rule-validation.js';

/** Sensors a dry run replays at most (the answer says when there were more). */
const DRY_RUN_MAX_SENSORS = 2000;

/** What the rules workflow needs. */
export interface AlarmRulesDeps {
  repository: AlarmRepository;
  /** Told to reload after every write, so the live evaluation follows the stored rules. */
  engine: Pick<AlarmEngine, 'reloadRules'>;
  sensors: SensorSource;
  jurisdictions: JurisdictionService;
  /** Stored raw readings, replayed by dry runs. */
  readings: Pick<ReadingStore, 'series'>;
  clock: () => number;
}

/**
 * Alarm rules (告警规则) for the API: listing within the caller's jurisdiction, validated writes
 * (see rule-validation.ts), and dry runs over stored readings. Writes go to the repository and
 * the engine reloads; a broken stored rule is listed with its problems (rule-check.ts).
 */
export class AlarmRules {
  constructor(private readonly deps: AlarmRulesDeps) {}

  /** Seeds the built-in rules never seen before; returns how many were added. */
  static async seedDefaults(repository: AlarmRepository, now: number): Promise<number> {
    return repository.seedRules(defaultRules().map((r) => ({ ...r, createdAt: now, updatedAt: now })));
  }

  /** The rules that apply inside the caller's jurisdiction, filtered by type, kind and enabled. */
  async list(
    query: { sensorType?: string | undefined; kind?: RuleKind | undefined; enabled?: boolean | undefined },
    visible: Visibility,
  ): Promise<{ items: RuleDto[] }> {
    const rules = await this.deps.repository.listRules();
    return {
      items: rules
        .filter((r) => this.visible(r, visible))
        .filter((r) => query.sensorType === undefined || ruleTypes(r).includes(query.sensorType))
        .filter((r) => query.kind === undefined || r.kind === query.kind)
        .filter((r) => query.enabled === undefined || r.enabled === query.enabled)
        .map((r) => toRuleDto(r, ruleProblems(r))),
    };
  }

  /** One visible rule, with its problems if it is broken. */
  async get(id: string, visible: Visibility): Promise<RuleDto> {
    const rule = await this.require(id, visible);
    return toRuleDto(rule, ruleProblems(rule));
  }

  /** Validates and stores a new rule. */
  async create(input: RuleCreate, actor: Actor): Promise<RuleDto> {
    const now = this.deps.clock();
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
    await this.deps.repository.insertRule(rule);
    await this.deps.engine.reloadRules(actor.name);
    return toRuleDto(rule);
  }

  /** Merges a patch over the current rule, validates the result whole, and stores it as a new version. */
  async update(id: string, patch: RulePatch, actor: Actor): Promise<RuleDto> {
    const current = await this.require(id, actor.visible);
    this.requireWritable(current, actor.visible);
    const merged = { ...current, ...patch } as RuleCreate;
    const rule = this.validate(
      {
        id,
        builtin: current.builtin,
        version: current.version + 1,
        createdBy: current.createdBy,
        createdAt: current.createdAt,
        updatedAt: this.deps.clock(),
      },
      merged,
      actor.visible,
    );
    if (!(await this.deps.repository.updateRule(rule))) throw notFoundRule(id);
    await this.deps.engine.reloadRules(actor.name);
    return toRuleDto(rule);
  }

  /** Deletes a rule; its open alarms are cleared (reason rule_removed). */
  async delete(id: string, actor: Actor): Promise<void> {
    const current = await this.require(id, actor.visible);
    this.requireWritable(current, actor.visible);
    if (!(await this.deps.repository.deleteRule(id))) throw notFoundRule(id);
    await this.deps.engine.reloadRules(actor.name);
  }

  /** Replays the last `hours` of stored readings through a rule (saved, or given unsaved). */
  async dryRun(rule: string | RuleCreate, hours: number, visible: Visibility): Promise<DryRunResponse> {
    const { sensors, jurisdictions, readings } = this.deps;
    const now = this.deps.clock();
    const resolved =
      typeof rule === 'string'
        ? await this.require(rule, visible)
        : this.validate(
            { id: 'dry-run', builtin: false, version: 1, createdBy: null, createdAt: now, updatedAt: now },
            rule,
            visible,
          );
    const types = new Set(ruleTypes(resolved));
    const matching: RegisteredSensor[] = [];
    let truncated = false;
    for (const sensor of sensors.registered()) {
      if (!types.has(sensor.type.code) || !visible.contains(finestCode(sensor))) continue;
      if (resolved.sensor !== null && sensor.id !== resolved.sensor) continue;
      if (
        resolved.jurisdiction !== null &&
        !jurisdictions.units.isWithin(finestCode(sensor), resolved.jurisdiction)
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
        const series = await readings.series(sensor.key, { from: a, to: b, bucket: 'raw' });
        return series.bucket === 'raw' ? series.points : [];
      },
      from,
      now,
    );
    const tree = jurisdictions.units;
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

  private validate(meta: RuleMeta, input: RuleCreate, visible: Visibility): AlarmRule {
    return validateRule(meta, input, visible, this.deps.jurisdictions.units, this.deps.sensors);
  }

  private visible(rule: AlarmRule, visible: Visibility): boolean {
    if (visible.root === null) return true;
    if (rule.sensor !== null) {
      const sensor = this.deps.sensors.resolve(rule.sensor);
      return sensor !== undefined && visible.contains(finestCode(sensor));
    }
    // City-wide rules apply to the caller's sensors too, so they see them (read-only).
    if (rule.jurisdiction === null) return true;
    const tree = this.deps.jurisdictions.units;
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

  private async require(id: string, visible: Visibility): Promise<AlarmRule> {
    const rule = await this.deps.repository.getRule(id);
    if (!rule || !this.visible(rule, visible)) throw notFoundRule(id);
    return rule;
  }
}

const notFoundRule = (id: string) => new AppError('RULE_NOT_FOUND', `No alarm rule has the id "${id}".`);

/** The sensor types a rule reads. */
export function ruleTypes(rule: AlarmRule): string[] {
  return rule.kind === 'composite' ? rule.params.conditions.map((c) => c.sensorType) : [rule.sensorType!];
}
