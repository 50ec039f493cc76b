import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';

/**
 * How deeply a JSON body may nest (objects and arrays, the top level is 1). Real bodies stay
 * under 10 (a rule's composite conditions, a sensor's metadata); a bound keeps a 1,000-deep body
 * from reaching code (validators, serializers, drivers) that recurses.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Replaces the root JSON parser: Fastify's own (prototype-poisoning keys refused, as before),
 * then a walk that refuses a body nested deeper than MAX_JSON_DEPTH with 400 JSON_TOO_DEEP.
 * The same walk notes a number that overflowed to ±Infinity anywhere, free-form metadata
 * included: that is 400 VALIDATION_FAILED (no field of cityops holds a non-finite number, and
 * stored as JSON it would silently become null). One walk over the parsed value replaced a regex
 * over the body text that cost more than the walk (≈6 % of HTTP ingest) on every telemetry batch.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    void parse(request, body as string, (error: Error | null, value?: unknown) => {
      if (error) return done(error, undefined);
      const found = scan(value, MAX_JSON_DEPTH);
      if (found === TOO_DEEP) {
        return done(
          new AppError('JSON_TOO_DEEP', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`, {
            maxDepth: MAX_JSON_DEPTH,
          }),
          undefined,
        );
      }
      // The path is only worked out for the rare body that holds a non-finite number.
      const where = found === NON_FINITE ? nonFinitePath(value, '') : undefined;
      if (where !== undefined) {
        return done(
          new AppError(
            'VALIDATION_FAILED',
            `${where || '/'}: a number too large for a double is not accepted.`,
            [{ where: 'body', path: where, message: 'must be a finite number' }],
          ),
          undefined,
        );
      }
      done(null, value);
    });
  });
}

const TOO_DEEP = 2;
const NON_FINITE = 1;

/**
 * One walk over a parsed JSON value: TOO_DEEP if it nests objects/arrays more than `limit`
 * levels (which wins over a non-finite number, as the depth check came first before), else
 * NON_FINITE if any number in it is ±Infinity, else 0.
 */
function scan(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'number' && !Number.isFinite(value) ? NON_FINITE : 0;
  }
  if (limit <= 0) return TOO_DEEP;
  let found = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' && item !== null) {
        const inner = scan(item, limit - 1);
        if (inner === TOO_DEEP) return TOO_DEEP;
        found |= inner;
      } else if (typeof item === 'number' && !Number.isFinite(item)) found = NON_FINITE;
    }
    return found;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null) {
      const inner = scan(item, limit - 1);
      if (inner === TOO_DEEP) return TOO_DEEP;
      found |= inner;
    } else if (typeof item === 'number' && !Number.isFinite(item)) found = NON_FINITE;
  }
  return found;
}

/** Whether a parsed JSON value nests objects/arrays more than `limit` levels deep. */
export function deeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit <= 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === 'object' && item !== null && deeperThan(item, limit - 1)) return true;
    }
    return false;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null && deeperThan(item, limit - 1)) return true;
  }
  return false;
}

/** The JSON pointer of the first non-finite number in a parsed value, or undefined if none. */
export function nonFinitePath(value: unknown, path: string): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = nonFinitePath(item, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
