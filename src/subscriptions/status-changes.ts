// Pause, resume, unsubscribe, resubscribe: each one conditional update that names the token, the states it moves
// from and `erased_at IS NULL`, so it is safe to repeat, safe against a digest run reading the row at the same
// moment, and can never undo an erase that committed in between (an erase rotates the token and sets erased_at).
// Repeating a change that already happened is a no-op, not an error (a second click, a mail client retrying a
// one-click POST).
import type { PrismaClient } from '../db/client.js';
import { errors } from '../errors.js';
import { findReaderByToken, unknownLink } from './find-reader.js';
import type { ReaderStatus } from './reader-status.js';
import { isWellFormedToken } from './tokens.js';

async function move(
  prisma: PrismaClient,
  token: unknown,
  from: ReaderStatus[],
  done: ReaderStatus[],
  data: { status: ReaderStatus } & Record<string, unknown>,
  refusal: (status: ReaderStatus) => string,
  extraWhere: Record<string, unknown> = {},
): Promise<ReaderStatus> {
  if (!isWellFormedToken(token)) throw unknownLink();
  const { count } = await prisma.subscriber.updateMany({
    where: { token, erasedAt: null, status: { in: from }, ...extraWhere },
    data,
  });
  if (count === 1) return data.status;
  // Why not: the link is unknown (or erased), the change happened already, or this status cannot make it.
  const { status } = await findReaderByToken(prisma, token);
  if (done.includes(status)) return status;
  throw errors.conflict(refusal(status));
}

/** active → paused: no digests until resumed. */
export function pauseReader(prisma: PrismaClient, token: unknown): Promise<ReaderStatus> {
  return move(
    prisma,
    token,
    ['active'],
    ['paused'],
    { status: 'paused' },
    (s) => `Only an active subscription can be paused; this one is ${s}.`,
  );
}

/** paused → active. */
export function resumeReader(prisma: PrismaClient, token: unknown): Promise<ReaderStatus> {
  return move(
    prisma,
    token,
    ['paused'],
    ['active'],
    { status: 'active' },
    (s) => `Only a paused subscription can be resumed; this one is ${s}.`,
  );
}

/**
 * → unsubscribed, effective for every digest claim after it commits. Always succeeds for a known token (a one-click
 * POST must get a 200): an address that bounced or complained already gets nothing and keeps that status. Any
 * confirmation link still out there is voided, so an old link cannot bring the reader back.
 */
export function unsubscribeReader(prisma: PrismaClient, token: unknown, now = new Date()): Promise<ReaderStatus> {
  return move(
    prisma,
    token,
    ['pending', 'active', 'paused'],
    ['unsubscribed', 'bounced', 'complained'],
    { status: 'unsubscribed', unsubscribedAt: now, confirmToken: null, confirmExpiresAt: null },
    (s) => `This subscription cannot be unsubscribed from ${s}.`,
  );
}

/**
 * unsubscribed → active, from the unsubscribe page ("that was a mistake"). The token proves the reader holds the
 * mailbox, but only a reader who once confirmed may come back this way; others sign up again. An erased reader
 * never does: erase rotates the token and the statement names `erased_at IS NULL` as well.
 */
export function resubscribeReader(prisma: PrismaClient, token: unknown): Promise<ReaderStatus> {
  return move(
    prisma,
    token,
    ['unsubscribed'],
    ['active', 'paused'],
    { status: 'active', unsubscribedAt: null },
    (s) =>
      s === 'unsubscribed'
        ? 'This address never confirmed its subscription: sign up again from the front page.'
        : `This subscription cannot be restarted from here; it is ${s}.`,
    { confirmedAt: { not: null } },
  );
}

/** The status a reader asked for (JSON API): paused, active (resume or resubscribe) or unsubscribed. */
export async function setReaderStatus(
  prisma: PrismaClient,
  token: unknown,
  wanted: 'active' | 'paused' | 'unsubscribed',
  now = new Date(),
): Promise<ReaderStatus> {
  if (wanted === 'paused') return pauseReader(prisma, token);
  if (wanted === 'unsubscribed') return unsubscribeReader(prisma, token, now);
  const reader = await findReaderByToken(prisma, token);
  return reader.status === 'unsubscribed' ? resubscribeReader(prisma, token) : resumeReader(prisma, token);
}
