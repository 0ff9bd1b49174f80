// The delivery state machine in SQL: pending -> sending -> sent | failed | skipped, every move a conditional update
// that names the state (and the claimer) it expects, so two senders can never both own a delivery.
//
// A claim is a lease: claiming sets next_attempt_at to now + lease, and a live sender keeps pushing it forward
// (extendClaims). A delivery still 'sending' after its lease ran out belongs to a sender that died; the next claim
// takes it again, with the Message-ID it already has (see README, "crash policy").
import { Prisma, type PrismaClient, poolOf } from '../db/client.js';
import type { DeliveryMatches } from './select-papers.js';

export interface ClaimedDelivery {
  id: number;
  digestId: number;
  subscriberId: number;
  /** 'sending', or 'skipped' when the reader was no longer active at claim time. */
  status: 'sending' | 'skipped';
  attempts: number;
  messageId: string;
  paperIds: string[];
  matches: DeliveryMatches;
  email: string;
  token: string;
}

export interface ClaimOptions {
  claimer: string;
  limit: number;
  leaseMs: number;
  /** Right-hand side of new Message-IDs. */
  domain: string;
  /** Only this digest's deliveries; all digests when absent. */
  digestId?: number;
  /** Only deliveries after this place in claim order (the last claim's `position`); from the start when absent. */
  after?: ClaimPosition;
}

/** A place in the order claims take deliveries in: next_attempt_at (`YYYY-MM-DD HH24:MI:SS.MS`), then id. */
export interface ClaimPosition {
  at: string;
  id: number;
}

/**
 * Claims up to `limit` due deliveries (pending and due, or 'sending' with an expired lease) with FOR UPDATE SKIP
 * LOCKED, so concurrent senders get disjoint batches. The reader's status is read in the same statement: a reader
 * who is not active any more has the delivery skipped, not sent. A Message-ID is chosen here, once, and kept.
 * The papers and the "why" come from the delivery's selection, in the same statement.
 *
 * `after` starts the scan past what this claimer took last (see createClaimBatch). Every claim and every "sent" mark
 * leaves a dead entry at the front of deliveries_claimable_idx, and until a vacuum removes them a scan from the start
 * walks them all: at 1,000,000 deliveries, half sent, one claim of 200 read 6,800 pages in 63 ms, and Postgres took
 * a whole core. From the last position a claim seeks past them. A row it passes over (a claim that rolled back, a
 * lease that lapsed behind the position) is not lost: its claimer starts again from the start when nothing is left
 * ahead.
 */
export async function claimDeliveries(
  prisma: PrismaClient,
  o: ClaimOptions,
): Promise<{ rows: ClaimedDelivery[]; position: ClaimPosition | undefined }> {
  const digestFilter = o.digestId === undefined ? Prisma.empty : Prisma.sql`AND d.digest_id = ${o.digestId}`;
  // `::int`: Prisma sends a number as another type, and a row comparison across types is no index condition: the
  // scan went back to walking every entry from the start (400 ms a claim at 1,000,000 deliveries).
  const afterFilter =
    o.after === undefined
      ? Prisma.empty
      : Prisma.sql`AND (d.next_attempt_at, d.id) > (${o.after.at}::timestamp(3), ${o.after.id}::int)`;
  const rows = await prisma.$queryRaw<(ClaimedDelivery & { pickedAt: string })[]>`
    WITH picked AS (
      SELECT d.id, d.next_attempt_at AS at FROM deliveries d
      WHERE d.status IN ('pending', 'sending') AND d.next_attempt_at <= now() AND d.due_at <= now()
        ${digestFilter} ${afterFilter}
      -- The order of deliveries_claimable_idx (next_attempt_at, id), so the index scan stops after LIMIT rows.
      ORDER BY d.next_attempt_at, d.id
      LIMIT ${o.limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE deliveries d SET
      status = (CASE WHEN s.status = 'active' THEN 'sending' ELSE 'skipped' END)::delivery_status,
      attempts = d.attempts + (CASE WHEN s.status = 'active' THEN 1 ELSE 0 END),
      last_error = CASE WHEN s.status = 'active' THEN d.last_error
                        ELSE 'not sent: the reader is ' || s.status::text || ' since it was prepared' END,
      message_id = coalesce(d.message_id,
        '<digest.' || d.id || '.' || replace(gen_random_uuid()::text, '-', '') || '@' || ${o.domain} || '>'),
      claimed_by = ${o.claimer},
      claimed_at = now(),
      next_attempt_at = now() + ${o.leaseMs} * interval '1 millisecond',
      updated_at = now()
    FROM picked, subscribers s, selections x
    WHERE d.id = picked.id AND s.id = d.subscriber_id AND x.id = d.selection_id
    RETURNING d.id, d.digest_id AS "digestId", d.subscriber_id AS "subscriberId", d.status::text AS status,
              d.attempts, d.message_id AS "messageId", x.paper_ids AS "paperIds", x.matches, s.email, s.token,
              to_char(picked.at, 'YYYY-MM-DD HH24:MI:SS.MS') AS "pickedAt"`;
  let position: ClaimPosition | undefined;
  const claimed = rows.map(({ pickedAt, ...row }) => {
    // Fixed-width timestamps sort as text; ties are broken by id.
    if (!position || pickedAt > position.at || (pickedAt === position.at && row.id > position.id)) {
      position = { at: pickedAt, id: row.id };
    }
    return row;
  });
  return { rows: claimed, position };
}

/** Keeps the lease of deliveries this sender still holds. */
export async function extendClaims(prisma: PrismaClient, claimer: string, ids: number[], leaseMs: number) {
  if (ids.length === 0) return;
  await prisma.$executeRaw`
    UPDATE deliveries SET next_attempt_at = now() + ${leaseMs} * interval '1 millisecond'
    WHERE id = ANY(${ids}::int[]) AND status = 'sending' AND claimed_by = ${claimer}`;
}

/**
 * The relay took these messages. One prepared statement for the marks that arrived together, on the pool under
 * Prisma (see poolOf: this is the one statement per few messages).
 *
 * Committed without waiting for the disk (synchronous_commit off for this statement's transaction alone): each
 * sending slot waits for its mark, and a flush per mark held the slots half of their time (measured at 100,000
 * readers: 7-12 ms of waiting per message beside 7-14 ms of sending, 10-15% below the send rate before slots waited).
 * What it risks: nothing when papermail dies (the commit is in Postgres' memory and its WAL writer flushes it within
 * 3 x wal_writer_delay, 0.6 s by default); when the Postgres server itself crashes, the marks of that last moment
 * are lost and those deliveries are sent again after their lease, with the same Message-ID.
 */
export async function markSent(prisma: PrismaClient, claimer: string, ids: number[]): Promise<number> {
  const result = await poolOf(prisma).query({
    name: 'papermail-mark-sent',
    text: `WITH async AS (SELECT set_config('synchronous_commit', 'off', true))
           UPDATE deliveries SET status = 'sent', sent_at = now(), last_error = NULL, updated_at = now()
           WHERE id = ANY($1::int[]) AND status = 'sending' AND claimed_by = $2 AND EXISTS (SELECT FROM async)`,
    values: [ids, claimer],
  });
  return result.rowCount ?? 0;
}

/** A temporary failure: back to pending, due again after `delayMs`. */
export function markRetry(
  prisma: PrismaClient,
  claimer: string,
  id: number,
  delayMs: number,
  error: string,
): Promise<number> {
  return prisma.$executeRaw`
    UPDATE deliveries SET status = 'pending', next_attempt_at = now() + ${delayMs} * interval '1 millisecond',
      last_error = ${error}, updated_at = now()
    WHERE id = ${id} AND status = 'sending' AND claimed_by = ${claimer}`;
}

/** Final: 'failed' (the relay refused, or the attempts ran out) or 'skipped' (nothing to send after all). */
export function markFinished(
  prisma: PrismaClient,
  claimer: string,
  id: number,
  status: 'failed' | 'skipped',
  error: string,
): Promise<number> {
  return prisma.$executeRaw`
    UPDATE deliveries SET status = ${status}::delivery_status, last_error = ${error}, updated_at = now()
    WHERE id = ${id} AND status = 'sending' AND claimed_by = ${claimer}`;
}

/** The address does not exist: the reader gets nothing more until they sign up again. */
export function markReaderBounced(prisma: PrismaClient, subscriberId: number): Promise<number> {
  return prisma.$executeRaw`
    UPDATE subscribers SET status = 'bounced', bounced_at = now(), updated_at = now()
    WHERE id = ${subscriberId} AND status = 'active'`;
}
