// The admin API under /api/admin. Every route needs `Authorization: Bearer <ADMIN_TOKEN>`; without the right one the
// answer is a bare 401. app.ts registers this plugin only when ADMIN_TOKEN is set.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createAdminTokenCheck } from '../../admin/admin-token.js';
import { errors } from '../../errors.js';
import type { Services } from '../../services.js';
import { auditRoutes } from './audit.js';
import { digestAdminRoutes } from './digests.js';
import { subscriberRoutes } from './subscribers.js';
import { topicRoutes } from './topics.js';

export const adminRoutes: FastifyPluginAsyncTypebox<{ services: Services; adminToken: string }> = async (
  app,
  { services, adminToken },
) => {
  const authorized = createAdminTokenCheck(adminToken);
  // onRequest runs before the body is read or validated: a caller without the token learns nothing, not even
  // whether their parameters were right.
  app.addHook('onRequest', async (request, reply) => {
    if (authorized(request.headers.authorization)) return;
    const refusal = errors.unauthorized('Unauthorized.');
    return reply
      .code(refusal.statusCode)
      .header('www-authenticate', 'Bearer')
      .send({ error: refusal.code, message: refusal.message });
  });
  // Admin answers hold readers' addresses: no cache anywhere may keep them.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  // CSV imports arrive as text/csv; Fastify reads only JSON and text/plain by itself.
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  await app.register(subscriberRoutes, { services });
  await app.register(topicRoutes, { services });
  await app.register(auditRoutes, { services });
  await app.register(digestAdminRoutes, { services });
};
