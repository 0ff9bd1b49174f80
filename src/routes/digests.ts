import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { renderPage } from '../pages/render-page.js';
import type { Services } from '../services.js';

const DayParamsSchema = Type.Object({
  date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a day, YYYY-MM-DD' }),
});
const HtmlSchema = Type.String({ description: 'an HTML page' });
const ViewQuerySchema = Type.Object({
  view: Type.Optional(
    Type.String({ maxLength: 200, description: "a delivery's signed web view: its papers get feedback links" }),
  ),
});

const longDate = new Intl.DateTimeFormat('en-US', { month: 'long', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
const label = (day: string) => longDate.format(new Date(`${day}T00:00:00Z`));

/** The web version of each day's digest, and the archive of all of them. */
export const digestRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/digests',
    { schema: { tags: ['pages'], summary: 'Every past digest', response: { 200: HtmlSchema } } },
    async (_req, reply) => {
      const days = (await services.digests.archive()).map((d) => ({ ...d, label: label(d.day) }));
      return reply.type('text/html; charset=utf-8').send(renderPage('digests', 'Past digests', { days }));
    },
  );

  app.get(
    '/digests/:date',
    {
      schema: {
        tags: ['pages'],
        summary: "One day's digest: the day's trending papers",
        params: DayParamsSchema,
        querystring: ViewQuerySchema,
        response: { 200: HtmlSchema, 404: HtmlSchema },
      },
    },
    async (req, reply) => {
      const day = req.params.date;
      const digest = await services.digests.webDigest(day);
      reply.type('text/html; charset=utf-8');
      if (!digest) return reply.code(404).send(renderPage('digest-missing', `No digest for ${day}`, { day }));
      const title = `Trending AI papers, ${label(day)}`;
      // A reader's own view (the email's web link) adds their feedback links; a view that does not verify is ignored.
      const view = req.query.view ? await services.feedback.webViewLinks(req.query.view, day) : undefined;
      if (view) reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex, nofollow');
      const papers = view ? digest.papers.map((p) => ({ ...p, ...view.get(p.id) })) : digest.papers;
      return reply.send(
        renderPage('digest', title, { ...digest, papers, longDate: label(day), count: digest.papers.length }),
      );
    },
  );
};
