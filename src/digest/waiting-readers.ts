// The reads preparation makes per batch of readers: the active readers still waiting for their issue of the day (in
// windows of ids, so each read costs the same at any offset), and the papers other issues already carried to them.
import { Prisma, type PrismaClient } from '../db/client.js';
import type { Cadence, Channel } from '../subscriptions/delivery-settings.js';

export interface ReaderRow {
  id: number;
  email: string;
  keywords: string[];
  maxPapers: number;
  topWhenNoMatch: boolean;
  topicIds: number[];
  cadence: Cadence;
  weekday: number;
  timezone: string | null;
  hour: number | null;
  channel: Channel;
  excludeKeywords: string[];
  authors: string[];
}

/**
 * Active readers (of `only`, when given) without a selection yet in the issue of the day their cadence calls for
 * (the day's, or the week's), with their topics and keywords.
 */
export async function* waitingReaderBatches(
  prisma: PrismaClient,
  day: string,
  only: number[] | undefined,
  size: number,
): AsyncGenerator<ReaderRow[]> {
  // A few named readers (a first digest at once): one statement.
  if (only) {
    const rows = await loadWaitingReaders(prisma, day, only, { after: 0, upTo: 2 ** 31 - 1 });
    if (rows.length > 0) yield rows;
    return;
  }
  // Windows of `size` ids, not "the next `size` waiting readers": a window costs the same at any offset, whatever
  // the planner knows of the table. Readers who sign up meanwhile wait for the next preparation.
  const [row] = await prisma.$queryRaw<{ last: number }[]>`
    SELECT coalesce(max(id), 0)::int AS last FROM subscribers`;
  const last = row?.last ?? 0;
  for (let after = 0; after < last; after += size) {
    const rows = await loadWaitingReaders(prisma, day, undefined, { after, upTo: after + size });
    if (rows.length > 0) yield rows;
  }
}

/** Readers still waiting for their issue of the day (the day's, or the week's): no selection in it yet. */
function waitingFor(day: string) {
  // By (digest_id, subscriber_id), the unique index: one probe per reader, however long their history.
  return Prisma.sql`NOT EXISTS (
        SELECT 1 FROM selections x
        WHERE x.subscriber_id = s.id
          AND x.digest_id = (
            SELECT g.id FROM digests g
            WHERE g.date = ${day}::date
              AND g.kind = (CASE WHEN s.cadence = 'weekly' THEN 'week' ELSE 'day' END)::digest_kind))`;
}

/** The waiting readers with ids in (after, upTo], in id order. */
function loadWaitingReaders(
  prisma: PrismaClient,
  day: string,
  only: number[] | undefined,
  { after, upTo }: { after: number; upTo: number },
): Promise<ReaderRow[]> {
  const filter = only ? Prisma.sql`AND s.id = ANY(${only}::int[])` : Prisma.empty;
  // Topics per reader by a subquery on the window's rows: a join grouped before a LIMIT made every batch aggregate
  // all the readers after it (quadratic in readers).
  return prisma.$queryRaw<ReaderRow[]>`
    WITH batch AS (
      SELECT s.* FROM subscribers s
      WHERE s.status = 'active' AND s.id > ${after} AND s.id <= ${upTo} ${filter} AND ${waitingFor(day)}
    )
    SELECT s.id, s.email, s.keywords, s.max_papers AS "maxPapers", s.top_when_no_match AS "topWhenNoMatch",
           s.cadence::text AS cadence, s.weekday, s.timezone, s.hour, s.channel::text AS channel,
           s.exclude_keywords AS "excludeKeywords", s.authors,
           coalesce((SELECT array_agg(st.topic_id ORDER BY st.topic_id) FROM subscriber_topics st
                     WHERE st.subscriber_id = s.id), '{}') AS "topicIds"
    FROM batch s
    ORDER BY s.id`;
}

/**
 * Per reader of a batch (ids in ascending order), the papers an other issue already carried to them: by email
 * (sent, or still on its way) or in the feed of a feed-only reader. A selection that failed to reach the reader by
 * email does not count, so its papers may come again. Only issues whose period holds a day on which these papers
 * were listed need looking at: a handful, however long the history.
 */
export async function loadAlreadySent(
  prisma: PrismaClient,
  paperIds: string[],
  readers: number[],
): Promise<Map<number, Set<string>>> {
  const rows = await prisma.$queryRaw<{ subscriberId: number; paperIds: string[] }[]>`
    SELECT x.subscriber_id AS "subscriberId",
           array(SELECT unnest(x.paper_ids) INTERSECT SELECT unnest(${paperIds}::text[])) AS "paperIds"
    FROM selections x
    WHERE x.digest_id IN (
        SELECT g.id FROM digests g
        JOIN (SELECT DISTINCT l.date FROM listings l WHERE l.paper_id = ANY(${paperIds}::text[])) l
          ON l.date BETWEEN g.period_start AND g.period_end)
      -- The batch's id range, not = ANY(ids): a range scan of the (digest_id, subscriber_id) index, where = ANY
      -- compared every selection of the issue with every id of the batch (185 ms a batch at 30,000 readers).
      AND x.subscriber_id BETWEEN ${readers[0] ?? 0} AND ${readers.at(-1) ?? 0}
      AND x.paper_ids && ${paperIds}::text[]
      AND (NOT x.by_email OR EXISTS (
        SELECT 1 FROM deliveries d WHERE d.selection_id = x.id AND d.status IN ('pending', 'sending', 'sent')))`;
  const out = new Map<number, Set<string>>();
  for (const row of rows) {
    const set = out.get(row.subscriberId) ?? new Set<string>();
    for (const id of row.paperIds) set.add(id);
    out.set(row.subscriberId, set);
  }
  return out;
}
