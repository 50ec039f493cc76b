import { describe, expect, it, vi } from 'vitest';
import { isValidSubject, subject, subjectMatches, type BusMessage } from './event-bus.js';
import { InProcessBus } from './in-process-bus.js';

const readings = subject<number>('telemetry.readings');

describe('subjectMatches', () => {
  it.each([
    ['telemetry.readings', 'telemetry.readings', true],
    ['telemetry.*', 'telemetry.readings', true],
    ['telemetry.*', 'telemetry.readings.raw', false],
    ['telemetry.>', 'telemetry.readings.raw', true],
    ['telemetry.>', 'telemetry', false],
    ['>', 'alarms.changed', true],
    ['*.changed', 'alarms.changed', true],
    ['alarms.changed', 'alarms.raised', false],
    ['telemetry.readings', 'telemetry', false],
  ])('%s against %s is %s', (pattern, name, expected) => {
    expect(subjectMatches(pattern, name)).toBe(expected);
  });

  it('accepts wildcards only in patterns and ">" only last', () => {
    expect(isValidSubject('telemetry.readings', false)).toBe(true);
    expect(isValidSubject('telemetry.*', false)).toBe(false);
    expect(isValidSubject('telemetry.*', true)).toBe(true);
    expect(isValidSubject('>.readings', true)).toBe(false);
    expect(isValidSubject('telemetry..x', true)).toBe(false);
    expect(() => subject('bad subject')).toThrow(/invalid/);
  });
});

describe('InProcessBus', () => {
  it('delivers each batch whole, in publish order, to every matching subscription', async () => {
    const bus = new InProcessBus();
    const exact: number[][] = [];
    const wild: string[] = [];
    bus.subscribe(readings, (m) => void exact.push([...m.events]), { name: 'exact' });
    bus.subscribe(subject<unknown>('telemetry.>'), (m) => void wild.push(m.subject), { name: 'wild' });
    bus.subscribe(subject<unknown>('alarms.>'), () => expect.fail('not for alarms'), { name: 'other' });
    await bus.publish(readings, [1, 2, 3]);
    await bus.publish(readings, [4]);
    await bus.drain();
    expect(exact).toEqual([[1, 2, 3], [4]]);
    expect(wild).toEqual(['telemetry.readings', 'telemetry.readings']);
    await bus.close();
  });

  it('redelivers a failed message until the handler succeeds (at least once), before later ones', async () => {
    const bus = new InProcessBus({ retryDelayMs: () => 0, onError: () => undefined });
    const seen: [number, number][] = [];
    let failures = 2;
    bus.subscribe(
      readings,
      (m: BusMessage<number>) => {
        seen.push([m.events[0]!, m.attempt]);
        if (m.events[0] === 1 && failures-- > 0) throw new Error('flaky');
      },
      { name: 'flaky' },
    );
    await bus.publish(readings, [1]);
    await bus.publish(readings, [2]);
    await bus.drain();
    expect(seen).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 1],
    ]);
    await bus.close();
  });

  it('gives up after maxDeliver and reports it as final', async () => {
    const onError = vi.fn();
    const bus = new InProcessBus({ retryDelayMs: () => 0, onError });
    const handler = vi.fn(async () => Promise.reject(new Error('always')));
    bus.subscribe(readings, handler, { name: 'broken', maxDeliver: 3 });
    await bus.publish(readings, [1]);
    await bus.drain();
    expect(handler).toHaveBeenCalledTimes(3);
    expect(onError.mock.calls.map((c) => (c[1] as { final: boolean }).final)).toEqual([false, false, true]);
    await bus.close();
  });

  it('makes publishers wait while a subscription queue is full instead of buffering more', async () => {
    const bus = new InProcessBus({ maxQueuedMessages: 2 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: number[] = [];
    bus.subscribe(
      readings,
      async (m) => {
        await gate;
        handled.push(m.events[0]!);
      },
      { name: 'slow' },
    );
    await bus.publish(readings, [1]);
    await bus.publish(readings, [2]);
    let thirdAccepted = false;
    const third = bus.publish(readings, [3]).then(() => (thirdAccepted = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(thirdAccepted).toBe(false);
    release();
    await third;
    await bus.drain();
    expect(handled).toEqual([1, 2, 3]);
    await bus.close();
  });

  it('refuses wildcard publishes, duplicate names and use after close; unsubscribe stops delivery', async () => {
    const bus = new InProcessBus();
    const got: number[] = [];
    const sub = bus.subscribe(readings, (m) => void got.push(...m.events), { name: 'a' });
    expect(() => bus.subscribe(readings, () => undefined, { name: 'a' })).toThrow(/exists/);
    await expect(bus.publish(subject<number>('telemetry.*'), [1])).rejects.toThrow(/concrete/);
    sub.unsubscribe();
    await bus.publish(readings, [1]);
    await bus.drain();
    expect(got).toEqual([]);
    await bus.close();
    await expect(bus.publish(readings, [1])).rejects.toThrow(/closed/);
  });
});
