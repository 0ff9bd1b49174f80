// "The last N days" for the topic check and performance: the N most recent dates that have listings, counted back
// from the latest listing in the database (not from today), so an install that has not ingested for a while, or
// skips weekends, still looks at N days of papers.
import type { PrismaClient } from '../db/client.js';

/** The `count` latest listing dates, oldest first (fewer when the database has fewer). */
export async function latestListedDays(prisma: PrismaClient, count: number): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ day: string }[]>`
    SELECT to_char(d.date, 'YYYY-MM-DD') AS day
    FROM (SELECT DISTINCT date FROM listings ORDER BY date DESC LIMIT ${count}) AS d
    ORDER BY d.date`;
  return rows.map((r) => r.day);
}
