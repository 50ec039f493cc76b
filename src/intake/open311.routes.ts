import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../errors.js';
import { Open311Error, sendOpen311, sendOpen311Error, type Open311Format } from './open311-format.js';
import type { Open311Params, Open311Service } from './open311.service.js';

// Open311 is public by design: reading needs nothing, posting carries its own api_key as a form
// field (checked by the service), so every route's policy is public and the check is ours.
const config = { policy: { public: true } } as const;
const FORMATS: Open311Format[] = ['json', 'xml'];
const Optional = (description: string) => Type.Optional(Type.String({ maxLength: 20_000, description }));
const Common = {
  jurisdiction_id: Optional('required only where several are configured (CITYOPS_OPEN311_JURISDICTIONS)'),
};
// Unknown parameters are ignored here, as GeoReport clients expect (apps send extensions, page…);
// /api keeps refusing them.
const Open = { additionalProperties: true } as const;

/** What the Open311 routes take from the configuration (config.ts: CITYOPS_PUBLIC_URL, CITYOPS_OPEN311_*). */
export interface Open311RouteOptions {
  publicUrl?: string | undefined;
  contact: string;
  keyService: string;
  jurisdictions: readonly string[];
  postsPerMinute: number;
}

const ListQuerySchema = Type.Object(
  {
    ...Common,
    service_request_id: Optional('comma-separated request ids; the other filters are then ignored'),
    service_code: Optional('comma-separated service codes: any of them'),
    start_date: Optional('W3C date-time: requests made at or after'),
    end_date: Optional('W3C date-time: requests made at or before'),
    status: Optional('open, closed or open,closed: applied before the page is cut'),
    page: Optional('page number, from 1'),
    page_size: Optional('requests per page, 1–1000 (default 1000)'),
    extensions: Optional('true adds extended_attributes.timeline: the case’s public timeline'),
  },
  Open,
);
const UpdatesQuerySchema = Type.Object(
  {
    ...Common,
    start_date: Optional('W3C date-time: updates at or after'),
    end_date: Optional('W3C date-time: updates at or before'),
  },
  Open,
);
const PlainQuerySchema = Type.Object(Common, Open);
const FileParamsSchema = Type.Object(
  { file: Type.String({ maxLength: 200, description: '{id}.json or {id}.xml' }) },
  { additionalProperties: false },
);
const OneQuerySchema = Type.Object({ ...Common, extensions: ListQuerySchema.properties.extensions }, Open);
const PostQuerySchema = Type.Object(
  { ...Common, api_key: Optional('may be sent here instead of in the form') },
  Open,
);

/** `/open311/v2/…`: GeoReport v2 in JSON and XML, errors as `[{code, description}]`. */
export function open311Routes(service: Open311Service, options: Open311RouteOptions): FastifyPluginAsync {
  return async (fastify) => {
    fastify.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => done(null, parseForm(body as string)),
    );
    // The spec's POST is a urlencoded form; a file upload would need media storage cityops lacks.
    fastify.addContentTypeParser('multipart/form-data', (_request, _payload, done) =>
      done(
        new Open311Error(
          400,
          'send the form as application/x-www-form-urlencoded; multipart/form-data is not accepted (give media_url instead of a file)',
        ),
      ),
    );
    // The spec says an empty parameter is an absent one.
    fastify.addHook('preValidation', async (request) => {
      const query = request.query as Record<string, unknown> | undefined;
      if (query && typeof query === 'object') {
        for (const [key, value] of Object.entries(query)) if (value === '') delete query[key];
      }
      const body = request.body as Record<string, unknown> | undefined;
      if (body && typeof body === 'object' && !Array.isArray(body)) {
        for (const [key, value] of Object.entries(body)) if (value === '') delete body[key];
      }
      // An unknown path is a 404 whatever its jurisdiction_id.
      if (request.routeOptions.url !== undefined) checkJurisdiction(request, options.jurisdictions);
    });
    fastify.setNotFoundHandler((request, reply) =>
      sendOpen311Error(
        reply,
        formatOf(request),
        new Open311Error(404, `no Open311 resource at ${request.method} ${request.url.split('?')[0]}`),
      ),
    );
    fastify.setErrorHandler((error, request, reply) => {
      const format = formatOf(request);
      if (error instanceof Open311Error) return sendOpen311Error(reply, format, error);
      if (error instanceof AppError && error.status < 500) {
        return sendOpen311Error(reply, format, new Open311Error(error.status, error.message));
      }
      const e = error as { validation?: unknown; statusCode?: number; message?: string };
      if (e.validation !== undefined || (e.statusCode !== undefined && e.statusCode < 500)) {
        return sendOpen311Error(
          reply,
          format,
          new Open311Error(e.statusCode ?? 400, e.message ?? 'bad request'),
        );
      }
      request.log.error({ err: error }, 'open311 request failed');
      return sendOpen311Error(reply, format, new Open311Error(500, 'internal error; it has been logged'));
    });
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    // Citizens' apps post from many addresses through one key, and one address (a carrier's NAT)
    // carries many apps: the limit follows the api_key (hashed, so no key sits in the limiter's store).
    const postConfig = {
      ...config,
      rateLimit: {
        max: options.postsPerMinute,
        timeWindow: 60_000,
        keyGenerator: (request: FastifyRequest) => {
          const key = apiKeyOf(request);
          return key
            ? `open311:${createHash('sha256').update(key).digest('hex')}`
            : `open311-ip:${request.ip}`;
        },
      },
    };
    const tags = ['open311'];

    for (const format of FORMATS) {
      app.get(
        `/discovery.${format}`,
        { config, schema: { tags, summary: `Service discovery (${format})`, querystring: PlainQuerySchema } },
        async (request, reply) =>
          sendOpen311(reply, format, 'discovery', discovery(request, options, await service.changeset())),
      );
      app.get(
        `/services.${format}`,
        {
          config,
          schema: { tags, summary: `Service list 可上报事项 (${format})`, querystring: PlainQuerySchema },
        },
        async (_request, reply) => sendOpen311(reply, format, 'services', await service.services()),
      );
      app.post(
        `/requests.${format}`,
        {
          config: postConfig,
          schema: {
            tags,
            summary: `Submit a service request 市民上报 (${format})`,
            description:
              'Form-encoded (application/x-www-form-urlencoded): api_key, service_code, lat + long (address_string optional), description, media_url, email, first_name, last_name, phone, device_id, account_id, attribute[code].',
            querystring: PostQuerySchema,
          },
        },
        async (request, reply) =>
          sendOpen311(reply, format, 'service_requests', await service.submit(formOf(request))),
      );
      app.post(
        `/servicerequestupdates.${format}`,
        {
          config: postConfig,
          schema: {
            tags,
            summary: `A citizen's update on a request, kept for the staff (FixMyStreet extension) (${format})`,
            description:
              'Form-encoded: api_key, service_request_id, description. Stored as a private comment on the case: citizens’ text is not republished.',
            querystring: PostQuerySchema,
          },
        },
        async (request, reply) =>
          sendOpen311(reply, format, 'service_request_updates', await service.comment(formOf(request))),
      );
      app.get(
        `/servicerequestupdates.${format}`,
        {
          config,
          schema: {
            tags,
            summary: `Public replies on requests (FixMyStreet extension) (${format})`,
            querystring: UpdatesQuerySchema,
          },
        },
        async (request, reply) =>
          sendOpen311(reply, format, 'service_request_updates', await service.updates(request.query)),
      );
      app.get(
        `/requests.${format}`,
        {
          config,
          schema: { tags, summary: `Find service requests (${format})`, querystring: ListQuerySchema },
        },
        async (request, reply) =>
          sendOpen311(reply, format, 'service_requests', await service.list(request.query)),
      );
    }

    const byFile =
      (root: string, load: (id: string, query: Record<string, string>) => Promise<unknown>) =>
      async (request: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply) => {
        const { id, format } = splitFile(request.params.file);
        return sendOpen311(reply, format, root, await load(id, request.query as Record<string, string>));
      };
    app.get(
      '/services/:file',
      {
        config,
        schema: {
          tags,
          summary: 'A service definition (attributes): {code}.json|xml',
          params: FileParamsSchema,
          querystring: PlainQuerySchema,
        },
      },
      byFile('service_definition', (code) => service.definition(code)),
    );
    app.get(
      '/requests/:file',
      {
        config,
        schema: {
          tags,
          summary: 'One service request: {id}.json|xml',
          params: FileParamsSchema,
          querystring: OneQuerySchema,
        },
      },
      byFile('service_requests', (id, query) => service.get(id, query.extensions === 'true')),
    );
    app.get(
      '/tokens/:file',
      {
        config,
        schema: {
          tags,
          summary: 'The request id of a token: {token}.json|xml',
          params: FileParamsSchema,
          querystring: PlainQuerySchema,
        },
      },
      byFile('service_requests', (token) => service.token(token)),
    );
  };
}

/** The discovery document: where this endpoint is and what it speaks. */
function discovery(request: FastifyRequest, options: Open311RouteOptions, changeset: string) {
  // Behind a proxy the listening address is not the public one: CITYOPS_PUBLIC_URL says it.
  const origin = options.publicUrl ?? `${request.protocol}://${request.host}`;
  return {
    changeset,
    contact: options.contact,
    key_service: options.keyService,
    endpoints: [
      {
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: `${origin}/open311/v2/`,
        changeset,
        type: 'production',
        formats: ['application/json', 'text/xml'],
      },
    ],
  };
}

/**
 * jurisdiction_id: with several configured it must name one of them (missing 400, unknown 404);
 * with one or none it is accepted and ignored, as the spec allows a single-jurisdiction endpoint.
 */
function checkJurisdiction(request: FastifyRequest, jurisdictions: readonly string[]): void {
  if (jurisdictions.length < 2) return;
  const fromQuery = (request.query as Record<string, unknown> | undefined)?.jurisdiction_id;
  const fromBody = (request.body as Record<string, unknown> | undefined)?.jurisdiction_id;
  const id = fromQuery ?? fromBody;
  if (id === undefined) {
    throw new Open311Error(400, `jurisdiction_id is required: one of ${jurisdictions.join(', ')}`);
  }
  if (typeof id !== 'string') throw new Open311Error(400, 'give jurisdiction_id once');
  if (!jurisdictions.includes(id)) {
    throw new Open311Error(404, `no jurisdiction has the id ${id.slice(0, 100)}`);
  }
}

/** The posted form with the api_key from the form, the query or X-API-Key (in that order). */
function formOf(request: FastifyRequest): Open311Params {
  const body = (request.body ?? {}) as Open311Params;
  if (typeof body !== 'object' || Array.isArray(body)) throw new Open311Error(400, 'send a form');
  const params: Open311Params = Object.assign(Object.create(null) as Open311Params, body);
  const key = apiKeyOf(request);
  if (key !== undefined) params.api_key = key;
  return params;
}

/** The api_key a POST carries, wherever it carries it; the rate limit is keyed on it. */
function apiKeyOf(request: FastifyRequest): string | undefined {
  const fromBody = (request.body as Record<string, unknown> | null | undefined)?.api_key;
  const fromQuery = (request.query as Record<string, unknown> | undefined)?.api_key;
  const header = request.headers['x-api-key'];
  for (const value of [fromBody, fromQuery, header]) {
    const first: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
    if (typeof first === 'string' && first !== '') return first;
  }
  return undefined;
}

/** The format a request asked for, from the path's extension (JSON when it names none). */
function formatOf(request: FastifyRequest): Open311Format {
  const path = request.url.split('?')[0] ?? '';
  return path.endsWith('.xml') ? 'xml' : 'json';
}

function splitFile(file: string): { id: string; format: Open311Format } {
  const match = /^(.+)\.(json|xml)$/.exec(file);
  if (!match) throw new Open311Error(404, 'ask for {id}.json or {id}.xml');
  return { id: match[1] ?? '', format: match[2] as Open311Format };
}

/** A form body as an object without a prototype; repeated fields become arrays. */
export function parseForm(text: string): Open311Params {
  const out = Object.create(null) as Open311Params;
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else out[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}
