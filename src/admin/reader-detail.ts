// One reader as the dashboard shows them: the admin view of the reader, their deliveries and their feedback
// ("More like this" / "Not for me" on papers of their digests), newest first.
import type { PrismaClient } from '../db/client.js';
import { errors } from '../errors.js';
import { type SubscriberView, subscriberViewSelect, toSubscriberView } from './find-subscribers.js';

export interface ReaderDelivery {
  id: number;
  date: string;
  resendOf: number | null;
  status: string;
  attempts: number;
  papers: number;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
}

export interface ReaderVote {
  paperId: string;
  title: string;
  vote: 'more' | 'less';
  /** When the reader last voted on the paper (the latest vote wins). */
  at: string;
}

export interface ReaderDetail {
  reader: SubscriberView & { bouncedAt: string | null };
  deliveries: ReaderDelivery[];
  /** Deliveries in all (the list holds the newest DELIVERY_LIMIT). */
  totalDeliveries: number;
  /** The newest DELIVERY_LIMIT votes. */
  feedback: ReaderVote[];
}

const DELIVERY_LIMIT = 100;

export async function findReaderDetail(prisma: PrismaClient, id: number): Promise<ReaderDetail> {
  const row = await prisma.subscriber.findUnique({
    where: { id },
    select: { ...subscriberViewSelect, bouncedAt: true },
  });
  if (!row) throw errors.notFound(`There is no reader ${id}.`);
  const [totalDeliveries, deliveries, votes] = await Promise.all([
    prisma.delivery.count({ where: { subscriberId: id } }),
    prisma.delivery.findMany({
      where: { subscriberId: id },
      orderBy: { id: 'desc' },
      take: DELIVERY_LIMIT,
      select: {
        id: true,
        resendOfId: true,
        status: true,
        attempts: true,
        lastError: true,
        sentAt: true,
        createdAt: true,
        digest: { select: { date: true } },
        selection: { select: { paperIds: true } },
      },
    }),
    prisma.feedback.findMany({
      where: { subscriberId: id },
      orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
      take: DELIVERY_LIMIT,
      select: { paperId: true, vote: true, updatedAt: true, paper: { select: { title: true } } },
    }),
  ]);
  return {
    reader: { ...toSubscriberView(row), bouncedAt: row.bouncedAt?.toISOString() ?? null },
    totalDeliveries,
    feedback: votes.map((v) => ({
      paperId: v.paperId,
      title: v.paper.title,
      vote: v.vote,
      at: v.updatedAt.toISOString(),
    })),
    deliveries: deliveries.map((d) => ({
      id: d.id,
      date: d.digest.date.toISOString().slice(0, 10),
      resendOf: d.resendOfId,
      status: d.status,
      attempts: d.attempts,
      papers: d.selection.paperIds.length,
      lastError: d.lastError,
      sentAt: d.sentAt?.toISOString() ?? null,
      createdAt: d.createdAt.toISOString(),
    })),
  };
}
