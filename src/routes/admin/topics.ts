// The topic catalog, for the admin: list (retired ones too), create, rename or change the query, retire.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Services } from '../../services.js';
import { PlainLines, PlainText } from '../plain-text-schema.js';
import { actorOf, adminSecurity, ErrorSchema, errorResponses, Nullable, STRICT } from './common.js';

const TopicSchema = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  query: Type.String(),
  retiredAt: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  readers: Type.Integer({ description: 'Readers who chose it.' }),
});

const QueryCheckSchema = Type.Object({
  tsquery: Type.String({ description: "How Postgres reads the query: websearch_to_tsquery('english', query)." }),
  matchingPapers: Type.Integer({ description: 'Papers in the database it matches now.' }),
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
        summary: "Rename a topic, or change its description or query (the slug stays: it is in readers' links)",
        params: SlugParams,
        body: Type.Object(
          { name: Type.Optional(Name), description: Type.Optional(Description), query: Type.Optional(Query) },
          STRICT,
        ),
        response: {
          200: Type.Object({ topic: TopicSchema, check: Type.Optional(QueryCheckSchema) }),
          ...errorResponses,
        },
      },
    },
    async (request) => admin.update(actorOf(request), request.params.slug, request.body),
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
