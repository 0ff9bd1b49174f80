// Managing the topic catalog: create, rename, change the query, retire. A topic's query is Postgres websearch
// syntax; it is checked by Postgres itself, since that is what will run it against the papers every day.
import type { Prisma, PrismaClient } from '../db/client.js';
import { errors } from '../errors.js';
import { type Actor, runAudited } from './audit.js';

export interface AdminTopicView {
  id: number;
  slug: string;
  name: string;
  description: string;
  query: string;
  retiredAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Readers who chose it, whatever their status. */
  readers: number;
}

export interface QueryCheck {
  /** How Postgres reads the query (`websearch_to_tsquery('english', query)`). */
  tsquery: string;
  /** Papers in the database it matches today: a quick sense of whether it is too broad or too narrow. */
  matchingPapers: number;
}

export interface TopicInput {
  slug: string;
  name: string;
  description?: string;
  query: string;
}

export interface TopicChanges {
  name?: string;
  description?: string;
  query?: string;
}

export interface RetireResult {
  topic: AdminTopicView;
  alreadyRetired: boolean;
  /** Readers who had chosen the topic; it is gone from their selection, their other interests stay. */
  readersAffected: number;
  /** Of those, readers left with no topic and no keyword: they will get no matches until they choose again. */
  readersLeftWithoutInterests: number;
}

export interface TopicAdmin {
  list(): Promise<AdminTopicView[]>;
  create(actor: Actor, input: TopicInput): Promise<{ topic: AdminTopicView; check: QueryCheck }>;
  update(actor: Actor, slug: string, changes: TopicChanges): Promise<{ topic: AdminTopicView; check?: QueryCheck }>;
  retire(actor: Actor, slug: string): Promise<RetireResult>;
  /** How Postgres reads a query and how many stored papers it matches now, changing nothing. */
  check(query: string): Promise<QueryCheck>;
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const topicSelect = {
  id: true,
  slug: true,
  name: true,
  description: true,
  query: true,
  retiredAt: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { subscribers: true } },
} satisfies Prisma.TopicSelect;

type TopicRow = Prisma.TopicGetPayload<{ select: typeof topicSelect }>;

function toView(t: TopicRow): AdminTopicView {
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    description: t.description,
    query: t.query,
    retiredAt: t.retiredAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    readers: t._count.subscribers,
  };
}

/**
 * Asks Postgres how it reads `query`. A query that reads as empty (only stop words, only punctuation) would match
 * no paper ever, silently: it is refused with a 400 that says so.
 */
export async function checkTopicQuery(db: PrismaClient | Prisma.TransactionClient, query: string): Promise<QueryCheck> {
  const text = query.trim();
  if (text === '') throw errors.badRequest('The query is empty.');
  const [row] = await db.$queryRaw<{ tsquery: string; matching: number }[]>`
    SELECT q::text AS tsquery, (SELECT count(*)::int FROM papers WHERE search @@ q) AS matching
    FROM websearch_to_tsquery('english', ${text}) AS q`;
  if (!row || row.tsquery.trim() === '') {
    throw errors.badRequest(
      `The query "${text}" has nothing Postgres can search for (only stop words or punctuation?): it would never match a paper.`,
    );
  }
  return { tsquery: row.tsquery, matchingPapers: row.matching };
}

export function createTopicAdmin(prisma: PrismaClient): TopicAdmin {
  async function findOrThrow(tx: Prisma.TransactionClient, slug: string): Promise<TopicRow> {
    const topic = await tx.topic.findUnique({ where: { slug }, select: topicSelect });
    if (!topic) throw errors.notFound(`There is no topic "${slug}".`);
    return topic;
  }

  return {
    check: (query) => checkTopicQuery(prisma, query),

    async list() {
      // Offered topics first, by name; retired ones after them.
      const rows = await prisma.topic.findMany({ select: topicSelect, orderBy: { name: 'asc' } });
      return rows.map(toView).sort((a, b) => Number(a.retiredAt !== null) - Number(b.retiredAt !== null));
    },

    create(actor, input) {
      const params = { ...input, description: input.description ?? '' };
      return runAudited(prisma, { actor, action: 'topic.create', params }, async (tx) => {
        const slug = input.slug.trim();
        if (!SLUG.test(slug) || slug.length > 60) {
          throw errors.badRequest('A slug is 1 to 60 lower-case letters and digits in words joined by single hyphens.');
        }
        const name = input.name.trim();
        if (name === '') throw errors.badRequest('The name is empty.');
        const check = await checkTopicQuery(tx, input.query);
        if (await tx.topic.findUnique({ where: { slug }, select: { id: true } })) {
          throw errors.conflict(`There is already a topic "${slug}" (retired topics keep their slug).`);
        }
        const created = await tx.topic.create({
          data: { slug, name, description: params.description.trim(), query: input.query.trim() },
          select: topicSelect,
        });
        const topic = toView(created);
        return { value: { topic, check }, result: { id: topic.id, ...check } };
      });
    },

    update(actor, slug, changes) {
      return runAudited(prisma, { actor, action: 'topic.update', params: { slug, ...changes } }, async (tx) => {
        const before = await findOrThrow(tx, slug);
        const data: Prisma.TopicUpdateInput = {};
        if (changes.name !== undefined) {
          if (changes.name.trim() === '') throw errors.badRequest('The name is empty.');
          data.name = changes.name.trim();
        }
        if (changes.description !== undefined) data.description = changes.description.trim();
        let check: QueryCheck | undefined;
        if (changes.query !== undefined) {
          check = await checkTopicQuery(tx, changes.query);
          data.query = changes.query.trim();
        }
        if (Object.keys(data).length === 0) {
          throw errors.badRequest('Nothing to change: give a name, a description or a query.');
        }
        const topic = toView(await tx.topic.update({ where: { id: before.id }, data, select: topicSelect }));
        const was = { name: before.name, description: before.description, query: before.query };
        return {
          value: check ? { topic, check } : { topic },
          result: { id: topic.id, before: was, ...(check ? { check } : {}) },
        };
      });
    },

    retire(actor, slug) {
      return runAudited(prisma, { actor, action: 'topic.retire', params: { slug } }, async (tx) => {
        const topic = await findOrThrow(tx, slug);
        if (topic.retiredAt) {
          const value = {
            topic: toView(topic),
            alreadyRetired: true,
            readersAffected: 0,
            readersLeftWithoutInterests: 0,
          };
          return { value, result: { id: topic.id, alreadyRetired: true } };
        }
        const links = await tx.subscriberTopic.findMany({
          where: { topicId: topic.id },
          select: { subscriberId: true },
        });
        const readerIds = links.map((l) => l.subscriberId);
        await tx.subscriberTopic.deleteMany({ where: { topicId: topic.id } });
        const retired = await tx.topic.update({
          where: { id: topic.id },
          data: { retiredAt: new Date() },
          select: topicSelect,
        });
        const bare = await tx.subscriber.count({
          where: { id: { in: readerIds }, topics: { none: {} }, keywords: { isEmpty: true } },
        });
        const value = {
          topic: toView(retired),
          alreadyRetired: false,
          readersAffected: readerIds.length,
          readersLeftWithoutInterests: bare,
        };
        // The ids let an operator put the topic back by hand if retiring it was a mistake.
        return { value, result: { id: topic.id, readerIds, readersLeftWithoutInterests: bare } };
      });
    },
  };
}
