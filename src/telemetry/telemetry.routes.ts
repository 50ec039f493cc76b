import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Visibility } from '../jurisdictions/visibility.js';
import { AppError } from '../errors.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import { ErrorResponseSchema } from '../platform/http/error.schema.js';
import type { ReadingStore } from './store/reading-store.js';
import { HOUR_MS, type Series } from './store/reading.types.js';
import type { RegisteredSensor } from '../devices/sensor-index.js';
import { SensorIdParamsSchema } from '../devices/sensor.schema.js';
import { isNormal } from '../devices/sensor-types.js';
import type { SensorService } from '../devices/sensor.service.js';
import type { TelemetryIngest } from './telemetry-ingest.js';
import {
  IngestReportSchema,
  LatestSchema,
  SeriesQuerySchema,
  SeriesSchema,
  TelemetryBodySchema,
  VitalsQuerySchema,
  VitalsSchema,
  type LatestDto,
  type SeriesDto,
} from './telemetry.schema.js';
import { ONLINE_INTERVALS, vitals } from './vitals.js';
import { finestCode } from '../jurisdictions/geo.types.js';

/** What the telemetry routes read and write. */
export interface TelemetryRouteDeps {
  ingest: TelemetryIngest;
  store: Pick<ReadingStore, 'latestOf' | 'series' | 'admit'>;
  sensors: SensorService;
  tree: () => JurisdictionTree;
  visibleTo: (request: FastifyRequest) => Visibility;
  clock?: () => number;
}

const MAX_RANGE_MS = 400 * 24 * HOUR_MS;
/** POST /api/v1/telemetry, sensor latest and series, and GET /api/v1/vitals. */
export function telemetryRoutes(deps: TelemetryRouteDeps): FastifyPluginAsync {
  const now = deps.clock ?? Date.now;
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['telemetry'];

    /** The sensor if the caller may see it; SENSOR_NOT_FOUND otherwise, exactly as for no sensor. */
    const visibleSensor = (request: FastifyRequest, id: string): RegisteredSensor => {
      const sensor = deps.sensors.resolve(id);
      const visible = deps.visibleTo(request);
      if (!sensor || !visible.contains(finestCode(sensor))) {
        throw new AppError('SENSOR_NOT_FOUND', `No sensor has the id "${id}".`);
      }
      return sensor;
    };

    app.post(
      '/telemetry',
      {
        config: { policy: { permission: 'telemetry:ingest' } },
        schema: {
          tags,
          summary: 'Ingest readings 上报监测数据',
          description:
            'Up to 10,000 readings. Answered 202 once the accepted readings are durably committed; each bad reading is refused alone (by index, with a code). A repeated (sensor, ts) keeps the value that arrived last. 503 OVERLOADED with Retry-After and Connection: close when the server is at capacity; when the queue is already full this comes from the headers, before the body is read.',
          body: TelemetryBodySchema,
          response: {
            202: IngestReportSchema,
            400: ErrorResponseSchema,
            413: ErrorResponseSchema,
            503: ErrorResponseSchema,
          },
        },
        // Under overload, reading a body only to refuse it cost every refused request its upload
        // and its parse (throughput ~30 % below the sustained rate, slow acks 25 s at p99). So a
        // full queue refuses from the headers alone, after authentication (the global hook) and
        // before the body is read. The unread body stays on the socket: `Connection: close` ends
        // the connection after the answer, so a keep-alive client cannot have its next request
        // parsed out of the middle of this one's body.
        onRequest: async (request, reply) => {
          // Only a queue that cannot take one more reading refuses from the headers: a byte count
          // says nothing certain about how many readings a body holds (long ids, whitespace), so
          // any estimate could turn away a batch the queue would take. The exact count is judged
          // by the queue after the body is read, as for every other request.
          const refused = deps.store.admit(1);
          if (refused === undefined) return;
          reply.header('connection', 'close');
          throw refused;
        },
      },
      async (request, reply) => {
        const report = await deps.ingest.ingest(request.body.readings, deps.visibleTo(request));
        return reply.status(202).send(report);
      },
    );

    app.get(
      '/sensors/:id/latest',
      {
        config: { policy: { permission: 'telemetry:read' } },
        schema: {
          tags,
          summary: 'Latest reading of a sensor 最新值',
          params: SensorIdParamsSchema,
          response: { 200: LatestSchema, 404: ErrorResponseSchema },
        },
      },
      async (request): Promise<LatestDto> => {
        const sensor = visibleSensor(request, request.params.id);
        const reading = deps.store.latestOf(sensor.key);
        return {
          sensor: sensor.id,
          unit: sensor.type.unit,
          online:
            reading !== undefined &&
            now() - reading.ts <= ONLINE_INTERVALS * sensor.type.intervalSeconds * 1000,
          reading: reading
            ? {
                ts: new Date(reading.ts).toISOString(),
                value: reading.value,
                normal: isNormal(sensor.type, reading.value),
              }
            : null,
        };
      },
    );

    app.get(
      '/sensors/:id/series',
      {
        config: { policy: { permission: 'telemetry:read' } },
        schema: {
          tags,
          summary: 'A sensor’s time series 历史曲线',
          description:
            '`from`/`to` as epoch ms or ISO-8601 (default: the last 24 hours); `bucket` raw, 1m, 1h or auto (by range).',
          params: SensorIdParamsSchema,
          querystring: SeriesQuerySchema,
          response: { 200: SeriesSchema, 400: ErrorResponseSchema, 404: ErrorResponseSchema },
        },
      },
      async (request): Promise<SeriesDto> => {
        const sensor = visibleSensor(request, request.params.id);
        const to = time(request.query.to, 'to') ?? now();
        const from = time(request.query.from, 'from') ?? to - 24 * HOUR_MS;
        if (from >= to) throw new AppError('VALIDATION_FAILED', '"from" must be before "to".');
        if (to - from > MAX_RANGE_MS) {
          throw new AppError('VALIDATION_FAILED', 'Ask for at most 400 days at once.');
        }
        const series = await deps.store.series(sensor.key, {
          from,
          to,
          bucket: request.query.bucket ?? 'auto',
        });
        return present(sensor, series, from, to);
      },
    );

    app.get(
      '/vitals',
      {
        config: { policy: { permission: 'telemetry:read' } },
        schema: {
          tags,
          summary: 'City vital signs for a jurisdiction 城市体征',
          description:
            'Per domain: sensors total/online/offline, the share within their normal range, current figures per type; and counts for each unit one level down. Defaults to your own jurisdiction.',
          querystring: VitalsQuerySchema,
          response: { 200: VitalsSchema, 404: ErrorResponseSchema },
        },
      },
      async (request) =>
        vitals(
          {
            sensors: () => deps.sensors.registered(),
            latest: (key) => deps.store.latestOf(key),
            tree: deps.tree,
            clock: now,
          },
          request.query.scope,
          deps.visibleTo(request),
        ),
    );
  };
}

function time(value: number | string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new AppError('VALIDATION_FAILED', `"${name}" is not a time.`);
  return ms;
}

function present(sensor: RegisteredSensor, series: Series, from: number, to: number): SeriesDto {
  const iso = (ms: number) => new Date(ms).toISOString();
  const base = {
    sensor: sensor.id,
    unit: sensor.type.unit,
    from: iso(from),
    to: iso(to),
    truncated: series.truncated,
  };
  if (series.bucket === 'raw') {
    return { ...base, bucket: 'raw', points: series.points.map((p) => ({ ts: iso(p.ts), value: p.value })) };
  }
  return { ...base, bucket: series.bucket, points: series.points.map((p) => ({ ...p, ts: iso(p.ts) })) };
}
