// One reader as the dashboard shows them: the admin view of the reader and their deliveries, newest first.
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

export interface ReaderDetail {
  reader: SubscriberView & { bouncedAt: string | null };
  deliveries: ReaderDelivery[];
  /** Deliveries in all (the list holds the newest DELIVERY_LIMIT). */
  totalDeliveries: number;
}

const DELIVERY_LIMIT = 100;

export async function findReaderDetail(prisma: PrismaClient, id: number): Promise<ReaderDetail> {
  const row = await prisma.subscriber.findUnique({
    where: { id },
    select: { ...subscriberViewSelect, bouncedAt: true },
  });
  if (!row) throw errors.notFound(`There is no reader ${id}.`);
  const [totalDeliveries, deliveries] = await Promise.all([
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
        paperIds: true,
        lastError: true,
        sentAt: true,
        createdAt: true,
        digest: { select: { date: true } },
      },
    }),
  ]);
  return {
    reader: { ...toSubscriberView(row), bouncedAt: row.bouncedAt?.toISOString() ?? null },
    totalDeliveries,
    deliveries: deliveries.map((d) => ({
      id: d.id,
      date: d.digest.date.toISOString().slice(0, 10),
      resendOf: d.resendOfId,
      status: d.status,
      attempts: d.attempts,
      papers: d.paperIds.length,
      lastError: d.lastError,
      sentAt: d.sentAt?.toISOString() ?? null,
      createdAt: d.createdAt.toISOString(),
    })),
  };
}
