// Readers' "More like this" / "Not for me" votes on a topic's papers, all time. Votes store the interest keys a
// paper matched for the reader, so a renamed topic keeps its counts.
import type { PrismaClient } from '../db/client.js';

export interface FeedbackCounts {
  more: number;
  less: number;
}

/** Votes that name `interestKey` (`topic:<id>`). */
export async function countFeedback(prisma: PrismaClient, interestKey: string): Promise<FeedbackCounts> {
  const rows = await prisma.feedback.groupBy({
    by: ['vote'],
    where: { interestKeys: { has: interestKey } },
    _count: { _all: true },
  });
  const count = (vote: 'more' | 'less') => rows.find((r) => r.vote === vote)?._count._all ?? 0;
  return { more: count('more'), less: count('less') };
}
