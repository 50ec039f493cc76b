import { AppError } from '../errors.js';
import { formatDuration } from './duration.js';
import type { Pace } from './scenario.types.js';

/** Where a run's simulated time starts and ends (epoch ms; end Infinity: until stopped). */
export interface Timeline {
  origin: number;
  end: number;
  pace: Pace;
}

/**
 * Places a run in time. Readings may never be stamped in the future (the server refuses more than
 * a few minutes ahead), so an accelerated run happens in the recent past and ends now:
 * - `historyMs`: start that long ago and catch up as fast as the server takes it (backfill), then
 *   go on in real time until `durationMs` from the start (null: until stopped);
 * - `speed: "max"`: the last `durationMs`, as fast as possible, ending about now;
 * - speed s > 1: starts `durationMs × (1 − 1/s)` ago, so that it reaches the present as it ends;
 * - speed 1: from now on, in real time.
 */
export function planTimeline(now: number, pace: Pace, durationMs: number | null, historyMs = 0): Timeline {
  if (historyMs > 0) {
    const origin = now - historyMs;
    return { origin, end: durationMs === null ? Infinity : origin + durationMs, pace: 'max' };
  }
  if (pace === 'max' || pace > 1) {
    if (durationMs === null) {
      throw new AppError(
        'INVALID_SCENARIO',
        `speed ${pace} needs a duration: an accelerated run is placed in the recent past and ends now, since readings cannot be stamped in the future. Give --duration (e.g. --duration 6h) or use a scenario that has one.`,
        { problems: [{ path: 'speed', message: 'needs a duration' }] },
      );
    }
    if (pace === 'max') return { origin: now - durationMs, end: now, pace };
    const origin = now - durationMs * (1 - 1 / pace);
    return { origin, end: origin + durationMs, pace };
  }
  return { origin: now, end: durationMs === null ? Infinity : now + durationMs, pace };
}

/** One line describing a timeline, for the start of a run. */
export function describeTimeline(t: Timeline, now: number): string {
  const length = Number.isFinite(t.end) ? formatDuration(t.end - t.origin) : 'until stopped 持续运行';
  const when = t.origin < now - 1000 ? `from ${formatDuration(now - t.origin)} ago` : 'from now';
  const pace =
    t.pace === 'max'
      ? 'as fast as the server takes it'
      : t.pace === 1
        ? 'in real time'
        : `at ${t.pace}× real time`;
  return `${length} of simulated time ${when}, ${pace}`;
}
