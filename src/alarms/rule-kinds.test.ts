import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AGAIN,
  CLEAR,
  HOLD,
  NONE,
  RAISE,
  newState,
  stepAnomaly,
  stepComposite,
  stepRate,
  stepStale,
  stepThreshold,
} from './rule-kinds.js';

const S = 1000;

describe('threshold', () => {
  const p = { op: 'above' as const, value: 10, hysteresis: 2, forSeconds: 60 };

  it('raises only after the condition has held for the duration, by reading time', () => {
    const s = newState();
    expect([0, 30, 59].map((t) => stepThreshold(s, p, t * S, 11, true))).toEqual([NONE, NONE, NONE]);
    expect(stepThreshold(s, p, 60 * S, 11, true)).toBe(RAISE);
  });

  it('a dip below the limit restarts the duration', () => {
    const s = newState();
    stepThreshold(s, p, 0, 11, true);
    stepThreshold(s, p, 30 * S, 9, true);
    expect(stepThreshold(s, p, 61 * S, 11, true)).toBe(NONE);
    expect(stepThreshold(s, p, 120 * S, 11, true)).toBe(NONE);
    expect(stepThreshold(s, p, 121 * S, 11, true)).toBe(RAISE);
  });

  it('holds inside the band, counts a re-crossing as AGAIN, clears past the band', () => {
    const s = newState(true);
    expect(stepThreshold(s, p, 0, 11, true)).toBe(HOLD);
    expect(stepThreshold(s, p, S, 9, true)).toBe(NONE);
    expect(stepThreshold(s, p, 2 * S, 12, true)).toBe(AGAIN);
    expect(stepThreshold(s, p, 3 * S, 8, true)).toBe(CLEAR);
    expect(s.firing).toBe(false);
  });

  it('does not raise while not allowed (schedule, maintenance) and ignores out-of-order readings', () => {
    const s = newState();
    expect(stepThreshold(s, { ...p, forSeconds: 0 }, 10 * S, 50, false)).toBe(NONE);
    expect(stepThreshold(s, p, 5 * S, 50, true)).toBe(NONE);
    expect(stepThreshold(s, { ...p, forSeconds: 0 }, 11 * S, 50, true)).toBe(RAISE);
  });

  it('a late instant breach still raises (a gas leak that arrived after a newer normal reading)', () => {
    const s = newState();
    const instant = { ...p, forSeconds: 0 };
    expect(stepThreshold(s, instant, 10 * S, 1, true)).toBe(NONE);
    expect(stepThreshold(s, instant, 5 * S, 50, true)).toBe(RAISE);
    expect(stepThreshold(s, instant, 11 * S, 1, true)).toBe(CLEAR);
  });

  it('never raises twice without a clear in between, whatever the readings (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 20, noNaN: true }), { maxLength: 200 }), (values) => {
        const s = newState();
        let open = false;
        values.forEach((v, i) => {
          const step = stepThreshold(s, { ...p, forSeconds: 0 }, i * S, v, true);
          if (step === RAISE) {
            expect(open).toBe(false);
            open = true;
          }
          if (step === CLEAR) {
            expect(open).toBe(true);
            open = false;
          }
          if (step === HOLD || step === AGAIN) expect(open).toBe(true);
          expect(s.firing).toBe(open);
        });
      }),
    );
  });
});

describe('rate of change', () => {
  const p = { direction: 'fall' as const, delta: 0.1, windowSeconds: 60 };

  it('raises on a fall of delta within the window and clears on recovery to within delta / 2', () => {
    const s = newState();
    expect(stepRate(s, p, 0, 0.45, true)).toBe(NONE);
    expect(stepRate(s, p, 30 * S, 0.44, true)).toBe(NONE);
    expect(stepRate(s, p, 60 * S, 0.33, true)).toBe(RAISE);
    expect(stepRate(s, p, 90 * S, 0.36, true)).toBe(NONE);
    expect(stepRate(s, p, 120 * S, 0.41, true)).toBe(CLEAR);
  });

  it('a slow fall over more than the window does not raise', () => {
    const s = newState();
    const steps = [0.45, 0.42, 0.39, 0.36, 0.33].map((v, i) => stepRate(s, p, i * 61 * S, v, true));
    expect(steps.every((x) => x === NONE)).toBe(true);
  });
});

describe('anomaly', () => {
  const p = { alpha: 0.1, zScore: 4, warmup: 20, minStd: 0.1 };

  it('waits for the warm-up, then raises on an outlier and clears below half the bound', () => {
    const s = newState();
    for (let i = 0; i < 20; i++) expect(stepAnomaly(s, p, i * S, 50 + (i % 3) * 0.2, true)).toBe(NONE);
    expect(stepAnomaly(s, p, 21 * S, 60, true)).toBe(RAISE);
    expect(stepAnomaly(s, p, 22 * S, 50.1, true)).toBe(CLEAR);
  });

  it('does not raise during warm-up however wild the values', () => {
    const s = newState();
    expect([1, 1000, -1000, 5].map((v, i) => stepAnomaly(s, p, i * S, v, true))).toEqual([
      NONE,
      NONE,
      NONE,
      NONE,
    ]);
  });
});

describe('stale and composite', () => {
  it('stale raises once when silent past the limit and clears when heard from', () => {
    const s = newState();
    expect(stepStale(s, 50, 90, true)).toBe(NONE);
    expect(stepStale(s, 91, 90, true)).toBe(RAISE);
    expect(stepStale(s, 200, 90, true)).toBe(NONE);
    expect(stepStale(s, 0, 90, true)).toBe(CLEAR);
  });

  it('composite needs the condition for the duration and clears as soon as it is gone', () => {
    const s = newState();
    expect(stepComposite(s, 60, 0, true, true)).toBe(NONE);
    expect(stepComposite(s, 60, 60 * S, true, true)).toBe(RAISE);
    expect(stepComposite(s, 60, 70 * S, true, true)).toBe(HOLD);
    expect(stepComposite(s, 60, 80 * S, false, true)).toBe(CLEAR);
  });
});
