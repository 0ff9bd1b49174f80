// Managing the topic catalog: create, rename, change the query or the definition, check a change before saving
// it, see how a topic performs, retire. A topic's query is Postgres websearch syntax; it is checked by Postgres
// itself, since that is what will run it against the papers every day. Its definition (weighted terms) is what the
// matcher scores papers with; a change of either shows which recent papers would enter and leave its matches.
import { Prisma, type PrismaClient } from '../db/client.js';
import { errors } from '../errors.js';
import type { TopicDefinition } from '../relevance/interest-definition.js';
import type { InterestMatcher } from '../relevance/matcher-service.js';
import {
  type DefinitionSource,
  definitionSource,
  topicDefinition,
  topicInterest,
} from '../relevance/topic-interest.js';
import { type Actor, runAudited } from './audit.js';
import { latestListedDays } from './listed-days.js';
import { checkTopicDefinition } from './topic-definition-input.js';
import { diffTopicMatches, type MatchDiff } from './topic-match-diff.js';
import { measureTopic, type TopicPerformance } from './topic-performance.js';

/** The check and every definition change compare the matches over this many of the latest listed days. */
export const CHECK_DAYS = 7;

export interface AdminTopicView {
  id: number;
  slug: string;
  name: string;
  description: string;
  query: string;
  /** The definition the matcher uses now. */
  definition: TopicDefinition;
  definitionSource: DefinitionSource;
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
  /** Omitted: the catalog's for the slug, else one read from the query. */
  definition?: TopicDefinition;
}

export interface TopicChanges {
  name?: string;
  description?: string;
  query?: string;
  /** Null: back to the catalog's definition (or the query's). */
  definition?: TopicDefinition | null;
}

export type TopicProposal = Pick<TopicChanges, 'query' | 'definition'>;

export interface TopicCheck {
  topic: AdminTopicView;
  proposed: { definition: TopicDefinition; definitionSource: DefinitionSource };
  /** How Postgres reads a proposed query. */
  check?: QueryCheck;
  matches: MatchDiff;
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
  update(
    actor: Actor,
    slug: string,
    changes: TopicChanges,
  ): Promise<{ topic: AdminTopicView; check?: QueryCheck; matches?: MatchDiff }>;
  /** What `proposal` would change in the topic's recent matches; saves nothing. */
  check(actor: Actor, slug: string, proposal: TopicProposal): Promise<TopicCheck>;
  performance(slug: string): Promise<{ topic: AdminTopicView } & TopicPerformance>;
  retire(actor: Actor, slug: string): Promise<RetireResult>;
}

export interface TopicAdminDeps {
  prisma: PrismaClient;
  matcher: InterestMatcher;
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const topicSelect = {
  id: true,
  slug: true,
  name: true,
  description: true,
  query: true,
  definition: true,
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
    definition: topicDefinition(t),
    definitionSource: definitionSource(t),
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

/** The row as it would be with `proposal` applied: what the matcher would then read. */
function proposedRow(row: TopicRow, proposal: TopicProposal): TopicRow {
  return {
    ...row,
    query: proposal.query?.trim() ?? row.query,
    definition: proposal.definition === undefined ? row.definition : proposal.definition,
  };
}

/** For the audit log: which papers the change moved, by id. */
function diffSummary(matches: MatchDiff) {
  return {
    days: matches.days,
    entering: matches.entering.map((m) => [m.date, m.paperId]),
    leaving: matches.leaving.map((m) => [m.date, m.paperId]),
  };
}

/** Null in a Json column is SQL NULL, not the JSON value null: the matcher then falls back to the catalog. */
function definitionData(definition: TopicDefinition | null): Prisma.InputJsonValue | typeof Prisma.DbNull {
  return definition === null ? Prisma.DbNull : (definition as unknown as Prisma.InputJsonValue);
}

export function createTopicAdmin({ prisma, matcher }: TopicAdminDeps): TopicAdmin {
  async function findOrThrow(tx: Prisma.TransactionClient | PrismaClient, slug: string): Promise<TopicRow> {
    const topic = await tx.topic.findUnique({ where: { slug }, select: topicSelect });
    if (!topic) throw errors.notFound(`There is no topic "${slug}".`);
    return topic;
  }

  async function diff(before: TopicRow, after: TopicRow): Promise<MatchDiff> {
    const days = await latestListedDays(prisma, CHECK_DAYS);
    return diffTopicMatches(matcher, days, topicInterest(before), topicInterest(after));
  }

  return {
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
        const definition = input.definition === undefined ? undefined : checkTopicDefinition(input.definition);
        const check = await checkTopicQuery(tx, input.query);
        if (await tx.topic.findUnique({ where: { slug }, select: { id: true } })) {
          throw errors.conflict(`There is already a topic "${slug}" (retired topics keep their slug).`);
        }
        const created = await tx.topic.create({
          data: {
            slug,
            name,
            description: params.description.trim(),
            query: input.query.trim(),
            ...(definition ? { definition: definitionData(definition) } : {}),
          },
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
        if (changes.definition !== undefined) {
          const definition = changes.definition === null ? null : checkTopicDefinition(changes.definition);
          data.definition = definitionData(definition);
        }
        if (Object.keys(data).length === 0) {
          throw errors.badRequest('Nothing to change: give a name, a description, a query or a definition.');
        }
        const after = await tx.topic.update({ where: { id: before.id }, data, select: topicSelect });
        const topic = toView(after);
        const matches =
          changes.query !== undefined || changes.definition !== undefined ? await diff(before, after) : undefined;
        const was = {
          name: before.name,
          description: before.description,
          query: before.query,
          definition: before.definition,
        };
        return {
          value: { topic, ...(check ? { check } : {}), ...(matches ? { matches } : {}) },
          result: {
            id: topic.id,
            before: was,
            ...(check ? { check } : {}),
            ...(matches ? { matches: diffSummary(matches) } : {}),
          },
        };
      });
    },

    check(actor, slug, proposal) {
      return runAudited(prisma, { actor, action: 'topic.check', params: { slug, ...proposal } }, async (tx) => {
        const row = await findOrThrow(tx, slug);
        if (proposal.query === undefined && proposal.definition === undefined) {
          throw errors.badRequest('Nothing to check: give a definition or a query.');
        }
        if (proposal.definition != null) checkTopicDefinition(proposal.definition);
        const check = proposal.query === undefined ? undefined : await checkTopicQuery(tx, proposal.query);
        const proposed = proposedRow(row, proposal);
        const matches = await diff(row, proposed);
        const value: TopicCheck = {
          topic: toView(row),
          proposed: { definition: topicDefinition(proposed), definitionSource: definitionSource(proposed) },
          ...(check ? { check } : {}),
          matches,
        };
        return { value, result: { id: row.id, matches: diffSummary(matches) } };
      });
    },

    async performance(slug) {
      const row = await findOrThrow(prisma, slug);
      return { topic: toView(row), ...(await measureTopic(prisma, matcher, row.id, topicInterest(row))) };
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
