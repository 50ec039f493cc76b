import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../errors.js';
import { VERSION } from '../version.js';
import { Open311Error, sendOpen311, sendOpen311Error, type Open311Format } from './open311-format.js';
import type { Open311Params, Open311Service } from './open311.service.js';

// Open311 is public by design: reading needs nothing, posting carries its own api_key as a form
// field (checked by the service), so every route's policy is public and the check is ours.
const config = { policy: { public: true } } as const;
const FORMATS: Open311Format[] = ['json', 'xml'];
const Optional = (description: string) => Type.Optional(Type.String({ maxLength: 20_000, description }));
const Common = { jurisdiction_id: Optional('accepted and ignored: cityops serves one jurisdiction') };

const ListQuerySchema = Type.Object(
  {
    ...Common,
    service_request_id: Optional('comma-separated request ids; the other filters are then ignored'),
    service_code: Optional('one service code'),
    start_date: Optional('W3C date-time: requests made at or after'),
    end_date: Optional('W3C date-time: requests made at or before'),
    status: Optional('open, closed, or open,closed'),
  },
  { additionalProperties: false },
);
const PlainQuerySchema = Type.Object(Common, { additionalProperties: false });
const FileParamsSchema = Type.Object(
  { file: Type.String({ maxLength: 200, description: '{id}.json or {id}.xml' }) },
  { additionalProperties: false },
);
const PostQuerySchema = Type.Object(
  { ...Common, api_key: Optional('may be sent here instead of in the form') },
  { additionalProperties: false },
);

/** `/open311/v2/…`: GeoReport v2 in JSON and XML, errors as `[{code, description}]`. */
export function open311Routes(service: Open311Service): FastifyPluginAsync {
  return async (fastify) => {
    fastify.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => done(null, parseForm(body as string)),
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
    const tags = ['open311'];

    for (const format of FORMATS) {
      app.get(
        `/discovery.${format}`,
        { config, schema: { tags, summary: `Service discovery (${format})`, querystring: PlainQuerySchema } },
        async (request, reply) => sendOpen311(reply, format, 'discovery', discovery(request)),
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
          config,
          schema: {
            tags,
            summary: `Submit a service request 市民上报 (${format})`,
            description:
              'Form-encoded (application/x-www-form-urlencoded): api_key, service_code, lat + long (address_string optional), description, media_url, email, first_name, last_name, phone, device_id, account_id, attribute[code].',
            querystring: PostQuerySchema,
          },
        },
        async (request, reply) => {
          const body = (request.body ?? {}) as Open311Params;
          if (typeof body !== 'object' || Array.isArray(body)) throw new Open311Error(400, 'send a form');
          const params: Open311Params = Object.assign(Object.create(null) as Open311Params, body);
          if (params.api_key === undefined && request.query.api_key !== undefined) {
            params.api_key = request.query.api_key;
          }
          const header = request.headers['x-api-key'];
          if (params.api_key === undefined && typeof header === 'string') params.api_key = header;
          return sendOpen311(reply, format, 'service_requests', await service.submit(params));
        },
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
      (root: string, load: (id: string) => Promise<unknown>) =>
      async (request: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply) => {
        const { id, format } = splitFile(request.params.file);
        return sendOpen311(reply, format, root, await load(id));
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
          querystring: PlainQuerySchema,
        },
      },
      byFile('service_requests', (id) => service.get(id)),
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
function discovery(request: FastifyRequest) {
  const base = `${request.protocol}://${request.host}/open311/v2/`;
  return {
    changeset: `cityops-${VERSION}`,
    contact: '12345 重庆市政务服务便民热线',
    key_service: 'API keys of kind open311 are issued by the city: cityops key create --kind open311',
    endpoints: [
      {
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: base,
        changeset: `cityops-${VERSION}`,
        type: 'production',
        formats: ['application/json', 'text/xml'],
      },
    ],
  };
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
