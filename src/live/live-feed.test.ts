import { describe, expect, it } from 'vitest';
import { InProcessBus } from '../platform/bus/in-process-bus.js';
import { ALARM_EVENTS, type Alarm } from '../alarms/alarm.types.js';
import { CASE_EVENTS } from '../cases/case-intake.js';
import { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import { loadDivisions } from '../jurisdictions/geo-data.js';
import { LiveFeed } from './live-feed.js';
import type { LiveCaseEvent } from './live.types.js';

const tree = JurisdictionTree.build(loadDivisions().units);
const feed = (capacity = 5) =>
  new LiveFeed({
    tree: () => tree,
    category: (code) =>
      code === 'pipe_burst' ? { zh: '管道爆裂', en: 'Pipe burst', priority: 'urgent' } : undefined,
    capacity,
  });

function caseEvent(n: number): Omit<LiveCaseEvent, 'seq'> {
  return {
    topic: 'case',
    caseId: `C${n}`,
    action: 'report',
    from: null,
    to: 'reported',
    at: n,
    actor: 'system',
    township: '500109001',
    county: '500109',
    place: '',
    category: 'street_vending',
    categoryName: '占道经营',
    categoryNameEn: 'Street vending',
    priority: 'normal',
    department: null,
    note: null,
    critical: false,
  };
}

describe('LiveFeed', () => {
  it('numbers events and reads them back after a position, filtered', () => {
    const f = feed();
    for (let i = 1; i <= 3; i++) f.append(caseEvent(i));
    expect(f.seq).toBe(3);
    const read = f.read(1, (e) => e.topic === 'case' && e.caseId !== 'C2');
    expect(read).toMatchObject({ gone: false, upTo: 3 });
    expect(read.gone ? [] : read.events.map((e) => e.seq)).toEqual([3]);
  });

  it('keeps a bounded ring: an overwritten position is gone and cannot be resumed', () => {
    const f = feed(5);
    for (let i = 1; i <= 12; i++) f.append(caseEvent(i));
    expect(f.oldest).toBe(8);
    expect(f.canResume(f.epoch, 7)).toBe(true);
    expect(f.read(7, () => true)).toMatchObject({ gone: false });
    expect(f.canResume(f.epoch, 6)).toBe(false);
    expect(f.read(6, () => true)).toMatchObject({ gone: true, upTo: 12 });
    expect(f.canResume('other', 10)).toBe(false);
    expect(f.canResume(f.epoch, 13)).toBe(false);
    expect(f.recent(() => true, 3).map((e) => e.seq)).toEqual([10, 11, 12]);
  });

  it('turns bus events into feed events with places, names and what stands out', async () => {
    const bus = new InProcessBus();
    const f = feed(100);
    f.start(bus);
    await bus.publish(CASE_EVENTS, [
      {
        ...caseEvent(1),
        category: 'pipe_burst',
        priority: 'urgent',
        township: '500109001',
        county: '500109',
      },
      { ...caseEvent(2), action: 'escalate', from: 'dispatched', to: 'dispatched' },
    ]);
    const alarm = {
      id: 7,
      severity: 'critical',
      state: 'active',
      domain: 'gas',
      message: '可燃气体浓度 60 %LEL',
      ruleName: '燃气泄漏',
      sensorId: 'g1',
      value: 60,
      raisedAt: 5,
      provinceCode: '50',
      prefectureCode: null,
      countyCode: '500109',
      townshipCode: '500109001',
    } as unknown as Alarm;
    await bus.publish(ALARM_EVENTS, [{ type: 'raised', alarm, at: 5, by: null }]);
    await bus.drain();
    const events = f.recent(() => true, 10);
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({
      categoryName: '管道爆裂',
      priority: 'urgent',
      critical: true,
      place: '北碚区 天生街道',
    });
    expect(events[1]).toMatchObject({ action: 'escalate', critical: true });
    expect(events[2]).toMatchObject({
      topic: 'alarm',
      critical: true,
      alarm: { id: 7, severity: 'critical' },
    });
    f.stop();
    await bus.close();
  });
});
