// Sign-up: validate what was typed (before answering), then do the work (after answering). The work depends on
// the address's state, so it happens after the HTTP answer: the answer's content and timing say nothing about who
// is subscribed.
//
//   new or pending address        store topics and keywords, (re)send the confirmation link
//   unsubscribed address          the same: the reader stays unsubscribed until the new link is confirmed
//   active or paused address      nothing changes, a short note with the preferences link is sent
//   bounced or complained address nothing at all (we do not write to those again)
//
// At most CONFIRMATIONS_PER_DAY emails (confirmations and notes) go to one address per UTC day, however many
// sign-ups arrive for it: the form cannot be used to flood someone's mailbox.

import { formatDay } from '../dates.js';
import type { Prisma, PrismaClient } from '../db/client.js';
import { errors } from '../errors.js';
import type { Logger } from '../logger.js';
import type { TopicService, TopicSummary } from '../topics/topic-service.js';
import { type EmailAddress, parseEmailAddress } from './email-address.js';
import { normalizeKeywords } from './keywords.js';
import type { ReaderStatus } from './reader-status.js';
import { CONFIRM_VALID_DAYS, type SignupMail } from './signup-mail.js';
import { newToken } from './tokens.js';

export const CONFIRMATIONS_PER_DAY = 3;
const DAY_MS = 86_400_000;

export interface SignupInput {
  email: unknown;
  topics?: readonly string[];
  keywords?: readonly unknown[];
}

/** A sign-up that passed validation: safe to act on. */
export interface SignupRequest {
  email: EmailAddress;
  topics: TopicSummary[];
  keywords: string[];
}

/** What a sign-up did; for logs and tests, never for the HTTP answer. */
export interface SignupOutcome {
  mail: 'confirmation' | 'already-subscribed' | 'none';
  /** True when a mail was due but the address had its daily share already. */
  limited: boolean;
}

/** Checks a sign-up, throwing a 400 that says what is wrong. Its work does not depend on the address's state. */
export async function prepareSignup(topics: TopicService, input: SignupInput): Promise<SignupRequest> {
  const email = parseEmailAddress(input.email);
  const keywords = normalizeKeywords(input.keywords ?? []);
  const chosen = await topics.resolveSlugs(input.topics ?? []);
  if (chosen.length === 0 && keywords.length === 0) {
    throw errors.badRequest('Choose at least one topic or add a keyword of your own.');
  }
  return { email, topics: chosen, keywords };
}

interface LockedRow {
  id: number;
  status: ReaderStatus;
  token: string;
  confirm_token: string | null;
  confirm_expires_at: Date | null;
}

/** Does a validated sign-up: stores it and sends the one email it calls for (see the table above). */
export async function subscribe(
  deps: { prisma: PrismaClient; mail: SignupMail; log: Logger },
  request: SignupRequest,
  now = new Date(),
): Promise<SignupOutcome> {
  const { prisma, mail, log } = deps;
  const { email, topics, keywords } = request;
  const day = formatDay(now);

  const plan = await prisma.$transaction(async (tx) => {
    // Insert-if-absent, then lock the row: two sign-ups of one address at once queue up here instead of racing.
    await tx.$executeRaw`
      INSERT INTO subscribers (email, email_key, token, updated_at)
      VALUES (${email.address}, ${email.key}, ${newToken()}, ${now})
      ON CONFLICT (email_key) DO NOTHING`;
    const [row] = await tx.$queryRaw<LockedRow[]>`
      SELECT id, status::text AS status, token, confirm_token, confirm_expires_at
      FROM subscribers WHERE email_key = ${email.key} FOR UPDATE`;
    if (!row) throw new Error('the subscriber row vanished inside its own transaction');

    if (row.status === 'bounced' || row.status === 'complained') return { kind: 'none' as const, row };

    if (row.status === 'pending' || row.status === 'unsubscribed') {
      // An unexpired link of a pending sign-up stays valid, so every confirmation email sent for it works.
      const keep =
        row.status === 'pending' && row.confirm_token && row.confirm_expires_at && row.confirm_expires_at > now;
      const confirmToken = keep ? row.confirm_token! : newToken();
      await tx.subscriber.update({
        where: { id: row.id },
        data: {
          email: email.address,
          keywords,
          confirmToken,
          confirmExpiresAt: new Date(now.getTime() + CONFIRM_VALID_DAYS * DAY_MS),
        },
      });
      await tx.subscriberTopic.deleteMany({ where: { subscriberId: row.id } });
      await tx.subscriberTopic.createMany({ data: topics.map((t) => ({ subscriberId: row.id, topicId: t.id })) });
      const allowed = await takeDailyMailShare(tx, row.id, day);
      return { kind: allowed ? ('confirmation' as const) : ('limited' as const), row, confirmToken };
    }

    // active or paused: nothing a stranger may change; the owner gets a pointer to the preferences page.
    const allowed = await takeDailyMailShare(tx, row.id, day);
    return { kind: allowed ? ('already-subscribed' as const) : ('limited' as const), row };
  });

  if (plan.kind === 'none') return { mail: 'none', limited: false };
  if (plan.kind === 'limited') {
    log.info({ subscriberId: plan.row.id }, 'sign-up: daily email limit reached for this address, nothing sent');
    return { mail: 'none', limited: true };
  }
  if (plan.kind === 'confirmation') {
    await mail.sendConfirmation(
      email.address,
      plan.confirmToken,
      topics.map((t) => t.name),
    );
    log.info({ subscriberId: plan.row.id }, 'sign-up: confirmation email sent');
    return { mail: 'confirmation', limited: false };
  }
  await mail.sendAlreadySubscribed(email.address, plan.row.token);
  log.info({ subscriberId: plan.row.id }, 'sign-up: already subscribed, preferences note sent');
  return { mail: 'already-subscribed', limited: false };
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

/**
 * Sends (again) the confirmation email of a pending reader made elsewhere, e.g. by an admin import in pending mode,
 * which sets the confirmation token itself. Throws when the reader has no open sign-up or its daily share of
 * emails is used up, so the caller can report the email as not sent.
 */
export async function sendPendingConfirmation(
  deps: { prisma: PrismaClient; mail: SignupMail },
  subscriberId: number,
  now = new Date(),
): Promise<void> {
  const { prisma, mail } = deps;
  const reader = await prisma.subscriber.findUnique({
    where: { id: subscriberId },
    select: {
      email: true,
      status: true,
      confirmToken: true,
      confirmExpiresAt: true,
      erasedAt: true,
      topics: { select: { topic: { select: { name: true } } } },
    },
  });
  const open =
    reader?.status === 'pending' &&
    reader.erasedAt === null &&
    reader.confirmToken !== null &&
    reader.confirmExpiresAt !== null &&
    reader.confirmExpiresAt > now;
  if (!open) throw new Error(`reader ${subscriberId} has no open sign-up to confirm`);
  if (!(await takeDailyMailShare(prisma, subscriberId, formatDay(now)))) {
    throw new Error(`reader ${subscriberId} had its ${CONFIRMATIONS_PER_DAY} emails today already`);
  }
  const names = reader.topics.map((t) => t.topic.name).sort((a, b) => a.localeCompare(b));
  await mail.sendConfirmation(reader.email, reader.confirmToken!, names);
}
