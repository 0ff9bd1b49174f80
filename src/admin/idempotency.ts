// Idempotency-Key for admin actions that queue work (a resend): the first request with a key does the work and its
// answer is kept in `idempotent_requests`, in the same transaction as the work; a retry with the same key and the
// same request gets that answer back and queues nothing. The same key with another request is refused (422).
import { createHash } from 'node:crypto';
import type { Prisma } from '../db/client.js';
import { errors } from '../errors.js';

/** Keys are remembered this long; an older key counts as new. */
export const IDEMPOTENCY_TTL_HOURS = 24;

/** A stable digest of what was asked: the action and its parameters, as JSON with sorted keys. */
export function hashRequest(action: string, params: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([action, sortKeys(params)]))
    .digest('hex');
}

/**
 * Takes `key` for this request inside `tx`. Returns undefined when the key is new: do the work, then
 * `saveIdempotentResponse`. Returns the stored answer when the same request came with this key before. A concurrent
 * request with the same key waits on the primary key until the first one commits (or rolls back), so two retries
 * racing each other still do the work once.
 */
export async function takeIdempotencyKey(
  tx: Prisma.TransactionClient,
  key: string,
  action: string,
  requestHash: string,
): Promise<Prisma.JsonValue | undefined> {
  // One row per keyed admin request: a small table, so expired keys are simply cleared here, with no timer.
  await forgetOldIdempotencyKeys(tx);
  const inserted = await tx.$executeRaw`
    INSERT INTO idempotent_requests (key, action, request_hash, response) VALUES (${key}, ${action}, ${requestHash}, 'null')
    ON CONFLICT (key) DO NOTHING`;
  if (inserted === 1) return undefined;
  const stored = await tx.idempotentRequest.findUniqueOrThrow({ where: { key } });
  if (stored.action !== action || stored.requestHash !== requestHash) {
    throw errors.idempotencyKeyReused(
      `This Idempotency-Key was used for a different request (${stored.action} with other parameters); ` +
        'use a new key for a new request.',
    );
  }
  return stored.response;
}

/** Keeps the answer for retries. It must hold no addresses: store ids and rebuild the addresses when answering. */
export async function saveIdempotentResponse(
  tx: Prisma.TransactionClient,
  key: string,
  response: Prisma.InputJsonValue,
): Promise<void> {
  await tx.idempotentRequest.update({ where: { key }, data: { response } });
}

/** Forgets keys older than IDEMPOTENCY_TTL_HOURS. */
export async function forgetOldIdempotencyKeys(db: Prisma.TransactionClient): Promise<number> {
  return db.$executeRaw`
    DELETE FROM idempotent_requests WHERE created_at < now() - ${IDEMPOTENCY_TTL_HOURS} * interval '1 hour'`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}
