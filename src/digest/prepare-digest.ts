// Preparing a day's digest: one digests row for the date, and one delivery per active reader who has something to
// read, with the papers and the "why" stored in the row. Everything is written with INSERT … ON CONFLICT DO NOTHING,
// so running it again (after a crash, on a second instance, for readers who confirmed since) only adds what is
// missing, and the sender resumes from the database alone.

import { parseDay } from '../dates.js';
import type { PrismaClient } from '../db/client.js';
import { loadReaderProfiles } from '../feedback/reader-profiles.js';
import type { Interest } from '../relevance/interest-matcher.js';
import { createInterestMatcher, type InterestMatcher } from '../relevance/matcher-service.js';
import { type DayPaper, loadDayPapers } from './day-papers.js';
import { loadTopicInterests, readerInterests } from './reader-interests.js';
import { type DeliveryMatches, type ReaderInterests, selectPapers } from './select-papers.js';

export interface PreparedDelivery {
  subscriberId: number;
  email: string;
  paperIds: string[];
  matches: DeliveryMatches;
}

export interface PrepareReport {
  day: string;
  /** Undefined when nothing is listed that day (no digest is made) or on a dry run of a new day. */
  digestId: number | undefined;
  papers: number;
  /** Active readers who had no delivery for the day yet. */
  readers: number;
  /** Deliveries written now (0 on a dry run). */
  created: number;
  /** Readers with nothing to send today (no match, and no top-three option). */
  noMatch: number;
  /** Distinct topics and keywords matched (each once, whatever the number of readers). */
  interests: { topics: number; keywords: number };
  matchMs: number;
  /** Dry run only: what each reader would get, and who would get nothing. */
  plans?: PreparedDelivery[];
  unmatched?: string[];
  dayPapers?: DayPaper[];
}

interface ReaderRow {
  id: number;
  email: string;
  keywords: string[];
  maxPapers: number;
  topWhenNoMatch: boolean;
  topicIds: number[];
}

const INSERT_CHUNK = 2000;

export async function prepareDigest(
  prisma: PrismaClient,
  day: string,
  options: { dryRun?: boolean } = {},
  // The services pass theirs (src/services.ts); the matcher holds no state, so a fresh one is the same matcher.
  matcher: InterestMatcher = createInterestMatcher(prisma),
): Promise<PrepareReport> {
  parseDay(day);
  const started = performance.now();
  const papers = await loadDayPapers(prisma, day);
  const report: PrepareReport = {
    day,
    digestId: undefined,
    papers: papers.length,
    readers: 0,
    created: 0,
    noMatch: 0,
    interests: { topics: 0, keywords: 0 },
    matchMs: 0,
  };
  if (papers.length === 0) return report;

  report.digestId = options.dryRun ? await findDigestId(prisma, day) : await ensureDigest(prisma, day);
  const readers = await loadWaitingReaders(prisma, report.digestId);
  report.readers = readers.length;

  const topics = await loadTopicInterests(prisma, [...new Set(readers.flatMap((r) => r.topicIds))]);
  const profiles = await loadReaderProfiles(
    prisma,
    readers.map((r) => r.id),
  );
  const interests = new Map<string, Interest>();
  const selections: (ReaderInterests & { row: ReaderRow })[] = readers.map((row) => {
    const own = readerInterests(row.topicIds, row.keywords, topics);
    for (const interest of own) interests.set(interest.key, interest);
    return {
      row,
      interests: own.map(({ key, label }) => ({ key, label })),
      maxPapers: row.maxPapers,
      topWhenNoMatch: row.topWhenNoMatch,
      profile: profiles.get(row.id),
    };
  });
  const topicCount = [...interests.values()].filter((i) => i.kind === 'topic').length;
  report.interests = { topics: topicCount, keywords: interests.size - topicCount };

  const matches = matcher.matchPapers(papers, [...interests.values()]);
  const alreadySent = await loadAlreadySent(
    prisma,
    day,
    papers.map((p) => p.id),
  );
  const planned: PreparedDelivery[] = [];
  const unmatched: string[] = [];
  for (const reader of selections) {
    const selection = selectPapers(reader, { papers, matches }, alreadySent.get(reader.row.id));
    if (!selection) {
      report.noMatch++;
      if (options.dryRun) unmatched.push(reader.row.email);
      continue;
    }
    planned.push({ subscriberId: reader.row.id, email: reader.row.email, ...selection });
  }
  report.matchMs = Math.round(performance.now() - started);

  if (options.dryRun) {
    report.plans = planned;
    report.unmatched = unmatched;
    report.dayPapers = papers;
    return report;
  }
  for (let i = 0; i < planned.length; i += INSERT_CHUNK) {
    report.created += await insertDeliveries(prisma, report.digestId!, planned.slice(i, i + INSERT_CHUNK));
  }
  await prisma.$executeRaw`
    UPDATE digests SET status = 'sending', matched_at = now(), updated_at = now()
    WHERE id = ${report.digestId} AND status = 'matching'`;
  return report;
}

async function findDigestId(prisma: PrismaClient, day: string): Promise<number | undefined> {
  const rows = await prisma.$queryRaw<{ id: number }[]>`SELECT id FROM digests WHERE date = ${day}::date`;
  return rows[0]?.id;
}

/** The digest row of the day, created if missing (one per date: the unique index decides any race). */
export async function ensureDigest(prisma: PrismaClient, day: string): Promise<number> {
  await prisma.$executeRaw`
    INSERT INTO digests (date, status, updated_at) VALUES (${day}::date, 'matching', now())
    ON CONFLICT (date) DO NOTHING`;
  return (await findDigestId(prisma, day))!;
}

/** Active readers without an original delivery for the digest yet, with their topics and keywords. */
function loadWaitingReaders(prisma: PrismaClient, digestId: number | undefined): Promise<ReaderRow[]> {
  return prisma.$queryRaw<ReaderRow[]>`
    SELECT s.id, s.email, s.keywords, s.max_papers AS "maxPapers", s.top_when_no_match AS "topWhenNoMatch",
           coalesce(array_agg(st.topic_id ORDER BY st.topic_id) FILTER (WHERE st.topic_id IS NOT NULL), '{}')
             AS "topicIds"
    FROM subscribers s
    LEFT JOIN subscriber_topics st ON st.subscriber_id = s.id
    WHERE s.status = 'active'
      AND NOT EXISTS (
        SELECT 1 FROM deliveries d
        WHERE d.digest_id = ${digestId ?? null}::int AND d.subscriber_id = s.id AND d.resend_of_id IS NULL)
    GROUP BY s.id
    ORDER BY s.id`;
}

/**
 * Per reader, today's papers that an other day's digest already carried to them (sent, or still on its way).
 * A digest only carries papers listed on its own day, so only the digests of days on which today's papers were
 * also listed need looking at: a handful of rows, however long the history.
 */
async function loadAlreadySent(
  prisma: PrismaClient,
  day: string,
  paperIds: string[],
): Promise<Map<number, Set<string>>> {
  const rows = await prisma.$queryRaw<{ subscriberId: number; paperIds: string[] }[]>`
    SELECT d.subscriber_id AS "subscriberId",
           array(SELECT unnest(d.paper_ids) INTERSECT SELECT unnest(${paperIds}::text[])) AS "paperIds"
    FROM deliveries d JOIN digests g ON g.id = d.digest_id
    WHERE g.date IN (
        SELECT DISTINCT l.date FROM listings l WHERE l.paper_id = ANY(${paperIds}::text[]) AND l.date <> ${day}::date)
      AND d.status IN ('pending', 'sending', 'sent')
      AND d.paper_ids && ${paperIds}::text[]`;
  const out = new Map<number, Set<string>>();
  for (const row of rows) {
    const set = out.get(row.subscriberId) ?? new Set<string>();
    for (const id of row.paperIds) set.add(id);
    out.set(row.subscriberId, set);
  }
  return out;
}

/** Writes deliveries; rows that exist already (another run got there first) are left alone. Returns how many. */
async function insertDeliveries(prisma: PrismaClient, digestId: number, rows: PreparedDelivery[]): Promise<number> {
  const payload = JSON.stringify(
    rows.map((r) => ({ subscriber_id: r.subscriberId, paper_ids: r.paperIds, matches: r.matches })),
  );
  return prisma.$executeRaw`
    INSERT INTO deliveries (digest_id, subscriber_id, paper_ids, matches, updated_at)
    SELECT ${digestId}, r.subscriber_id, r.paper_ids, r.matches, now()
    FROM jsonb_to_recordset(${payload}::jsonb) AS r(subscriber_id int, paper_ids text[], matches jsonb)
    ON CONFLICT (digest_id, subscriber_id) WHERE resend_of_id IS NULL DO NOTHING`;
}
