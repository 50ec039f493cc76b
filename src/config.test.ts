import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { openStorage } from './storage.js';

describe('loadConfig', () => {
  it('has defaults that run the embedded stack', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', databaseUrl: undefined, logLevel: 'info' });
    expect(config.dataDir).toBe(path.resolve('./var'));
    expect(config).toMatchObject({ demo: false, metricsPublic: true, adminPassword: undefined });
  });

  it('sets the SQLite page cache per connection, 64 MiB unless told', async () => {
    expect(loadConfig({}).sqliteCacheMiB).toBe(64);
    expect(() => loadConfig({ CITYOPS_SQLITE_CACHE_MIB: '1' })).toThrow(ConfigError);
    const config = loadConfig({ CITYOPS_SQLITE_CACHE_MIB: '256' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityops-cache-'));
    const storage = await openStorage({ ...config, dataDir: dir });
    try {
      expect(storage.database.engine === 'sqlite' && storage.database.cacheMiB).toBe(256);
      if (storage.database.engine === 'sqlite') {
        expect(storage.database.db.pragma('cache_size', { simple: true })).toBe(-256 * 1024);
      }
    } finally {
      await storage.database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads switches as on/off', () => {
    expect(loadConfig({ CITYOPS_DEMO: 'on', CITYOPS_METRICS_PUBLIC: 'off' })).toMatchObject({
      demo: true,
      metricsPublic: false,
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ CITYOPS_DATABASE_URL: 'mysql://x' }, 'CITYOPS_DATABASE_URL'],
    [{ CITYOPS_LOG_LEVEL: 'loud' }, 'CITYOPS_LOG_LEVEL'],
    [{ CITYOPS_BODY_LIMIT: '-1' }, 'CITYOPS_BODY_LIMIT'],
    [{ CITYOPS_DEMO: 'maybe' }, 'CITYOPS_DEMO'],
    [{ CITYOPS_ADMIN_PASSWORD: 'short' }, 'CITYOPS_ADMIN_PASSWORD'],
    [{ CITYOPS_RATE_LIMIT_USER: '0' }, 'CITYOPS_RATE_LIMIT_USER'],
    [{ CITYOPS_RAW_RETENTION_DAYS: '0' }, 'CITYOPS_RAW_RETENTION_DAYS'],
    [
      { CITYOPS_RAW_RETENTION_DAYS: '60', CITYOPS_ROLLUP_RETENTION_DAYS: '30' },
      'CITYOPS_ROLLUP_RETENTION_DAYS',
    ],
    [{ CITYOPS_INGEST_MAX_PENDING: '9999' }, 'CITYOPS_INGEST_MAX_PENDING'],
    [{ CITYOPS_MQTT: 'maybe' }, 'CITYOPS_MQTT'],
    [{ CITYOPS_MQTT_PORT: '1883x' }, 'CITYOPS_MQTT_PORT'],
    [{ CITYOPS_MQTT_PORT: '65536' }, 'CITYOPS_MQTT_PORT'],
    [{ CITYOPS_MQTT_URL: 'http://127.0.0.1:1883' }, 'CITYOPS_MQTT_URL'],
    [{ CITYOPS_MQTT_URL: '127.0.0.1:1883' }, 'CITYOPS_MQTT_URL'],
    [{ CITYOPS_MQTT_CLIENT_ID: 'a b' }, 'CITYOPS_MQTT_CLIENT_ID'],
    [{ CITYOPS_SIM: 'sometimes' }, 'CITYOPS_SIM'],
    [{ CITYOPS_SIM_SENSORS: '50' }, 'CITYOPS_SIM_SENSORS'],
    [{ CITYOPS_SIM_SENSORS: 'many' }, 'CITYOPS_SIM_SENSORS'],
    [{ CITYOPS_SIM_CAMERA_SCALE: '2' }, 'CITYOPS_SIM_CAMERA_SCALE'],
    [{ CITYOPS_SIM_CAMERA_SCALE: '.5x' }, 'CITYOPS_SIM_CAMERA_SCALE'],
    [{ CITYOPS_SIM_BACKFILL_HOURS: '721' }, 'CITYOPS_SIM_BACKFILL_HOURS'],
    [{ CITYOPS_SIM_SEED: '-1' }, 'CITYOPS_SIM_SEED'],
    [{ CITYOPS_ADMIN_PASSWORD: 'nine-char' }, 'CITYOPS_ADMIN_PASSWORD'],
    [{ CITYOPS_TRUST_PROXY: 'true' }, 'CITYOPS_TRUST_PROXY'],
    [{ CITYOPS_TRUST_PROXY: '10.0.0.0/33' }, 'CITYOPS_TRUST_PROXY'],
    [{ CITYOPS_TRUST_PROXY: 'nginx.local' }, 'CITYOPS_TRUST_PROXY'],
    [{ CITYOPS_JWT_SECRET: 'too-short' }, 'CITYOPS_JWT_SECRET'],
    [{ CITYOPS_JWT_SECRET_FILE: '/no/such/secret' }, 'CITYOPS_JWT_SECRET_FILE'],
    [{ CITYOPS_JWT_SECRET: 'x'.repeat(32), CITYOPS_JWT_SECRET_FILE: '/x' }, 'CITYOPS_JWT_SECRET_FILE'],
    [{ CITYOPS_LOGIN_MAX_FAILURES: '0' }, 'CITYOPS_LOGIN_MAX_FAILURES'],
  ])('names the bad variable in %o', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}: `));
  });

  it('keeps raw telemetry 30 days and rollups a year unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({
      rawRetentionDays: 30,
      rollupRetentionDays: 365,
      ingestMaxPending: 500_000,
    });
    expect(
      loadConfig({
        CITYOPS_RAW_RETENTION_DAYS: '7',
        CITYOPS_ROLLUP_RETENTION_DAYS: '90',
        CITYOPS_INGEST_MAX_PENDING: '20000',
      }),
    ).toMatchObject({ rawRetentionDays: 7, rollupRetentionDays: 90, ingestMaxPending: 20_000 });
  });

  it('runs the embedded MQTT broker on 127.0.0.1:1883 unless told otherwise, and knows whether the port was chosen', () => {
    expect(loadConfig({})).toMatchObject({
      mqttEnabled: true,
      mqttUrl: undefined,
      mqttHost: '127.0.0.1',
      mqttPort: 1883,
      mqttPortExplicit: false,
      mqttClientId: 'cityops-ingest',
    });
    expect(loadConfig({ CITYOPS_MQTT_PORT: '1883' })).toMatchObject({
      mqttPort: 1883,
      mqttPortExplicit: true,
    });
    expect(loadConfig({ CITYOPS_MQTT_PORT: '' })).toMatchObject({ mqttPort: 1883, mqttPortExplicit: false });
    expect(
      loadConfig({
        CITYOPS_MQTT: 'off',
        CITYOPS_MQTT_URL: 'mqtts://u:p@broker.example:8883',
        CITYOPS_MQTT_CLIENT_ID: 'cityops-2',
      }),
    ).toMatchObject({
      mqttEnabled: false,
      mqttUrl: 'mqtts://u:p@broker.example:8883',
      mqttClientId: 'cityops-2',
    });
  });

  it('runs the simulator on normal-day beside the server unless CITYOPS_SIM is off, with demo mode unless told', () => {
    expect(loadConfig({}).sim).toEqual({
      enabled: true,
      scenario: 'normal-day',
      sensors: undefined,
      cameraScale: undefined,
      seed: undefined,
      backfillHours: 3,
      turnsDemoOn: true,
    });
    // The app's own demo switch stays as set: the server turns demo on for the simulator's sake.
    expect(loadConfig({}).demo).toBe(false);
    expect(loadConfig({ CITYOPS_SIM: 'off' }).sim).toMatchObject({ enabled: false, turnsDemoOn: false });
    expect(loadConfig({ CITYOPS_DEMO: 'off' }).sim.turnsDemoOn).toBe(false);
    expect(
      loadConfig({
        CITYOPS_SIM_SCENARIO: 'rainstorm',
        CITYOPS_SIM_SENSORS: '100000',
        CITYOPS_SIM_CAMERA_SCALE: '0.5',
        CITYOPS_SIM_SEED: '7',
        CITYOPS_SIM_BACKFILL_HOURS: '0',
      }).sim,
    ).toMatchObject({ scenario: 'rainstorm', sensors: 100_000, cameraScale: 0.5, seed: 7, backfillHours: 0 });
  });

  it('never echoes an MQTT broker password in its error', () => {
    expect(() => loadConfig({ CITYOPS_MQTT_URL: 'ws://u:secret@h:1883' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret') as unknown }),
    );
  });

  it('never echoes a database password in its error', () => {
    expect(() => loadConfig({ CITYOPS_DATABASE_URL: 'mysql://u:secret@h/db' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret') as unknown }),
    );
  });

  it('makes /metrics public by default on loopback only; an explicit setting wins', () => {
    expect(loadConfig({ HOST: '127.0.0.1' }).metricsPublic).toBe(true);
    expect(loadConfig({ HOST: 'localhost' }).metricsPublic).toBe(true);
    expect(loadConfig({ HOST: '::1' }).metricsPublic).toBe(true);
    expect(loadConfig({ HOST: '0.0.0.0' }).metricsPublic).toBe(false);
    expect(loadConfig({ HOST: '10.1.2.3' }).metricsPublic).toBe(false);
    expect(loadConfig({ HOST: '0.0.0.0', CITYOPS_METRICS_PUBLIC: 'on' }).metricsPublic).toBe(true);
    // Behind a reverse proxy a loopback address is reached from everywhere.
    expect(loadConfig({ HOST: '127.0.0.1', CITYOPS_TRUST_PROXY: '1' }).metricsPublic).toBe(false);
    expect(loadConfig({ HOST: '127.0.0.1', CITYOPS_METRICS_PUBLIC: 'off' }).metricsPublic).toBe(false);
  });

  it('reads CITYOPS_TRUST_PROXY as a hop count or a list of addresses', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ CITYOPS_TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    expect(loadConfig({ CITYOPS_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ CITYOPS_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1' }).trustProxy).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
    ]);
  });

  it('reads the signing secret from CITYOPS_JWT_SECRET or a file', () => {
    expect(loadConfig({}).jwtSecret).toBeUndefined();
    const secret = 's'.repeat(40);
    expect(loadConfig({ CITYOPS_JWT_SECRET: secret }).jwtSecret).toBe(secret);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityops-secret-'));
    try {
      fs.writeFileSync(path.join(dir, 'jwt'), `${secret}\n`);
      expect(loadConfig({ CITYOPS_JWT_SECRET_FILE: path.join(dir, 'jwt') }).jwtSecret).toBe(secret);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('locks an account after 10 wrong passwords for 15 minutes unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({ loginMaxFailures: 10, loginLockMinutes: 15 });
    expect(loadConfig({ CITYOPS_LOGIN_MAX_FAILURES: '5', CITYOPS_LOGIN_LOCK_MINUTES: '0' })).toMatchObject({
      loginMaxFailures: 5,
      loginLockMinutes: 0,
    });
  });
});
