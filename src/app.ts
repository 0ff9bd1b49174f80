// papermail as a Fastify plugin: external plugins first, then the routes. server.ts and the tests register it.
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { errors, isPapermailError } from './errors.js';
import { adminRoutes } from './routes/admin/index.js';
import { assetRoutes } from './routes/assets.js';
import { dashboardRoutes } from './routes/dashboard/index.js';
import { digestRoutes } from './routes/digests.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { readerApiRoutes } from './routes/reader-api.js';
import { readerPages } from './routes/reader-pages.js';
import type { Services } from './services.js';

export interface AppOptions {
  services: Services;
}

async function app(fastify: FastifyInstance, { services }: AppOptions): Promise<void> {
  await fastify.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // Pages carry no scripts of their own; the OpenAPI UI at /docs needs its bundled ones.
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  await fastify.register(formbody);
  // Per-route limits only (`config.rateLimit` on a route); counters live in this process.
  await fastify.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      errors.tooManyRequests(`Too many requests: try again in ${context.after}.`),
  });
  await fastify.register(swagger, {
    openapi: {
      info: { title: 'papermail', description: 'Daily digest of trending AI papers', version: '0.1.0' },
      components: { securitySchemes: { admin: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await fastify.register(swaggerUi, { routePrefix: '/docs' });

  fastify.setErrorHandler((err: FastifyError, request, reply) => {
    if (isPapermailError(err)) {
      return reply.code(err.statusCode).send({ error: err.code, message: err.message, details: err.details });
    }
    if (err.validation) {
      return reply.code(400).send({ error: 'PAPERMAIL_ERR_BAD_REQUEST', message: err.message });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: err.code ?? 'PAPERMAIL_ERR_BAD_REQUEST', message: err.message });
    }
    request.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'PAPERMAIL_ERR_INTERNAL', message: 'Something went wrong on our side.' });
  });

  await fastify.register(healthRoutes, { services });
  await fastify.register(assetRoutes);
  if (services.config.adminToken) {
    await fastify.register(adminRoutes, { prefix: '/api/admin', services, adminToken: services.config.adminToken });
  } else {
    services.log.info('admin API is off: set ADMIN_TOKEN to turn on /api/admin');
  }
  await fastify.register(dashboardRoutes, { services });
  if (services.config.adminToken) {
    await fastify.register(metricsRoutes, { services, adminToken: services.config.adminToken });
  }
  await fastify.register(readerApiRoutes, { services });
  await fastify.register(readerPages, { services });
  await fastify.register(digestRoutes, { services });
}

/** papermail as a Fastify plugin; needs `services` in its options. */
const papermail = fp(app, { name: 'papermail', fastify: '5.x' });
export default papermail;

/** A Fastify instance with papermail registered: what server.ts listens with and what tests inject into. */
export async function buildServer(services: Services): Promise<FastifyInstance> {
  const fastify = Fastify({
    loggerInstance: services.log as FastifyBaseLogger,
    trustProxy: services.config.trustProxy,
    // Token links are ~43 characters; longer (tampered) ones must still reach the routes and get the 404 page.
    routerOptions: { maxParamLength: 512 },
    ajv: { customOptions: { removeAdditional: 'all', coerceTypes: true } },
  });
  await fastify.register(papermail, { services });
  return fastify;
}
