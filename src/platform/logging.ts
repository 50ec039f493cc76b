import type { LoggerOptions } from 'pino';
import type { Config } from '../config.js';

/**
 * Pino options for the server: JSON lines, with credentials redacted wherever they could appear
 * (headers, bodies), so that no token or password ever reaches a log file.
 */
export function loggerOptions(config: Pick<Config, 'logLevel'>): LoggerOptions {
  return {
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.token',
        '*.refreshToken',
      ],
      censor: '[redacted]',
    },
  };
}
