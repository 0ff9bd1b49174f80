// Digests, selections and deliveries written straight to the database, for tests that need a history without
// running a day.
import type { Prisma, PrismaClient } from '../../src/db/client.js';

/** The day issue of `day` (YYYY-MM-DD or a UTC midnight), created if missing. */
export async function dayDigest(
  prisma: PrismaClient,
  day: string | Date,
  status: 'matching' | 'sending' | 'done' = 'done',
) {
  const date = typeof day === 'string' ? new Date(`${day}T00:00:00Z`) : day;
  return prisma.digest.upsert({
    where: { kind_periodStart: { kind: 'day', periodStart: date } },
    create: { kind: 'day', periodStart: date, periodEnd: date, date, status },
    update: {},
  });
}

export type DeliveryInput = Omit<Prisma.DeliveryUncheckedCreateInput, 'selectionId'> & {
  paperIds: string[];
  matches?: Prisma.InputJsonValue;
};

/** A delivery with the selection it carries (the reader's selection in the digest, made if missing). */
export async function createDelivery(prisma: PrismaClient, input: DeliveryInput) {
  const { paperIds, matches, ...delivery } = input;
  const selection = await prisma.selection.upsert({
    where: { digestId_subscriberId: { digestId: delivery.digestId, subscriberId: delivery.subscriberId } },
    create: { digestId: delivery.digestId, subscriberId: delivery.subscriberId, paperIds, matches: matches ?? {} },
    update: {},
  });
  return prisma.delivery.create({ data: { ...delivery, selectionId: selection.id } });
}
