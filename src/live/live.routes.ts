import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Visibility } from '../jurisdictions/visibility.js';
import { AppError } from '../errors.js';
import { ErrorResponseSchema } from '../platform/http/error.schema.js';
import { eventFilter } from './live-hub.js';
import { LIVE_CLOSE, type ClientViewMessage, type ErrorMessage } from './live.types.js';
import { LiveQuerySchema, LiveReplaySchema, OverviewQuerySchema, OverviewSchema } from './live.schema.js';
import type { Live } from './live.js';

// Everyone who may look at the dashboard has telemetry:read (the vital signs are its base);
// alarm and case events and figures are further limited to roles with alarms:read / cases:read.
const read = { policy: { permission: 'telemetry:read' } } as const;

/** Most events one HTTP replay answers (a WebSocket is not limited: it streams in batches). */
const REPLAY_LIMIT = 1000;

/** GET /overview (the one screen of a scope) and /live (the live feed: WebSocket, or HTTP replay). */
export function liveRoutes(
  live: Live,
  visibleTo: (request: FastifyRequest) => Visibility,
): FastifyPluginAsync {
  const { feed, hub, overview } = live;
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['live'];
    app.addHook('onClose', async () => live.close());
    const tree = () => fastify.services.jurisdictions.units;

    app.get(
      '/overview',
      {
        config: read,
        schema: {
          tags,
          summary: 'The one screen of a jurisdiction 态势总览',
          description:
            'Key case figures (今日事件, 在办, 超期, 结案率, 按期结案率 over the last 30 days), per-domain vital signs with sparkline history, per-unit load one level down, the newest live events, and the live feed position to resume from.',
          querystring: OverviewQuerySchema,
          response: { 200: OverviewSchema, 404: ErrorResponseSchema },
        },
      },
      async (request) => {
        const visible = visibleTo(request);
        const principal = request.principal!;
        const scope = overview.scopeOf(request.query.scope, visible);
        return overview.overview(
          scope,
          visible,
          {
            cases: principal.permissions.has('cases:read'),
            alarms: principal.permissions.has('alarms:read'),
          },
          eventFilter(principal, visible, tree(), scope),
        );
      },
    );

    app.route({
      method: 'GET',
      url: '/live',
      config: read,
      schema: {
        tags,
        summary: 'The live feed 实时推送 (WebSocket; HTTP answers a replay)',
        description:
          'Upgrade to a WebSocket with subprotocols `cityops.live.v1` and `cityops.bearer.<access token>` to stream alarm and case events and vital-sign summaries of `scope`; pass the last `since`/`epoch` you saw to resume without losing events. A plain GET answers the events after `since` (at most 1,000). Protocol: docs/dashboard.md.',
        querystring: LiveQuerySchema,
        response: { 200: LiveReplaySchema, 404: ErrorResponseSchema },
      },
      // Before the upgrade: an invalid or hidden scope is an HTTP 404, not an open socket.
      preHandler: async (request) => {
        overview.scopeOf(request.query.scope, visibleTo(request));
      },
      handler: async (request) => {
        const visible = visibleTo(request);
        const scope = overview.scopeOf(request.query.scope, visible);
        const { since, epoch } = request.query;
        const resumed = feed.canResume(epoch, since);
        const from = resumed ? since! : feed.seq;
        const result = feed.read(from, eventFilter(request.principal!, visible, tree(), scope), REPLAY_LIMIT);
        const events = result.gone ? [] : result.events.map((e) => e.event);
        return { epoch: feed.epoch, seq: result.upTo, scope, resumed, events };
      },
      wsHandler: (socket, request) => {
        const visible = visibleTo(request);
        const principal = request.principal!;
        const token = request.headers.authorization?.slice('Bearer '.length) ?? '';
        if (principal.kind !== 'user') {
          // Keys have no session to re-check; the feed is for people at a dashboard.
          socket.close(LIVE_CLOSE.forbidden, 'FORBIDDEN');
          return;
        }
        const query = request.query;
        const connection = hub.connect({
          socket: socket,
          principal,
          token,
          visible,
          scope: overview.scopeOf(query.scope, visible),
          since: query.since,
          epoch: query.epoch,
        });
        socket.on('message', (data: Buffer) => {
          let message: ClientViewMessage;
          try {
            message = JSON.parse(data.toString('utf8')) as ClientViewMessage;
            if (message?.type !== 'view' || typeof message.scope !== 'string') {
              throw new AppError('VALIDATION_FAILED', 'Send {"type":"view","scope":"<code>"}.');
            }
            hub.view(connection, overview.scopeOf(message.scope, visible));
          } catch (error) {
            const answer: ErrorMessage =
              error instanceof AppError
                ? { type: 'error', code: error.code, message: error.message }
                : { type: 'error', code: 'INVALID_JSON', message: 'Messages are JSON.' };
            socket.send(JSON.stringify(answer));
          }
        });
        socket.on('close', () => hub.disconnect(connection));
      },
    });
  };
}
