// The audit log, newest first.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Services } from '../../services.js';
import { PlainText } from '../plain-text-schema.js';
import { adminSecurity, errorResponses, Nullable, PageQuerySchema, STRICT } from './common.js';

const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  params: Type.Unknown(),
  result: Nullable(Type.Unknown()),
});

export const auditRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/audit',
    {
      schema: {
        tags: ['admin'],
        security: adminSecurity,
        summary: 'What admins did, newest first',
        querystring: Type.Composite(
          [
            Type.Object({ action: Type.Optional(PlainText({ maxLength: 100, description: 'e.g. topic.create' })) }),
            PageQuerySchema,
          ],
          STRICT,
        ),
        response: {
          200: Type.Object({
            total: Type.Integer(),
            limit: Type.Integer(),
            offset: Type.Integer(),
            entries: Type.Array(AuditEntrySchema),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, offset, action } = request.query;
      return { ...(await services.admin.audit.list({ action, limit, offset })), limit, offset };
    },
  );
};
