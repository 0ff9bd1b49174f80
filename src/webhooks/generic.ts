// papermail's own webhook shape, for relays without a dedicated endpoint: events in papermail's words, signed with
// `X-Papermail-Signature: sha256=<hex HMAC-SHA256 of the raw body>` under WEBHOOK_SECRET.
import { createHmac } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { errors } from '../errors.js';
import { EventTypeSchema, header, type ProviderEvent, readJson, type WebhookRequest } from './provider-event.js';
import { sameSecret, unsigned } from './signatures.js';

export const GenericEventsSchema = Type.Object({
  events: Type.Array(
    Type.Object({
      id: Type.String({ minLength: 1, maxLength: 200, description: 'unique per event: a repeat is ignored' }),
      type: EventTypeSchema,
      email: Type.Optional(Type.String({ maxLength: 254 })),
      messageId: Type.Optional(Type.String({ maxLength: 1000, description: 'the Message-ID header papermail set' })),
      detail: Type.Optional(Type.String({ maxLength: 1000 })),
    }),
    { minItems: 1, maxItems: 10000 },
  ),
});

export function signGeneric(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function readGeneric(request: WebhookRequest, secret: string): ProviderEvent[] {
  const given = header(request, 'x-papermail-signature');
  if (!given) throw unsigned('generic', 'the X-Papermail-Signature header is missing');
  if (!sameSecret(given, signGeneric(secret, request.body))) throw unsigned('generic', 'the signature does not match');
  const { events } = readJson(GenericEventsSchema, request.body, 'webhook body');
  return events.map((e, i) => {
    if (!e.email && !e.messageId) {
      throw errors.badRequest(`The webhook body has a bad field /events/${i}: it needs an email or a messageId.`);
    }
    return {
      providerEventId: e.id,
      type: e.type,
      recipient: e.email ?? '',
      messageId: e.messageId,
      detail: e.detail ?? '',
    };
  });
}
