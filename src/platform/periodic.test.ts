import { describe, expect, it } from 'vitest';
import { every } from './periodic.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('every', () => {
  it('never overlaps runs, reports a failure and keeps going, and close waits for the run in progress', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    const errors: unknown[] = [];
    let finished = false;
    const job = every(
      5,
      async () => {
        active++;
        most = Math.max(most, active);
        runs++;
        await sleep(30);
        active--;
        if (runs === 1) throw new Error('first run fails');
        finished = true;
      },
      (error) => errors.push(error),
    );
    await sleep(120);
    await job.close();
    expect(most).toBe(1);
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(errors).toHaveLength(1);
    expect(finished).toBe(true);
    expect(active).toBe(0);
  });

  it('does nothing with an interval of 0', async () => {
    let runs = 0;
    const job = every(
      0,
      async () => void runs++,
      () => undefined,
    );
    await sleep(20);
    await job.close();
    expect(runs).toBe(0);
  });
});
