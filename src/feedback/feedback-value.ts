// The signed values in feedback links: "More like this" / "Not for me" under each paper of a delivery, and the
// delivery's own web view. They name a delivery, not a reader, and carry no long-lived token, so a forwarded digest
// leaks nothing that outlives it:
//   base64url("<deliveryId>.<vote>.<paperId>") "." base64url(HMAC-SHA256(secret, "papermail-feedback-v1:" payload))
// cut to 128 bits. Anything that does not verify is simply unknown: the caller answers the same 404 as a bad token.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const VOTES = ['more', 'less'] as const;
export type Vote = (typeof VOTES)[number];

export interface FeedbackClaim {
  deliveryId: number;
  paperId: string;
  vote: Vote;
}

const MAC_BYTES = 16;
// Long enough for any arXiv id; a longer value is refused before any work.
const MAX_VALUE_CHARS = 200;

function mac(secret: string, purpose: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`papermail-${purpose}-v1:${payload}`).digest().subarray(0, MAC_BYTES);
}

function sign(secret: string, purpose: string, payload: string): string {
  return `${Buffer.from(payload).toString('base64url')}.${mac(secret, purpose, payload).toString('base64url')}`;
}

/** The payload of a value signed for `purpose`, or undefined when it is malformed or its signature is wrong. */
function verify(secret: string, purpose: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_VALUE_CHARS) return undefined;
  const match = /^([A-Za-z0-9_-]{1,180})\.([A-Za-z0-9_-]{22})$/.exec(value);
  if (!match) return undefined;
  const payload = Buffer.from(match[1]!, 'base64url').toString('utf8');
  const given = Buffer.from(match[2]!, 'base64url');
  if (given.length !== MAC_BYTES || !timingSafeEqual(given, mac(secret, purpose, payload))) return undefined;
  return payload;
}

export function signFeedback(secret: string, claim: FeedbackClaim): string {
  return sign(secret, 'feedback', `${claim.deliveryId}.${claim.vote}.${claim.paperId}`);
}

export function readFeedback(secret: string, value: unknown): FeedbackClaim | undefined {
  const payload = verify(secret, 'feedback', value);
  const match = payload === undefined ? null : /^(\d{1,10})\.(more|less)\.(.+)$/.exec(payload);
  if (!match) return undefined;
  return { deliveryId: Number(match[1]), vote: match[2] as Vote, paperId: match[3]! };
}

/** The value of a delivery's web view: the day's page with that reader's feedback links. */
export function signDeliveryView(secret: string, deliveryId: number): string {
  return sign(secret, 'delivery-view', String(deliveryId));
}

export function readDeliveryView(secret: string, value: unknown): number | undefined {
  const payload = verify(secret, 'delivery-view', value);
  return payload !== undefined && /^\d{1,10}$/.test(payload) ? Number(payload) : undefined;
}
