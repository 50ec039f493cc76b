import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** One Prometheus registry per app (not the global one), so tests can build many apps in a process. */
export function createMetrics(): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'cityops' });
  collectDefaultMetrics({ register: registry, prefix: 'cityops_' });
  return registry;
}

/**
 * Times every request by route pattern (not raw URL, which would explode label cardinality) and
 * serves GET /metrics with `routeConfig` (the caller's route policy: platform/ knows no domain).
 */
export function instrumentHttp(
  app: FastifyInstance,
  registry: Registry,
  routeConfig: FastifyContextConfig,
): void {
  const duration = new Histogram({
    name: 'cityops_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.addHook('onResponse', (request, reply, done) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
  app.get('/metrics', { schema: { hide: true }, config: routeConfig }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
