// Loading readers' feedback as the profiles that re-rank their matches. The daily run, the dry run and the admin
// preview all load it here, so they give one reader the same papers on the same day.
import type { PrismaClient } from '../db/client.js';
import { buildReaderProfile, type FeedbackPaper, type ReaderProfile } from '../relevance/rerank-for-reader.js';

/** Per reader among `subscriberIds` with any feedback, their profile. */
export async function loadReaderProfiles(
  prisma: PrismaClient,
  subscriberIds: readonly number[],
): Promise<Map<number, ReaderProfile>> {
  if (subscriberIds.length === 0) return new Map();
  const rows = await prisma.$queryRaw<(FeedbackPaper & { subscriberId: number })[]>`
    SELECT f.subscriber_id AS "subscriberId", f.vote::text AS vote, f.interest_keys AS "interestKeys",
           p.title, p.abstract
    FROM feedback f JOIN papers p ON p.id = f.paper_id
    WHERE f.subscriber_id = ANY(${[...subscriberIds]}::int[])
    ORDER BY f.subscriber_id, f.id`;
  const bySubscriber = new Map<number, FeedbackPaper[]>();
  for (const { subscriberId, ...paper } of rows) {
    const list = bySubscriber.get(subscriberId);
    if (list) list.push(paper);
    else bySubscriber.set(subscriberId, [paper]);
  }
  const out = new Map<number, ReaderProfile>();
  for (const [id, papers] of bySubscriber) out.set(id, buildReaderProfile(papers)!);
  return out;
}
