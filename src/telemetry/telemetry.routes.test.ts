import { spawn, spawnSync } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { buildTestApp } from '../test-support/app.js';
import { signIn } from '../test-support/auth.js';
import { PLACES } from '../test-support/sensor-factories.js';
import { startMqttIngest, type MqttIngestHandle } from './mqtt/mqtt.js';
import { SILENT_LOG } from './mqtt/mqtt-log.js';

// The vital-signs path end to end, as a city would use it: a sensor registered through the API
// receives readings over HTTP and, from Mosquitto's own mosquitto_pub, over MQTT; its latest
// value, series and the vitals of its county show them. Only the 渝中区 side may see them.

let app: FastifyInstance;
let mqtt: MqttIngestHandle;
let admin: Record<string, string>;
let deviceKey: string;
const hasMosquittoPub = spawnSync('sh', ['-c', 'command -v mosquitto_pub']).status === 0;

beforeAll(async () => {
  app = await buildTestApp();
  admin = await signIn(app, { role: 'admin', scope: null });
  mqtt = await startMqttIngest({
    config: loadConfig({ CITYOPS_MQTT_PORT: '0' }),
    ingest: app.services.ingest,
    access: app.services.access,
    tree: () => app.services.jurisdictions.units,
    log: SILENT_LOG,
    print: () => undefined,
  });
  deviceKey = (await app.services.access.createKey({ kind: 'device', label: 'gw', scope: '500103' })).key;
});
afterAll(async () => {
  await mqtt?.close();
  await app?.close();
});

const api = async (
  method: 'GET' | 'POST',
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) => {
  const response = await app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
};

describe('telemetry over HTTP and MQTT', () => {
  it('a sensor registered through the API shows readings from both paths in latest, series and vitals', async () => {
    const created = await api('POST', '/api/v1/sensors', admin, {
      id: 'YZ-TUNNEL-E2E',
      type: 'tunnel_water_depth',
      ...PLACES.jiefangbei,
    });
    expect(created.status).toBe(201);
    const now = Date.now();
    const http = await api(
      'POST',
      '/api/v1/telemetry',
      { 'x-api-key': deviceKey },
      {
        readings: [
          { sensor: 'YZ-TUNNEL-E2E', ts: now - 120_000, value: 2.5 },
          { sensor: 'YZ-TUNNEL-E2E', ts: 'yesterday', value: 1 },
          { sensor: 'NOT-REGISTERED', ts: now, value: 1 },
        ],
      },
    );
    expect(http.status).toBe(202);
    expect(http.body).toEqual({
      accepted: 1,
      rejected: [
        expect.objectContaining({ index: 1, code: 'INVALID_TIMESTAMP' }),
        expect.objectContaining({ index: 2, code: 'UNKNOWN_SENSOR' }),
      ],
    });

    if (!hasMosquittoPub && process.env.CI !== 'true') return;
    // Asynchronously: the broker runs in this process and must keep serving while it publishes.
    const pub = spawn('mosquitto_pub', [
      ...['-h', '127.0.0.1', '-p', String(mqtt.port), '-u', 'gw', '-P', deviceKey, '-q', '1'],
      ...['-t', 'cityops/telemetry/YZ-TUNNEL-E2E', '-m', JSON.stringify({ ts: now - 60_000, value: 35 })],
    ]);
    let stderr = '';
    pub.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => pub.on('close', resolve));
    expect(code, stderr).toBe(0);

    const latest = await api('GET', '/api/v1/sensors/YZ-TUNNEL-E2E/latest', admin);
    expect(latest.body).toMatchObject({ unit: 'cm', online: true, reading: { value: 35 } });
    const series = await api('GET', '/api/v1/sensors/YZ-TUNNEL-E2E/series?bucket=raw', admin);
    expect((series.body.points as { value: number }[]).map((p) => p.value)).toEqual([2.5, 35]);
    const minutes = await api('GET', '/api/v1/sensors/YZ-TUNNEL-E2E/series?bucket=1m', admin);
    expect(minutes.body.points).toHaveLength(2);
    const vitals = await api('GET', '/api/v1/vitals?scope=500103', admin);
    const tunnels = (
      vitals.body.domains as { domain: string; online: number; figures: { max: number }[] }[]
    ).find((d) => d.domain === 'tunnel');
    expect(tunnels).toMatchObject({ online: 1, figures: [expect.objectContaining({ max: 35 })] });
  });

  it('a 北碚区 commander can neither read that sensor nor see it in the 北碚区 vitals', async () => {
    const beibei = await signIn(app, { role: 'county_commander', scope: '500109' });
    expect((await api('GET', '/api/v1/sensors/YZ-TUNNEL-E2E/latest', beibei)).status).toBe(404);
    const vitals = await api('GET', '/api/v1/vitals', beibei);
    expect(vitals.body.scope).toMatchObject({ code: '500109' });
    expect(vitals.body.domains).toEqual([]);
    expect((await api('GET', '/api/v1/vitals?scope=500103', beibei)).status).toBe(404);
  });

  it('rejects a malformed body whole with 400 and an oversized batch with VALIDATION_FAILED', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/telemetry',
      headers: { 'x-api-key': deviceKey, 'content-type': 'application/json' },
      payload: '{"readings": [',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'INVALID_JSON' } });
    const tooMany = Array.from({ length: 10_001 }, () => ({
      sensor: 'YZ-TUNNEL-E2E',
      ts: Date.now(),
      value: 1,
    }));
    const big = await api('POST', '/api/v1/telemetry', { 'x-api-key': deviceKey }, { readings: tooMany });
    expect(big.status).toBe(400);
    expect(big.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });
});
