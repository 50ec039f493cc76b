import { describe, expect, it } from 'vitest';
import {
  isIngestTopic,
  MAX_PAYLOAD_BYTES,
  MAX_READINGS,
  parseMessage,
  sensorOfTopic,
} from './mqtt-payload.js';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('MQTT topics', () => {
  it.each([
    ['cityops/telemetry', ''],
    ['cityops/telemetry/CQ-YZ-0001', 'CQ-YZ-0001'],
    ['cityops/telemetry/', undefined],
    ['cityops/telemetry/a/b', undefined],
    ['cityops/telemetry/rejected/dev-1', undefined],
    ['cityops/telemetryX', undefined],
    ['other/topic', undefined],
  ])('%s names sensor %o', (topic, sensor) => {
    expect(sensorOfTopic(topic)).toBe(sensor);
    expect(isIngestTopic(topic)).toBe(sensor !== undefined);
  });
});

describe('parseMessage', () => {
  it('turns a sensor topic with one {ts, value} into one item for that sensor', () => {
    expect(parseMessage('cityops/telemetry/S1', json({ ts: 1, value: 0.3 }))).toEqual({
      ok: true,
      items: [{ sensor: 'S1', ts: 1, value: 0.3 }],
      positions: [0],
      refused: [],
      total: 1,
    });
  });

  it('turns a sensor topic with an array into one item per reading, each judged later on its own', () => {
    const parsed = parseMessage(
      'cityops/telemetry/S1',
      json([{ ts: 1, value: 1 }, 'junk', { ts: 2, value: 2, unit: 'MPa' }]),
    );
    expect(parsed).toMatchObject({
      ok: true,
      items: [{ sensor: 'S1', ts: 1, value: 1 }, 'junk', { sensor: 'S1', ts: 2, value: 2, unit: 'MPa' }],
      positions: [0, 1, 2],
      total: 3,
    });
  });

  it('refuses a reading that names another sensor than its topic, and keeps the others', () => {
    const parsed = parseMessage(
      'cityops/telemetry/S1',
      json([
        { sensor: 'S2', ts: 1, value: 1 },
        { sensor: 'S1', ts: 2, value: 2 },
      ]),
    );
    expect(parsed).toMatchObject({
      ok: true,
      items: [{ sensor: 'S1', ts: 2, value: 2 }],
      positions: [1],
      refused: [
        { index: 0, code: 'INVALID_READING', message: expect.stringContaining('differs') as unknown },
      ],
    });
  });

  it('takes the HTTP body format on the batch topic', () => {
    const readings = [{ sensor: 'S1', ts: '2026-11-25T08:00:00+08:00', value: 1 }];
    expect(parseMessage('cityops/telemetry', json({ readings }))).toMatchObject({
      ok: true,
      items: readings,
      total: 1,
    });
  });

  it.each([
    ['cityops/telemetry', Buffer.from('{"readings":['), 'INVALID_JSON'],
    ['cityops/telemetry/S1', Buffer.from([0xff, 0xfe]), 'INVALID_JSON'],
    ['cityops/telemetry', json([{ sensor: 'S1', ts: 1, value: 1 }]), 'VALIDATION_FAILED'],
    ['cityops/telemetry', json({ readings: [], extra: 1 }), 'VALIDATION_FAILED'],
    ['cityops/telemetry', json({ readings: {} }), 'VALIDATION_FAILED'],
    ['cityops/telemetry', json({ readings: new Array(MAX_READINGS + 1).fill(0) }), 'VALIDATION_FAILED'],
    ['cityops/telemetry/S1', json(new Array(MAX_READINGS + 1).fill(0)), 'VALIDATION_FAILED'],
    ['cityops/telemetry/S1', Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20), 'PAYLOAD_TOO_LARGE'],
    ['somewhere/else', json({ ts: 1, value: 1 }), 'VALIDATION_FAILED'],
  ])('drops a whole message on %s that cannot be read (%#) as %s', (topic, payload, code) => {
    expect(parseMessage(topic, payload)).toMatchObject({ ok: false, code });
  });

  it('accepts exactly the limits', () => {
    const readings = new Array(MAX_READINGS).fill({ sensor: 'S1', ts: 1, value: 1 });
    expect(parseMessage('cityops/telemetry', json({ readings }))).toMatchObject({
      ok: true,
      total: MAX_READINGS,
    });
    const padded = Buffer.alloc(MAX_PAYLOAD_BYTES, 0x20);
    padded.write('{"ts":1,"value":1}');
    expect(parseMessage('cityops/telemetry/S1', padded)).toMatchObject({ ok: true, total: 1 });
  });

  it('reads a payload that is a view into a larger buffer (as MQTT parsers hand them over)', () => {
    const whole = Buffer.from('xxxx{"ts":1,"value":2}yyyy');
    expect(parseMessage('cityops/telemetry/S1', whole.subarray(4, whole.length - 4))).toMatchObject({
      ok: true,
      items: [{ sensor: 'S1', ts: 1, value: 2 }],
    });
  });
});
