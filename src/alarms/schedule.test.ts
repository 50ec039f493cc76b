import { describe, expect, it } from 'vitest';
import { compileSchedule, parseClock, scheduleActive } from './schedule.js';

// Times in China Standard Time (UTC+8): 2026-11-23 is a Monday.
const cst = (iso: string) => Date.parse(`${iso}+08:00`);

describe('schedules (China Standard Time)', () => {
  it('parses HH:MM and refuses anything else', () => {
    expect(parseClock('07:30')).toBe(450);
    expect(parseClock('24:00')).toBeUndefined();
    expect(parseClock('7:30')).toBeUndefined();
  });

  it('is active on the given weekdays between from (inclusive) and to (exclusive)', () => {
    const workdays = compileSchedule({ days: [1, 2, 3, 4, 5], from: '07:00', to: '19:00' });
    expect(scheduleActive(workdays, cst('2026-11-23T07:00:00'))).toBe(true);
    expect(scheduleActive(workdays, cst('2026-11-23T18:59:59'))).toBe(true);
    expect(scheduleActive(workdays, cst('2026-11-23T19:00:00'))).toBe(false);
    expect(scheduleActive(workdays, cst('2026-11-28T12:00:00'))).toBe(false); // Saturday
  });

  it('an overnight window belongs to the day it starts on', () => {
    const fridayNight = compileSchedule({ days: [5], from: '22:00', to: '06:00' });
    expect(scheduleActive(fridayNight, cst('2026-11-27T23:00:00'))).toBe(true); // Friday
    expect(scheduleActive(fridayNight, cst('2026-11-28T05:00:00'))).toBe(true); // Saturday early
    expect(scheduleActive(fridayNight, cst('2026-11-27T05:00:00'))).toBe(false); // Friday early: Thursday's night
  });

  it('from = to means the whole day', () => {
    const sundays = compileSchedule({ days: [7], from: '00:00', to: '00:00' });
    expect(scheduleActive(sundays, cst('2026-11-29T13:00:00'))).toBe(true);
    expect(scheduleActive(sundays, cst('2026-11-30T13:00:00'))).toBe(false);
  });
});
