import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Database } from '../platform/db/database.js';

const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  uptimeSeconds: Type.Number(),
  database: Type.Object({ engine: Type.String(), ok: Type.Boolean() }),
});

/** Pings the database; a liveness probe that also says whether storage answers. */
async function databaseOk(database: Database): Promise<boolean> {
  try {
    if (database.engine === 'sqlite') database.db.prepare('SELECT 1').get();
    else await database.pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}

/** GET /healthz: 200 when the database answers, 503 otherwise. */
export function healthRoutes(database: Database, version: string): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/healthz',
      {
        config: { policy: { public: true } },
        schema: {
          tags: ['operations'],
          summary: 'Liveness and storage health',
          response: { 200: HealthSchema, 503: HealthSchema },
        },
      },
      async (_request, reply) => {
        const ok = await databaseOk(database);
        return reply.status(ok ? 200 : 503).send({
          status: ok ? 'ok' : 'degraded',
          version,
          uptimeSeconds: Math.round(process.uptime()),
          database: { engine: database.engine, ok },
        });
      },
    );
  };
}
