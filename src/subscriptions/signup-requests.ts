// The sign-up queue in SQL: pending -> sending -> sent | failed | skipped, every move a conditional update that
// names the state and the claimer it expects, as the delivery claims do (src/digest/delivery-claims.ts).
//
// Accepting a sign-up is one INSERT whose cost does not depend on the address: whether it is new, pending, active or
// bounced is only looked at when a worker claims the row, after the HTTP answer went out. A claim is a lease:
// next_attempt_at moves to now + lease and a live worker keeps pushing it; a row still 'sending' after its lease
// belongs to a worker that died, and the next claim takes it again with the Message-ID it already has.
import type { PrismaClient } from '../db/client.js';
import type { DeliverySettingsChange } from './delivery-settings.js';

export type SignupMailKind = 'confirmation' | 'already_subscribed';

export interface ClaimedSignup {
  id: number;
  origin: 'form' | 'import';
  email: string;
  emailKey: string;
  topicIds: number[];
  keywords: string[];
  /** Set once decided (a claim after a crash finds the decision made, and its daily share taken, already). */
  decided: boolean;
  subscriberId: number | null;
  mail: SignupMailKind | null;
  confirmToken: string | null;
  attempts: number;
  messageId: string;
}

export interface SignupClaimOptions {
  claimer: string;
  limit: number;
  leaseMs: number;
  /** Right-hand side of new Message-IDs. */
  domain: string;
}

/** Accepts a validated sign-up: one statement, the same work for every address. */
export async function insertSignupRequest(
  prisma: PrismaClient,
  request: { address: string; key: string; topicIds: number[]; keywords: string[]; settings: DeliverySettingsChange },
): Promise<void> {
  await prisma.$executeRaw`
    INSERT INTO signup_requests (email, email_key, topic_ids, keywords, settings)
    VALUES (${request.address}, ${request.key}, ${request.topicIds}::int[], ${request.keywords}::text[],
            ${JSON.stringify(request.settings)}::jsonb)`;
}

/**
 * Queues the confirmation email of a pending reader made elsewhere (an admin import), taking one of the address's
 * daily share in the same statement. False when the reader has no open sign-up or its share is used up.
 */
export async function insertImportConfirmation(
  prisma: PrismaClient,
  subscriberId: number,
  day: string,
  perDay: number,
  now: Date,
): Promise<boolean> {
  const rows = await prisma.$queryRaw<{ id: number }[]>`
    WITH reader AS (
      UPDATE subscribers SET
        confirm_sent_count = CASE WHEN confirm_sent_on = ${day}::date THEN confirm_sent_count + 1 ELSE 1 END,
        confirm_sent_on = ${day}::date,
        updated_at = now()
      WHERE id = ${subscriberId} AND status = 'pending' AND erased_at IS NULL
        AND confirm_token IS NOT NULL AND confirm_expires_at > ${now}
        AND (confirm_sent_on IS DISTINCT FROM ${day}::date OR confirm_sent_count < ${perDay})
      RETURNING id, email, email_key, confirm_token
    )
    INSERT INTO signup_requests (origin, email, email_key, subscriber_id, decided_at, mail, confirm_token, share_day)
    SELECT 'import', email, email_key, id, now(), 'confirmation', confirm_token, ${day}::date FROM reader
    RETURNING id`;
  return rows.length === 1;
}

/**
 * Claims up to `limit` due requests (pending and due, or 'sending' with a lapsed lease) with FOR UPDATE SKIP LOCKED,
 * so concurrent workers get disjoint rows. The Message-ID is chosen here, once, and kept.
 */
export function claimSignupRequests(prisma: PrismaClient, o: SignupClaimOptions): Promise<ClaimedSignup[]> {
  return prisma.$queryRaw<ClaimedSignup[]>`
    WITH picked AS (
      SELECT id FROM signup_requests
      WHERE status IN ('pending', 'sending') AND next_attempt_at <= now()
      ORDER BY next_attempt_at
      LIMIT ${o.limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE signup_requests r SET
      status = 'sending',
      attempts = r.attempts + 1,
      message_id = coalesce(r.message_id,
        '<signup.' || r.id || '.' || replace(gen_random_uuid()::text, '-', '') || '@' || ${o.domain} || '>'),
      claimed_by = ${o.claimer},
      claimed_at = now(),
      next_attempt_at = now() + ${o.leaseMs} * interval '1 millisecond',
      updated_at = now()
    FROM picked
    WHERE r.id = picked.id
    RETURNING r.id, r.origin::text AS origin, r.email, r.email_key AS "emailKey", r.topic_ids AS "topicIds",
              r.keywords, r.decided_at IS NOT NULL AS decided, r.subscriber_id AS "subscriberId",
              r.mail::text AS mail, r.confirm_token AS "confirmToken", r.attempts, r.message_id AS "messageId"`;
}

/** Keeps the lease of requests this worker still holds. */
export async function extendSignupClaims(prisma: PrismaClient, claimer: string, ids: number[], leaseMs: number) {
  if (ids.length === 0) return;
  await prisma.$executeRaw`
    UPDATE signup_requests SET next_attempt_at = now() + ${leaseMs} * interval '1 millisecond'
    WHERE id = ANY(${ids}::int[]) AND status = 'sending' AND claimed_by = ${claimer}`;
}

/** The relay took the email. */
export function markSignupSent(prisma: PrismaClient, claimer: string, id: number): Promise<number> {
  return prisma.$executeRaw`
    UPDATE signup_requests SET status = 'sent', sent_at = now(), last_error = NULL, updated_at = now()
    WHERE id = ${id} AND status = 'sending' AND claimed_by = ${claimer}`;
}

/** A temporary failure: back to pending, due again after `delayMs`. The daily share stays taken, once. */
export function markSignupRetry(
  prisma: PrismaClient,
  claimer: string,
  id: number,
  delayMs: number,
  error: string,
): Promise<number> {
  return prisma.$executeRaw`
    UPDATE signup_requests SET status = 'pending', next_attempt_at = now() + ${delayMs} * interval '1 millisecond',
      last_error = ${error}, updated_at = now()
    WHERE id = ${id} AND status = 'sending' AND claimed_by = ${claimer}`;
}

/**
 * Final without an email: 'failed' (the relay refused, or the attempts ran out) or 'skipped' (nothing to send after
 * all). The daily share the email took is given back in the same statement: an email that never went out does not
 * count against the address.
 */
export async function markSignupFinished(
  prisma: PrismaClient,
  claimer: string,
  id: number,
  status: 'failed' | 'skipped',
  error: string,
): Promise<boolean> {
  const [row] = await prisma.$queryRaw<{ finished: number }[]>`
    WITH done AS (
      UPDATE signup_requests SET status = ${status}::signup_request_status, last_error = ${error}, updated_at = now()
      WHERE id = ${id} AND status = 'sending' AND claimed_by = ${claimer}
      RETURNING subscriber_id, share_day
    ), refund AS (
      UPDATE subscribers s SET confirm_sent_count = s.confirm_sent_count - 1, updated_at = now()
      FROM done
      WHERE s.id = done.subscriber_id AND s.confirm_sent_on = done.share_day AND s.confirm_sent_count > 0
      RETURNING s.id
    )
    SELECT (SELECT count(*) FROM done)::int AS finished, (SELECT count(*) FROM refund)::int AS refunded`;
  return (row?.finished ?? 0) === 1;
}
