// Preparing a day: the day's issue (a digests row of kind day), and the week's issue ending on it (kind week) when
// weekly readers have this weekday; for every active reader with something to read, a selection in their issue
// (the papers and the "why") and, for readers who take email, its delivery. Everything is written with INSERT … ON
// CONFLICT DO NOTHING, so running it again (after a crash, on a second instance, for readers who confirmed since)
// only adds what is missing, and the sender resumes from the database alone.

import { parseDay, today } from '../dates.js';
import type { PrismaClient } from '../db/client.js';
import { createInterestMatcher, type InterestMatcher } from '../relevance/matcher-service.js';
import type { SettingsDefaults } from '../subscriptions/delivery-settings.js';
import { type DayPaper, loadDayPapers, weekStart } from './day-papers.js';
import { createBatchPlanner } from './plan-batch.js';
import type { DeliveryMatches } from './select-papers.js';
import { createSelectionWriter } from './selection-writer.js';
import { waitingReaderBatches } from './waiting-readers.js';

/** One reader's selection as prepared: what is written to `selections`, and when its delivery is due. */
export interface PreparedSelection {
  /** The issue it belongs to: the day's, or the week's for a weekly reader (undefined on a dry run of a new one). */
  digestId: number | undefined;
  subscriberId: number;
  email: string;
  paperIds: string[];
  matches: DeliveryMatches;
  /** When the sender may send it: the reader's local hour after preparation. */
  dueAt: Date;
  /** False for a feed-only reader: a selection and no delivery. */
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
  /** Only these readers (a first digest at once); every waiting active reader when absent. */
  subscriberIds?: number[];
  /** Weekly readers get the week that ends on `day` whatever their weekday (a first digest at once). */
  anyWeekday?: boolean;
  /** Readers per batch (default 5,000; tests make it small to cross batch edges). */
  readerBatch?: number;
}

export interface PrepareReport {
  day: string;
  /** The day's issue. Undefined when nothing is listed that day (no digest is made) or on a dry run of a new day. */
  digestId: number | undefined;
  /** The week's issue that ends on the day, when weekly readers were due (undefined as for `digestId`). */
  weekDigestId: number | undefined;
  papers: number;
  /** Active readers who had no selection in their issue of the day yet. */
  readers: number;
  /** Selections written now (0 on a dry run); each one for a reader who takes email with its delivery. */
  created: number;
  /** Readers with nothing to send today (no match, and no top-three option). */
  noMatch: number;
  /** Weekly readers whose weekday this is not: nothing for them today. */
  notTheirDay: number;
  /** Distinct topics and keywords matched (each once, whatever the number of readers). */
  interests: { topics: number; keywords: number };
  /** Matching the day's (and the week's) papers against every wanted interest. */
  matchMs: number;
  /** All of it: reading readers in batches, matching, selecting, writing selections and deliveries. */
  prepareMs: number;
  /** Dry run only: what each reader would get, and who would get nothing. */
  plans?: PreparedSelection[];
  unmatched?: string[];
  dayPapers?: DayPaper[];
}

const UTC_DEFAULTS: SettingsDefaults = { timezone: 'UTC', hour: 0 };

/** Readers read per statement: memory holds a batch or two of readers and their selections, not the whole list. */
const READER_BATCH = 5000;

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
  const report = emptyReport(day, papers.length);
  if (papers.length === 0) return report;

  const issue = (kind: DigestKind) =>
    options.dryRun ? findDigestId(prisma, kind, day) : ensureDigest(prisma, kind, day);
  report.digestId = await issue('day');
  const preparedAt = options.now ?? new Date();
  const defaults = options.defaults ?? UTC_DEFAULTS;
  const planner = createBatchPlanner({
    prisma,
    matcher,
    day,
    papers,
    options,
    report,
    issue,
    preparedAt,
    defaults,
    dueNow: options.dueNow ?? isPastDay(day, defaults.timezone, preparedAt),
  });
  const plans: PreparedSelection[] = [];

  // One pass over the waiting readers in keyset batches, each batch's selections written while the next batch is
  // read and planned, so memory holds two batches whatever the number of readers.
  const writer = createSelectionWriter(prisma, (written) => {
    report.created += written;
  });
  try {
    for await (const rows of waitingReaderBatches(
      prisma,
      day,
      options.subscriberIds,
      options.readerBatch ?? READER_BATCH,
    )) {
      const planned = await planner.plan(rows);
      if (options.dryRun) plans.push(...planned);
      else await writer.write(planned);
    }
  } finally {
    // Also when a batch failed: no write runs on after preparation returns, and a failed write is not lost.
    await writer.flush();
  }
  report.matchMs = Math.round(report.matchMs);
  const matched = [...planner.matchedKeys()];
  const topicCount = matched.filter((k) => k.startsWith('topic:')).length;
  report.interests = { topics: topicCount, keywords: matched.length - topicCount };
  report.prepareMs = Math.round(performance.now() - started);

  if (options.dryRun) return { ...report, plans, unmatched: planner.unmatched, dayPapers: papers };
  if (report.created >= ANALYZE_AFTER) await analyzeDeliveries(prisma);
  const issues = [report.digestId, report.weekDigestId].filter((id) => id !== undefined);
  await prisma.$executeRaw`
    UPDATE digests SET status = 'sending', matched_at = now(), updated_at = now()
    WHERE id = ANY(${issues}::int[]) AND status = 'matching'`;
  return report;
}

/** So many new deliveries change the table enough that the planner must hear of it before the first claim. */
const ANALYZE_AFTER = 10_000;

/**
 * Fresh statistics for the claims. Until Postgres' autovacuum analyzes the table (a minute or more after a bulk
 * insert, never where it is off) the planner thinks the deliveries just prepared are a few hundred, and plans a claim
 * as "every unfinished delivery of the digest, sorted" instead of a walk of deliveries_claimable_idx that stops after
 * LIMIT rows: measured at 1,000,000 deliveries, 360-650 ms a claim against 0.1-0.2 ms after ANALYZE, which took
 * 0.13 s. A database user who does not own the table gets a warning from Postgres and the plan it had.
 */
async function analyzeDeliveries(prisma: PrismaClient): Promise<void> {
  await prisma.$executeRaw`ANALYZE deliveries`;
}

function emptyReport(day: string, papers: number): PrepareReport {
  return {
    day,
    digestId: undefined,
    weekDigestId: undefined,
    papers,
    readers: 0,
    created: 0,
    noMatch: 0,
    notTheirDay: 0,
    interests: { topics: 0, keywords: 0 },
    matchMs: 0,
    prepareMs: 0,
  };
}

/** Whether `day` is over in the operator's zone: its readers' hours have all gone by. */
export function isPastDay(day: string, timezone: string, now: Date = new Date()): boolean {
  return day < today(timezone, now);
}

export type DigestKind = 'day' | 'week';

/** The first day of the period an issue of `kind` prepared for `day` covers. */
export function periodStart(kind: DigestKind, day: string): string {
  return kind === 'day' ? day : weekStart(day);
}

async function findDigestId(prisma: PrismaClient, kind: DigestKind, day: string): Promise<number | undefined> {
  const rows = await prisma.$queryRaw<{ id: number }[]>`
    SELECT id FROM digests WHERE kind = ${kind}::digest_kind AND period_start = ${periodStart(kind, day)}::date`;
  return rows[0]?.id;
}

/** The issue of `kind` prepared for `day`, created if missing (one per kind and period: the unique index decides). */
export async function ensureDigest(prisma: PrismaClient, kind: DigestKind, day: string): Promise<number> {
  await prisma.$executeRaw`
    INSERT INTO digests (kind, period_start, period_end, date, status, updated_at)
    VALUES (${kind}::digest_kind, ${periodStart(kind, day)}::date, ${day}::date, ${day}::date, 'matching', now())
    ON CONFLICT (kind, period_start) DO NOTHING`;
  return (await findDigestId(prisma, kind, day))!;
}
