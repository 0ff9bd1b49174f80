// Preparing a day's digest: one digests row for the date, and one delivery per active reader who has something to
// read, with the papers and the "why" stored in the row. Everything is written with INSERT … ON CONFLICT DO NOTHING,
// so running it again (after a crash, on a second instance, for readers who confirmed since) only adds what is
// missing, and the sender resumes from the database alone.

import { parseDay, today } from '../dates.js';
import type { PrismaClient } from '../db/client.js';
import { loadReaderProfiles } from '../feedback/reader-profiles.js';
import type { Interest } from '../relevance/interest-matcher.js';
import { createInterestMatcher, type InterestMatcher } from '../relevance/matcher-service.js';
import { dueAt, localWeekday } from '../schedule/due-time.js';
import type { Cadence, Channel, SettingsDefaults } from '../subscriptions/delivery-settings.js';
import { type DayPaper, loadDayPapers, loadPeriodPapers, weekStart } from './day-papers.js';
import { keywordInterest, loadTopicInterests, readerInterests } from './reader-interests.js';
import { type DeliveryMatches, type ReaderInterests, selectPapers } from './select-papers.js';

export interface PreparedDelivery {
  subscriberId: number;
  email: string;
  paperIds: string[];
  matches: DeliveryMatches;
  /** When the sender may send it: the reader's local hour after preparation. */
  dueAt: Date;
  /** False for a feed-only reader. */
  byEmail: boolean;
}

export interface PrepareOptions {
  dryRun?: boolean;
  /** The reader's time zone and hour when they chose none (DIGEST_TIMEZONE, the hour of DIGEST_CRON). */
  defaults?: SettingsDefaults;
  /** The time of preparation (tests pass their own). */
  now?: Date;
  /** Everything due at once. Default: when `day` is before today in the operator's zone (a past day sent by hand). */
  dueNow?: boolean;
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
  /** Weekly readers whose weekday this is not: nothing for them today. */
  notTheirDay: number;
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
  cadence: Cadence;
  weekday: number;
  timezone: string | null;
  hour: number | null;
  channel: Channel;
  excludeKeywords: string[];
  authors: string[];
}

const UTC_DEFAULTS: SettingsDefaults = { timezone: 'UTC', hour: 0 };

const INSERT_CHUNK = 2000;

export async function prepareDigest(
  prisma: PrismaClient,
  day: string,
  options: PrepareOptions = {},
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
    notTheirDay: 0,
    interests: { topics: 0, keywords: 0 },
    matchMs: 0,
  };
  if (papers.length === 0) return report;

  report.digestId = options.dryRun ? await findDigestId(prisma, day) : await ensureDigest(prisma, day);
  const weekday = localWeekday(new Date(`${day}T12:00:00Z`), 'UTC');
  const waiting = await loadWaitingReaders(prisma, report.digestId);
  // A weekly reader gets the week on their weekday, nothing on the others.
  const readers = waiting.filter((r) => r.cadence === 'daily' || r.weekday === weekday);
  report.notTheirDay = waiting.length - readers.length;
  report.readers = readers.length;

  const topics = await loadTopicInterests(prisma, [...new Set(readers.flatMap((r) => r.topicIds))]);
  const profiles = await loadReaderProfiles(
    prisma,
    readers.map((r) => r.id),
  );
  const daily = new Map<string, Interest>();
  const weekly = new Map<string, Interest>();
  const selections: (ReaderInterests & { row: ReaderRow })[] = readers.map((row) => {
    const own = readerInterests(row.topicIds, row.keywords, topics);
    // Exclusions are matched like keywords (and share the matching with anyone's keyword of the same text).
    const excludes = row.excludeKeywords.map(keywordInterest).filter((i) => i !== undefined);
    const pool = row.cadence === 'weekly' ? weekly : daily;
    for (const interest of [...own, ...excludes]) pool.set(interest.key, interest);
    return {
      row,
      interests: own.map(({ key, label }) => ({ key, label })),
      maxPapers: row.maxPapers,
      topWhenNoMatch: row.topWhenNoMatch,
      profile: profiles.get(row.id),
      excludes: excludes.map((i) => i.key),
      authors: row.authors,
    };
  });
  const all = new Map([...daily, ...weekly]);
  const topicCount = [...all.values()].filter((i) => i.kind === 'topic').length;
  report.interests = { topics: topicCount, keywords: all.size - topicCount };

  const dayContext = { papers, matches: matcher.matchPapers(papers, [...daily.values()]) };
  const weekPapers = readers.some((r) => r.cadence === 'weekly')
    ? await loadPeriodPapers(prisma, weekStart(day), day)
    : [];
  const weekContext = { papers: weekPapers, matches: matcher.matchPapers(weekPapers, [...weekly.values()]) };
  const alreadySent = await loadAlreadySent(prisma, day, [...new Set([...papers, ...weekPapers].map((p) => p.id))]);
  const preparedAt = options.now ?? new Date();
  const defaults = options.defaults ?? UTC_DEFAULTS;
  const dueNow = options.dueNow ?? isPastDay(day, defaults.timezone, preparedAt);
  const planned: PreparedDelivery[] = [];
  const unmatched: string[] = [];
  for (const reader of selections) {
    const { row } = reader;
    const context = row.cadence === 'weekly' ? weekContext : dayContext;
    const selection = selectPapers(reader, context, alreadySent.get(row.id));
    if (!selection) {
      report.noMatch++;
      if (options.dryRun) unmatched.push(row.email);
      continue;
    }
    const due = dueNow ? preparedAt : dueAt(preparedAt, row.timezone ?? defaults.timezone, row.hour ?? defaults.hour);
    planned.push({ subscriberId: row.id, email: row.email, ...selection, dueAt: due, byEmail: row.channel !== 'feed' });
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

/** Whether `day` is over in the operator's zone: its readers' hours have all gone by. */
export function isPastDay(day: string, timezone: string, now: Date = new Date()): boolean {
  return day < today(timezone, now);
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
           s.cadence::text AS cadence, s.weekday, s.timezone, s.hour, s.channel::text AS channel,
           s.exclude_keywords AS "excludeKeywords", s.authors,
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
 * Per reader, today's papers that an other day's digest already carried to them (sent, still on its way, or
 * put in a feed-only reader's feed).
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
      AND (d.status IN ('pending', 'sending', 'sent') OR (d.status = 'skipped' AND NOT d.by_email))
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
    rows.map((r) => ({
      subscriber_id: r.subscriberId,
      paper_ids: r.paperIds,
      matches: r.matches,
      due_at: r.dueAt.toISOString(),
      by_email: r.byEmail,
    })),
  );
  // A feed-only reader's row is final at once: skipped for email, kept for the feed. The claim follows
  // next_attempt_at, so a delivery due later is not even looked at before its time.
  return prisma.$executeRaw`
    INSERT INTO deliveries (digest_id, subscriber_id, paper_ids, matches, due_at, next_attempt_at, by_email, status,
                            last_error, updated_at)
    SELECT ${digestId}, r.subscriber_id, r.paper_ids, r.matches, r.due_at AT TIME ZONE 'UTC', r.due_at AT TIME ZONE 'UTC',
           r.by_email, (CASE WHEN r.by_email THEN 'pending' ELSE 'skipped' END)::delivery_status,
           CASE WHEN r.by_email THEN NULL ELSE 'feed only: not emailed' END, now()
    FROM jsonb_to_recordset(${payload}::jsonb)
      AS r(subscriber_id int, paper_ids text[], matches jsonb, due_at timestamptz, by_email boolean)
    ON CONFLICT (digest_id, subscriber_id) WHERE resend_of_id IS NULL DO NOTHING`;
}
