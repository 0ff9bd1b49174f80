// Mailgun's webhooks (JSON): `signature` {timestamp, token, signature = HMAC-SHA256(key, timestamp + token)} and one
// `event-data`. Documented at https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/.
import { createHmac } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { detailOf, type EventType, type ProviderEvent, readJson, type WebhookRequest } from './provider-event.js';
import { checkFresh, sameSecret, unsigned } from './signatures.js';

const MailgunSchema = Type.Object({
  signature: Type.Object({ timestamp: Type.String(), token: Type.String(), signature: Type.String() }),
  'event-data': Type.Object({
    id: Type.String({ minLength: 1 }),
    event: Type.String(),
    severity: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    recipient: Type.String(),
    message: Type.Optional(
      Type.Object({ headers: Type.Optional(Type.Object({ 'message-id': Type.Optional(Type.String()) })) }),
    ),
    'delivery-status': Type.Optional(
      Type.Object({
        code: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
        message: Type.Optional(Type.String()),
        description: Type.Optional(Type.String()),
      }),
    ),
  }),
});

function typeOf(event: string, severity: string | undefined): EventType {
  if (event === 'failed') return severity === 'permanent' ? 'hard_bounce' : 'soft_bounce';
  if (event === 'complained') return 'complaint';
  if (event === 'delivered') return 'delivery';
  return 'other';
}

export function readMailgun(request: WebhookRequest, signingKey: string, maxAgeSeconds: number, now: Date) {
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    throw unsigned('Mailgun', 'the body is not JSON with a signature');
  }
  const s = (body as { signature?: { timestamp?: unknown; token?: unknown; signature?: unknown } })?.signature;
  if (typeof s?.timestamp !== 'string' || typeof s.token !== 'string' || typeof s.signature !== 'string') {
    throw unsigned('Mailgun', 'there is no signature');
  }
  const expected = createHmac('sha256', signingKey)
    .update(s.timestamp + s.token)
    .digest('hex');
  if (!sameSecret(s.signature.toLowerCase(), expected)) throw unsigned('Mailgun', 'the signature does not match');
  checkFresh('Mailgun', s.timestamp, maxAgeSeconds, now);

  const data = readJson(MailgunSchema, request.body, 'Mailgun event')['event-data'];
  const status = data['delivery-status'];
  const event: ProviderEvent = {
    providerEventId: data.id,
    type: typeOf(data.event, data.severity),
    recipient: data.recipient,
    messageId: data.message?.headers?.['message-id'],
    detail: detailOf(
      [data.event, data.severity, data.reason].filter(Boolean).join(' '),
      status?.code,
      status?.description || status?.message,
    ),
  };
  return [event];
}
