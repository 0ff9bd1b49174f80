// Topics: the catalog with readers per topic; a topic's page to change its name, description and query, with the
// query check (how Postgres reads it, how many stored papers it matches); retire, behind a page that asks first.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { QueryCheck } from '../../admin/topic-admin.js';
import { errors, isPapermailError } from '../../errors.js';
import { actorOfSession, type DashboardOptions } from './dashboard-reply.js';

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 60 }) });

export const topicPages: FastifyPluginAsyncTypebox<DashboardOptions> = async (app, { services, page }) => {
  const topics = services.admin.topics;

  async function findTopic(slug: string) {
    const topic = (await topics.list()).find((t) => t.slug === slug);
    if (!topic) throw errors.notFound(`There is no topic "${slug}".`);
    return topic;
  }

  async function showTopic(
    request: FastifyRequest,
    reply: FastifyReply,
    slug: string,
    state: {
      status?: number;
      notice?: string;
      error?: string;
      check?: QueryCheck;
      typed?: { name: string; description: string; query: string };
    } = {},
  ) {
    const topic = await findTopic(slug);
    return page(request, reply, {
      status: state.status,
      name: 'topic',
      title: `Topic: ${topic.name}`,
      section: '/admin/topics',
      data: { topic, form: state.typed ?? topic, ...state },
    });
  }

  app.get('/admin/topics', { schema: { hide: true } }, async (request, reply) =>
    page(request, reply, {
      name: 'topics',
      title: 'Topics',
      section: '/admin/topics',
      data: { topics: await topics.list() },
    }),
  );

  // "Check" asks Postgres about a query without saving it: a GET, so viewers may try queries too.
  app.get(
    '/admin/topics/:slug',
    {
      schema: {
        hide: true,
        params: SlugParams,
        querystring: Type.Object({
          check: Type.Optional(Type.String({ maxLength: 10 })),
          name: Type.Optional(Type.String({ maxLength: 80 })),
          description: Type.Optional(Type.String({ maxLength: 300 })),
          query: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
      },
    },
    async (request, reply) => {
      const { slug } = request.params;
      if (request.query.check === undefined) return showTopic(request, reply, slug);
      const topic = await findTopic(slug);
      const query = request.query.query ?? topic.query;
      const typed = {
        name: request.query.name ?? topic.name,
        description: request.query.description ?? topic.description,
        query,
      };
      try {
        return showTopic(request, reply, slug, { check: await topics.check(query), typed });
      } catch (err) {
        if (!isPapermailError(err) || err.statusCode !== 400) throw err;
        return showTopic(request, reply, slug, { status: 400, error: err.message, typed });
      }
    },
  );

  app.post(
    '/admin/topics/:slug',
    {
      schema: {
        hide: true,
        params: SlugParams,
        body: Type.Object({
          name: Type.String({ maxLength: 80 }),
          description: Type.String({ maxLength: 300 }),
          query: Type.String({ maxLength: 2000 }),
        }),
      },
    },
    async (request, reply) => {
      const { slug } = request.params;
      const typed = request.body;
      const before = await findTopic(slug);
      // Only what changed is sent, so the audit entry says what the admin changed.
      const changes = Object.fromEntries(
        (['name', 'description', 'query'] as const)
          .filter((k) => typed[k].trim() !== before[k])
          .map((k) => [k, typed[k]]),
      );
      if (Object.keys(changes).length === 0) return showTopic(request, reply, slug, { notice: 'Nothing changed.' });
      try {
        const { check } = await topics.update(actorOfSession(request), slug, changes);
        return showTopic(request, reply, slug, { notice: 'Saved.', check });
      } catch (err) {
        if (!isPapermailError(err) || err.statusCode !== 400) throw err;
        return showTopic(request, reply, slug, { status: 400, error: err.message, typed });
      }
    },
  );

  app.get('/admin/topics/:slug/retire', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const topic = await findTopic(request.params.slug);
    return page(request, reply, {
      name: 'topic-retire',
      title: `Retire ${topic.name}?`,
      section: '/admin/topics',
      data: { topic },
    });
  });

  app.post('/admin/topics/:slug/retire', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const result = await topics.retire(actorOfSession(request), request.params.slug);
    const notice = result.alreadyRetired
      ? 'This topic was retired before.'
      : `Retired. It was removed from ${result.readersAffected} readers; ${result.readersLeftWithoutInterests} of them have no topic or keyword left.`;
    return showTopic(request, reply, request.params.slug, { notice });
  });
};
