// Double opt-in, second half. Mail scanners open every link in a message, so looking at the confirmation page
// (findConfirmation) changes nothing; only pressing its button (confirmSignup, a POST) activates. Pressing it again
// is harmless: an active or paused reader stays as it is.
import type { PrismaClient } from '../db/client.js';
import { findReaderByConfirmToken, unknownLink } from './find-reader.js';
import type { ReaderStatus } from './reader-status.js';

export interface ConfirmationView {
  email: string;
  status: ReaderStatus;
  /** Names of the topics the sign-up chose. */
  topics: string[];
  keywords: string[];
  /** True once the sign-up is confirmed (active or paused). */
  confirmed: boolean;
  /** The long-lived preferences token, given only once confirmed. */
  token?: string;
}

const ACTIVATABLE: ReaderStatus[] = ['pending', 'unsubscribed'];
const CONFIRMED: ReaderStatus[] = ['active', 'paused'];

/** What the confirmation page shows; changes nothing. */
export async function findConfirmation(
  prisma: PrismaClient,
  confirmToken: unknown,
  now = new Date(),
): Promise<ConfirmationView> {
  const reader = await findReaderByConfirmToken(prisma, confirmToken, now);
  if (!ACTIVATABLE.includes(reader.status) && !CONFIRMED.includes(reader.status)) throw unknownLink();
  return view(prisma, reader.id);
}

/** Activates the sign-up behind a confirmation token (idempotent). */
export async function confirmSignup(
  prisma: PrismaClient,
  confirmToken: unknown,
  now = new Date(),
): Promise<ConfirmationView> {
  const reader = await findReaderByConfirmToken(prisma, confirmToken, now);
  if (ACTIVATABLE.includes(reader.status)) {
    // Conditional on the state we saw: of two presses at once, one activates and the other finds it active.
    await prisma.subscriber.updateMany({
      where: { id: reader.id, status: { in: ACTIVATABLE }, confirmToken: confirmToken as string },
      data: { status: 'active', confirmedAt: now, unsubscribedAt: null },
    });
  }
  const result = await view(prisma, reader.id);
  // A reader who bounced or complained after the link was sent is not brought back by it.
  if (!result.confirmed) throw unknownLink();
  return result;
}

async function view(prisma: PrismaClient, id: number): Promise<ConfirmationView> {
  const reader = await prisma.subscriber.findUniqueOrThrow({
    where: { id },
    select: { email: true, status: true, token: true, keywords: true, topics: { select: { topic: true } } },
  });
  const confirmed = CONFIRMED.includes(reader.status);
  return {
    email: reader.email,
    status: reader.status,
    topics: reader.topics.map((t) => t.topic.name).sort((a, b) => a.localeCompare(b)),
    keywords: reader.keywords,
    confirmed,
    ...(confirmed ? { token: reader.token } : {}),
  };
}
