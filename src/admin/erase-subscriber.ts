// Erasing a reader (a "right to erasure" request): the row stays so that delivery history and counts stay true, but
// nothing in it, or in its deliveries and selections, can name the person any more.
import type { Prisma } from '../db/client.js';
import { errors } from '../errors.js';
import { newToken } from '../subscriptions/tokens.js';

export interface EraseResult {
  id: number;
  erasedAt: string;
  /** Deliveries kept, anonymised. */
  deliveries: number;
  /** True when the reader had been erased before; nothing changed this time. */
  alreadyErased: boolean;
}

/** The address an erased reader is left with: unique, and undeliverable by design (RFC 2606 reserves .invalid). */
export function erasedAddress(id: number): string {
  return `erased-${id}@invalid`;
}

/**
 * Replaces the address, drops keywords, topics and sign-up requests, rotates every token (old links then find no one: 404), marks the
 * reader unsubscribed and erased, and scrubs the address and keywords out of the reader's deliveries and selections.
 */
export async function eraseSubscriber(
  tx: Prisma.TransactionClient,
  id: number,
  now = new Date(),
): Promise<EraseResult> {
  // Lock the row: a concurrent preferences change must not write keywords back after we cleared them.
  const locked = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM subscribers WHERE id = ${id} FOR UPDATE`;
  if (locked.length === 0) throw errors.notFound(`There is no reader ${id}.`);
  const reader = await tx.subscriber.findUniqueOrThrow({
    where: { id },
    select: { email: true, keywords: true, erasedAt: true },
  });
  const deliveries = await tx.delivery.count({ where: { subscriberId: id } });
  if (reader.erasedAt) {
    return { id, erasedAt: reader.erasedAt.toISOString(), deliveries, alreadyErased: true };
  }

  const anonymous = erasedAddress(id);
  await tx.subscriberTopic.deleteMany({ where: { subscriberId: id } });
  // Votes say what the person reads, and their interest keys hold the reader's own keywords.
  await tx.feedback.deleteMany({ where: { subscriberId: id } });
  // Sign-up requests hold the address and what a form asked for; one not processed yet knows only the address.
  await tx.signupRequest.deleteMany({
    where: { OR: [{ subscriberId: id }, { emailKey: reader.email.toLowerCase() }] },
  });
  // Provider events name the address, in the recipient and often in the diagnostic too.
  await tx.deliveryEvent.updateMany({ where: { subscriberId: id }, data: { recipient: anonymous, detail: '' } });
  await tx.subscriber.update({
    where: { id },
    data: {
      email: anonymous,
      emailKey: anonymous,
      status: 'unsubscribed',
      unsubscribedAt: now,
      erasedAt: now,
      keywords: [],
      token: newToken(),
      confirmToken: null,
      confirmExpiresAt: null,
      confirmSentOn: null,
      confirmSentCount: 0,
    },
  });

  // Deliveries and selections keep their dates, statuses and papers. What could name the reader: the address inside
  // an SMTP error ("550 5.1.1 <ada@example.org>: no such user") and the reader's own keywords in the "why you got
  // this" data of their selections.
  const secrets = [reader.email, ...reader.keywords].filter((s) => s.length > 0);
  const rows = await tx.delivery.findMany({
    where: { subscriberId: id, lastError: { not: null } },
    select: { id: true, lastError: true },
  });
  for (const row of rows) {
    const lastError = scrubText(row.lastError!, reader.email, anonymous);
    if (lastError !== row.lastError) await tx.delivery.update({ where: { id: row.id }, data: { lastError } });
  }
  const selections = await tx.selection.findMany({ where: { subscriberId: id }, select: { id: true, matches: true } });
  for (const row of selections) {
    const matches = scrubJson(row.matches, secrets, anonymous);
    if (JSON.stringify(matches) !== JSON.stringify(row.matches)) {
      await tx.selection.update({ where: { id: row.id }, data: { matches: matches as Prisma.InputJsonValue } });
    }
  }
  return { id, erasedAt: now.toISOString(), deliveries, alreadyErased: false };
}

function scrubText(text: string, email: string, replacement: string): string {
  return text.replace(new RegExp(escapeRegExp(email), 'gi'), replacement);
}

/**
 * Any string in the JSON that holds one of `secrets` (any case) as a whole phrase loses it: the address becomes the
 * anonymous one, a keyword becomes "(erased)". Whole phrases only, so a keyword "rl" leaves "world" alone. The shape
 * of `matches` belongs to the digest, so this walks any JSON rather than assuming one.
 */
function scrubJson(value: Prisma.JsonValue, secrets: string[], anonymous: string): Prisma.JsonValue {
  const scrub = (text: string) =>
    secrets.reduce(
      (out, s) =>
        out.replace(
          new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(s)}(?![\\p{L}\\p{N}])`, 'giu'),
          s.includes('@') ? anonymous : '(erased)',
        ),
      text,
    );
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((v) => scrubJson(v, secrets, anonymous));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [scrub(k), scrubJson(v ?? null, secrets, anonymous)]),
    );
  }
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
