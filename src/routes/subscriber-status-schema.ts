import { Type } from '@sinclair/typebox';

/** A reader's status as the HTTP APIs show it (the `subscriber_status` enum of the schema). */
export const SubscriberStatusSchema = Type.Union([
  Type.Literal('pending'),
  Type.Literal('active'),
  Type.Literal('paused'),
  Type.Literal('unsubscribed'),
  Type.Literal('bounced'),
  Type.Literal('complained'),
]);
