import type { LevelWithSilent, LoggerOptions } from 'pino';

/**
 * Pino options for the server: JSON lines, with credentials redacted wherever they could appear
 * (headers, bodies), so that no token or password ever reaches a log file.
 */
export function loggerOptions(config: { logLevel: LevelWithSilent }): LoggerOptions {
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
