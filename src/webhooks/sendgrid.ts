// SendGrid's event webhook: a JSON array of events, signed with ECDSA (P-256, SHA-256) over timestamp + raw body.
// https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features
import { createPublicKey, verify } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import {
  detailOf,
  type EventType,
  header,
  type ProviderEvent,
  readJson,
  type WebhookRequest,
} from './provider-event.js';
import { checkFresh, unsigned } from './signatures.js';

const SendgridSchema = Type.Array(
  Type.Object({
    email: Type.String(),
    event: Type.String(),
    sg_event_id: Type.String({ minLength: 1 }),
    'smtp-id': Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    status: Type.Optional(Type.String()),
  }),
  { maxItems: 10000 },
);

function typeOf(event: string, bounceType: string | undefined): EventType {
  // "blocked" is SendGrid's temporary bounce; "bounce" (or no type, in older payloads) is permanent.
  if (event === 'bounce') return bounceType === 'blocked' ? 'soft_bounce' : 'hard_bounce';
  if (event === 'spamreport') return 'complaint';
  if (event === 'delivered') return 'delivery';
  return 'other';
}

export function readSendgrid(request: WebhookRequest, publicKey: string, maxAgeSeconds: number, now: Date) {
  const signature = header(request, 'x-twilio-email-event-webhook-signature');
  const timestamp = header(request, 'x-twilio-email-event-webhook-timestamp');
  if (!signature || !timestamp) throw unsigned('SendGrid', 'the signature headers are missing');
  const key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
  const valid = verify('sha256', Buffer.from(timestamp + request.body), key, Buffer.from(signature, 'base64'));
  if (!valid) throw unsigned('SendGrid', 'the signature does not match');
  checkFresh('SendGrid', timestamp, maxAgeSeconds, now);

  return readJson(SendgridSchema, request.body, 'SendGrid event batch').map(
    (e): ProviderEvent => ({
      providerEventId: e.sg_event_id,
      type: typeOf(e.event, e.type),
      recipient: e.email,
      messageId: e['smtp-id'],
      detail: detailOf([e.event, e.type].filter(Boolean).join(' '), e.status, e.reason),
    }),
  );
}
