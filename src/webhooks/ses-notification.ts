// Amazon SES bounce, complaint and delivery notifications, the `Message` of an SNS notification. Both the
// notification form (`notificationType`) and the event-publishing form (`eventType`) are read.
// https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html
import { Type } from '@sinclair/typebox';
import { detailOf, type EventType, type ProviderEvent, readJson } from './provider-event.js';

const RecipientSchema = Type.Object({
  emailAddress: Type.String(),
  status: Type.Optional(Type.String()),
  diagnosticCode: Type.Optional(Type.String()),
});

const SesNotificationSchema = Type.Object({
  notificationType: Type.Optional(Type.String()),
  eventType: Type.Optional(Type.String()),
  bounce: Type.Optional(
    Type.Object({
      bounceType: Type.String(),
      bounceSubType: Type.Optional(Type.String()),
      bouncedRecipients: Type.Array(RecipientSchema),
    }),
  ),
  complaint: Type.Optional(
    Type.Object({
      complainedRecipients: Type.Array(RecipientSchema),
      complaintFeedbackType: Type.Optional(Type.String()),
    }),
  ),
  delivery: Type.Optional(Type.Object({ recipients: Type.Array(Type.String()) })),
  mail: Type.Object({
    messageId: Type.String(),
    destination: Type.Array(Type.String()),
    headers: Type.Optional(Type.Array(Type.Object({ name: Type.String(), value: Type.String() }))),
    commonHeaders: Type.Optional(Type.Object({ messageId: Type.Optional(Type.String()) })),
  }),
});

interface Found {
  type: EventType;
  recipient: string;
  detail: string;
}

/** The events of one SES notification; `snsMessageId` (unique per notification) keys them. */
export function readSesNotification(message: string, snsMessageId: string): ProviderEvent[] {
  const n = readJson(SesNotificationSchema, message, 'SES notification');
  const kind = n.notificationType ?? n.eventType ?? '';
  // The Message-ID papermail set is among the original headers (when SES includes them) or the common headers.
  const messageId =
    n.mail.headers?.find((h) => h.name.toLowerCase() === 'message-id')?.value ?? n.mail.commonHeaders?.messageId;
  let found: Found[];
  if (kind === 'Bounce' && n.bounce) {
    // "Undetermined" may pass on a later try: counted as soft, like "Transient".
    const type = n.bounce.bounceType === 'Permanent' ? 'hard_bounce' : 'soft_bounce';
    const kindDetail = `Bounce ${n.bounce.bounceType}${n.bounce.bounceSubType ? `/${n.bounce.bounceSubType}` : ''}`;
    found = n.bounce.bouncedRecipients.map((r) => ({
      type,
      recipient: r.emailAddress,
      detail: detailOf(kindDetail, r.status, r.diagnosticCode),
    }));
  } else if (kind === 'Complaint' && n.complaint) {
    const feedback = n.complaint.complaintFeedbackType;
    found = n.complaint.complainedRecipients.map((r) => ({
      type: 'complaint',
      recipient: r.emailAddress,
      detail: detailOf('Complaint', feedback),
    }));
  } else if (kind === 'Delivery' && n.delivery) {
    found = n.delivery.recipients.map((r) => ({ type: 'delivery', recipient: r, detail: 'Delivery' }));
  } else {
    found = n.mail.destination.map((r) => ({ type: 'other', recipient: r, detail: kind || 'unknown' }));
  }
  return found.map((f, i) => ({
    ...f,
    providerEventId: i === 0 ? snsMessageId : `${snsMessageId}:${i}`,
    messageId,
  }));
}
