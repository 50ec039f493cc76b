import { describe, expect, it } from 'vitest';
import { FALLBACK_LIMITS, isOwnCase, nextStep, type CaseView } from './case-plans.js';
import { DEFAULT_DEPARTMENTS } from './scenario.js';

const SEED = 5;
const base = (id: string, over: Partial<CaseView> = {}): CaseView => ({
  id,
  status: 'reported',
  category: 'road_damage',
  priority: 'normal',
  source: 'open311',
  reporter: 'SIM 模拟市民 simulated citizens',
  description: '路面有坑',
  jurisdiction: { township: '500109001' },
  department: null,
  reworkCount: 0,
  extensionCount: 0,
  extension: null,
  ...over,
});

/**
 * Walks a case through the lifecycle the way the server would move it on each step the staff
 * take, until nobody has anything left to do. Returns where it ended and the minutes spent in
 * the handling stage against its limit.
 */
function walk(id: string, source: string): { status: string; registered: boolean; handleMinutes: number } {
  let c = base(id, { source, status: source === 'open311' ? 'reported' : 'dispatched' });
  const history = { returned: false, extensionAsked: false };
  let registered = source !== 'open311';
  let handleMinutes = 0;
  for (let guard = 0; guard < 50; guard++) {
    const step = nextStep(c, FALLBACK_LIMITS, DEFAULT_DEPARTMENTS, SEED, history);
    if (!step) return { status: c.status, registered, handleMinutes };
    if (['dispatched', 'in_progress', 'rework'].includes(c.status)) handleMinutes += step.afterMinutes;
    const to: Record<string, Partial<CaseView>> = {
      register: { status: 'registered' },
      cancel: { status: 'cancelled' },
      dispatch: { status: 'dispatched' },
      accept: { status: 'in_progress' },
      return: { status: 'registered' },
      handle: { status: 'handled' },
      verify_pass: { status: 'verified' },
      verify_fail: { status: 'rework', reworkCount: c.reworkCount + 1 },
      close: { status: 'closed' },
      suspend: { status: 'suspended' },
      request_extension: { extension: { minutes: step.minutes! } },
      approve_extension: { extension: null, extensionCount: c.extensionCount + 1 },
      // As the server does: only an approval counts as an extension.
      reject_extension: { extension: null },
    };
    if (step.action === 'register') registered = true;
    if (step.action === 'return') history.returned = true;
    if (step.action === 'request_extension') history.extensionAsked = true;
    c = { ...c, ...to[step.action]! };
  }
  throw new Error(`case ${id} never settled (at ${c.status})`);
}

describe('the simulated staff', () => {
  it('take each case through the lifecycle, and the completion rate settles near the 97.3 % the city reports', () => {
    const runs = Array.from({ length: 4000 }, (_, i) => walk(`case-${i}`, i % 3 === 0 ? 'open311' : 'alarm'));
    const registered = runs.filter((r) => r.registered);
    const closed = registered.filter((r) => r.status === 'closed').length / registered.length;
    expect(closed).toBeGreaterThan(0.96);
    expect(closed).toBeLessThan(0.985);
    // The rest is on hold (挂账); some citizens' reports are cancelled before registration (注销).
    expect(new Set(runs.map((r) => r.status))).toEqual(new Set(['closed', 'suspended', 'cancelled']));
    const cancelled =
      runs.filter((r) => r.status === 'cancelled').length / runs.filter((_, i) => i % 3 === 0).length;
    expect(cancelled).toBeGreaterThan(0.02);
    expect(cancelled).toBeLessThan(0.06);
    // Most are handled within the stage limit (按期), a few run over.
    const onTime =
      registered.filter((r) => r.handleMinutes <= FALLBACK_LIMITS.handle).length / registered.length;
    expect(onTime).toBeGreaterThan(0.8);
    expect(onTime).toBeLessThan(0.99);
  });

  it('decide a case the same way on every poll, and differently across cases', () => {
    const c = base('01J-same', { status: 'handled' });
    expect(nextStep(c, FALLBACK_LIMITS, DEFAULT_DEPARTMENTS, SEED)).toEqual(
      nextStep(c, FALLBACK_LIMITS, DEFAULT_DEPARTMENTS, SEED),
    );
    const delays = new Set(
      Array.from(
        { length: 20 },
        (_, i) =>
          nextStep(base(`c${i}`, { status: 'handled' }), FALLBACK_LIMITS, DEFAULT_DEPARTMENTS, SEED)!
            .afterMinutes,
      ),
    );
    expect(delays.size).toBe(20);
  });

  it('send each step to the right actor, with the note the lifecycle requires', () => {
    const step = (over: Partial<CaseView>) =>
      nextStep(
        base('x1', over),
        FALLBACK_LIMITS,
        { ...DEFAULT_DEPARTMENTS, cancelShare: 1, returnShare: 1, reworkShare: 1 },
        SEED,
      );
    expect(step({ status: 'reported' })).toMatchObject({
      by: 'command',
      action: 'cancel',
      note: expect.any(String) as unknown,
    });
    expect(step({ status: 'dispatched' })).toMatchObject({
      by: 'handler',
      action: 'return',
      note: expect.any(String) as unknown,
    });
    expect(step({ status: 'handled' })).toMatchObject({
      by: 'command',
      action: 'verify_fail',
      note: expect.any(String) as unknown,
    });
    expect(step({ status: 'rework', reworkCount: 1 })).toMatchObject({ by: 'handler', action: 'handle' });
    expect(step({ status: 'in_progress', extension: { minutes: 60 } })?.by).toBe('command');
    // A case the department returned once is accepted the second time, and a reworked one passes.
    const again = (over: Partial<CaseView>, history: { returned: boolean; extensionAsked: boolean }) =>
      nextStep(
        base('x1', over),
        FALLBACK_LIMITS,
        { ...DEFAULT_DEPARTMENTS, returnShare: 1, extensionShare: 1, suspendShare: 0 },
        SEED,
        history,
      )?.action;
    expect(again({ status: 'dispatched' }, { returned: true, extensionAsked: false })).toBe('accept');
    // A rejected extension leaves extensionCount at 0: the department does not ask a second time.
    expect(again({ status: 'in_progress' }, { returned: false, extensionAsked: false })).toBe(
      'request_extension',
    );
    expect(again({ status: 'in_progress' }, { returned: false, extensionAsked: true })).toBe('handle');
    expect(step({ status: 'handled', reworkCount: 1 })?.action).toBe('verify_pass');
    expect(step({ status: 'suspended' })).toBeNull();
  });

  it('scale their delays with the scenario', () => {
    const c = base('slow', { status: 'in_progress' });
    const normal = nextStep(c, FALLBACK_LIMITS, DEFAULT_DEPARTMENTS, SEED)!.afterMinutes;
    const slow = nextStep(c, FALLBACK_LIMITS, { ...DEFAULT_DEPARTMENTS, delayFactor: 2 }, SEED)!.afterMinutes;
    expect(slow).toBeCloseTo(2 * normal, 6);
  });

  it('tell the run’s own cases from everyone else’s', () => {
    const fleet = {
      prefix: 'SIM',
      open311Label: 'SIM 模拟市民 simulated citizens',
      cameraCases: new Set(['cam-1']),
      townships: new Set(['500109001']),
    };
    expect(isOwnCase(base('a'), fleet)).toBe(true);
    expect(isOwnCase(base('b', { reporter: '某市民APP' }), fleet)).toBe(false);
    expect(
      isOwnCase(
        base('c', {
          source: 'alarm',
          description: '告警：供水管网压力骤降(疑似爆管)：传感器 SIM-WP-000001，读数 0.2 MPa',
        }),
        fleet,
      ),
    ).toBe(true);
    expect(
      isOwnCase(
        base('d', { source: 'alarm', description: '告警：…：传感器 CQ-REAL-01，读数 0.2 MPa' }),
        fleet,
      ),
    ).toBe(false);
    expect(
      isOwnCase(
        base('e', { source: 'alarm', description: '告警：隧道积水且排水管网满溢：区域 500109001（…）' }),
        fleet,
      ),
    ).toBe(true);
    expect(isOwnCase(base('cam-1', { source: 'camera' }), fleet)).toBe(true);
    expect(isOwnCase(base('f', { source: 'operator' }), fleet)).toBe(false);
  });
});
