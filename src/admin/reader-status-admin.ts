// An admin pausing or unsubscribing a reader (a reader who wrote in, an address that complains by mail). Each is one
// conditional update naming the states it moves from, audited in the same transaction; repeating it changes nothing.
import type { PrismaClient } from '../db/client.js';
import { errors } from '../errors.js';
import type { SubscriberStatus } from '../generated/prisma/enums.js';
import { type Actor, runAudited } from './audit.js';

export type AdminStatusChange = 'pause' | 'unsubscribe';

export interface StatusChangeResult {
  id: number;
  status: SubscriberStatus;
  /** False when the reader already had the status (a second click): nothing was written but the audit entry. */
  changed: boolean;
}

const MOVES: Record<AdminStatusChange, { from: SubscriberStatus[]; to: SubscriberStatus; done: SubscriberStatus[] }> = {
  pause: { from: ['active'], to: 'paused', done: ['paused'] },
  // Like the reader's own unsubscribe: any open confirmation link is voided so it cannot bring them back.
  unsubscribe: { from: ['pending', 'active', 'paused'], to: 'unsubscribed', done: ['unsubscribed'] },
};

export function changeReaderStatus(
  prisma: PrismaClient,
  actor: Actor,
  id: number,
  change: AdminStatusChange,
): Promise<StatusChangeResult> {
  const move = MOVES[change];
  return runAudited(prisma, { actor, action: `subscriber.${change}`, params: { id } }, async (tx) => {
    const data =
      change === 'unsubscribe'
        ? { status: move.to, unsubscribedAt: new Date(), confirmToken: null, confirmExpiresAt: null }
        : { status: move.to };
    const { count } = await tx.subscriber.updateMany({ where: { id, status: { in: move.from } }, data });
    const now = await tx.subscriber.findUnique({ where: { id }, select: { status: true } });
    if (!now) throw errors.notFound(`There is no reader ${id}.`);
    if (count === 0 && !move.done.includes(now.status)) {
      throw errors.conflict(
        `This reader is ${now.status}: they cannot be ${change === 'pause' ? 'paused' : 'unsubscribed'}.`,
      );
    }
    const value = { id, status: now.status, changed: count === 1 };
    return { value, result: { status: now.status, changed: count === 1 } };
  });
}
