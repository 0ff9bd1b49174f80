// The signed values in feedback links: "More like this" / "Not for me" under each paper of a delivery, and the
// delivery's own web view. They name a delivery, not a reader, and carry no long-lived token, so a forwarded digest
// leaks nothing that outlives it:
//   base64url("<deliveryId>.<vote>.<paperId>") "."
//   base64url(HMAC-SHA256(secret, "papermail-feedback-v2:" deliveryId))
// cut to 128 bits. The signature is the delivery's: every link of one email carries the same one, so a digest costs
// one HMAC instead of one per link (twenty for ten papers: a quarter of the time spent composing a message at
// 100,000 readers). It grants no more than before: whoever holds an email can press any of its buttons already, and
// a vote is recorded only for a paper the delivery carried (feedback-service.ts). Links of emails sent before it
// signed the whole payload ("papermail-feedback-v1:" payload) and still verify. Anything that does not verify is
// simply unknown: the caller answers the same 404 as a bad token.
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

function mac(secret: string, purpose: string, payload: string, version = 1): Buffer {
  return createHmac('sha256', secret)
    .update(`papermail-${purpose}-v${version}:${payload}`)
    .digest()
    .subarray(0, MAC_BYTES);
}

function sign(secret: string, purpose: string, payload: string): string {
  return `${Buffer.from(payload).toString('base64url')}.${mac(secret, purpose, payload).toString('base64url')}`;
}

/** A value's payload and signature, or undefined when it is not shaped like one. */
function split(value: unknown): { payload: string; signature: Buffer } | undefined {
  if (typeof value !== 'string' || value.length > MAX_VALUE_CHARS) return undefined;
  const match = /^([A-Za-z0-9_-]{1,180})\.([A-Za-z0-9_-]{22})$/.exec(value);
  if (!match) return undefined;
  const signature = Buffer.from(match[2]!, 'base64url');
  if (signature.length !== MAC_BYTES) return undefined;
  return { payload: Buffer.from(match[1]!, 'base64url').toString('utf8'), signature };
}

/** The payload of a value signed for `purpose`, or undefined when it is malformed or its signature is wrong. */
function verify(secret: string, purpose: string, value: unknown): string | undefined {
  const parts = split(value);
  return parts && timingSafeEqual(parts.signature, mac(secret, purpose, parts.payload)) ? parts.payload : undefined;
}

/** The feedback links' signature of one delivery, in base64url (feedbackValue puts it on each link). */
export function deliverySignature(secret: string, deliveryId: number): string {
  return mac(secret, 'feedback', String(deliveryId), 2).toString('base64url');
}

export function feedbackValue(signature: string, claim: FeedbackClaim): string {
  return `${Buffer.from(`${claim.deliveryId}.${claim.vote}.${claim.paperId}`).toString('base64url')}.${signature}`;
}

export function readFeedback(secret: string, value: unknown): FeedbackClaim | undefined {
  const parts = split(value);
  const match = parts && /^(\d{1,10})\.(more|less)\.(.+)$/.exec(parts.payload);
  if (!parts || !match) return undefined;
  const signedBy = (expected: Buffer) => timingSafeEqual(parts.signature, expected);
  // The delivery's signature, or (emails sent before it) the whole payload's.
  if (!signedBy(mac(secret, 'feedback', match[1]!, 2)) && !signedBy(mac(secret, 'feedback', parts.payload, 1))) {
    return undefined;
  }
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
