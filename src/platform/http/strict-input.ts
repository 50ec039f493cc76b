import type {
  FastifyInstance,
  FastifyRequest,
  preHandlerHookHandler,
  preValidationHookHandler,
} from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

/**
 * Numbers in a request mean numbers. Fastify's Ajv coerces types, which querystrings and path
 * parameters need (they arrive as text) but which in a JSON body turned `"Infinity"` and `"1e999"`
 * into Infinity and `null` into 0. So every route with a body schema first checks the body as
 * it arrived, without coercion, against that schema with TypeBox (which also refuses NaN and
 * ±Infinity), and every route with a querystring or params schema refuses a non-finite number
 * that coercion produced. Both answer 400 VALIDATION_FAILED like any schema failure.
 */
export function installStrictInput(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema;
    if (!schema) return;
    // A body schema per media type ({content: …}) is not used here; skip rather than misjudge.
    const body = schema.body as { content?: unknown } | undefined;
    if (body !== undefined && body.content === undefined) {
      const hook = strictBody(body);
      const existing = route.preValidation;
      route.preValidation =
        existing === undefined ? hook : Array.isArray(existing) ? [hook, ...existing] : [hook, existing];
    }
    if (schema.querystring !== undefined || schema.params !== undefined) {
      const existing = route.preHandler;
      route.preHandler =
        existing === undefined
          ? finiteQuery
          : Array.isArray(existing)
            ? [finiteQuery, ...existing]
            : [finiteQuery, existing];
    }
  });
}

/** One validation problem, in the shape Fastify's Ajv gives (the error handler maps both alike). */
interface Problem {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

function strictBody(schema: TSchema): preValidationHookHandler {
  const check = Compile(schema);
  return function strictBodyCheck(request, _reply, done) {
    const value = request.body;
    if (value === undefined || check.Check(value)) return done();
    const problems: Problem[] = [];
    for (const e of check.Errors(value)) {
      // TypeBox reports `additionalProperties: false` twice (per property and per object).
      if (e.keyword === 'boolean') continue;
      // Formats are Fastify's Ajv's to judge, as before: TypeBox's date-time is stricter than
      // ajv-formats' (no space separator, no +0800), and this check is about types, not formats.
      if (e.keyword === 'format') continue;
      if (e.keyword === 'additionalProperties') {
        const names = (e.params as { additionalProperties?: string[] }).additionalProperties ?? [];
        for (const name of names) {
          problems.push({
            keyword: e.keyword,
            instancePath: e.instancePath,
            params: { additionalProperty: name },
            message: 'must NOT have additional properties',
          });
        }
        continue;
      }
      problems.push({
        keyword: e.keyword,
        instancePath: e.instancePath,
        params: e.params,
        message: e.message,
      });
    }
    done(problems.length === 0 ? undefined : validationError('body', problems));
  };
}

const finiteQuery: preHandlerHookHandler = function finiteQuery(request, _reply, done) {
  const problem =
    nonFinite(request, 'querystring', request.query) ?? nonFinite(request, 'params', request.params);
  done(problem);
};

function nonFinite(_request: FastifyRequest, where: string, part: unknown): Error | undefined {
  if (part === null || typeof part !== 'object') return undefined;
  for (const [key, value] of Object.entries(part)) {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      return validationError(where, [
        { keyword: 'type', instancePath: `/${key}`, params: {}, message: 'must be a finite number' },
      ]);
    }
  }
  return undefined;
}

/** An error the HTTP error handler answers as 400 VALIDATION_FAILED with these details. */
function validationError(where: string, problems: Problem[]): Error {
  return Object.assign(new Error(`${where} is not valid`), {
    statusCode: 400,
    code: 'FST_ERR_VALIDATION',
    validation: problems,
    validationContext: where,
  });
}
