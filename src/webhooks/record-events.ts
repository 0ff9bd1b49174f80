// Records provider events on their deliveries and acts on them. Each event is one transaction: the insert (unique
// on provider + provider event id) and the reader's status change commit together, so a replayed event inserts
// nothing and therefore changes nothing, and a crash between the two cannot leave a recorded but unapplied bounce.
import type { Prisma, PrismaClient } from '../db/client.js';
import { bracketed, type Provider, type ProviderEvent } from './provider-event.js';

/** Soft bounces in this many of the reader's latest sends … */
export const SOFT_BOUNCE_WINDOW = 5;
/** … at least this many suspend the reader (status bounced). */
export const SOFT_BOUNCE_LIMIT = 3;

export interface RecordResult {
  /** Events in the request. */
  events: number;
  /** Events seen for the first time and recorded; the rest were replays. */
  recorded: number;
  /** Readers this request stopped mailing (bounced or complained). */
  suppressed: number;
}

interface Target {
  deliveryId: number | null;
  subscriberId: number | null;
}

/** The delivery by the Message-ID papermail set, else the reader by address and their latest sent delivery. */
async function findTarget(tx: Prisma.TransactionClient, event: ProviderEvent): Promise<Target> {
  const messageId = bracketed(event.messageId);
  if (messageId) {
    const rows = await tx.$queryRaw<Target[]>`
      SELECT id AS "deliveryId", subscriber_id AS "subscriberId" FROM deliveries WHERE message_id = ${messageId}`;
    if (rows[0]) return rows[0];
  }
  const rows = await tx.$queryRaw<Target[]>`
    SELECT s.id AS "subscriberId",
           (SELECT d.id FROM deliveries d WHERE d.subscriber_id = s.id AND d.sent_at IS NOT NULL
            ORDER BY d.sent_at DESC, d.id DESC LIMIT 1) AS "deliveryId"
    FROM subscribers s WHERE s.email_key = ${event.recipient.trim().toLowerCase()}`;
  return rows[0] ?? { deliveryId: null, subscriberId: null };
}

/** The status change an event calls for; the number of readers it stopped (0 or 1). */
function applyEvent(tx: Prisma.TransactionClient, type: ProviderEvent['type'], subscriberId: number): Promise<number> {
  switch (type) {
    case 'hard_bounce':
      return tx.$executeRaw`
        UPDATE subscribers SET status = 'bounced', bounced_at = now(), updated_at = now()
        WHERE id = ${subscriberId} AND status IN ('pending', 'active', 'paused')`;
    case 'complaint':
      // A complaint outranks every other status: whatever comes later, this address must not get mail again.
      return tx.$executeRaw`
        UPDATE subscribers SET status = 'complained', confirm_token = NULL, confirm_expires_at = NULL,
          updated_at = now()
        WHERE id = ${subscriberId} AND status <> 'complained'`;
    case 'soft_bounce':
      // Counted per delivery: providers report each retry of one message, which is still one bounced send.
      return tx.$executeRaw`
        UPDATE subscribers SET status = 'bounced', bounced_at = now(), updated_at = now()
        WHERE id = ${subscriberId} AND status = 'active'
          AND (SELECT count(DISTINCT latest.id) FROM (
                 SELECT d.id FROM deliveries d WHERE d.subscriber_id = ${subscriberId} AND d.sent_at IS NOT NULL
                 ORDER BY d.sent_at DESC, d.id DESC LIMIT ${SOFT_BOUNCE_WINDOW}) latest
               JOIN delivery_events e ON e.delivery_id = latest.id AND e.type = 'soft_bounce') >= ${SOFT_BOUNCE_LIMIT}`;
    default:
      return Promise.resolve(0);
  }
}

async function recordOne(prisma: PrismaClient, provider: Provider, event: ProviderEvent) {
  return prisma.$transaction(async (tx) => {
    const target = await findTarget(tx, event);
    const inserted = await tx.$executeRaw`
      INSERT INTO delivery_events (provider, provider_event_id, type, detail, recipient, delivery_id, subscriber_id)
      VALUES (${provider}, ${event.providerEventId.slice(0, 500)}, ${event.type}::delivery_event_type,
              ${event.detail}, ${event.recipient.slice(0, 320)}, ${target.deliveryId}, ${target.subscriberId})
      ON CONFLICT (provider, provider_event_id) DO NOTHING`;
    if (inserted === 0) return { recorded: 0, suppressed: 0 };
    const suppressed = target.subscriberId === null ? 0 : await applyEvent(tx, event.type, target.subscriberId);
    return { recorded: 1, suppressed };
  });
}

export async function recordProviderEvents(
  prisma: PrismaClient,
  provider: Provider,
  events: ProviderEvent[],
): Promise<RecordResult> {
  const result: RecordResult = { events: events.length, recorded: 0, suppressed: 0 };
  for (const event of events) {
    const one = await recordOne(prisma, provider, event);
    result.recorded += one.recorded;
    result.suppressed += one.suppressed;
  }
  return result;
}
