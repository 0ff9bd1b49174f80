// Topics: the catalog with readers per topic; a topic's page with how it performs (papers matched per listed day,
// readers, feedback), a form to change its name, description, query and definition, "Check the change" (which
// recent papers would enter and leave its matches, saving nothing) and "Save"; retire, behind a page that asks first.
// All of it is the topic admin service the API uses, with its checks.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminTopicView, TopicChanges, TopicCheck } from '../../admin/topic-admin.js';
import type { MatchDiff } from '../../admin/topic-match-diff.js';
import { shortDay } from '../../dates.js';
import { errors, isPapermailError } from '../../errors.js';
import { lineChart } from '../../pages/svg-chart.js';
import { actorOfSession, type DashboardOptions } from './dashboard-reply.js';

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 60 }) });
const TopicForm = Type.Object({
  name: Type.String({ maxLength: 80 }),
  description: Type.String({ maxLength: 300 }),
  query: Type.String({ maxLength: 2000 }),
  definition: Type.Optional(Type.String({ maxLength: 20000 })),
  resetDefinition: Type.Optional(Type.String()),
});
type Typed = { name: string; description: string; query: string; definition?: string; resetDefinition?: string };

const SOURCES = {
  catalog:
    "the catalog's definition for this slug (src/topics/topic-definitions.ts): its query does not change what it matches",
  admin: 'a definition of its own, set by an admin',
  query: 'a definition read from its query (every phrase and word an alternative)',
};

const pretty = (definition: unknown) => JSON.stringify(definition, null, 2);

/** The form's changes against the topic as it is: only what differs, so the audit entry says what was changed. */
function changesOf(topic: AdminTopicView, typed: Typed): TopicChanges {
  const changes: TopicChanges = {};
  for (const key of ['name', 'description', 'query'] as const) {
    if (typed[key].trim() !== topic[key]) changes[key] = typed[key];
  }
  if (typed.resetDefinition === 'on') {
    if (topic.definitionSource === 'admin') changes.definition = null;
    return changes;
  }
  const text = typed.definition?.trim() ?? '';
  if (text === '') return changes;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw errors.badRequest(`The definition is not valid JSON: ${(err as Error).message}.`);
  }
  if (JSON.stringify(parsed) !== JSON.stringify(topic.definition)) {
    changes.definition = parsed as TopicChanges['definition'];
  }
  return changes;
}

/** The entering and leaving papers of a check (or a save), for the page. */
function describeMatches(matches: MatchDiff | undefined) {
  if (!matches) return undefined;
  const dated = (list: MatchDiff['entering']) => list.map((m) => ({ ...m, score: m.score.toFixed(2) }));
  return {
    ...matches,
    from: matches.days[0],
    to: matches.days[matches.days.length - 1],
    entering: dated(matches.entering),
    leaving: dated(matches.leaving),
  };
}

export const topicPages: FastifyPluginAsyncTypebox<DashboardOptions> = async (app, { services, page }) => {
  const topics = services.admin.topics;

  async function findTopic(slug: string): Promise<AdminTopicView> {
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
      typed?: Typed;
      check?: TopicCheck['check'];
      matches?: MatchDiff;
      proposed?: TopicCheck['proposed'];
    } = {},
  ) {
    const { topic, ...performance } = await topics.performance(slug);
    const chart = lineChart(
      'chart-topic',
      `Papers ${topic.name} matched per listed day`,
      performance.days.map((d) => shortDay(d.date)),
      [
        { label: 'Matched', color: '#1a56a8', values: performance.days.map((d) => d.papersMatched) },
        { label: 'Listed', color: '#8a8f98', values: performance.days.map((d) => d.papersListed) },
      ],
    );
    const typed = state.typed;
    return page(request, reply, {
      status: state.status,
      name: 'topic',
      title: `Topic: ${topic.name}`,
      section: '/admin/topics',
      data: {
        topic,
        source: SOURCES[topic.definitionSource],
        performance,
        chart,
        form: {
          name: typed?.name ?? topic.name,
          description: typed?.description ?? topic.description,
          query: typed?.query ?? topic.query,
          definition: typed?.definition ?? pretty(topic.definition),
          resetDefinition: typed?.resetDefinition === 'on',
        },
        canReset: topic.definitionSource === 'admin',
        notice: state.notice,
        error: state.error,
        check: state.check,
        matches: describeMatches(state.matches),
        proposedSource: state.proposed ? SOURCES[state.proposed.definitionSource] : undefined,
      },
    });
  }

  /** Runs `work`; a 400 (a query or definition the service refuses) shows the form again with what was typed. */
  async function withForm(
    request: FastifyRequest,
    reply: FastifyReply,
    slug: string,
    typed: Typed,
    work: () => Promise<ReturnType<typeof showTopic>>,
  ) {
    try {
      return await work();
    } catch (err) {
      if (!isPapermailError(err) || err.statusCode !== 400) throw err;
      return showTopic(request, reply, slug, { status: 400, error: err.message, typed });
    }
  }

  app.get('/admin/topics', { schema: { hide: true } }, async (request, reply) =>
    page(request, reply, {
      name: 'topics',
      title: 'Topics',
      section: '/admin/topics',
      data: { topics: await topics.list() },
    }),
  );

  app.get('/admin/topics/:slug', { schema: { hide: true, params: SlugParams } }, async (request, reply) =>
    showTopic(request, reply, request.params.slug),
  );

  app.post(
    '/admin/topics/:slug/check',
    { schema: { hide: true, params: SlugParams, body: TopicForm } },
    async (request, reply) => {
      const { slug } = request.params;
      const typed = request.body;
      return withForm(request, reply, slug, typed, async () => {
        const topic = await findTopic(slug);
        const { query, definition } = changesOf(topic, typed);
        if (query === undefined && definition === undefined) {
          throw errors.badRequest('Nothing to check: change the query or the definition first.');
        }
        const checked = await topics.check(actorOfSession(request), slug, { query, definition });
        return showTopic(request, reply, slug, {
          typed,
          notice: 'Checked. Nothing was saved.',
          check: checked.check,
          matches: checked.matches,
          proposed: checked.proposed,
        });
      });
    },
  );

  app.post(
    '/admin/topics/:slug',
    { schema: { hide: true, params: SlugParams, body: TopicForm } },
    async (request, reply) => {
      const { slug } = request.params;
      const typed = request.body;
      return withForm(request, reply, slug, typed, async () => {
        const topic = await findTopic(slug);
        const changes = changesOf(topic, typed);
        if (Object.keys(changes).length === 0) return showTopic(request, reply, slug, { notice: 'Nothing changed.' });
        const saved = await topics.update(actorOfSession(request), slug, changes);
        return showTopic(request, reply, slug, { notice: 'Saved.', check: saved.check, matches: saved.matches });
      });
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
