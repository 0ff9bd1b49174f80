// Queuing resends of a day's digest. A resend is a NEW delivery of the original's selection (`selection_id`, so the
// same papers and "why", copied from nowhere), linked to the original (`resend_of_id`), with no Message-ID yet: the
// sender's claim gives it a fresh one and reads the reader's current address and status, like for any delivery.
// Nothing is overwritten. The day's issues are its own and the week's that ends on it (weekly readers').
//
// Sending twice by accident is what this file guards against. The originals are locked (FOR UPDATE) before anything
// is decided, so two identical requests are serialised, and the second sees the first's resends: a reader whose
// resend is still queued, or was made less than RESEND_COOLDOWN_MINUTES ago, is skipped with the reason.
import type { Prisma } from '../db/client.js';
import { parseEmailAddress } from '../subscriptions/email-address.js';

/** Who to resend to: these addresses (even if their delivery was sent), or every reader whose delivery failed. */
export type ResendTarget = { emails: string[] } | { failed: true };

/** A second resend of the same delivery within this time is refused (`recently-resent`). */
export const RESEND_COOLDOWN_MINUTES = 10;

export type ResendSkipCode =
  /** The reader is unsubscribed, bounced, paused… now: only active readers get mail. */
  | 'not-active'
  /** The original is still pending or being sent: a resend now would be a duplicate. */
  | 'original-unfinished'
  /** A resend of it is queued or being sent. */
  | 'resend-queued'
  /** It was resent a moment ago (another request, or a retried one). */
  | 'recently-resent'
  /** `failed` mode: its latest delivery is not failed any more (another request resent it meanwhile). */
  | 'not-failed';

/** What a resend request did, by id only: this is what Idempotency-Key retries replay, and it holds no address. */
export interface ResendOutcome {
  /** The day's own issue (or the week's, when only that one exists). */
  digestId: number;
  queued: { deliveryId: number; resendOf: number; subscriberId: number }[];
  /** Addresses of the request, by position, that name no reader, or a reader who had no digest that day. */
  unknown: { input: number; reason: string }[];
  skipped: { subscriberId: number; deliveryId: number; code: ResendSkipCode; reason: string; status?: string }[];
}

interface OriginalState {
  deliveryId: number;
  subscriberId: number;
  status: string;
  readerStatus: string;
  resendId: number | null;
  resendStatus: string | null;
  resendAgeMs: number | null;
}

/** Queues the resends inside `tx` (the caller's audited transaction) and says what became of each reader. */
export async function queueResends(
  tx: Prisma.TransactionClient,
  digestIds: number[],
  day: string,
  target: ResendTarget,
): Promise<ResendOutcome> {
  const outcome: ResendOutcome = { digestId: digestIds[0]!, queued: [], unknown: [], skipped: [] };
  const originals =
    'emails' in target
      ? await findOriginalsByEmail(tx, digestIds, day, target.emails, outcome)
      : await findFailed(tx, digestIds);
  if (originals.length === 0) return outcome;

  // Locks first, then reads: the read below sees every resend committed by a request that held the locks before us.
  await tx.$queryRaw`SELECT id FROM deliveries WHERE id = ANY(${originals}::int[]) ORDER BY id FOR UPDATE`;
  const states = await tx.$queryRaw<OriginalState[]>`
    SELECT o.id AS "deliveryId", o.subscriber_id AS "subscriberId", o.status::text AS status,
           s.status::text AS "readerStatus", r.id AS "resendId", r.status::text AS "resendStatus",
           (extract(epoch FROM clock_timestamp() - r.created_at) * 1000)::float8 AS "resendAgeMs"
    FROM deliveries o
    JOIN subscribers s ON s.id = o.subscriber_id
    LEFT JOIN LATERAL (
      SELECT x.id, x.status, x.created_at FROM deliveries x WHERE x.resend_of_id = o.id ORDER BY x.id DESC LIMIT 1
    ) r ON true
    WHERE o.id = ANY(${originals}::int[])
    ORDER BY o.id`;

  const toQueue: number[] = [];
  for (const o of states) {
    const skip = (code: ResendSkipCode, reason: string, status?: string) =>
      outcome.skipped.push({ subscriberId: o.subscriberId, deliveryId: o.deliveryId, code, reason, status });
    if (o.readerStatus !== 'active') {
      skip('not-active', `the reader is ${o.readerStatus}`, o.readerStatus);
    } else if (o.status === 'pending' || o.status === 'sending') {
      skip('original-unfinished', `the day's delivery ${o.deliveryId} is still ${o.status}`);
    } else if (o.resendStatus === 'pending' || o.resendStatus === 'sending') {
      skip('resend-queued', `resend ${o.resendId} is already ${o.resendStatus}`);
    } else if (o.resendAgeMs !== null && o.resendAgeMs < RESEND_COOLDOWN_MINUTES * 60_000) {
      const seconds = Math.max(0, Math.round(o.resendAgeMs / 1000));
      skip(
        'recently-resent',
        `resend ${o.resendId} was queued ${seconds} s ago (${o.resendStatus}); ` +
          `a delivery is resent at most once every ${RESEND_COOLDOWN_MINUTES} minutes`,
      );
    } else if ('failed' in target && (o.resendStatus ?? o.status) !== 'failed') {
      skip('not-failed', `its latest delivery is ${o.resendStatus ?? o.status}, not failed`);
    } else {
      toQueue.push(o.deliveryId);
    }
  }
  if (toQueue.length === 0) return outcome;

  outcome.queued = await tx.$queryRaw<ResendOutcome['queued']>`
    INSERT INTO deliveries (selection_id, digest_id, subscriber_id, resend_of_id, updated_at)
    SELECT o.selection_id, o.digest_id, o.subscriber_id, o.id, now()
    FROM deliveries o WHERE o.id = ANY(${toQueue}::int[])
    ORDER BY o.id
    RETURNING id AS "deliveryId", resend_of_id AS "resendOf", subscriber_id AS "subscriberId"`;
  outcome.queued.sort((a, b) => a.resendOf - b.resendOf);
  return outcome;
}

/** The original deliveries of the readers named; the addresses that name nobody go to `outcome.unknown`. */
async function findOriginalsByEmail(
  tx: Prisma.TransactionClient,
  digestIds: number[],
  day: string,
  emails: string[],
  outcome: ResendOutcome,
): Promise<number[]> {
  const keys = new Map<string, number>();
  emails.forEach((email, input) => {
    try {
      const { key } = parseEmailAddress(email);
      // The same reader named twice is resent to once.
      if (!keys.has(key)) keys.set(key, input);
    } catch (err) {
      outcome.unknown.push({ input, reason: (err as Error).message });
    }
  });
  if (keys.size === 0) return [];
  const rows = await tx.$queryRaw<{ key: string; deliveryId: number | null }[]>`
    SELECT s.email_key AS key, d.id AS "deliveryId"
    FROM subscribers s
    LEFT JOIN deliveries d
      ON d.subscriber_id = s.id AND d.digest_id = ANY(${digestIds}::int[]) AND d.resend_of_id IS NULL
    WHERE s.email_key = ANY(${[...keys.keys()]}::text[])
    -- A reader who switched cadence on the day may have two originals: the later one is resent.
    ORDER BY d.id NULLS FIRST`;
  const found = new Map(rows.map((r) => [r.key, r.deliveryId]));
  const originals: number[] = [];
  for (const [key, input] of keys) {
    const deliveryId = found.get(key);
    if (deliveryId === undefined) outcome.unknown.push({ input, reason: 'no reader has this address' });
    else if (deliveryId === null) outcome.unknown.push({ input, reason: `the reader got no digest on ${day}` });
    else originals.push(deliveryId);
  }
  outcome.unknown.sort((a, b) => a.input - b.input);
  return originals;
}

/** Originals whose latest delivery (the original, or its latest resend) failed. */
async function findFailed(tx: Prisma.TransactionClient, digestIds: number[]): Promise<number[]> {
  const rows = await tx.$queryRaw<{ id: number }[]>`
    SELECT o.id FROM deliveries o
    WHERE o.digest_id = ANY(${digestIds}::int[]) AND o.resend_of_id IS NULL
      AND (SELECT x.status FROM deliveries x WHERE x.id = o.id OR x.resend_of_id = o.id ORDER BY x.id DESC LIMIT 1)
          = 'failed'
    ORDER BY o.id`;
  return rows.map((r) => r.id);
}
