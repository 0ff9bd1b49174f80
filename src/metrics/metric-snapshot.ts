// What /metrics reads from the database at scrape time: numbers every instance must agree on (deliveries by status,
// readers, runs) come from the tables, not from counters in one process. One round of queries per scrape.
import type { PrismaClient } from '../db/client.js';

export interface MetricSnapshot {
  deliveries: Record<string, number>;
  /** Deliveries due now and not held by a sender: what the next sender pass would claim. */
  waiting: number;
  /** How long the oldest of them has been due, in seconds (0 when none). */
  oldestWaitingSeconds: number;
  readers: Record<string, number>;
  /** Sign-ups, confirmations and unsubscribes in the last 24 hours. */
  readerEvents: { signups: number; confirmations: number; unsubscribes: number };
  runs: { status: string; trigger: string; n: number }[];
  /** Durations of finished runs, in seconds. */
  runDurations: { seconds: number }[];
}

export async function loadMetricSnapshot(prisma: PrismaClient): Promise<MetricSnapshot> {
  const [deliveries, waiting, readers, events, runs, durations] = await Promise.all([
    prisma.$queryRaw<{ status: string; n: number }[]>`
      SELECT status::text AS status, count(*)::int AS n FROM deliveries GROUP BY status`,
    prisma.$queryRaw<{ n: number; oldest: number | null }[]>`
      SELECT count(*)::int AS n, extract(epoch FROM now() - min(next_attempt_at))::float8 AS oldest
      FROM deliveries WHERE status IN ('pending', 'sending') AND next_attempt_at <= now()`,
    prisma.$queryRaw<{ status: string; n: number }[]>`
      SELECT status::text AS status, count(*)::int AS n FROM subscribers GROUP BY status`,
    prisma.$queryRaw<{ signups: number; confirmations: number; unsubscribes: number }[]>`
      SELECT count(*) FILTER (WHERE created_at > now() - interval '1 day')::int AS signups,
             count(*) FILTER (WHERE confirmed_at > now() - interval '1 day')::int AS confirmations,
             count(*) FILTER (WHERE unsubscribed_at > now() - interval '1 day')::int AS unsubscribes
      FROM subscribers`,
    prisma.$queryRaw<{ status: string; trigger: string; n: number }[]>`
      SELECT status, trigger, count(*)::int AS n FROM runs GROUP BY status, trigger`,
    prisma.$queryRaw<{ seconds: number }[]>`
      SELECT extract(epoch FROM finished_at - started_at)::float8 AS seconds
      FROM runs WHERE finished_at IS NOT NULL`,
  ]);
  return {
    deliveries: Object.fromEntries(deliveries.map((r) => [r.status, r.n])),
    waiting: waiting[0]?.n ?? 0,
    oldestWaitingSeconds: Math.max(0, waiting[0]?.oldest ?? 0),
    readers: Object.fromEntries(readers.map((r) => [r.status, r.n])),
    readerEvents: events[0] ?? { signups: 0, confirmations: 0, unsubscribes: 0 },
    runs,
    runDurations: durations,
  };
}
