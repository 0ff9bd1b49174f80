// The email a decided sign-up request sends, read fresh at send time: a reader who confirmed through another email,
// unsubscribed or was erased since the decision gets nothing (the request is skipped and its share given back).
import type { PrismaClient } from '../db/client.js';
import type { SignupDecision } from './decide-signup.js';
import type { SignupMail } from './signup-mail.js';
import type { ClaimedSignup } from './signup-requests.js';

export type SignupEmail = { send(mail: SignupMail): Promise<void> } | { skip: string };

/** What to send for `request` now, or why nothing is sent after all. */
export async function prepareSignupEmail(
  prisma: PrismaClient,
  request: ClaimedSignup,
  decision: SignupDecision,
  now: Date,
): Promise<SignupEmail> {
  if (decision.mail === null) return { skip: decision.reason };
  const reader = await prisma.subscriber.findUnique({
    where: { id: decision.subscriberId },
    select: { email: true, status: true, token: true, confirmToken: true, confirmExpiresAt: true, erasedAt: true },
  });
  if (!reader || reader.erasedAt) return { skip: 'not sent: the reader was erased' };

  if (decision.mail === 'already_subscribed') {
    if (reader.status !== 'active' && reader.status !== 'paused') {
      return { skip: `not sent: the reader is ${reader.status} now` };
    }
    return { send: (mail) => mail.sendAlreadySubscribed(reader.email, reader.token, request.messageId) };
  }

  const open =
    (reader.status === 'pending' || reader.status === 'unsubscribed') &&
    decision.confirmToken !== null &&
    reader.confirmToken === decision.confirmToken &&
    reader.confirmExpiresAt !== null &&
    reader.confirmExpiresAt > now;
  if (!open) return { skip: 'not sent: the sign-up was confirmed or voided before its email went out' };
  const topics = await topicNames(prisma, request, decision.subscriberId);
  const token = decision.confirmToken!;
  return { send: (mail) => mail.sendConfirmation(reader.email, token, topics, request.messageId) };
}

/** The topics the email names: what the form asked for, or (an admin import) what the reader has. */
async function topicNames(prisma: PrismaClient, request: ClaimedSignup, subscriberId: number): Promise<string[]> {
  const topics =
    request.origin === 'form'
      ? await prisma.topic.findMany({
          where: { id: { in: request.topicIds }, retiredAt: null },
          select: { name: true },
        })
      : (await prisma.subscriberTopic.findMany({ where: { subscriberId }, select: { topic: true } })).map(
          (t) => t.topic,
        );
  return topics.map((t) => t.name).sort((a, b) => a.localeCompare(b));
}
