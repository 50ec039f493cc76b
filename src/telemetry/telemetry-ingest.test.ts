import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVERYTHING, type Visibility } from '../jurisdictions/visibility.js';
import type { Reading } from './store/reading.types.js';
import { buildRegisteredSensor } from '../test-support/sensor-factories.js';
import { TelemetryIngest } from './telemetry-ingest.js';

const NOW = Date.parse('2026-11-25T08:00:00Z');
const sensor = buildRegisteredSensor;
const SENSORS = new Map([
  ['YZ-1', sensor('YZ-1', 1, '500103')],
  ['BB-1', sensor('BB-1', 2, '500109')],
]);

function setup() {
  const stored: Reading[] = [];
  const ingest = new TelemetryIngest({
    resolve: (id) => SENSORS.get(id),
    append: async (readings) => {
      stored.push(...readings);
      return { accepted: readings.length, rejected: [] };
    },
    clock: () => NOW,
  });
  return { ingest, stored };
}
const beibeiOnly: Visibility = { root: '500109', contains: (code) => !!code?.startsWith('500109') };

describe('TelemetryIngest', () => {
  it('stores good readings and refuses each bad one alone, with its index and a stable code', async () => {
    const { ingest, stored } = setup();
    const report = await ingest.ingest(
      [
        { sensor: 'YZ-1', ts: NOW - 1000, value: 0.31 },
        { sensor: 'nope', ts: NOW, value: 1 },
        { sensor: 'YZ-1', ts: '2026-11-25T16:00:00+08:00', value: 0.32 },
        { sensor: 'YZ-1', ts: NOW, value: '0.3' },
        { sensor: 'YZ-1', ts: NOW, value: Infinity },
        { sensor: 'YZ-1', ts: '2026-11-25T08:00:00', value: 1 },
        { sensor: 'YZ-1', ts: NOW + 3_600_000, value: 1 },
        { sensor: 'YZ-1', ts: Math.floor(NOW / 1000), value: 1 },
        { sensor: 'YZ-1', ts: NOW, value: 1, unit: 'MPa' },
        'garbage',
      ],
      EVERYTHING,
    );
    expect(report.accepted).toBe(2);
    expect(stored).toEqual([
      { key: 1, ts: NOW - 1000, value: 0.31 },
      { key: 1, ts: NOW, value: 0.32 },
    ]);
    expect(report.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, 'UNKNOWN_SENSOR'],
      [3, 'INVALID_VALUE'],
      [4, 'INVALID_VALUE'],
      [5, 'INVALID_TIMESTAMP'],
      [6, 'TIMESTAMP_OUT_OF_RANGE'],
      [7, 'TIMESTAMP_OUT_OF_RANGE'],
      [8, 'INVALID_READING'],
      [9, 'INVALID_READING'],
    ]);
    expect(report.rejected.find((r) => r.index === 7)?.message).toMatch(/seconds/);
  });

  it('refuses a sensor outside the caller’s jurisdiction exactly like an unknown one', async () => {
    const { ingest, stored } = setup();
    const report = await ingest.ingest(
      [
        { sensor: 'YZ-1', ts: NOW, value: 1 },
        { sensor: 'BB-1', ts: NOW, value: 2 },
      ],
      beibeiOnly,
    );
    expect(report.accepted).toBe(1);
    expect(stored).toEqual([{ key: 2, ts: NOW, value: 2 }]);
    expect(report.rejected).toEqual([
      { index: 0, code: 'UNKNOWN_SENSOR', message: expect.any(String) as string },
    ]);
    const unknown = await ingest.ingest([{ sensor: 'nope', ts: NOW, value: 1 }], beibeiOnly);
    expect(unknown.rejected[0]?.message).toBe(report.rejected[0]?.message.replace('YZ-1', 'nope'));
  });

  it('passes OVERLOADED from the store through untouched (the route answers 503)', async () => {
    const ingest = new TelemetryIngest({
      resolve: (id) => SENSORS.get(id),
      append: () => Promise.reject(Object.assign(new Error('full'), { code: 'OVERLOADED' })),
      clock: () => NOW,
    });
    await expect(ingest.ingest([{ sensor: 'YZ-1', ts: NOW, value: 1 }], EVERYTHING)).rejects.toMatchObject({
      code: 'OVERLOADED',
    });
  });

  it('never loses a valid reading next to arbitrary junk (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.jsonValue(), fc.constant(null)), { maxLength: 20 }),
        async (junk) => {
          const { ingest, stored } = setup();
          const good = { sensor: 'BB-1', ts: NOW, value: 7 };
          const items = [...junk, good];
          const report = await ingest.ingest(items, EVERYTHING);
          expect(stored).toContainEqual({ key: 2, ts: NOW, value: 7 });
          expect(report.accepted + report.rejected.length).toBe(items.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
