import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { errorBody } from '../../errors.js';

/** Where the dashboard's Vite build lands (web/dist at the package root, beside src/ and dist/). */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/**
 * Serves the dashboard at / with a single-page fallback; unknown /api paths stay JSON 404s.
 * Without a build (a checkout where `npm run build` has not run) / says how to build it.
 */
export async function serveDashboard(app: FastifyInstance, webDist = WEB_DIST): Promise<void> {
  const built = fs.existsSync(`${webDist}/index.html`);
  if (built) {
    await app.register(fastifyStatic, { root: webDist, prefix: '/', wildcard: false, index: ['index.html'] });
  } else {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send(
          'cityops 城运: the dashboard is not built. Run `npm run build` (or `npm start`, which builds it).\n',
        ),
    );
  }
  app.setNotFoundHandler((request, reply) => {
    const apiLike = /^\/(api|metrics|healthz)(\/|$)/.test(request.url);
    if (built && request.method === 'GET' && !apiLike && request.headers.accept?.includes('text/html')) {
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    }
    return reply
      .status(404)
      .send(errorBody('ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`));
  });
}
