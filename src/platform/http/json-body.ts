import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';

/**
 * How deeply a JSON body may nest (objects and arrays, the top level is 1). Real bodies stay
 * under 10 (a rule's composite conditions, a sensor's metadata); a bound keeps a 1,000-deep body
 * from reaching code (validators, serializers, drivers) that recurses.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * A number literal JSON.parse turns into ±Infinity has at least 309 integer digits or an exponent
 * of three digits; a body without either cannot hold one, so the leaf walk below runs only on the
 * rare body that might (a false hit, such as "e100" in a text, only costs the walk).
 */
const MAYBE_OVERFLOW = /[eE][+]?\d{3}|\d{309}/;

/**
 * Replaces the root JSON parser: Fastify's own (prototype-poisoning keys refused, as before),
 * then a walk that refuses a body nested deeper than MAX_JSON_DEPTH with 400 JSON_TOO_DEEP.
 * The walk only descends into objects, so a batch of 10,000 flat readings costs 10,000 visits.
 * A number that overflowed to ±Infinity anywhere, free-form metadata included, is 400
 * VALIDATION_FAILED: no field of cityops holds a non-finite number, and stored as JSON it would
 * silently become null.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    void parse(request, body as string, (error: Error | null, value?: unknown) => {
      if (error) return done(error, undefined);
      if (deeperThan(value, MAX_JSON_DEPTH)) {
        return done(
          new AppError('JSON_TOO_DEEP', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`, {
            maxDepth: MAX_JSON_DEPTH,
          }),
          undefined,
        );
      }
      const where = MAYBE_OVERFLOW.test(body as string) ? nonFinitePath(value, '') : undefined;
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
