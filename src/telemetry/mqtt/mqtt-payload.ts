import type { ErrorCode } from '../../errors.js';
import type { RejectedItem } from '../telemetry-ingest.js';

/** Gateways publish `{"readings":[{sensor, ts, value}, …]}` here (the HTTP body format). */
export const BATCH_TOPIC = 'cityops/telemetry';
/** Devices publish `{ts, value}` or `[{ts, value}, …]` to `cityops/telemetry/{sensorId}`. */
export const SENSOR_TOPIC_PREFIX = 'cityops/telemetry/';
/** The embedded broker reports refused messages and readings to `cityops/telemetry/rejected/{clientId}`. */
export const REJECTED_TOPIC_PREFIX = 'cityops/telemetry/rejected/';
/** The subscriptions that cover both ingest topics. */
export const INGEST_SUBSCRIPTIONS = [BATCH_TOPIC, `${SENSOR_TOPIC_PREFIX}+`] as const;

/** Largest payload read, bytes; larger messages are dropped as PAYLOAD_TOO_LARGE. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;
/** Most readings in one message, as for one HTTP request. */
export const MAX_READINGS = 10_000;

/** A message turned into items for `TelemetryIngest.ingest`, or the reason the whole message is dropped. */
export type ParsedMessage =
  | {
      ok: true;
      /** Items for ingest; `positions[i]` is item i's index in the message. */
      items: unknown[];
      positions: number[];
      /** Readings refused before ingest, by index in the message. */
      refused: RejectedItem[];
      /** How many readings the message held. */
      total: number;
    }
  | { ok: false; code: ErrorCode; message: string };

/** The sensor id of `cityops/telemetry/{id}`, '' for the batch topic, or undefined for any other topic. */
export function sensorOfTopic(topic: string): string | undefined {
  if (topic === BATCH_TOPIC) return '';
  if (!topic.startsWith(SENSOR_TOPIC_PREFIX)) return undefined;
  const id = topic.slice(SENSOR_TOPIC_PREFIX.length);
  return id === '' || id.includes('/') ? undefined : id;
}

/** Whether a client may publish to this topic: the batch topic or one sensor's topic. */
export function isIngestTopic(topic: string): boolean {
  return sensorOfTopic(topic) !== undefined;
}

/**
 * Parses one MQTT message into ingest items. The message is dropped whole only when it cannot be
 * read at all (not JSON, wrong shape, too large); otherwise each reading is judged alone, as over HTTP.
 */
export function parseMessage(topic: string, payload: Uint8Array): ParsedMessage {
  const sensor = sensorOfTopic(topic);
  if (sensor === undefined) {
    return {
      ok: false,
      code: 'VALIDATION_FAILED',
      message: `"${topic.slice(0, 200)}" is not an ingest topic`,
    };
  }
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return {
      ok: false,
      code: 'PAYLOAD_TOO_LARGE',
      message: `the payload has ${payload.byteLength} bytes; at most ${MAX_PAYLOAD_BYTES} are read`,
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch {
    return { ok: false, code: 'INVALID_JSON', message: 'the payload is not valid JSON (UTF-8)' };
  }
  return sensor === '' ? batchItems(body) : sensorItems(sensor, body);
}

function batchItems(body: unknown): ParsedMessage {
  if (!isObject(body) || !Array.isArray(body.readings) || Object.keys(body).length !== 1) {
    return {
      ok: false,
      code: 'VALIDATION_FAILED',
      message: `${BATCH_TOPIC} takes {"readings":[{"sensor","ts","value"}, …]} and no other field`,
    };
  }
  const readings: unknown[] = body.readings;
  if (readings.length > MAX_READINGS) return tooMany(readings.length);
  return {
    ok: true,
    items: readings,
    positions: readings.map((_, i) => i),
    refused: [],
    total: readings.length,
  };
}

function sensorItems(sensor: string, body: unknown): ParsedMessage {
  const list: unknown[] = Array.isArray(body) ? body : [body];
  if (list.length > MAX_READINGS) return tooMany(list.length);
  const items: unknown[] = [];
  const positions: number[] = [];
  const refused: RejectedItem[] = [];
  list.forEach((reading, index) => {
    if (isObject(reading) && reading.sensor !== undefined && reading.sensor !== sensor) {
      // The topic names the sensor; a payload naming another one is a device bug, not a redirect.
      refused.push({
        index,
        code: 'INVALID_READING',
        message: `"sensor" ${JSON.stringify(reading.sensor).slice(0, 80)} differs from the topic's sensor "${sensor.slice(0, 64)}"`,
      });
      return;
    }
    // Non-objects pass through so that ingest refuses them with its usual message.
    items.push(isObject(reading) ? { ...reading, sensor } : reading);
    positions.push(index);
  });
  return { ok: true, items, positions, refused, total: list.length };
}

function tooMany(count: number): ParsedMessage {
  return {
    ok: false,
    code: 'VALIDATION_FAILED',
    message: `the message holds ${count} readings; at most ${MAX_READINGS} per message`,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
