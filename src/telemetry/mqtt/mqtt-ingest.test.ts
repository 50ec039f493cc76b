import { describe, expect, it } from 'vitest';
import { EVERYTHING } from '../../jurisdictions/visibility.js';
import { AppError } from '../../errors.js';
import { MqttIngestor, rejectionReport } from './mqtt-ingest.js';
import { SILENT_LOG } from './mqtt-log.js';
import { testIngest, YZ } from './mqtt.fixtures.js';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const alive = { visible: EVERYTHING, alive: () => true };

describe('MqttIngestor', () => {
  it('stores a message and reports refused readings by their index in the message', async () => {
    const kit = testIngest();
    const ingestor = new MqttIngestor({ ingest: kit.ingest, log: SILENT_LOG });
    const now = Date.now();
    const outcome = await ingestor.handle(
      `cityops/telemetry/${YZ}`,
      json([
        { sensor: 'other', ts: now, value: 1 },
        { ts: now, value: 'x' },
        { ts: now, value: 0.3 },
      ]),
      alive,
    );
    expect(outcome).toMatchObject({
      kind: 'ingested',
      total: 3,
      accepted: 1,
      rejected: [
        { index: 0, code: 'INVALID_READING' },
        { index: 1, code: 'INVALID_VALUE' },
      ],
    });
    expect(kit.stored).toEqual([{ key: 1, ts: now, value: 0.3 }]);
    expect(ingestor.stats).toMatchObject({ messages: 1, readingsAccepted: 1, readingsRejected: 2 });
  });

  it('drops an unreadable message without calling ingest', async () => {
    const kit = testIngest();
    const ingestor = new MqttIngestor({ ingest: kit.ingest, log: SILENT_LOG });
    expect(await ingestor.handle('cityops/telemetry', Buffer.from('nope'), alive)).toMatchObject({
      kind: 'dropped',
      code: 'INVALID_JSON',
    });
    expect(kit.appends).toBe(0);
    expect(ingestor.stats.messagesDropped).toBe(1);
  });

  it('retries while the store is OVERLOADED and resolves only once it took the readings', async () => {
    const kit = testIngest();
    kit.overloadedFor(3);
    const ingestor = new MqttIngestor({
      ingest: kit.ingest,
      log: SILENT_LOG,
      backoffMs: { initial: 1, max: 4 },
    });
    const outcome = await ingestor.handle(
      `cityops/telemetry/${YZ}`,
      json({ ts: Date.now(), value: 1 }),
      alive,
    );
    expect(outcome).toMatchObject({ kind: 'ingested', accepted: 1 });
    expect(kit.appends).toBe(4);
    expect(ingestor.stats.overloadRetries).toBe(3);
  });

  it('gives up (unacknowledged) when the publisher left while the store was full', async () => {
    const kit = testIngest();
    kit.overloadedFor(Infinity);
    let attempts = 0;
    const ingestor = new MqttIngestor({
      ingest: kit.ingest,
      log: SILENT_LOG,
      backoffMs: { initial: 1, max: 1 },
    });
    const outcome = await ingestor.handle(`cityops/telemetry/${YZ}`, json({ ts: Date.now(), value: 1 }), {
      visible: EVERYTHING,
      alive: () => ++attempts < 3,
    });
    expect(outcome).toEqual({ kind: 'abandoned' });
    expect(kit.stored).toEqual([]);
  });

  it('surfaces failures other than overload', async () => {
    const ingestor = new MqttIngestor({
      ingest: { ingest: () => Promise.reject(new AppError('INTERNAL', 'disk on fire')) },
      log: SILENT_LOG,
    });
    await expect(
      ingestor.handle(`cityops/telemetry/${YZ}`, json({ ts: 1, value: 1 }), alive),
    ).rejects.toThrow('disk on fire');
  });
});

describe('rejectionReport', () => {
  it('says nothing when every reading was stored, or when the message was abandoned', () => {
    expect(rejectionReport('t', { kind: 'ingested', total: 1, accepted: 1, rejected: [] })).toBeUndefined();
    expect(rejectionReport('t', { kind: 'abandoned' })).toBeUndefined();
  });

  it('lists at most 100 refusals and counts the rest', () => {
    const rejected = Array.from({ length: 150 }, (_, index) => ({
      index,
      code: 'UNKNOWN_SENSOR' as const,
      message: 'm',
    }));
    const report = JSON.parse(
      rejectionReport('cityops/telemetry', {
        kind: 'ingested',
        total: 150,
        accepted: 0,
        rejected,
      })!.toString(),
    ) as { topic: string; rejected: unknown[]; more: number };
    expect(report).toMatchObject({ topic: 'cityops/telemetry', more: 50 });
    expect(report.rejected).toHaveLength(100);
  });

  it('carries the code of a dropped message', () => {
    expect(
      JSON.parse(rejectionReport('t', { kind: 'dropped', code: 'INVALID_JSON', message: 'bad' })!.toString()),
    ).toEqual({ topic: 't', accepted: 0, error: { code: 'INVALID_JSON', message: 'bad' } });
  });
});
