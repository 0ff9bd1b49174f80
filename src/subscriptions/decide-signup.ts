// What an accepted sign-up calls for, decided by the worker that claimed it (never before the HTTP answer):
//
//   new or pending address        a confirmation link (a pending address keeps its still-valid link)
//   unsubscribed address          a new confirmation link: the reader stays unsubscribed until it is pressed
//   active or paused address      nothing changes; a short note with the preferences link
//   bounced or complained address nothing at all (we do not write to those again)
//
// Nothing the form asked for (topics, keywords) is written to the reader here: it stays on the request and is
// applied only when the confirmation link is pressed (confirm-sign-up.ts), so a stranger's sign-up never changes a
// reader's interests. Each email takes one of the address's CONFIRMATIONS_PER_DAY, once, in the same transaction as
// the decision: a retry or a crash later does not take another.
import { formatDay } from '../dates.js';
import type { Prisma, PrismaClient } from '../db/client.js';
import type { ReaderStatus } from './reader-status.js';
import { CONFIRM_VALID_DAYS } from './signup-mail.js';
import type { ClaimedSignup, SignupMailKind } from './signup-requests.js';
import { newToken } from './tokens.js';

export const CONFIRMATIONS_PER_DAY = 3;
const DAY_MS = 86_400_000;

export type SignupDecision =
  | { subscriberId: number; mail: SignupMailKind; confirmToken: string | null }
  | { subscriberId: number; mail: null; reason: string };

interface LockedRow {
  id: number;
  status: ReaderStatus;
  confirm_token: string | null;
  confirm_expires_at: Date | null;
}

/** Thrown inside the decision's transaction to roll it back when another worker owns the request now. */
class LeaseLost extends Error {}

/**
 * Decides a claimed request and records the decision on it, in one transaction with the reader's row lock.
 * Undefined when the lease was lost meanwhile (nothing is written then).
 */
export async function decideSignup(
  prisma: PrismaClient,
  claimer: string,
  request: ClaimedSignup,
  now: Date,
): Promise<SignupDecision | undefined> {
  try {
    return await prisma.$transaction(async (tx) => {
      const decision = await decide(tx, request, now);
      const mail = decision.mail;
      const reason = decision.mail === null ? decision.reason : null;
      const confirmToken = decision.mail === null ? null : decision.confirmToken;
      const recorded = await tx.$executeRaw`
        UPDATE signup_requests SET
          subscriber_id = ${decision.subscriberId},
          decided_at = ${now},
          mail = ${mail}::signup_mail,
          confirm_token = ${confirmToken},
          share_day = CASE WHEN ${mail}::signup_mail IS NULL THEN NULL ELSE ${formatDay(now)}::date END,
          status = CASE WHEN ${mail}::signup_mail IS NULL THEN 'skipped' ELSE status END,
          last_error = ${reason},
          updated_at = now()
        WHERE id = ${request.id} AND status = 'sending' AND claimed_by = ${claimer} AND decided_at IS NULL`;
      if (recorded !== 1) throw new LeaseLost();
      return decision;
    });
  } catch (err) {
    if (err instanceof LeaseLost) return undefined;
    throw err;
  }
}

async function decide(tx: Prisma.TransactionClient, request: ClaimedSignup, now: Date): Promise<SignupDecision> {
  // Insert-if-absent, then lock the row: two sign-ups of one address at once queue up here instead of racing.
  await tx.$executeRaw`
    INSERT INTO subscribers (email, email_key, token, updated_at)
    VALUES (${request.email}, ${request.emailKey}, ${newToken()}, ${now})
    ON CONFLICT (email_key) DO NOTHING`;
  const [row] = await tx.$queryRaw<LockedRow[]>`
    SELECT id, status::text AS status, confirm_token, confirm_expires_at
    FROM subscribers WHERE email_key = ${request.emailKey} FOR UPDATE`;
  if (!row) throw new Error('the subscriber row vanished inside its own transaction');
  const subscriberId = row.id;

  if (row.status === 'bounced' || row.status === 'complained') {
    return { subscriberId, mail: null, reason: `not sent: the address is ${row.status}` };
  }
  // The share first: a sign-up over the limit changes nothing at all, not even the link of earlier emails.
  if (!(await takeDailyMailShare(tx, subscriberId, formatDay(now)))) {
    return {
      subscriberId,
      mail: null,
      reason: `not sent: the address had its ${CONFIRMATIONS_PER_DAY} emails today already`,
    };
  }
  if (row.status === 'active' || row.status === 'paused') {
    return { subscriberId, mail: 'already_subscribed', confirmToken: null };
  }

  // pending or unsubscribed. An unexpired link of a pending sign-up stays valid, so every email sent for it works.
  const keep = row.status === 'pending' && row.confirm_token && row.confirm_expires_at && row.confirm_expires_at > now;
  const confirmToken = keep ? row.confirm_token! : newToken();
  const expires = new Date(now.getTime() + CONFIRM_VALID_DAYS * DAY_MS);
  // The address as typed last is kept only for a reader who never confirmed: a confirmed one's stays theirs.
  await tx.$executeRaw`
    UPDATE subscribers SET confirm_token = ${confirmToken}, confirm_expires_at = ${expires},
      email = CASE WHEN confirmed_at IS NULL THEN ${request.email} ELSE email END, updated_at = now()
    WHERE id = ${subscriberId} AND status IN ('pending', 'unsubscribed') AND erased_at IS NULL`;
  return { subscriberId, mail: 'confirmation', confirmToken };
}

/** Counts one email against the address's share for `day`; false when the share is used up. */
async function takeDailyMailShare(tx: Prisma.TransactionClient, subscriberId: number, day: string): Promise<boolean> {
  const updated = await tx.$executeRaw`
    UPDATE subscribers
    SET confirm_sent_count = CASE WHEN confirm_sent_on = ${day}::date THEN confirm_sent_count + 1 ELSE 1 END,
        confirm_sent_on = ${day}::date
    WHERE id = ${subscriberId}
      AND (confirm_sent_on IS DISTINCT FROM ${day}::date OR confirm_sent_count < ${CONFIRMATIONS_PER_DAY})`;
  return updated === 1;
}
