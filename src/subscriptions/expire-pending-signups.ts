// Sign-ups nobody confirmed within CONFIRM_VALID_DAYS are deleted: we never had consent to keep the address.
// Expired confirmation links of other readers (an unsubscribed reader who signed up again and never confirmed)
// are cleared. Finished sign-up requests go a day after their link would have expired: they hold an address and
// what a form asked for, and are needed only to confirm (and to recognise a second press). Run daily.
import type { PrismaClient } from '../db/client.js';
import { CONFIRM_VALID_DAYS } from './signup-mail.js';

const DAY_MS = 86_400_000;

export async function expirePendingSignups(prisma: PrismaClient, now = new Date()): Promise<number> {
  const weekAgo = new Date(now.getTime() - CONFIRM_VALID_DAYS * DAY_MS);
  const { count } = await prisma.subscriber.deleteMany({
    where: {
      status: 'pending',
      OR: [{ confirmExpiresAt: { lt: now } }, { confirmExpiresAt: null, createdAt: { lt: weekAgo } }],
    },
  });
  await prisma.subscriber.updateMany({
    where: { confirmToken: { not: null }, confirmExpiresAt: { lt: now } },
    data: { confirmToken: null, confirmExpiresAt: null },
  });
  await prisma.signupRequest.deleteMany({
    where: {
      status: { in: ['sent', 'failed', 'skipped'] },
      createdAt: { lt: new Date(weekAgo.getTime() - DAY_MS) },
    },
  });
  return count;
}
