// Finding readers for the admin: the filters the list and the CSV export share, and the view of one reader.
import type { Prisma, PrismaClient } from '../db/client.js';
import { errors } from '../errors.js';
import type { SubscriberStatus } from '../generated/prisma/enums.js';
import type { StoredDeliverySettings } from '../subscriptions/delivery-settings.js';

export interface SubscriberFilter {
  status?: SubscriberStatus;
  /** A topic slug: readers who chose it. */
  topic?: string;
  /** Part of the address, any case. */
  email?: string;
}

export interface SubscriberView {
  id: number;
  email: string;
  status: SubscriberStatus;
  /** Slugs of the chosen topics, alphabetical. */
  topics: string[];
  keywords: string[];
  maxPapers: number;
  topWhenNoMatch: boolean;
  createdAt: string;
  confirmedAt: string | null;
  unsubscribedAt: string | null;
  erasedAt: string | null;
  /** The delivery settings as stored (a null time zone and hour: the operator's). */
  delivery: StoredDeliverySettings;
}

export const subscriberViewSelect = {
  id: true,
  email: true,
  status: true,
  keywords: true,
  maxPapers: true,
  topWhenNoMatch: true,
  createdAt: true,
  confirmedAt: true,
  unsubscribedAt: true,
  erasedAt: true,
  cadence: true,
  weekday: true,
  timezone: true,
  hour: true,
  channel: true,
  excludeKeywords: true,
  authors: true,
  topics: { select: { topic: { select: { slug: true } } } },
} satisfies Prisma.SubscriberSelect;

type SubscriberRow = Prisma.SubscriberGetPayload<{ select: typeof subscriberViewSelect }>;

export function toSubscriberView(row: SubscriberRow): SubscriberView {
  return {
    id: row.id,
    email: row.email,
    status: row.status,
    topics: row.topics.map((t) => t.topic.slug).sort(),
    keywords: row.keywords,
    maxPapers: row.maxPapers,
    topWhenNoMatch: row.topWhenNoMatch,
    createdAt: row.createdAt.toISOString(),
    confirmedAt: row.confirmedAt?.toISOString() ?? null,
    unsubscribedAt: row.unsubscribedAt?.toISOString() ?? null,
    erasedAt: row.erasedAt?.toISOString() ?? null,
    delivery: {
      cadence: row.cadence,
      weekday: row.weekday,
      timezone: row.timezone,
      hour: row.hour,
      channel: row.channel,
      excludeKeywords: row.excludeKeywords,
      authors: row.authors,
    },
  };
}

/** The Prisma filter for `filter`; an unknown topic is a 400, not an empty page that looks like "nobody". */
export async function subscriberWhere(
  prisma: PrismaClient | Prisma.TransactionClient,
  filter: SubscriberFilter,
): Promise<Prisma.SubscriberWhereInput> {
  const where: Prisma.SubscriberWhereInput = {};
  if (filter.status) where.status = filter.status;
  if (filter.topic) {
    const topic = await prisma.topic.findUnique({ where: { slug: filter.topic }, select: { id: true } });
    if (!topic) throw errors.unknownTopic(`There is no topic "${filter.topic}".`);
    where.topics = { some: { topicId: topic.id } };
  }
  if (filter.email) {
    // Prisma's `contains` is a LIKE that passes % and _ through as wildcards, and both may appear in addresses.
    where.emailKey = { contains: escapeLike(filter.email.trim().toLowerCase()) };
  }
  return where;
}

/** One page of readers, oldest first, with how many match in all. */
export async function listSubscribers(
  prisma: PrismaClient,
  filter: SubscriberFilter,
  page: { limit: number; offset: number },
): Promise<{ total: number; subscribers: SubscriberView[] }> {
  const where = await subscriberWhere(prisma, filter);
  const [total, rows] = await Promise.all([
    prisma.subscriber.count({ where }),
    prisma.subscriber.findMany({
      where,
      select: subscriberViewSelect,
      orderBy: { id: 'asc' },
      take: page.limit,
      skip: page.offset,
    }),
  ]);
  return { total, subscribers: rows.map(toSubscriberView) };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
