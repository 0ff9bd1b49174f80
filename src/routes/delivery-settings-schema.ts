// The reader's delivery settings on the wire: one schema for the preferences answer, one for changes (the sign-up
// takes the same). Values are checked again by src/subscriptions/delivery-settings.ts (time zones by Intl).
import { type Static, Type } from '@sinclair/typebox';
import { MAX_AUTHOR_LENGTH, MAX_AUTHORS } from '../subscriptions/delivery-settings.js';
import { PlainText } from './plain-text-schema.js';

const Cadence = Type.Union([Type.Literal('daily'), Type.Literal('weekly')], {
  description: 'daily, or weekly on `weekday`',
});
const Channel = Type.Union([Type.Literal('email'), Type.Literal('feed'), Type.Literal('both')], {
  description: 'email (default), the personal Atom feed only, or both',
});

export const DeliverySettingsSchema = Type.Object({
  cadence: Cadence,
  weekday: Type.Integer({ minimum: 1, maximum: 7, description: '1 = Monday … 7 = Sunday' }),
  timezone: Type.String({ description: 'IANA time zone, e.g. Europe/Berlin' }),
  hour: Type.Integer({ minimum: 0, maximum: 23, description: 'local hour the digest is due at' }),
  channel: Channel,
  excludeKeywords: Type.Array(Type.String(), { description: 'phrases that veto a paper, matched like keywords' }),
  authors: Type.Array(Type.String(), { description: 'followed authors: their papers are always included' }),
});

export const DeliverySettingsChangeSchema = Type.Partial(
  Type.Object({
    cadence: Cadence,
    weekday: Type.Integer({ minimum: 1, maximum: 7, description: '1 = Monday … 7 = Sunday' }),
    timezone: PlainText({ maxLength: 100, description: 'IANA time zone, e.g. Europe/Berlin' }),
    hour: Type.Integer({ minimum: 0, maximum: 23 }),
    channel: Channel,
    excludeKeywords: Type.Array(PlainText({ maxLength: 1000 }), { maxItems: 100 }),
    authors: Type.Array(PlainText({ maxLength: MAX_AUTHOR_LENGTH * 4 }), { maxItems: MAX_AUTHORS * 5 }),
  }),
);

export type DeliverySettingsChangeBody = Static<typeof DeliverySettingsChangeSchema>;
