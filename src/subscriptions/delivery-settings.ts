// A reader's delivery settings: how often (cadence, weekday), when (time zone, hour), where (email, feed or both),
// what never to send (exclusions) and whose papers always to send (followed authors). One parser for the API, the
// form, sign-up and imports: each bad value is a 400 that names the field.
import { errors, isPapermailError } from '../errors.js';
import { KEYWORD_SEPARATOR, normalizeKeywords } from './keywords.js';

export const CADENCES = ['daily', 'weekly'] as const;
export const CHANNELS = ['email', 'feed', 'both'] as const;
export type Cadence = (typeof CADENCES)[number];
export type Channel = (typeof CHANNELS)[number];

export const MAX_AUTHORS = 20;
export const MAX_AUTHOR_LENGTH = 100;

export interface DeliverySettings {
  cadence: Cadence;
  /** ISO weekday of a weekly digest: 1 = Monday … 7 = Sunday. */
  weekday: number;
  timezone: string;
  hour: number;
  channel: Channel;
  excludeKeywords: string[];
  authors: string[];
}

/** A reader's settings as their row holds them: a null time zone and hour are the operator's, whatever it is now. */
export interface StoredDeliverySettings extends Omit<DeliverySettings, 'timezone' | 'hour'> {
  timezone: string | null;
  hour: number | null;
}

/** What a reader who never chose gets: the operator's zone and the hour of the daily run. */
export interface SettingsDefaults {
  timezone: string;
  hour: number;
}

/** A change of settings as it arrives (JSON or form text); fields left out stay as they are. */
export interface DeliverySettingsInput {
  cadence?: unknown;
  weekday?: unknown;
  timezone?: unknown;
  hour?: unknown;
  channel?: unknown;
  excludeKeywords?: readonly unknown[];
  authors?: readonly unknown[];
}

export type DeliverySettingsChange = Partial<DeliverySettings>;

/** The settings' names, as the API, the forms and stored sign-ups spell them. */
export const SETTING_FIELDS: readonly (keyof DeliverySettings)[] = [
  'cadence',
  'weekday',
  'timezone',
  'hour',
  'channel',
  'excludeKeywords',
  'authors',
];
const LIST_FIELDS: readonly string[] = ['excludeKeywords', 'authors'];

/** Validates a change; the first bad field throws a 400 whose message starts with the field's name. */
export function parseSettingsChange(input: DeliverySettingsInput): DeliverySettingsChange {
  const out: DeliverySettingsChange = {};
  if (input.cadence !== undefined) out.cadence = oneOf('cadence', input.cadence, CADENCES);
  if (input.weekday !== undefined) out.weekday = wholeNumber('weekday', input.weekday, 1, 7, '1 = Monday … 7 = Sunday');
  if (input.timezone !== undefined) out.timezone = parseTimezone(input.timezone);
  if (input.hour !== undefined) out.hour = wholeNumber('hour', input.hour, 0, 23, 'a local hour');
  if (input.channel !== undefined) out.channel = oneOf('channel', input.channel, CHANNELS);
  if (input.excludeKeywords !== undefined) out.excludeKeywords = named('excludeKeywords', input.excludeKeywords);
  if (input.authors !== undefined) out.authors = parseAuthors(input.authors);
  return out;
}

/**
 * A change stored earlier (a sign-up request's settings, parsed when it was accepted), read back field by field: a
 * field that no longer parses (a time zone Intl has since dropped) is left out rather than failing the confirmation.
 */
export function readStoredSettings(stored: unknown): DeliverySettingsChange {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return {};
  const out: DeliverySettingsChange = {};
  for (const [field, value] of Object.entries(stored)) {
    if (!SETTING_FIELDS.includes(field as keyof DeliverySettings)) continue;
    if (LIST_FIELDS.includes(field) && !Array.isArray(value)) continue;
    try {
      Object.assign(out, parseSettingsChange({ [field]: value }));
    } catch (err) {
      if (!isPapermailError(err)) throw err;
    }
  }
  return out;
}

/** The canonical IANA name of a time zone Intl knows (so `europe/berlin` is stored as `Europe/Berlin`). */
export function parseTimezone(value: unknown): string {
  if (typeof value === 'string' && value.trim() !== '' && !/[\u0000-\u001f\u007f]/.test(value)) {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: value.trim() }).resolvedOptions().timeZone;
    } catch {
      // refused below
    }
  }
  throw errors.badRequest(`timezone must be an IANA time zone such as Europe/Berlin (got ${JSON.stringify(value)}).`, {
    field: 'timezone',
  });
}

/** Every time zone to offer, the operator's first (and the reader's own, should Intl's list lack it). */
export function timezoneChoices(operatorZone: string, current?: string): string[] {
  const all = Intl.supportedValuesOf('timeZone');
  const first = [...new Set([operatorZone, current ?? operatorZone])];
  return [...first, ...all.filter((z) => !first.includes(z))];
}

/** The hour of a cron expression's daily fire (`0 7 * * *` → 7); 0 when the hour field is not one number. */
export function cronHour(cron: string): number {
  const fields = cron.trim().split(/\s+/);
  const hour = fields.length === 6 ? fields[2] : fields[1];
  const n = Number(hour);
  return Number.isInteger(n) && n >= 0 && n <= 23 ? n : 0;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw errors.badRequest(`${field} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)}).`, { field });
}

function wholeNumber(field: string, value: unknown, min: number, max: number, meaning: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max) return n;
  throw errors.badRequest(
    `${field} must be a whole number from ${min} to ${max}, ${meaning} (got ${JSON.stringify(value)}).`,
    { field },
  );
}

/** Exclusions are keywords: the same rules, with the field named in the error. */
function named(field: string, list: readonly unknown[]): string[] {
  try {
    return normalizeKeywords(list);
  } catch (err) {
    throw errors.badRequest(`${field}: ${(err as Error).message}`, { field });
  }
}

function parseAuthors(list: readonly unknown[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of list) {
    if (typeof raw !== 'string' || /[\u0000-\u001f\u007f]/.test(raw)) {
      throw errors.badRequest('authors: each name must be text on one line.', { field: 'authors' });
    }
    // The CSV export joins names with the keyword separator: a name holding it would not come back from an import.
    if (raw.includes(KEYWORD_SEPARATOR)) {
      throw errors.badRequest(`authors: a name cannot contain "${KEYWORD_SEPARATOR}": give each name on its own.`, {
        field: 'authors',
      });
    }
    const name = raw.trim().replace(/\s+/g, ' ');
    if (name === '') continue;
    if (name.length > MAX_AUTHOR_LENGTH) {
      throw errors.badRequest(`authors: a name is at most ${MAX_AUTHOR_LENGTH} characters.`, { field: 'authors' });
    }
    const key = foldName(name);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(name);
  }
  if (out.length > MAX_AUTHORS) {
    throw errors.badRequest(`authors: at most ${MAX_AUTHORS} names (got ${out.length}).`, { field: 'authors' });
  }
  return out;
}

/** An author's name as compared: accents and case folded, white space collapsed ("José  Núñez" = "jose nunez"). */
export function foldName(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim().replace(/\s+/g, ' ');
}
