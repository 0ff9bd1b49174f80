// Runs: every run with its trigger, status, timings and send report; and a form to start a run for a date.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { today } from '../../dates.js';
import { actorOfSession, type DashboardOptions } from './dashboard-reply.js';
import { PageQuery, pageOf, pager } from './paging.js';

const SOURCES = ['huggingface', 'arxiv'];

export const runPages: FastifyPluginAsyncTypebox<DashboardOptions> = async (app, { services, page }) => {
  const { admin, config } = services;

  app.get('/admin/runs', { schema: { hide: true, querystring: PageQuery } }, async (request, reply) => {
    const { total, runs } = await admin.runs.list(pageOf(request.query.page));
    return page(request, reply, {
      name: 'runs',
      title: 'Runs',
      section: '/admin/runs',
      data: {
        runs: runs.map((r) => ({
          ...r,
          seconds: r.timings?.totalMs === undefined ? undefined : (r.timings.totalMs / 1000).toFixed(1),
        })),
        pager: pager(request.query.page, total),
        today: today(config.scheduler.timezone),
        sources: SOURCES.map((s) => ({ value: s, selected: s === config.sources.default })),
      },
    });
  });

  app.post(
    '/admin/runs',
    {
      schema: {
        hide: true,
        body: Type.Object({
          date: Type.String({ maxLength: 10 }),
          source: Type.Optional(Type.Union(SOURCES.map((s) => Type.Literal(s)))),
          ingest: Type.Optional(Type.String()),
        }),
      },
    },
    async (request, reply) => {
      const { date, source, ingest } = request.body;
      const started = await admin.digests.startRun(actorOfSession(request), date, { source, ingest: ingest === 'on' });
      return reply.redirect(`/admin/days/${encodeURIComponent(started.date)}?run=${started.runId}`, 303);
    },
  );
};
