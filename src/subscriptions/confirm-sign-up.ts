// Double opt-in, second half. Mail scanners open every link in a message, so looking at the confirmation page
// (findConfirmation) changes nothing; only pressing its button (confirmSignup, a POST) activates.
//
// Pressing it is one conditional statement that names the token, its expiry, the statuses it moves from and
// `erased_at IS NULL`, and clears the token: the link then grants nothing more. The topics, keywords and delivery
// settings of the latest sign-up that mailed this link are applied in the same transaction; until then they lived
// on the sign-up request only, so a stranger's sign-up never changed a reader's interests or settings. A second press (a link scanner after
// the click, a forwarded email) gets a short "already confirmed" answer without the long-lived token.
import type { Prisma, PrismaClient } from '../db/client.js';
import type { FirstDigest } from '../digest/first-digest.js';
import { type DeliverySettingsChange, readStoredSettings } from './delivery-settings.js';
import { unknownLink } from './find-reader.js';
import { CONFIRM_VALID_DAYS } from './signup-mail.js';
import { isWellFormedToken } from './tokens.js';

export type ConfirmationView =
  /** The link is open: the page shows what pressing it will do. */
  /** `delivery`: the settings the sign-up asked for (the fields it gave; the rest stay as they are). */
  | { state: 'open'; email: string; topics: string[]; keywords: string[]; delivery: DeliverySettingsChange }
  /** This press confirmed it: the page may link to the preferences (`token`) once. */
  | {
      state: 'confirmed';
      subscriberId: number;
      email: string;
      topics: string[];
      keywords: string[];
      token: string;
      /** The first digest: sent at once, or when it is expected (undefined when it could not be told). */
      firstDigest?: FirstDigest;
    }
  /** Pressed before: nothing about the reader is shown. */
  | { state: 'already-confirmed' };

interface Asked {
  topic_ids: number[];
  keywords: string[];
  settings: unknown;
}

const DAY_MS = 86_400_000;

/** What the confirmation page shows; changes nothing. */
export async function findConfirmation(
  prisma: PrismaClient,
  confirmToken: unknown,
  now = new Date(),
): Promise<ConfirmationView> {
  if (!isWellFormedToken(confirmToken)) throw unknownLink();
  const reader = await prisma.subscriber.findFirst({
    where: {
      confirmToken,
      confirmExpiresAt: { gt: now },
      erasedAt: null,
      status: { in: ['pending', 'unsubscribed'] },
    },
    select: { id: true, email: true, keywords: true, topics: { select: { topic: { select: { name: true } } } } },
  });
  if (!reader) {
    if (await wasConfirmed(prisma, confirmToken, now)) return { state: 'already-confirmed' };
    throw unknownLink();
  }
  const asked = await latestAsked(prisma, confirmToken, reader.id);
  if (!asked) {
    // An admin import's sign-up: the interests the admin gave stand.
    return {
      state: 'open',
      email: reader.email,
      topics: names(reader.topics),
      keywords: reader.keywords,
      delivery: {},
    };
  }
  const topics = await prisma.topic.findMany({
    where: { id: { in: asked.topic_ids }, retiredAt: null },
    select: { name: true },
  });
  return {
    state: 'open',
    email: reader.email,
    topics: names(topics.map((topic) => ({ topic }))),
    keywords: asked.keywords,
    delivery: readStoredSettings(asked.settings),
  };
}

/** Activates the sign-up behind a confirmation token and applies what it asked for; a second press changes nothing. */
export async function confirmSignup(
  prisma: PrismaClient,
  confirmToken: unknown,
  now = new Date(),
): Promise<ConfirmationView> {
  if (!isWellFormedToken(confirmToken)) throw unknownLink();
  const id = await prisma.$transaction(async (tx) => {
    const [reader] = await tx.$queryRaw<{ id: number }[]>`
      UPDATE subscribers SET status = 'active', confirmed_at = ${now}, unsubscribed_at = NULL,
        confirm_token = NULL, confirm_expires_at = NULL, updated_at = now()
      WHERE confirm_token = ${confirmToken} AND confirm_expires_at > ${now} AND erased_at IS NULL
        AND status IN ('pending', 'unsubscribed')
      RETURNING id`;
    if (!reader) return undefined;
    const asked = await latestAsked(tx, confirmToken, reader.id);
    if (asked) await applyInterests(tx, reader.id, asked);
    await tx.$executeRaw`
      UPDATE signup_requests SET confirmed_at = ${now}, updated_at = now()
      WHERE confirm_token = ${confirmToken} AND subscriber_id = ${reader.id}`;
    return reader.id;
  });
  if (id === undefined) {
    // Two presses at once: one activates, the other lands here and finds it done.
    if (await wasConfirmed(prisma, confirmToken, now)) return { state: 'already-confirmed' };
    throw unknownLink();
  }
  const reader = await prisma.subscriber.findUniqueOrThrow({
    where: { id },
    select: { email: true, token: true, keywords: true, topics: { select: { topic: { select: { name: true } } } } },
  });
  return {
    state: 'confirmed',
    subscriberId: id,
    email: reader.email,
    topics: names(reader.topics),
    keywords: reader.keywords,
    token: reader.token,
  };
}

/** What the latest sign-up from the form (or the API) that mailed this link asked for. */
async function latestAsked(
  db: PrismaClient | Prisma.TransactionClient,
  confirmToken: string,
  subscriberId: number,
): Promise<Asked | undefined> {
  const [asked] = await db.$queryRaw<Asked[]>`
    SELECT topic_ids, keywords, settings FROM signup_requests
    WHERE confirm_token = ${confirmToken} AND subscriber_id = ${subscriberId} AND origin = 'form'
    ORDER BY id DESC LIMIT 1`;
  return asked;
}

async function applyInterests(tx: Prisma.TransactionClient, subscriberId: number, asked: Asked) {
  // Settings it did not give stay as the reader has them (a new reader's defaults).
  await tx.subscriber.update({
    where: { id: subscriberId },
    data: { keywords: asked.keywords, ...readStoredSettings(asked.settings) },
  });
  await tx.subscriberTopic.deleteMany({ where: { subscriberId } });
  // A topic retired since the sign-up is left out.
  await tx.$executeRaw`
    INSERT INTO subscriber_topics (subscriber_id, topic_id)
    SELECT ${subscriberId}, id FROM topics WHERE id = ANY(${asked.topic_ids}::int[]) AND retired_at IS NULL`;
}

/** Whether this link was pressed within the last CONFIRM_VALID_DAYS by a reader who is still subscribed. */
async function wasConfirmed(prisma: PrismaClient, confirmToken: string, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - CONFIRM_VALID_DAYS * DAY_MS);
  const rows = await prisma.$queryRaw<{ one: number }[]>`
    SELECT 1 AS one FROM signup_requests r JOIN subscribers s ON s.id = r.subscriber_id
    WHERE r.confirm_token = ${confirmToken} AND r.confirmed_at > ${since}
      AND s.status IN ('active', 'paused') AND s.erased_at IS NULL
    LIMIT 1`;
  return rows.length > 0;
}

function names(topics: { topic: { name: string } }[]): string[] {
  return topics.map((t) => t.topic.name).sort((a, b) => a.localeCompare(b));
}
