import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALARM_EVENTS, type Alarm, type AlarmEvent } from '../alarms/alarm.types.js';
import { InProcessBus } from '../platform/bus/in-process-bus.js';
import { AlarmCasePolicy, parseAlarmCaseOptions } from './alarm-case-policy.js';
import { FakeCases } from './intake.fixtures.js';

let n = 0;
function buildAlarm(overrides: Partial<Alarm> = {}): Alarm {
  n += 1;
  return {
    id: n,
    ruleId: 'default.water_main_pressure.low',
    ruleName: '供水管网压力过低',
    kind: 'threshold',
    subject: `WS-${n}`,
    sensorId: `WS-${n}`,
    sensorType: 'water_main_pressure',
    domain: 'water_supply',
    severity: 'critical',
    initialSeverity: 'critical',
    state: 'active',
    message: '压力 0.12 MPa 低于 0.2 MPa',
    value: 0.12,
    firstSeenAt: 1,
    lastSeenAt: 1,
    occurrences: 1,
    raisedAt: 1,
    acknowledgedAt: null,
    acknowledgedBy: null,
    clearedAt: null,
    clearedBy: null,
    clearReason: null,
    escalatedAt: null,
    updatedAt: 1,
    provinceCode: '50',
    prefectureCode: null,
    countyCode: '500109',
    townshipCode: '500109004',
    ...overrides,
  };
}
const event = (alarm: Alarm, type: AlarmEvent['type'] = 'raised'): AlarmEvent => ({
  type,
  alarm,
  at: 1_000,
  by: null,
});

/** The alarm → case links, in memory. */
class Links {
  readonly map = new Map<number, string>();
  async alarmCase(id: number) {
    return this.map.get(id) ?? null;
  }
  async insertAlarmCase(id: number, caseId: string) {
    if (this.map.has(id)) return false;
    this.map.set(id, caseId);
    return true;
  }
}

let bus: InProcessBus;
let cases: FakeCases;
let links: Links;
let skipped: string[];

beforeEach(() => {
  bus = new InProcessBus({ retryDelayMs: () => 1 });
  cases = new FakeCases();
  links = new Links();
  skipped = [];
  new AlarmCasePolicy({
    repository: links,
    cases,
    locate: (alarm) => (alarm.sensorId ? { lon: 106.43, lat: 29.83 } : undefined),
    onSkip: (_alarm, reason) => skipped.push(reason),
  }).start(bus);
});
afterEach(async () => bus.close());

describe('AlarmCasePolicy', () => {
  it('opens a case for a critical water-supply alarm, once, however often the event is delivered', async () => {
    const alarm = buildAlarm();
    await bus.publish(ALARM_EVENTS, [event(alarm)]);
    await bus.publish(ALARM_EVENTS, [event(alarm)]);
    await bus.publish(ALARM_EVENTS, [event({ ...alarm, severity: 'critical' }, 'escalated')]);
    await bus.drain();
    expect(cases.reports).toHaveLength(1);
    expect(cases.reports[0]).toMatchObject({
      source: 'alarm',
      sourceRef: String(alarm.id),
      category: 'water_supply_incident',
      priority: 'urgent',
      lon: 106.43,
    });
    expect(links.map.get(alarm.id)).toBe('C-1');
  });

  it('ignores other severities, domains and event types, and opens when a minor alarm escalates to major', async () => {
    const minor = buildAlarm({ severity: 'minor' });
    await bus.publish(ALARM_EVENTS, [
      event(minor),
      event(buildAlarm({ domain: 'telecom', sensorType: 'base_station_availability' })),
      event(buildAlarm(), 'acknowledged'),
      event(buildAlarm({ state: 'cleared' }), 'escalated'),
    ]);
    await bus.drain();
    expect(cases.reports).toHaveLength(0);
    await bus.publish(ALARM_EVENTS, [event({ ...minor, severity: 'major' }, 'escalated')]);
    await bus.drain();
    expect(cases.reports).toHaveLength(1);
    expect(cases.reports[0]?.priority).toBe('high');
  });

  it('maps sensor types with a more specific category, and skips alarms without a location', async () => {
    await bus.publish(ALARM_EVENTS, [
      event(buildAlarm({ domain: 'drainage', sensorType: 'road_waterlogging_depth', severity: 'major' })),
      event(buildAlarm({ domain: 'tunnel', sensorId: null, sensorType: null, subject: 'area:500109004' })),
    ]);
    await bus.drain();
    expect(cases.reports.map((r) => r.category)).toEqual(['road_waterlogging']);
    expect(skipped).toEqual(['no location for area:500109004']);
  });

  it('is redelivered when reporting fails (at-least-once) and then succeeds', async () => {
    let failures = 1;
    const report = cases.report.bind(cases);
    cases.report = async (r, v) => {
      if (failures-- > 0) throw new Error('database briefly down');
      return report(r, v);
    };
    await bus.publish(ALARM_EVENTS, [event(buildAlarm({ domain: 'gas', sensorType: 'gas_concentration' }))]);
    await bus.drain();
    expect(cases.reports.map((r) => r.category)).toEqual(['gas_incident']);
  });

  it('reads its configuration', () => {
    expect(parseAlarmCaseOptions(undefined, undefined)).toEqual({
      severities: ['critical', 'major'],
      domains: ['water_supply', 'drainage', 'gas', 'bridge', 'tunnel'],
    });
    expect(parseAlarmCaseOptions('critical', 'none').domains).toEqual([]);
    expect(() => parseAlarmCaseOptions('huge', undefined)).toThrow(/not a severity/);
    expect(() => parseAlarmCaseOptions(undefined, 'telecom')).toThrow(/not a domain/);
  });
});
