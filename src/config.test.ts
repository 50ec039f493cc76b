import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has defaults that run the embedded stack', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', databaseUrl: undefined, logLevel: 'info' });
    expect(config.dataDir).toBe(path.resolve('./var'));
    expect(config).toMatchObject({ demo: false, metricsPublic: true, adminPassword: undefined });
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
  ])('names the bad variable in %o', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}: `));
  });

  it('never echoes a database password in its error', () => {
    expect(() => loadConfig({ CITYOPS_DATABASE_URL: 'mysql://u:secret@h/db' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret') as unknown }),
    );
  });
});
