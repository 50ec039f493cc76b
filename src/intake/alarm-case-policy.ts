import { EVERYTHING } from '../jurisdictions/visibility.js';
import {
  ALARM_EVENTS,
  SEVERITIES,
  type Alarm,
  type AlarmEvent,
  type Severity,
} from '../alarms/alarm.types.js';
import type { EventBus, Subscription } from '../platform/bus/event-bus.js';
import type { Priority } from '../cases/case-intake.js';
import type { CasePort } from './case-port.js';
import type { IntakeRepository } from './intake.repository.js';

/** Which alarms open cases (告警转案件): severities and sensor domains; empty domains turns it off. */
export interface AlarmCaseOptions {
  severities: readonly Severity[];
  domains: readonly string[];
}

/** The default: critical and major alarms of the lifeline domains whose failures need a crew. */
export const DEFAULT_ALARM_CASE_OPTIONS: AlarmCaseOptions = {
  severities: ['critical', 'major'],
  domains: ['water_supply', 'drainage', 'gas', 'bridge', 'tunnel'],
};

/** Case category by vital-sign domain. */
export const DOMAIN_CATEGORY: Record<string, string> = {
  water_supply: 'water_supply_incident',
  drainage: 'drainage_incident',
  gas: 'gas_incident',
  power: 'power_incident',
  bridge: 'bridge_incident',
  tunnel: 'tunnel_incident',
  river_quality: 'environment_incident',
};

/** Sensor types whose alarms mean something more specific than their domain's incident. */
export const SENSOR_TYPE_CATEGORY: Record<string, string> = {
  road_waterlogging_depth: 'road_waterlogging',
};

const PRIORITY: Record<Severity, Priority> = {
  critical: 'urgent',
  major: 'high',
  minor: 'normal',
  warning: 'low',
};

/** What the policy needs. */
export interface AlarmCasePolicyDeps {
  repository: Pick<IntakeRepository, 'alarmCase' | 'insertAlarmCase'>;
  cases: Pick<CasePort, 'report'>;
  /** Where an alarm happened: its sensor's location (or, for an area alarm, a sensor in the area). */
  locate(alarm: Alarm): { lon: number; lat: number } | undefined;
  options?: AlarmCaseOptions;
  clock?: () => number;
  /** Told about alarms that qualify but cannot become cases (no location, unknown category). */
  onSkip?: (alarm: Alarm, reason: string) => void;
}

/**
 * Alarm → case policy: subscribes to `alarms.events` and opens a case (source `alarm`) for every
 * alarm that is raised — or escalated — at a configured severity in a configured domain. The bus
 * delivers at least once, so it is idempotent on the alarm id: a stored alarm → case link means
 * the alarm was handled (a redelivery, or a later escalation of an alarm that already has a case).
 */
export class AlarmCasePolicy {
  private readonly options: AlarmCaseOptions;
  private readonly clock: () => number;

  constructor(private readonly deps: AlarmCasePolicyDeps) {
    this.options = deps.options ?? DEFAULT_ALARM_CASE_OPTIONS;
    this.clock = deps.clock ?? Date.now;
  }

  /** Starts the durable consumer; a throw (database down) makes the bus deliver the batch again. */
  start(bus: EventBus): Subscription {
    return bus.subscribe(
      ALARM_EVENTS,
      async (message) => {
        await this.handle(message.events);
      },
      {
        name: 'intake.alarm-cases',
      },
    );
  }

  /** Handles one batch of alarm events; returns the case ids it reported to. */
  async handle(events: readonly AlarmEvent[]): Promise<string[]> {
    const out: string[] = [];
    for (const event of events) {
      const caseId = await this.handleOne(event);
      if (caseId !== null) out.push(caseId);
    }
    return out;
  }

  /** Whether an alarm event should open a case under the configured policy. */
  qualifies(event: AlarmEvent): boolean {
    const { alarm } = event;
    return (
      (event.type === 'raised' || event.type === 'escalated') &&
      alarm.state !== 'cleared' &&
      this.options.severities.includes(alarm.severity) &&
      this.options.domains.includes(alarm.domain)
    );
  }

  private async handleOne(event: AlarmEvent): Promise<string | null> {
    if (!this.qualifies(event)) return null;
    const { alarm } = event;
    if ((await this.deps.repository.alarmCase(alarm.id)) !== null) return null;
    const category =
      (alarm.sensorType && SENSOR_TYPE_CATEGORY[alarm.sensorType]) || DOMAIN_CATEGORY[alarm.domain];
    if (!category) {
      this.deps.onSkip?.(alarm, `no case category for domain ${alarm.domain}`);
      return null;
    }
    const where = this.deps.locate(alarm);
    if (!where) {
      this.deps.onSkip?.(alarm, `no location for ${alarm.subject}`);
      return null;
    }
    const outcome = await this.deps.cases.report(
      {
        source: 'alarm',
        sourceRef: String(alarm.id),
        category,
        lon: where.lon,
        lat: where.lat,
        // The alarm message already opens with the rule name.
        description: `告警：${alarm.message}`,
        reportedAt: event.at,
        reporter: event.by ?? undefined,
        priority: PRIORITY[alarm.severity],
        raw: event,
      },
      EVERYTHING,
    );
    await this.deps.repository.insertAlarmCase(alarm.id, outcome.caseId, this.clock());
    return outcome.caseId;
  }
}

/**
 * Parses CITYOPS_ALARM_CASE_SEVERITIES / CITYOPS_ALARM_CASE_DOMAINS (comma lists; `none` for no
 * domains turns the policy off). Throws an Error naming a value that is not known.
 */
export function parseAlarmCaseOptions(
  severities: string | undefined,
  domains: string | undefined,
): AlarmCaseOptions {
  const list = (text: string | undefined) =>
    text
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const sev = list(severities) ?? [...DEFAULT_ALARM_CASE_OPTIONS.severities];
  const bad = sev.find((s) => !(SEVERITIES as readonly string[]).includes(s));
  if (bad !== undefined) throw new Error(`"${bad}" is not a severity (${SEVERITIES.join(', ')})`);
  const dom = list(domains) ?? [...DEFAULT_ALARM_CASE_OPTIONS.domains];
  if (dom.length === 1 && dom[0] === 'none') return { severities: sev as Severity[], domains: [] };
  const unknown = dom.find((d) => !(d in DOMAIN_CATEGORY));
  if (unknown !== undefined) {
    throw new Error(
      `"${unknown}" is not a domain that maps to a case category (${Object.keys(DOMAIN_CATEGORY).join(', ')})`,
    );
  }
  return { severities: sev as Severity[], domains: dom };
}
