// A reader's preferences: topics, own keywords, papers per digest, and what to send on a day nothing matches.
// Changes apply to the next digest (matching reads them when it runs).
import type { PrismaClient } from '../db/client.js';
import { errors } from '../errors.js';
import type { Links } from '../links.js';
import type { TopicService } from '../topics/topic-service.js';
import {
  type DeliverySettings,
  type DeliverySettingsInput,
  parseSettingsChange,
  type SettingsDefaults,
} from './delivery-settings.js';
import { findReaderByToken, unknownLink } from './find-reader.js';
import { normalizeKeywords } from './keywords.js';
import type { ReaderStatus } from './reader-status.js';
import { newToken } from './tokens.js';

export const MIN_PAPERS = 1;
export const MAX_PAPERS = 30;

export interface ReaderPreferences extends DeliverySettings {
  email: string;
  status: ReaderStatus;
  /** Whether the address was ever confirmed (only then can an unsubscribed reader come back without a new sign-up). */
  confirmed: boolean;
  /** Slugs of the chosen topics, in name order. */
  topics: string[];
  keywords: string[];
  maxPapers: number;
  topWhenNoMatch: boolean;
  /** The reader's personal Atom feed (its own token, which grants nothing else). */
  feedUrl: string;
}

/** What reading preferences needs besides the database: the operator's defaults and the feed link. */
export interface PreferencesView {
  defaults: SettingsDefaults;
  links: Pick<Links, 'feed'>;
}

/** A change of preferences: what is left out stays as it is. */
export interface PreferencesChange extends DeliverySettingsInput {
  topics?: readonly string[];
  keywords?: readonly unknown[];
  maxPapers?: unknown;
  topWhenNoMatch?: boolean;
}

export async function getPreferences(
  prisma: PrismaClient,
  view: PreferencesView,
  token: unknown,
): Promise<ReaderPreferences> {
  const reader = await findReaderByToken(prisma, token);
  return readPreferences(prisma, view, reader.id);
}

/**
 * Validates and applies a change in one transaction; a 400 says what is wrong and nothing is changed then. The write
 * names the token and `erased_at IS NULL` (preferences may change in any status) and takes the row lock: an erase that committed first leaves nothing for
 * it to match (404, nothing written back), and one that comes later waits for it and then clears everything.
 */
export async function updatePreferences(
  deps: { prisma: PrismaClient; topics: TopicService; view: PreferencesView },
  token: unknown,
  change: PreferencesChange,
): Promise<ReaderPreferences> {
  const { prisma, topics } = deps;
  // An unknown link is a 404 whatever the change holds; the write below checks the token again itself.
  await findReaderByToken(prisma, token);
  const keywords = change.keywords === undefined ? undefined : normalizeKeywords(change.keywords);
  const maxPapers = change.maxPapers === undefined ? undefined : parseMaxPapers(change.maxPapers);
  const chosen = change.topics === undefined ? undefined : await topics.resolveSlugs(change.topics);
  const settings = parseSettingsChange(change);

  const id = await prisma.$transaction(async (tx) => {
    const [reader] = await tx.subscriber.updateManyAndReturn({
      where: { token: token as string, erasedAt: null },
      data: {
        ...(keywords !== undefined ? { keywords } : {}),
        ...(maxPapers !== undefined ? { maxPapers } : {}),
        ...(change.topWhenNoMatch !== undefined ? { topWhenNoMatch: change.topWhenNoMatch } : {}),
        ...settings,
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
  return readPreferences(prisma, deps.view, id);
}

/** A new feed token, in one statement on the reader's row; the old token matches nobody afterwards. */
export async function replaceFeedToken(
  prisma: PrismaClient,
  view: PreferencesView,
  token: unknown,
): Promise<ReaderPreferences> {
  // One conditional statement, like every token-authorised write: an erase in between leaves nothing to match.
  const [reader] = await prisma.subscriber.updateManyAndReturn({
    where: { token: typeof token === 'string' ? token : '', erasedAt: null },
    data: { feedToken: newToken(), updatedAt: new Date() },
    select: { id: true },
  });
  if (!reader) throw unknownLink();
  return readPreferences(prisma, view, reader.id);
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

async function readPreferences(prisma: PrismaClient, view: PreferencesView, id: number): Promise<ReaderPreferences> {
  const reader = await prisma.subscriber.findUniqueOrThrow({
    where: { id },
    select: {
      email: true,
      status: true,
      confirmedAt: true,
      keywords: true,
      maxPapers: true,
      topWhenNoMatch: true,
      cadence: true,
      weekday: true,
      timezone: true,
      hour: true,
      channel: true,
      excludeKeywords: true,
      authors: true,
      feedToken: true,
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
    cadence: reader.cadence,
    weekday: reader.weekday,
    timezone: reader.timezone ?? view.defaults.timezone,
    hour: reader.hour ?? view.defaults.hour,
    channel: reader.channel,
    excludeKeywords: reader.excludeKeywords,
    authors: reader.authors,
    feedUrl: view.links.feed(reader.feedToken),
  };
}
