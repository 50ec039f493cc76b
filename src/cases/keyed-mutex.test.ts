import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boxAround, dedupCells } from './case-records.js';
import { KeyedMutex, Semaphore } from './keyed-mutex.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedMutex.runAll', () => {
  it('queues work sharing a key and lets disjoint work overlap', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const job = (name: string, keys: string[]) =>
      mutex.runAll(keys, async () => {
        log.push(`${name}+`);
        await tick();
        log.push(`${name}-`);
      });
    await Promise.all([job('a', ['x', 'y']), job('b', ['y', 'z']), job('c', ['q'])]);
    const [a, b] = [log.indexOf('a+'), log.indexOf('b+')];
    const [first, second] = a < b ? ['a', 'b'] : ['b', 'a'];
    expect(log.indexOf(`${second}+`)).toBeGreaterThan(log.indexOf(`${first}-`));
    expect(log.indexOf('c+')).toBeLessThan(log.indexOf(`${first}-`));
  });

  it('does not deadlock when callers name the same keys in opposite orders', async () => {
    const mutex = new KeyedMutex();
    const results = await Promise.all([
      mutex.runAll(['k1', 'k2'], async () => 1),
      mutex.runAll(['k2', 'k1'], async () => 2),
    ]);
    expect(results).toEqual([1, 2]);
  });
});

describe('dedupCells', () => {
  it('gives two reports within the radius of each other a common lock key', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 105.3, max: 110.2, noNaN: true }),
        fc.double({ min: 28.2, max: 32.2, noNaN: true }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        fc.integer({ min: 10, max: 3_000 }),
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        (lon, lat, angle, radius, share) => {
          const d = radius * share;
          const other = {
            lon: lon + (d * Math.cos(angle)) / (111_320 * Math.cos((lat * Math.PI) / 180)),
            lat: lat + (d * Math.sin(angle)) / 111_320,
          };
          const a = new Set(dedupCells('c', boxAround(lon, lat, radius)));
          const b = dedupCells('c', boxAround(other.lon, other.lat, radius));
          expect(b.some((k) => a.has(k))).toBe(true);
        },
      ),
    );
  });

  it('keeps categories apart', () => {
    const box = boxAround(106.5, 29.5, 50);
    expect(dedupCells('street_vending', box)).not.toEqual(dedupCells('illegal_parking', box));
  });
});

describe('Semaphore', () => {
  it('lets at most `size` holders in at once and all of them through in the end', async () => {
    const semaphore = new Semaphore(2);
    let inside = 0;
    let most = 0;
    const done = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        semaphore.run(async () => {
          inside += 1;
          most = Math.max(most, inside);
          await tick();
          inside -= 1;
          return i;
        }),
      ),
    );
    expect(done).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(2);
  });
});
