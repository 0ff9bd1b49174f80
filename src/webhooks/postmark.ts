// Postmark's bounce, spam complaint and delivery webhooks: one JSON record per request, authenticated by the Basic
// auth credentials (or a custom header) set on the webhook. https://postmarkapp.com/developer/webhooks/webhooks-overview
import { Type } from '@sinclair/typebox';
import {
  detailOf,
  type EventType,
  header,
  type ProviderEvent,
  readJson,
  type WebhookRequest,
} from './provider-event.js';
import { sameSecret, unsigned } from './signatures.js';

const PostmarkSchema = Type.Object({
  RecordType: Type.String(),
  ID: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
  Type: Type.Optional(Type.String()),
  MessageID: Type.Optional(Type.String()),
  Email: Type.Optional(Type.String()),
  Recipient: Type.Optional(Type.String()),
  Description: Type.Optional(Type.String()),
  Details: Type.Optional(Type.String()),
});

// Postmark's bounce types that mean the address will never take mail, and those that may pass later.
const HARD = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated']);
const SOFT = new Set(['SoftBounce', 'Transient', 'DnsError']);

function typeOf(recordType: string, bounceType: string | undefined): EventType {
  if (recordType === 'SpamComplaint' || bounceType === 'SpamComplaint') return 'complaint';
  if (recordType === 'Delivery') return 'delivery';
  if (recordType === 'Bounce' && bounceType !== undefined) {
    if (HARD.has(bounceType)) return 'hard_bounce';
    if (SOFT.has(bounceType)) return 'soft_bounce';
  }
  return 'other';
}

function authenticate(request: WebhookRequest, secret: string) {
  const given = header(request, 'x-webhook-secret');
  if (given !== undefined) {
    if (sameSecret(given, secret)) return;
    throw unsigned('Postmark', 'the X-Webhook-Secret header is wrong');
  }
  const auth = header(request, 'authorization');
  if (!auth?.startsWith('Basic ')) throw unsigned('Postmark', 'there are no Basic auth credentials');
  const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
  const password = decoded.slice(decoded.indexOf(':') + 1);
  if (!decoded.includes(':') || !sameSecret(password, secret)) throw unsigned('Postmark', 'the password is wrong');
}

export function readPostmark(request: WebhookRequest, secret: string): ProviderEvent[] {
  authenticate(request, secret);
  // Postmark's IDs are 64-bit: as JSON numbers they would lose digits, and two events could share an id.
  const exactIds = request.body.replace(/("ID"\s*:\s*)(\d{16,})/g, '$1"$2"');
  const record = readJson(PostmarkSchema, exactIds, 'Postmark webhook');
  const recipient = record.Email ?? record.Recipient ?? '';
  const id = record.ID ?? `${record.MessageID ?? ''}:${recipient}`;
  return [
    {
      providerEventId: `${record.RecordType}:${id}`,
      type: typeOf(record.RecordType, record.Type),
      recipient,
      // Postmark's MessageID is its own, not the Message-ID header, unless the message was sent with X-PM-KeepID.
      messageId: record.MessageID,
      detail: detailOf(record.Type ?? record.RecordType, record.Description, record.Details),
    },
  ];
}
