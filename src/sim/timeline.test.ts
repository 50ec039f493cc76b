import { describe, expect, it } from 'vitest';
import { describeTimeline, planTimeline } from './timeline.js';

const NOW = Date.parse('2026-07-08T12:00:00+08:00');
const HOUR = 3_600_000;

describe('placing a run in time (readings can never be stamped in the future)', () => {
  it('runs an accelerated drill in the recent past so that it ends now', () => {
    const t = planTimeline(NOW, 60, 6 * HOUR);
    expect(t.end - t.origin).toBe(6 * HOUR);
    // At 60×, six simulated hours take six minutes: it starts 5 h 54 min ago and catches up with
    // the clock just as it ends, six minutes from now.
    expect(NOW - t.origin).toBe(6 * HOUR - 6 * 60_000);
    expect(t.end).toBe(NOW + 6 * 60_000);
  });

  it('writes "max" runs and backfills as the history up to now', () => {
    expect(planTimeline(NOW, 'max', 24 * HOUR)).toEqual({ origin: NOW - 24 * HOUR, end: NOW, pace: 'max' });
    expect(planTimeline(NOW, 1, null, 3 * HOUR)).toEqual({
      origin: NOW - 3 * HOUR,
      end: Infinity,
      pace: 'max',
    });
  });

  it('runs real time from now, for a while or until stopped', () => {
    expect(planTimeline(NOW, 1, null)).toEqual({ origin: NOW, end: Infinity, pace: 1 });
    expect(planTimeline(NOW, 1, HOUR)).toEqual({ origin: NOW, end: NOW + HOUR, pace: 1 });
  });

  it('refuses acceleration without an end, saying what to give', () => {
    expect(() => planTimeline(NOW, 60, null)).toThrow(/needs a duration.*--duration/);
  });

  it('describes itself', () => {
    expect(describeTimeline(planTimeline(NOW, 60, 6 * HOUR), NOW)).toBe(
      '6h of simulated time from 5h54m ago, at 60× real time',
    );
  });
});
