// What the dashboard's overview charts: the last days, one row per day, from the tables as they are now. Read-only.
import { daysBetween, formatDay, parseDay } from '../dates.js';
import type { PrismaClient } from '../db/client.js';

export interface DayStats {
  day: string;
  /** Deliveries of that day's digest (originals and resends) by their status now. */
  sent: number;
  failed: number;
  /** Readers whose address bounced that day (their bounced_at). */
  bounced: number;
  /**
   * Readers active at the end of the day, rebuilt from timestamps: confirmed by then, not unsubscribed or bounced by
   * then. A pause has no date of its own, so paused readers count as active here.
   */
  active: number;
  signups: number;
  confirmations: number;
  unsubscribes: number;
}

/** `days` days ending with `lastDay` (YYYY-MM-DD, UTC days), oldest first; days with nothing are zeros. */
export async function loadDailyStats(prisma: PrismaClient, lastDay: string, days = 30): Promise<DayStats[]> {
  const end = parseDay(lastDay);
  const first = formatDay(new Date(end.getTime() - (days - 1) * 86_400_000));
  const [deliveries, readerEvents, active] = await Promise.all([
    // Through the digests of the window: the (digest_id, status) index counts each day without a scan.
    prisma.$queryRaw<{ day: string; sent: number; failed: number }[]>`
      SELECT to_char(g.date, 'YYYY-MM-DD') AS day,
             count(*) FILTER (WHERE d.status = 'sent')::int AS sent,
             count(*) FILTER (WHERE d.status = 'failed')::int AS failed
      FROM digests g JOIN deliveries d ON d.digest_id = g.id
      WHERE g.date BETWEEN ${first}::date AND ${lastDay}::date
      GROUP BY g.date`,
    prisma.$queryRaw<{ day: string; event: string; n: number }[]>`
      SELECT to_char(at::date, 'YYYY-MM-DD') AS day, event, count(*)::int AS n FROM (
        SELECT created_at AS at, 'signups' AS event FROM subscribers
        UNION ALL SELECT confirmed_at, 'confirmations' FROM subscribers WHERE confirmed_at IS NOT NULL
        UNION ALL SELECT unsubscribed_at, 'unsubscribes' FROM subscribers WHERE unsubscribed_at IS NOT NULL
        UNION ALL SELECT bounced_at, 'bounced' FROM subscribers WHERE bounced_at IS NOT NULL
      ) e
      WHERE at >= ${first}::date AND at < ${lastDay}::date + 1
      GROUP BY 1, 2`,
    prisma.$queryRaw<{ day: string; n: number }[]>`
      SELECT to_char(d.day, 'YYYY-MM-DD') AS day, count(s.id)::int AS n
      FROM generate_series(${first}::date, ${lastDay}::date, interval '1 day') AS d(day)
      LEFT JOIN subscribers s ON s.confirmed_at < d.day + interval '1 day'
        AND coalesce(least(s.unsubscribed_at, s.bounced_at), 'infinity') >= d.day + interval '1 day'
      GROUP BY d.day`,
  ]);
  const byDay = new Map<string, DayStats>(
    daysBetween(first, lastDay).map((day) => [
      day,
      { day, sent: 0, failed: 0, bounced: 0, active: 0, signups: 0, confirmations: 0, unsubscribes: 0 },
    ]),
  );
  for (const row of deliveries) Object.assign(byDay.get(row.day) ?? {}, { sent: row.sent, failed: row.failed });
  for (const row of readerEvents) {
    const stats = byDay.get(row.day);
    if (stats) stats[row.event as 'signups' | 'confirmations' | 'unsubscribes' | 'bounced'] = row.n;
  }
  for (const row of active) {
    const stats = byDay.get(row.day);
    if (stats) stats.active = row.n;
  }
  return [...byDay.values()];
}

/** Readers by status now. */
export async function countReadersByStatus(prisma: PrismaClient): Promise<Record<string, number>> {
  const rows = await prisma.subscriber.groupBy({ by: ['status'], _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
}
