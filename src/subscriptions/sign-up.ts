// Sign-up: validate what was typed, then accept it with one INSERT into the sign-up queue, before answering. Both
// steps do the same work whatever the address's state, so the answer's content and timing say nothing about who is
// subscribed; the state is looked at only by the worker that processes the queue (decide-signup.ts), after the
// answer. A crash after the answer loses nothing: the request is in Postgres, and the next pass of any instance
// processes it.
import { formatDay } from '../dates.js';
import type { PrismaClient } from '../db/client.js';
import { errors } from '../errors.js';
import type { TopicService, TopicSummary } from '../topics/topic-service.js';
import { CONFIRMATIONS_PER_DAY } from './decide-signup.js';
import { type DeliverySettingsChange, type DeliverySettingsInput, parseSettingsChange } from './delivery-settings.js';
import { type EmailAddress, parseEmailAddress } from './email-address.js';
import { normalizeKeywords } from './keywords.js';
import { insertImportConfirmation, insertSignupRequest } from './signup-requests.js';

/** What a sign-up may give: the address, interests, and any of the delivery settings (the rest stay as they are). */
export interface SignupInput extends DeliverySettingsInput {
  email: unknown;
  topics?: readonly string[];
  keywords?: readonly unknown[];
}

/** A sign-up that passed validation: safe to act on. */
export interface SignupRequest {
  email: EmailAddress;
  topics: TopicSummary[];
  keywords: string[];
  /** The delivery settings it gave, parsed; applied with the interests when the link is pressed. */
  settings: DeliverySettingsChange;
}

/** Checks a sign-up, throwing a 400 that says what is wrong. Its work does not depend on the address's state. */
export async function prepareSignup(topics: TopicService, input: SignupInput): Promise<SignupRequest> {
  const email = parseEmailAddress(input.email);
  const keywords = normalizeKeywords(input.keywords ?? []);
  const chosen = await topics.resolveSlugs(input.topics ?? []);
  if (chosen.length === 0 && keywords.length === 0) {
    throw errors.badRequest('Choose at least one topic or add a keyword of your own.');
  }
  const settings = parseSettingsChange(input);
  return { email, topics: chosen, keywords, settings };
}

/** Writes a validated sign-up to the queue: one constant-cost statement, done before the HTTP answer. */
export function acceptSignup(prisma: PrismaClient, request: SignupRequest): Promise<void> {
  return insertSignupRequest(prisma, {
    address: request.email.address,
    key: request.email.key,
    topicIds: request.topics.map((t) => t.id),
    keywords: request.keywords,
    settings: request.settings,
  });
}

/**
 * Queues (again) the confirmation email of a pending reader made elsewhere, e.g. by an admin import in pending mode,
 * which sets the confirmation token itself. Throws when the reader has no open sign-up or its daily share of
 * emails is used up, so the caller can report the email as not sent.
 */
export async function queuePendingConfirmation(
  prisma: PrismaClient,
  subscriberId: number,
  now = new Date(),
): Promise<void> {
  if (await insertImportConfirmation(prisma, subscriberId, formatDay(now), CONFIRMATIONS_PER_DAY, now)) return;
  const reader = await prisma.subscriber.findUnique({
    where: { id: subscriberId },
    select: { status: true, confirmToken: true, confirmExpiresAt: true, erasedAt: true },
  });
  const open =
    reader?.status === 'pending' &&
    reader.erasedAt === null &&
    reader.confirmToken !== null &&
    reader.confirmExpiresAt !== null &&
    reader.confirmExpiresAt > now;
  if (!open) throw new Error(`reader ${subscriberId} has no open sign-up to confirm`);
  throw new Error(`reader ${subscriberId} had its ${CONFIRMATIONS_PER_DAY} emails today already`);
}
