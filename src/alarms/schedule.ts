import type { Schedule } from './alarm.types.js';

/** China Standard Time: UTC+8 all year (no daylight saving since 1991). */
const CST_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** A schedule in the form the engine tests per reading: weekday bits and minutes of the day. */
export interface CompiledSchedule {
  /** Bit d set (1 = Monday … 7 = Sunday) when the rule is active that day. */
  days: number;
  from: number;
  to: number;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight of an 'HH:MM' string, or undefined when it is not one. */
export function parseClock(text: string): number | undefined {
  const match = HHMM.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** Compiles a validated schedule. */
export function compileSchedule(schedule: Schedule): CompiledSchedule {
  let days = 0;
  for (const day of schedule.days) days |= 1 << day;
  return { days, from: parseClock(schedule.from) ?? 0, to: parseClock(schedule.to) ?? 0 };
}

/**
 * Whether the schedule is active at epoch ms `ts` (in CST). `from` is inclusive and `to`
 * exclusive; from > to spans midnight and belongs to the day it starts on; from = to is all day.
 */
export function scheduleActive(schedule: CompiledSchedule, ts: number): boolean {
  const local = ts + CST_OFFSET_MS;
  const minutes = Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / 60_000);
  // 1970-01-01 was a Thursday (ISO weekday 4).
  const dayOf = (t: number) => ((((Math.floor(t / DAY_MS) + 3) % 7) + 7) % 7) + 1;
  const { from, to, days } = schedule;
  if (from === to) return (days & (1 << dayOf(local))) !== 0;
  if (from < to) return minutes >= from && minutes < to && (days & (1 << dayOf(local))) !== 0;
  // Overnight: the evening part belongs to today, the early-morning part to yesterday.
  if (minutes >= from) return (days & (1 << dayOf(local))) !== 0;
  if (minutes < to) return (days & (1 << dayOf(local - DAY_MS))) !== 0;
  return false;
}
