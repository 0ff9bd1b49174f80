// The audit log, newest first: who did what, when, with which parameters and what came of it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { DashboardOptions } from './dashboard-reply.js';
import { PageQuery, pageOf, pager } from './paging.js';

export const auditPage: FastifyPluginAsyncTypebox<DashboardOptions> = async (app, { services, page }) => {
  app.get(
    '/admin/audit',
    {
      schema: {
        hide: true,
        querystring: Type.Composite([
          Type.Object({ action: Type.Optional(Type.String({ maxLength: 100 })) }),
          PageQuery,
        ]),
      },
    },
    async (request, reply) => {
      const { action, page: n } = request.query;
      const { total, entries } = await services.admin.audit.list({ action: action || undefined, ...pageOf(n) });
      return page(request, reply, {
        name: 'audit',
        title: 'Audit log',
        section: '/admin/audit',
        data: {
          action,
          entries: entries.map((e) => ({
            ...e,
            params: JSON.stringify(e.params),
            result: e.result === null ? '' : JSON.stringify(e.result),
          })),
          pager: pager(n, total, { action }),
        },
      });
    },
  );
};
