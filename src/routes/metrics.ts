// GET /metrics in Prometheus text format, behind the admin bearer token (METRICS_PORT gives a listener without it).
import type { FastifyPluginAsync } from 'fastify';
import { createAdminTokenCheck } from '../admin/admin-token.js';
import type { Services } from '../services.js';

export const metricsRoutes: FastifyPluginAsync<{ services: Services; adminToken: string }> = async (
  app,
  { services, adminToken },
) => {
  const authorized = createAdminTokenCheck(adminToken);
  app.get(
    '/metrics',
    {
      logLevel: 'warn',
      schema: {
        tags: ['admin'],
        security: [{ admin: [] }],
        summary: 'Prometheus metrics: deliveries, SMTP replies, send latency, runs, readers, the process',
        produces: ['text/plain'],
      },
      onRequest: async (request, reply) => {
        if (authorized(request.headers.authorization)) return;
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({ error: 'PAPERMAIL_ERR_UNAUTHORIZED', message: 'Unauthorized.' });
      },
    },
    async (_request, reply) =>
      reply
        .type(services.metrics.contentType)
        .header('cache-control', 'no-store')
        .send(await services.metrics.render()),
  );
};
