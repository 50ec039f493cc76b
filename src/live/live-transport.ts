import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { BEARER_PROTOCOL_PREFIX, LIVE_PROTOCOL } from './live.types.js';

/** The path of the live feed (HTTP replay and WebSocket). */
export const LIVE_PATH = '/api/v1/live';

/**
 * Installs the WebSocket transport of the live feed. Must run before access control and before
 * any route: @fastify/websocket intercepts upgrades through its onRoute hook, and the hook below
 * must run before the access-control hook reads the Authorization header.
 *
 * Browsers cannot set headers on a WebSocket. The dashboard therefore offers its access token as
 * a second subprotocol, `cityops.bearer.<token>`, beside `cityops.live.v1`; this hook copies it
 * into the Authorization header of that one upgrade request, so that the one access-control hook
 * (`access/policy.ts`) authenticates and authorizes it exactly like any other request, session
 * re-check included. We chose the subprotocol over a `?token=` query parameter because URLs end
 * up in access logs and proxy logs; headers usually do not. The server only ever selects
 * `cityops.live.v1`, so the token is never echoed back.
 */
export async function installLiveTransport(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', async (request) => {
    if (request.headers.authorization !== undefined) return;
    const path = request.url.split('?', 1)[0];
    if (path !== LIVE_PATH) return;
    const offered = request.headers['sec-websocket-protocol'];
    if (typeof offered !== 'string') return;
    const token = offered
      .split(',')
      .map((p) => p.trim())
      .find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX))
      ?.slice(BEARER_PROTOCOL_PREFIX.length);
    if (token) request.headers.authorization = `Bearer ${token}`;
  });
  await app.register(fastifyWebsocket, {
    options: {
      // Clients send only small `view` requests.
      maxPayload: 16 * 1024,
      handleProtocols: (protocols) => (protocols.has(LIVE_PROTOCOL) ? LIVE_PROTOCOL : false),
    },
  });
}
