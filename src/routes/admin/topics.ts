// The topic catalog, for the admin: list (retired ones too), create, rename or change the query or the definition,
// check a change before saving it, see how a topic performs, retire.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { CHECK_DAYS } from '../../admin/topic-admin.js';
import { PERFORMANCE_DAYS } from '../../admin/topic-performance.js';
import { TopicDefinitionSchema } from '../../relevance/interest-definition.js';
import type { Services } from '../../services.js';
import { PlainLines, PlainText } from '../plain-text-schema.js';
import { actorOf, adminSecurity, ErrorSchema, errorResponses, Nullable, STRICT } from './common.js';

const DefinitionSourceSchema = Type.Union([Type.Literal('catalog'), Type.Literal('admin'), Type.Literal('query')], {
  description: "catalog: the shipped one for the slug; admin: the topic's own; query: read from the query.",
});

const TopicSchema = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  query: Type.String(),
  definition: TopicDefinitionSchema,
  definitionSource: DefinitionSourceSchema,
  retiredAt: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  readers: Type.Integer({ description: 'Readers who chose it.' }),
});

const QueryCheckSchema = Type.Object({
  tsquery: Type.String({ description: "How Postgres reads the query: websearch_to_tsquery('english', query)." }),
  matchingPapers: Type.Integer({ description: 'Papers in the database it matches now.' }),
});

const MatchChangeSchema = Type.Object({
  paperId: Type.String(),
  title: Type.String(),
  date: Type.String({ description: 'The listing date on which it enters or leaves.' }),
  score: Type.Number({
    description:
      'The probability that the paper is about the topic, under the definition it matches with (proposed: entering, current: leaving).',
  }),
  strength: Type.Number({ description: 'The log-odds over the cut (probability 0.5) on a scale where 1 is the cut.' }),
  evidence: Type.Array(Type.String()),
});

const MatchDiffSchema = Type.Object(
  {
    days: Type.Array(Type.String(), { description: `The latest ${CHECK_DAYS} listed days, oldest first.` }),
    matchedNow: Type.Integer({ description: 'Listings matched by the current definition.' }),
    matchedProposed: Type.Integer({ description: 'Listings matched by the proposed definition.' }),
    entering: Type.Array(MatchChangeSchema),
    leaving: Type.Array(MatchChangeSchema),
  },
  { description: 'Which papers of the latest listed days enter and leave the topic’s matches.' },
);

const DefinitionInput = Type.Union([TopicDefinitionSchema, Type.Null()], {
  description: "Weighted terms for the matcher; null: back to the catalog's definition (or the query's).",
});

const SlugParams = Type.Object({ slug: PlainText({ maxLength: 60 }) });
const Name = PlainText({ minLength: 1, maxLength: 80 });
const Description = PlainLines({ maxLength: 300 });
const Query = PlainLines({ minLength: 1, maxLength: 2000, description: 'Postgres websearch syntax.' });

export const topicRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const admin = services.admin.topics;
  const common = { tags: ['admin'], security: adminSecurity };
  const withConflict = { ...errorResponses, 409: ErrorSchema };

  app.get(
    '/topics',
    {
      schema: {
        ...common,
        summary: 'Every topic, retired ones last',
        response: { 200: Type.Object({ topics: Type.Array(TopicSchema) }), ...errorResponses },
      },
    },
    async () => ({ topics: await admin.list() }),
  );

  app.post(
    '/topics',
    {
      schema: {
        ...common,
        summary: 'Create a topic; the query must mean something to Postgres',
        body: Type.Object(
          {
            slug: Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 60 }),
            name: Name,
            description: Type.Optional(Description),
            query: Query,
            definition: Type.Optional(TopicDefinitionSchema),
          },
          STRICT,
        ),
        response: { 201: Type.Object({ topic: TopicSchema, check: QueryCheckSchema }), ...withConflict },
      },
    },
    async (request, reply) => reply.code(201).send(await admin.create(actorOf(request), request.body)),
  );

  app.patch(
    '/topics/:slug',
    {
      schema: {
        ...common,
        summary:
          "Rename a topic, or change its description, query or definition (the slug stays: it is in readers' links)",
        description: `A changed query or definition answers with \`matches\`: the papers of the latest ${CHECK_DAYS} listed days that entered and left the topic's matches.`,
        params: SlugParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            description: Type.Optional(Description),
            query: Type.Optional(Query),
            definition: Type.Optional(DefinitionInput),
          },
          STRICT,
        ),
        response: {
          200: Type.Object({
            topic: TopicSchema,
            check: Type.Optional(QueryCheckSchema),
            matches: Type.Optional(MatchDiffSchema),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => admin.update(actorOf(request), request.params.slug, request.body),
  );

  app.post(
    '/topics/:slug/check',
    {
      schema: {
        ...common,
        summary: 'Try a definition or query: which recent papers would enter and leave the matches; saves nothing',
        params: SlugParams,
        body: Type.Object({ query: Type.Optional(Query), definition: Type.Optional(DefinitionInput) }, STRICT),
        response: {
          200: Type.Object({
            topic: TopicSchema,
            proposed: Type.Object({ definition: TopicDefinitionSchema, definitionSource: DefinitionSourceSchema }),
            check: Type.Optional(QueryCheckSchema),
            matches: MatchDiffSchema,
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => admin.check(actorOf(request), request.params.slug, request.body),
  );

  app.get(
    '/topics/:slug/performance',
    {
      schema: {
        ...common,
        summary: `Matches per day over the latest ${PERFORMANCE_DAYS} listed days, readers and feedback`,
        params: SlugParams,
        response: {
          200: Type.Object({
            topic: TopicSchema,
            days: Type.Array(
              Type.Object({ date: Type.String(), papersListed: Type.Integer(), papersMatched: Type.Integer() }),
              { description: 'Oldest first.' },
            ),
            readers: Type.Object({
              active: Type.Integer({ description: 'Active readers who chose it: they get its matches.' }),
              total: Type.Integer({ description: 'Readers who chose it, whatever their status.' }),
            }),
            feedback: Type.Object({
              more: Type.Integer({ description: '"More like this" votes on papers it matched.' }),
              less: Type.Integer({ description: '"Not for me" votes.' }),
            }),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => admin.performance(request.params.slug),
  );

  app.post(
    '/topics/:slug/retire',
    {
      schema: {
        ...common,
        summary: 'Retire a topic: no longer offered, and removed from readers (their other interests stay)',
        params: SlugParams,
        response: {
          200: Type.Object({
            topic: TopicSchema,
            alreadyRetired: Type.Boolean(),
            readersAffected: Type.Integer(),
            readersLeftWithoutInterests: Type.Integer(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => admin.retire(actorOf(request), request.params.slug),
  );
};
