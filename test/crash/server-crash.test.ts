import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';

// The durability promise, tested as an operator would break it: the real server process under
// sustained HTTP and MQTT ingest is killed with SIGKILL, restarted on the same data directory,
// and every reading that had been acknowledged (HTTP 202, MQTT PUBACK) must be there.

const ROOT = path.resolve(import.meta.dirname, '../..');
const SENSORS = 50;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityops-crash-'));
let server: ChildProcess | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

async function start(port: number, mqttPort: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      CITYOPS_DATA_DIR: dataDir,
      CITYOPS_ADMIN_PASSWORD: 'crash-admin-password',
      CITYOPS_MQTT_PORT: String(mqttPort),
      CITYOPS_LOG_LEVEL: 'warn',
      // The crash is about acknowledged readings, not the simulated city.
      CITYOPS_SIM: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    if (output.includes('MQTT ingest')) {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      if (health?.ok) return child;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start:\n${output}`);
}

afterAll(() => {
  server?.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('SIGKILL during sustained ingest', () => {
  it('keeps every reading that was acknowledged over HTTP or MQTT', { timeout: 180_000 }, async () => {
    const port = await freePort();
    const mqttPort = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = await start(port, mqttPort);

    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'crash-admin-password' }),
    });
    const auth = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` };
    const csv = [
      'id,type,lon,lat',
      ...Array.from({ length: SENSORS }, (_, i) => `CRASH-${i},water_main_pressure,106.5775,29.5576`),
    ];
    const imported = await fetch(`${base}/api/v1/sensors/import`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv' },
      body: csv.join('\n'),
    });
    expect(((await imported.json()) as { imported: number }).imported).toBe(SENSORS);
    const keyResponse = await fetch(`${base}/api/v1/keys`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'device', label: 'crash' }),
    });
    const key = ((await keyResponse.json()) as { key: string }).key;

    // Every acknowledged reading, as "sensor@ts" → value. Timestamps never repeat per sensor.
    const acked = new Map<string, number>();
    let clock = Date.now() - 3_600_000;
    let stopped = false;
    const perPath = { http: 0, mqtt: 0 };
    const batch = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        sensor: `CRASH-${i % SENSORS}`,
        ts: ++clock,
        value: clock % 1000,
      }));

    const httpClient = async () => {
      while (!stopped) {
        const readings = batch(500);
        try {
          const response = await fetch(`${base}/api/v1/telemetry`, {
            method: 'POST',
            headers: { 'x-api-key': key, 'content-type': 'application/json' },
            body: JSON.stringify({ readings }),
          });
          if (response.status === 202) {
            const report = (await response.json()) as { accepted: number };
            expect(report.accepted).toBe(readings.length);
            for (const r of readings) acked.set(`${r.sensor}@${r.ts}`, r.value);
            perPath.http += readings.length;
          }
        } catch {
          return; // the server is gone
        }
      }
    };
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      username: 'gw',
      password: key,
      reconnectPeriod: 0,
    });
    device.on('error', () => undefined);
    const mqttClient = async () => {
      while (!stopped) {
        const readings = batch(200);
        try {
          await device.publishAsync('cityops/telemetry', JSON.stringify({ readings }), { qos: 1 });
          for (const r of readings) acked.set(`${r.sensor}@${r.ts}`, r.value);
          perPath.mqtt += readings.length;
        } catch {
          return;
        }
      }
    };

    const clients = [httpClient(), httpClient(), mqttClient(), mqttClient()];
    // Let ingest run until a good number of readings were acknowledged, then pull the plug.
    const deadline = Date.now() + 30_000;
    while (acked.size < 20_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const killed = new Promise((r) => server!.once('exit', r));
    server.kill('SIGKILL');
    stopped = true;
    await killed;
    // A QoS 1 publish whose PUBACK never came stays pending in MQTT.js: don't wait for it.
    device.end(true);
    await Promise.race([Promise.allSettled(clients), new Promise((r) => setTimeout(r, 2000))]);
    console.log(`acknowledged before SIGKILL: ${perPath.http} over HTTP, ${perPath.mqtt} over MQTT`);
    expect(perPath.http).toBeGreaterThan(1000);
    expect(perPath.mqtt).toBeGreaterThan(1000);

    server = await start(port, mqttPort);
    const relogin = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'crash-admin-password' }),
    });
    const again = {
      authorization: `Bearer ${((await relogin.json()) as { accessToken: string }).accessToken}`,
    };
    const stored = new Map<string, number>();
    for (let i = 0; i < SENSORS; i++) {
      const from = Date.now() - 2 * 3_600_000;
      const response = await fetch(
        `${base}/api/v1/sensors/CRASH-${i}/series?bucket=raw&from=${from}&to=${Date.now()}`,
        {
          headers: again,
        },
      );
      const series = (await response.json()) as {
        points: { ts: string; value: number }[];
        truncated: boolean;
      };
      expect(series.truncated).toBe(false);
      for (const p of series.points) stored.set(`CRASH-${i}@${Date.parse(p.ts)}`, p.value);
    }
    const missing = [...acked].filter(([k, v]) => stored.get(k) !== v);
    expect(missing.slice(0, 5)).toEqual([]);
    expect(stored.size).toBeGreaterThanOrEqual(acked.size);
  });
});
