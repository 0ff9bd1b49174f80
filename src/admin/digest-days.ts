// What the admin sees of each day's digest: deliveries counted by status, the runs with their timings, the failed
// deliveries with their errors, and one reader's deliveries. Read-only, straight from the digests, deliveries and
// runs tables. A day is its own issue and the week's issue that ends on it (weekly readers'): the counts and the
// failed deliveries cover both; `digest` is the day's own.
import { parseDay } from '../dates.js';
import { Prisma, type PrismaClient } from '../db/client.js';
import type { StatusTally } from '../digest/delivery-counts.js';
import { type RunStatus, runStatusSql } from '../digest/run-log.js';
import { errors } from '../errors.js';
import { parseEmailAddress } from '../subscriptions/email-address.js';

export interface StatusCounts extends StatusTally {
  /** Of the total, how many are resends. */
  resends: number;
}

export interface RunView {
  id: number;
  trigger: string;
  /** `abandoned` also for a running row whose heartbeat is older than RUN_STALE_MS: its process died. */
  status: RunStatus;
  startedAt: string;
  /** The last sign of life of the process running it (its end, once finished). */
  heartbeatAt: string;
  finishedAt: string | null;
  error: string | null;
  /** ingestMs, matchMs, sendMs, totalMs as the run recorded them (absent while it runs). */
  timings: Record<string, number> | null;
}

export interface DaySummary {
  date: string;
  /** Null when runs happened but nothing was listed that day (no digest was made). */
  digest: {
    id: number;
    status: string;
    createdAt: string;
    matchedAt: string | null;
    finishedAt: string | null;
  } | null;
  papers: number;
  counts: StatusCounts;
  runs: number;
  lastRun: RunView | null;
}

export interface FailedDeliveryView {
  id: number;
  subscriberId: number;
  email: string;
  resendOf: number | null;
  attempts: number;
  lastError: string | null;
  updatedAt: string;
}

export interface DayDetail extends Omit<DaySummary, 'runs'> {
  runs: RunView[];
  failed: FailedDeliveryView[];
}

export interface DeliveryView {
  id: number;
  /** Null for the day's original delivery; the original's id for a resend. */
  resendOf: number | null;
  status: string;
  attempts: number;
  lastError: string | null;
  messageId: string | null;
  paperIds: string[];
  createdAt: string;
  claimedAt: string | null;
  sentAt: string | null;
  nextAttemptAt: string;
  /** Not sent before: the reader's local hour after the digest was prepared. */
  dueAt: string;
}

interface SummaryRow {
  date: string;
  digestId: number | null;
  digestStatus: string | null;
  createdAt: Date | null;
  matchedAt: Date | null;
  finishedAt: Date | null;
  papers: number;
  counts: Record<string, number> | null;
  resends: number;
  runs: number;
  lastRun: RawRun | null;
}

interface RawRun {
  id: number;
  trigger: string;
  status: RunStatus;
  started_at: string;
  heartbeat_at: string;
  finished_at: string | null;
  error: string | null;
  timings: Record<string, number> | null;
}

/** Days with a digest or a run, newest first, each with its counts and its latest run. */
export async function listDigestDays(
  prisma: PrismaClient,
  page: { limit: number; offset: number },
  runStaleMs: number,
): Promise<{ total: number; days: DaySummary[] }> {
  const counted = await prisma.$queryRaw<{ total: number }[]>`
    SELECT count(*)::int AS total FROM (SELECT date FROM digests UNION SELECT date FROM runs) d`;
  const rows = await prisma.$queryRaw<SummaryRow[]>`
    WITH days AS (
      SELECT date FROM digests UNION SELECT date FROM runs ORDER BY date DESC LIMIT ${page.limit} OFFSET ${page.offset}
    )
    ${summarySelect(runStaleMs)}
    ORDER BY days.date DESC`;
  return { total: counted[0]?.total ?? 0, days: rows.map(toSummary) };
}

/** One day: the counts, every run, and the failed deliveries with their last error. 404 when nothing happened. */
export async function findDigestDay(prisma: PrismaClient, day: string, runStaleMs: number): Promise<DayDetail> {
  parseDay(day);
  const rows = await prisma.$queryRaw<SummaryRow[]>`
    WITH days AS (SELECT date FROM digests WHERE date = ${day}::date UNION SELECT date FROM runs WHERE date = ${day}::date)
    ${summarySelect(runStaleMs)}`;
  if (rows.length === 0) throw errors.notFound(`There is no digest and no run for ${day}.`);
  const { runs: _count, ...summary } = toSummary(rows[0]!);
  const runs = await prisma.$queryRaw<RawRun[]>`
    SELECT r.id, r.trigger, ${runStatusSql('r', runStaleMs)} AS status, to_char(r.started_at, ${ISO}) AS started_at,
           to_char(r.heartbeat_at, ${ISO}) AS heartbeat_at, to_char(r.finished_at, ${ISO}) AS finished_at,
           r.error, r.stats->'timings' AS timings
    FROM runs r WHERE r.date = ${day}::date ORDER BY r.id DESC LIMIT 100`;
  const failed = summary.digest
    ? await prisma.$queryRaw<(Omit<FailedDeliveryView, 'updatedAt'> & { updatedAt: Date })[]>`
        SELECT d.id, d.subscriber_id AS "subscriberId", s.email, d.resend_of_id AS "resendOf", d.attempts,
               d.last_error AS "lastError", d.updated_at AS "updatedAt"
        FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id JOIN digests g ON g.id = d.digest_id
        WHERE g.date = ${day}::date AND d.status = 'failed'
        ORDER BY d.id`
    : [];
  return {
    ...summary,
    runs: runs.map(toRunView),
    failed: failed.map((f) => ({ ...f, updatedAt: f.updatedAt.toISOString() })),
  };
}

/** One reader's deliveries of the day (the original and any resends), oldest first. */
export async function findReaderDeliveries(
  prisma: PrismaClient,
  day: string,
  email: string,
): Promise<{ subscriberId: number; email: string; status: string; deliveries: DeliveryView[] }> {
  parseDay(day);
  const reader = await findReaderByEmail(prisma, email);
  const issues = await prisma.digest.findMany({ where: { date: parseDay(day) }, select: { id: true } });
  if (issues.length === 0) throw errors.notFound(`There is no digest for ${day}.`);
  // The day's issue or, for a weekly reader, the week's that ends on the day.
  const rows = await prisma.delivery.findMany({
    where: { digestId: { in: issues.map((i) => i.id) }, subscriberId: reader.id },
    orderBy: { id: 'asc' },
    include: { selection: { select: { paperIds: true } } },
  });
  return {
    subscriberId: reader.id,
    email: reader.email,
    status: reader.status,
    deliveries: rows.map((d) => ({
      id: d.id,
      resendOf: d.resendOfId,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastError,
      messageId: d.messageId,
      paperIds: d.selection.paperIds,
      createdAt: d.createdAt.toISOString(),
      claimedAt: d.claimedAt?.toISOString() ?? null,
      sentAt: d.sentAt?.toISOString() ?? null,
      nextAttemptAt: d.nextAttemptAt.toISOString(),
      dueAt: d.dueAt.toISOString(),
    })),
  };
}

/** Where each of these deliveries stands now (what a resend waits for), by id. */
export interface DeliveryState {
  id: number;
  status: string;
  lastError: string | null;
  nextAttemptAt: Date;
}

/** The issues these deliveries belong to. */
export async function findDigestsOf(prisma: PrismaClient, ids: number[]): Promise<number[]> {
  const rows = await prisma.$queryRaw<{ id: number }[]>`
    SELECT DISTINCT digest_id AS id FROM deliveries WHERE id = ANY(${ids}::int[]) ORDER BY 1`;
  return rows.map((r) => r.id);
}

export function findDeliveryStates(prisma: PrismaClient, ids: number[]): Promise<DeliveryState[]> {
  return prisma.$queryRaw<DeliveryState[]>`
    SELECT id, status::text AS status, last_error AS "lastError", next_attempt_at AS "nextAttemptAt"
    FROM deliveries WHERE id = ANY(${ids}::int[]) ORDER BY id`;
}

/** The reader with this address (any case); 400 for an address the policy refuses, 404 for nobody. */
export async function findReaderByEmail(prisma: PrismaClient, email: string) {
  const { key } = parseEmailAddress(email);
  const reader = await prisma.subscriber.findUnique({
    where: { emailKey: key },
    select: { id: true, email: true, status: true, token: true, keywords: true, maxPapers: true, topWhenNoMatch: true },
  });
  if (!reader) throw errors.notFound('No reader has this address.');
  return reader;
}

/** Timestamps are stored in UTC without a zone (Prisma's way): written out as ISO 8601 with the Z. */
const ISO = Prisma.raw(`'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`);

/** The SELECT shared by the list and the single day; `days` is the caller's CTE of dates. */
function summarySelect(runStaleMs: number): Prisma.Sql {
  return Prisma.sql`
    SELECT to_char(days.date, 'YYYY-MM-DD') AS date, g.id AS "digestId", g.status::text AS "digestStatus",
           g.created_at AS "createdAt", g.matched_at AS "matchedAt", g.finished_at AS "finishedAt",
           (SELECT count(*)::int FROM listings l WHERE l.date = days.date) AS papers,
           (SELECT jsonb_object_agg(c.status, c.n) FROM (
              SELECT d.status::text AS status, count(*)::int AS n
              FROM deliveries d JOIN digests i ON i.id = d.digest_id WHERE i.date = days.date
              GROUP BY d.status) c) AS counts,
           (SELECT count(*)::int FROM deliveries d JOIN digests i ON i.id = d.digest_id
            WHERE i.date = days.date AND d.resend_of_id IS NOT NULL) AS resends,
           (SELECT count(*)::int FROM runs r WHERE r.date = days.date) AS runs,
           (SELECT json_build_object('id', r.id, 'trigger', r.trigger, 'status', ${runStatusSql('r', runStaleMs)},
                     'started_at', to_char(r.started_at, ${ISO}), 'heartbeat_at', to_char(r.heartbeat_at, ${ISO}),
                     'finished_at', to_char(r.finished_at, ${ISO}), 'error', r.error, 'timings', r.stats->'timings')
            FROM runs r WHERE r.date = days.date ORDER BY r.id DESC LIMIT 1) AS "lastRun"
    FROM days LEFT JOIN digests g ON g.date = days.date AND g.kind = 'day'`;
}

function toSummary(row: SummaryRow): DaySummary {
  const c = row.counts ?? {};
  const counts: StatusCounts = {
    pending: c.pending ?? 0,
    sending: c.sending ?? 0,
    sent: c.sent ?? 0,
    failed: c.failed ?? 0,
    skipped: c.skipped ?? 0,
    total: Object.values(c).reduce((a, b) => a + b, 0),
    resends: row.resends,
  };
  return {
    date: row.date,
    digest:
      row.digestId === null
        ? null
        : {
            id: row.digestId,
            status: row.digestStatus!,
            createdAt: row.createdAt!.toISOString(),
            matchedAt: row.matchedAt?.toISOString() ?? null,
            finishedAt: row.finishedAt?.toISOString() ?? null,
          },
    papers: row.papers,
    counts,
    runs: row.runs,
    lastRun: row.lastRun ? toRunView(row.lastRun) : null,
  };
}

function toRunView(run: RawRun): RunView {
  return {
    id: run.id,
    trigger: run.trigger,
    status: run.status,
    startedAt: run.started_at,
    heartbeatAt: run.heartbeat_at,
    finishedAt: run.finished_at,
    error: run.error,
    timings: run.timings ?? null,
  };
}
