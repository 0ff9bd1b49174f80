// A reader's preferences: topics, own keywords, papers per digest, and what to send on a day nothing matches.
// Changes apply to the next digest (matching reads them when it runs).
import type { PrismaClient } from '../db/client.js';
import { errors } from '../errors.js';
import type { TopicService } from '../topics/topic-service.js';
import { findReaderByToken, unknownLink } from './find-reader.js';
import { normalizeKeywords } from './keywords.js';
import type { ReaderStatus } from './reader-status.js';

export const MIN_PAPERS = 1;
export const MAX_PAPERS = 30;

export interface ReaderPreferences {
  email: string;
  status: ReaderStatus;
  /** Whether the address was ever confirmed (only then can an unsubscribed reader come back without a new sign-up). */
  confirmed: boolean;
  /** Slugs of the chosen topics, in name order. */
  topics: string[];
  keywords: string[];
  maxPapers: number;
  topWhenNoMatch: boolean;
}

/** A change of preferences: what is left out stays as it is. */
export interface PreferencesChange {
  topics?: readonly string[];
  keywords?: readonly unknown[];
  maxPapers?: unknown;
  topWhenNoMatch?: boolean;
}

export async function getPreferences(prisma: PrismaClient, token: unknown): Promise<ReaderPreferences> {
  const reader = await findReaderByToken(prisma, token);
  return readPreferences(prisma, reader.id);
}

/**
 * Validates and applies a change in one transaction; a 400 says what is wrong and nothing is changed then. The write
 * names the token and `erased_at IS NULL` (preferences may change in any status) and takes the row lock: an erase that committed first leaves nothing for
 * it to match (404, nothing written back), and one that comes later waits for it and then clears everything.
 */
export async function updatePreferences(
  deps: { prisma: PrismaClient; topics: TopicService },
  token: unknown,
  change: PreferencesChange,
): Promise<ReaderPreferences> {
  const { prisma, topics } = deps;
  // An unknown link is a 404 whatever the change holds; the write below checks the token again itself.
  await findReaderByToken(prisma, token);
  const keywords = change.keywords === undefined ? undefined : normalizeKeywords(change.keywords);
  const maxPapers = change.maxPapers === undefined ? undefined : parseMaxPapers(change.maxPapers);
  const chosen = change.topics === undefined ? undefined : await topics.resolveSlugs(change.topics);

  const id = await prisma.$transaction(async (tx) => {
    const [reader] = await tx.subscriber.updateManyAndReturn({
      where: { token: token as string, erasedAt: null },
      data: {
        ...(keywords !== undefined ? { keywords } : {}),
        ...(maxPapers !== undefined ? { maxPapers } : {}),
        ...(change.topWhenNoMatch !== undefined ? { topWhenNoMatch: change.topWhenNoMatch } : {}),
        updatedAt: new Date(),
      },
      select: { id: true },
    });
    if (!reader) throw unknownLink();
    if (chosen !== undefined) {
      await tx.subscriberTopic.deleteMany({ where: { subscriberId: reader.id } });
      await tx.subscriberTopic.createMany({ data: chosen.map((t) => ({ subscriberId: reader.id, topicId: t.id })) });
    }
    return reader.id;
  });
  return readPreferences(prisma, id);
}

function parseMaxPapers(value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < MIN_PAPERS || n > MAX_PAPERS) {
    throw errors.badRequest(
      `Papers per digest must be a whole number from ${MIN_PAPERS} to ${MAX_PAPERS} (got ${JSON.stringify(value)}).`,
    );
  }
  return n;
}

async function readPreferences(prisma: PrismaClient, id: number): Promise<ReaderPreferences> {
  const reader = await prisma.subscriber.findUniqueOrThrow({
    where: { id },
    select: {
      email: true,
      status: true,
      confirmedAt: true,
      keywords: true,
      maxPapers: true,
      topWhenNoMatch: true,
      topics: { select: { topic: { select: { slug: true, name: true } } } },
    },
  });
  return {
    email: reader.email,
    status: reader.status,
    confirmed: reader.confirmedAt !== null,
    topics: reader.topics
      .map((t) => t.topic)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((t) => t.slug),
    keywords: reader.keywords,
    maxPapers: reader.maxPapers,
    topWhenNoMatch: reader.topWhenNoMatch,
  };
}
