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
 * The walk only descends into objects, so a batch of 10,000 flat readings costs 10,000 visits.
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
