// papermail as a Fastify plugin: external plugins first, then the routes. server.ts and the tests register it.

import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { errors, toErrorReply } from './errors.js';
import { adminRoutes } from './routes/admin/index.js';
import { assetRoutes } from './routes/assets.js';
import { dashboardRoutes } from './routes/dashboard/index.js';
import { digestRoutes } from './routes/digests.js';
import { feedRoutes } from './routes/feed.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { answerClientError, answerFrameworkError, readBadEscapesLiterally } from './routes/pre-routing.js';
import { readerApiRoutes } from './routes/reader-api.js';
import { readerPages } from './routes/reader-pages.js';
import { formatSchemaErrors } from './routes/schema-error-message.js';
import { HELMET_OPTIONS } from './routes/security-headers.js';
import { webhookRoutes } from './routes/webhooks.js';
import type { Services } from './services.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's caller is the operator: a 5xx PapermailError keeps its message (never its details). */
    showServerErrors?: boolean;
  }
}

export interface AppOptions {
  services: Services;
}

async function app(fastify: FastifyInstance, { services }: AppOptions): Promise<void> {
  await fastify.register(helmet, HELMET_OPTIONS);
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
    const answer = toErrorReply(err, { showServerErrors: request.routeOptions.config.showServerErrors });
    if (answer.serverError) request.log.error({ err }, 'request failed');
    return reply.code(answer.statusCode).send(answer.body);
  });
  // Fastify's own 404 quotes the URL back (which may hold a token) and has a shape of its own.
  fastify.setNotFoundHandler((_request, reply) => {
    const notFound = errors.notFound('There is nothing at this address.');
    return reply.code(notFound.statusCode).send({ error: notFound.code, message: notFound.message });
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
  await fastify.register(webhookRoutes, { services });
  await fastify.register(feedRoutes, { services });
}

/** papermail as a Fastify plugin; needs `services` in its options. */
const papermail = fp(app, { name: 'papermail', fastify: '5.x' });
export default papermail;

/**
 * A Fastify instance with papermail registered: what server.ts listens with and what tests inject into. The limits
 * on slow and greedy clients (config.http) are set here, on the HTTP server itself.
 */
export async function buildServer(services: Services): Promise<FastifyInstance> {
  const limits = services.config.http;
  const fastify = Fastify({
    loggerInstance: services.log as FastifyBaseLogger,
    trustProxy: services.config.trustProxy,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    maxRequestsPerSocket: limits.maxRequestsPerSocket,
    http: {
      // Node checks the request timeouts on this interval (30 s by default): check often enough that a slow
      // request is cut within a tenth of its limit.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.requestTimeoutMs / 10))),
      headersTimeout: limits.requestTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
    },
    // Node already caps the request line and headers at 16 KiB: any parameter under that reaches its route, so a
    // tampered token of any length gets the token routes' 404 page, and other parameters their schema's 400.
    routerOptions: { maxParamLength: 16 * 1024 },
    rewriteUrl: readBadEscapesLiterally,
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    schemaErrorFormatter: formatSchemaErrors,
    // Unknown body and query fields are refused (additionalProperties: false), not silently dropped; verbose lets
    // the refusal name the fields the schema knows.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, verbose: true } },
  });
  fastify.server.maxConnections = limits.maxConnections;
  await fastify.register(papermail, { services });
  return fastify;
}
