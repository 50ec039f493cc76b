import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../errors.js';
import { buildTestApp } from '../test-support/app.js';
import { signIn } from '../test-support/auth.js';
import { PLACES } from '../test-support/sensor-factories.js';
import { EVERYTHING } from '../jurisdictions/visibility.js';
import { MqttIngestor } from '../telemetry/mqtt/mqtt-ingest.js';
import { SILENT_LOG } from '../telemetry/mqtt/mqtt-log.js';

// Property-based fuzzing of the write endpoints of the sensor registry and of both ingest paths:
// no 5xx, no crash, every rejection carries a catalog code, and a valid reading in the same batch
// as arbitrary junk is never lost.

let app: FastifyInstance;
let admin: Record<string, string>;
let device: Record<string, string>;
const codes = new Set(Object.keys(ERRORS));
let clock = Date.now() - 600_000;

beforeAll(async () => {
  app = await buildTestApp();
  admin = await signIn(app, { role: 'admin', scope: null });
  device = {
    'x-api-key': (await app.services.access.createKey({ kind: 'device', label: 'fuzz', scope: null })).key,
  };
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/sensors',
    headers: admin,
    payload: { id: 'FUZZ-1', type: 'water_main_pressure', ...PLACES.jiefangbei },
  });
  expect(created.statusCode).toBe(201);
});
afterAll(async () => app.close());

const sensorish = fc.record(
  {
    id: fc.oneof(fc.string(), fc.constantFrom('FUZZ-1', 'ok-id', '../x', 'a'.repeat(70))),
    type: fc.oneof(fc.string(), fc.constantFrom('water_main_pressure', 'tunnel_water_depth')),
    lon: fc.oneof(fc.double(), fc.constant(PLACES.jiefangbei.lon), fc.string()),
    lat: fc.oneof(fc.double(), fc.constant(PLACES.jiefangbei.lat)),
    department: fc.oneof(fc.string(), fc.constant(null), fc.integer()),
    metadata: fc.jsonValue({ maxDepth: 2 }),
    extra: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);

const readingish = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.record(
    {
      sensor: fc.oneof(fc.string(), fc.constant('FUZZ-1'), fc.integer()),
      ts: fc.oneof(
        fc.double(),
        fc.string(),
        fc.constant(Date.now()),
        fc.date().map((d) => (isNaN(d.getTime()) ? 'x' : d.toISOString())),
      ),
      value: fc.oneof(fc.double(), fc.string(), fc.constant(null)),
    },
    { requiredKeys: [] },
  ),
);

async function send(
  method: 'POST' | 'PATCH',
  url: string,
  headers: Record<string, string>,
  payload: string,
  type = 'application/json',
) {
  const response = await app.inject({ method, url, headers: { ...headers, 'content-type': type }, payload });
  expect(response.statusCode).toBeLessThan(500);
  if (response.statusCode >= 400) {
    expect(codes.has(response.json<{ error: { code: string } }>().error.code)).toBe(true);
  }
  return response;
}

describe('fuzzing the sensor registry and ingest (fast-check)', () => {
  it('POST /api/v1/sensors and PATCH /api/v1/sensors/{id}: no 5xx, catalog codes only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 2 }), sensorish), async (body) => {
        await send('POST', '/api/v1/sensors', admin, JSON.stringify(body));
        await send('PATCH', '/api/v1/sensors/FUZZ-1', admin, JSON.stringify(body));
      }),
      { numRuns: 80 },
    );
  });

  it('POST /api/v1/sensors/import with arbitrary CSV: no 5xx, every refused row has a code', async () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('water_main_pressure', '106.57', '29.55', '"', ','),
    );
    const csv = fc
      .array(fc.array(cell, { minLength: 1, maxLength: 6 }), { maxLength: 8 })
      .map((rows) => ['id,type,lon,lat', ...rows.map((r) => r.join(','))].join('\n'));
    await fc.assert(
      fc.asyncProperty(csv, async (text) => {
        const response = await send('POST', '/api/v1/sensors/import?dryRun=true', admin, text, 'text/csv');
        if (response.statusCode === 200) {
          const report = response.json<{ rejected: { code: string }[] }>();
          for (const r of report.rejected) expect(codes.has(r.code)).toBe(true);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('POST /api/v1/telemetry: junk beside a valid reading never loses the valid one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(readingish, { maxLength: 15 }), fc.nat(15), async (junk, at) => {
        const ts = ++clock;
        const readings = [...junk];
        readings.splice(Math.min(at, readings.length), 0, { sensor: 'FUZZ-1', ts, value: 0.3 });
        const body = JSON.stringify({ readings });
        const response = await send('POST', '/api/v1/telemetry', device, body);
        // A body carrying prototype-poisoning keys is refused whole (400), by design: it is an attack
        // on the parser, not a bad reading. Everything else is judged reading by reading.
        if (/"(__proto__|constructor)":/.test(body)) return;
        expect(response.statusCode).toBe(202);
        const report = response.json<{ accepted: number; rejected: { code: string }[] }>();
        expect(report.accepted + report.rejected.length).toBe(readings.length);
        for (const r of report.rejected) expect(codes.has(r.code)).toBe(true);
        const series = await app.inject({
          method: 'GET',
          url: `/api/v1/sensors/FUZZ-1/series?bucket=raw&from=${ts}&to=${ts + 1}`,
          headers: admin,
        });
        expect(series.json<{ points: { value: number }[] }>().points).toEqual([
          { ts: new Date(ts).toISOString(), value: 0.3 },
        ]);
      }),
      { numRuns: 60 },
    );
  });

  it('MQTT messages: arbitrary topics and payloads never throw, and a valid reading beside junk is kept', async () => {
    const ingestor = new MqttIngestor({ ingest: app.services.ingest, log: SILENT_LOG });
    const context = { visible: EVERYTHING, alive: () => true };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'cityops/telemetry',
          'cityops/telemetry/FUZZ-1',
          'cityops/telemetry/nope',
          'other/topic',
        ),
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.jsonValue({ maxDepth: 3 }).map((v) => new TextEncoder().encode(JSON.stringify(v))),
        ),
        async (topic, payload) => {
          const outcome = await ingestor.handle(topic, payload, context);
          if (outcome.kind === 'dropped') expect(codes.has(outcome.code)).toBe(true);
          if (outcome.kind === 'ingested') {
            for (const r of outcome.rejected) expect(codes.has(r.code)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(readingish, { maxLength: 10 }), async (junk) => {
        const ts = ++clock;
        const readings = [...junk, { sensor: 'FUZZ-1', ts, value: 0.4 }];
        const outcome = await ingestor.handle(
          'cityops/telemetry',
          new TextEncoder().encode(JSON.stringify({ readings })),
          context,
        );
        expect(outcome.kind).toBe('ingested');
        const key = app.services.sensors.resolve('FUZZ-1')!.key;
        const series = await app.services.telemetry.store.series(key, {
          from: ts,
          to: ts + 1,
          bucket: 'raw',
        });
        expect(series.points).toEqual([{ ts, value: 0.4 }]);
      }),
      { numRuns: 60 },
    );
  });
});
