// What every provider's webhook is read into: one event about one message to one address, in papermail's words.
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { errors } from '../errors.js';

export type Provider = 'ses' | 'postmark' | 'mailgun' | 'sendgrid' | 'generic';
export const PROVIDERS: Provider[] = ['ses', 'postmark', 'mailgun', 'sendgrid', 'generic'];

export const EventTypeSchema = Type.Union(
  [
    Type.Literal('hard_bounce'),
    Type.Literal('soft_bounce'),
    Type.Literal('complaint'),
    Type.Literal('delivery'),
    Type.Literal('other'),
  ],
  { description: 'hard_bounce and complaint suppress the reader; three soft_bounce in the last five sends too' },
);
export type EventType = Static<typeof EventTypeSchema>;

export interface ProviderEvent {
  /** The provider's id of the event: the same event sent twice has the same id. */
  providerEventId: string;
  type: EventType;
  /** The address the provider names, as it gave it. */
  recipient: string;
  /** The Message-ID header papermail set, when the provider reports it (with or without angle brackets). */
  messageId: string | undefined;
  /** The provider's event name and diagnostic, for people reading the record. */
  detail: string;
}

/** The request as it arrived: signatures cover the exact bytes, so the body stays a string until verified. */
export interface WebhookRequest {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export function header(request: WebhookRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Parses a verified body as JSON of the given shape, or a 400 that names the first wrong field. */
export function readJson<T extends TSchema>(schema: T, body: string, what: string): Static<T> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw errors.badRequest(`The ${what} is not JSON.`);
  }
  return readValue(schema, value, what);
}

export function readValue<T extends TSchema>(schema: T, value: unknown, what: string): Static<T> {
  if (Value.Check(schema, value)) return value;
  const first = Value.Errors(schema, value).First();
  throw errors.badRequest(`The ${what} has a bad field ${first?.path || '(root)'}: ${first?.message ?? 'invalid'}.`);
}

/** Message-IDs are stored with angle brackets (`<…@…>`); providers report them either way. */
export function bracketed(messageId: string | undefined): string | undefined {
  const bare = messageId?.trim().replace(/^<|>$/g, '');
  return bare ? `<${bare}>` : undefined;
}

/** Joins the parts a provider gave into one line of detail, skipping the empty ones. */
export function detailOf(...parts: (string | number | undefined | null)[]): string {
  return parts
    .filter((p) => p !== undefined && p !== null && `${p}`.trim() !== '')
    .join(': ')
    .slice(0, 1000);
}
