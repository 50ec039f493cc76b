import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has defaults that run the embedded stack', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', databaseUrl: undefined, logLevel: 'info' });
    expect(config.dataDir).toBe(path.resolve('./var'));
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ CITYOPS_DATABASE_URL: 'mysql://x' }, 'CITYOPS_DATABASE_URL'],
    [{ CITYOPS_LOG_LEVEL: 'loud' }, 'CITYOPS_LOG_LEVEL'],
    [{ CITYOPS_BODY_LIMIT: '-1' }, 'CITYOPS_BODY_LIMIT'],
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
