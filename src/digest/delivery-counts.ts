import type { PrismaClient } from '../db/client.js';

/** Deliveries by status, and in all: what every view of a digest's progress shows. */
export interface StatusTally {
  pending: number;
  sending: number;
  sent: number;
  failed: number;
  skipped: number;
  total: number;
}

export interface DeliveryCounts extends StatusTally {
  /** When the earliest unfinished delivery is due (a retry, or a lapsed claim); undefined when none is left. */
  nextDueAt: Date | undefined;
  /** Pending deliveries whose reader's hour has not come yet (counted in `pending` too). */
  scheduled: number;
}

/** Deliveries of one digest, or of several together (a day's and a week's issue), by status (resends included). */
export async function countDeliveries(prisma: PrismaClient, digestIds: number | number[]): Promise<DeliveryCounts> {
  const ids = Array.isArray(digestIds) ? digestIds : [digestIds];
  const rows = await prisma.$queryRaw<{ status: string; n: number; due: Date | null; later: number }[]>`
    SELECT status::text AS status, count(*)::int AS n, min(next_attempt_at) AS due,
           (count(*) FILTER (WHERE due_at > now()))::int AS later
    FROM deliveries WHERE digest_id = ANY(${ids}::int[]) GROUP BY status`;
  const counts: DeliveryCounts = {
    pending: 0,
    sending: 0,
    sent: 0,
    failed: 0,
    skipped: 0,
    total: 0,
    nextDueAt: undefined,
    scheduled: 0,
  };
  for (const row of rows) {
    if (row.status in counts) (counts as unknown as Record<string, number>)[row.status] = row.n;
    counts.total += row.n;
    if (row.status === 'pending') counts.scheduled = row.later;
    if ((row.status === 'pending' || row.status === 'sending') && row.due) {
      if (!counts.nextDueAt || row.due < counts.nextDueAt) counts.nextDueAt = row.due;
    }
  }
  return counts;
}
