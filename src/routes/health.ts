import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Services } from '../services.js';

const StatusSchema = Type.Object({ status: Type.String() });

/** Liveness (the process answers) and readiness (the database answers). */
export const healthRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], response: { 200: StatusSchema } }, logLevel: 'warn' },
    async () => ({ status: 'up' }),
  );
  app.get(
    '/readyz',
    { schema: { tags: ['health'], response: { 200: StatusSchema, 503: StatusSchema } }, logLevel: 'warn' },
    async (_req, reply) => {
      if (await services.health.databaseReady()) return { status: 'ready' };
      return reply.code(503).send({ status: 'database unavailable' });
    },
  );
};
