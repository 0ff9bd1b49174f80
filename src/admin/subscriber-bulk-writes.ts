// The statements a CSV import needs, one per chunk of readers instead of one per reader: each takes its rows as
// parallel arrays and unnests them in Postgres. Prisma's createMany and per-row updates ran at ~300-500 rows/s
// here (bench/admin-import-bench.ts); these run well over ten times faster. Columns are snake_case (schema @map);
// `updated_at` has no database default (Prisma's @updatedAt fills it), so it is set here.
import type { Prisma } from '../db/client.js';
import type { SubscriberStatus } from '../generated/prisma/enums.js';
import type { StoredDeliverySettings } from '../subscriptions/delivery-settings.js';

export interface ExistingReader extends StoredDeliverySettings {
  id: number;
  emailKey: string;
  status: SubscriberStatus;
  keywords: string[];
  maxPapers: number;
  topWhenNoMatch: boolean;
  unsubscribedAt: Date | null;
  confirmedAt: Date | null;
  topicIds: number[];
}

/** The readers among `keys` (email keys) who exist already, with their topic ids. */
export async function findReadersByKey(tx: Prisma.TransactionClient, keys: string[]): Promise<ExistingReader[]> {
  if (keys.length === 0) return [];
  return tx.$queryRaw<ExistingReader[]>`
    SELECT s.id, s.email_key AS "emailKey", s.status::text AS status, s.keywords, s.max_papers AS "maxPapers",
           s.top_when_no_match AS "topWhenNoMatch", s.unsubscribed_at AS "unsubscribedAt",
           s.confirmed_at AS "confirmedAt", s.cadence::text AS cadence, s.weekday, s.timezone, s.hour,
           s.channel::text AS channel, s.exclude_keywords AS "excludeKeywords", s.authors,
           ARRAY(SELECT st.topic_id FROM subscriber_topics st WHERE st.subscriber_id = s.id ORDER BY st.topic_id)
             AS "topicIds"
    FROM subscribers s
    WHERE s.email_key = ANY(${keys}::text[])`;
}

export interface NewReader extends StoredDeliverySettings {
  email: string;
  emailKey: string;
  status: SubscriberStatus;
  token: string;
  confirmToken: string | null;
  confirmExpiresAt: Date | null;
  keywords: string[];
  maxPapers: number;
  topWhenNoMatch: boolean;
  createdAt: Date;
  confirmedAt: Date | null;
  unsubscribedAt: Date | null;
  bouncedAt: Date | null;
}

/**
 * Inserts the readers whose address is still free and returns those rows. An address taken in the meantime (a
 * sign-up through the form during the import) is left alone and simply missing from the answer.
 */
export async function insertReaders(
  tx: Prisma.TransactionClient,
  readers: NewReader[],
  now: Date,
): Promise<{ id: number; emailKey: string; token: string; status: SubscriberStatus }[]> {
  if (readers.length === 0) return [];
  const col = <T>(pick: (r: NewReader) => T) => readers.map(pick);
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return tx.$queryRaw`
    INSERT INTO subscribers (email, email_key, status, token, confirm_token, confirm_expires_at, keywords, max_papers,
                             top_when_no_match, created_at, confirmed_at, unsubscribed_at, bounced_at, cadence, weekday,
                             timezone, hour, channel, exclude_keywords, authors, updated_at)
    SELECT v.email, v.email_key, v.status::subscriber_status, v.token, v.confirm_token,
           v.confirm_expires_at AT TIME ZONE 'UTC', ARRAY(SELECT jsonb_array_elements_text(v.keywords::jsonb)),
           v.max_papers, v.top_when_no_match, v.created_at AT TIME ZONE 'UTC', v.confirmed_at AT TIME ZONE 'UTC',
           v.unsubscribed_at AT TIME ZONE 'UTC', v.bounced_at AT TIME ZONE 'UTC', v.cadence::cadence, v.weekday,
           v.timezone, v.hour, v.channel::channel, ARRAY(SELECT jsonb_array_elements_text(v.exclude_keywords::jsonb)),
           ARRAY(SELECT jsonb_array_elements_text(v.authors::jsonb)), ${now.toISOString()}::timestamptz AT TIME ZONE 'UTC'
    FROM unnest(${col((r) => r.email)}::text[], ${col((r) => r.emailKey)}::text[], ${col((r) => r.status)}::text[],
                ${col((r) => r.token)}::text[], ${col((r) => r.confirmToken)}::text[],
                ${col((r) => iso(r.confirmExpiresAt))}::timestamptz[], ${col((r) => JSON.stringify(r.keywords))}::text[],
                ${col((r) => r.maxPapers)}::int[], ${col((r) => r.topWhenNoMatch)}::boolean[],
                ${col((r) => iso(r.createdAt))}::timestamptz[], ${col((r) => iso(r.confirmedAt))}::timestamptz[],
                ${col((r) => iso(r.unsubscribedAt))}::timestamptz[], ${col((r) => iso(r.bouncedAt))}::timestamptz[],
                ${col((r) => r.cadence)}::text[], ${col((r) => r.weekday)}::int[], ${col((r) => r.timezone)}::text[],
                ${col((r) => r.hour)}::int[], ${col((r) => r.channel)}::text[],
                ${col((r) => JSON.stringify(r.excludeKeywords))}::text[], ${col((r) => JSON.stringify(r.authors))}::text[])
      AS v(email, email_key, status, token, confirm_token, confirm_expires_at, keywords, max_papers,
           top_when_no_match, created_at, confirmed_at, unsubscribed_at, bounced_at, cadence, weekday, timezone, hour,
           channel, exclude_keywords, authors)
    ON CONFLICT DO NOTHING
    RETURNING id, email_key AS "emailKey", token, status::text AS status`;
}

export interface ReaderUpdate extends StoredDeliverySettings {
  id: number;
  /** The new values in full (the current ones where nothing changes). */
  status: SubscriberStatus;
  keywords: string[];
  maxPapers: number;
  topWhenNoMatch: boolean;
  /** Timestamps to set; null keeps what the row has. */
  confirmedAt: Date | null;
  unsubscribedAt: Date | null;
  bouncedAt: Date | null;
  /** Drop a pending confirmation (the reader is confirmed now, or gone). */
  clearConfirmation: boolean;
}

export async function updateReaders(tx: Prisma.TransactionClient, updates: ReaderUpdate[], now: Date): Promise<void> {
  if (updates.length === 0) return;
  const col = <T>(pick: (u: ReaderUpdate) => T) => updates.map(pick);
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  await tx.$executeRaw`
    UPDATE subscribers s SET
      status = v.status::subscriber_status,
      keywords = ARRAY(SELECT jsonb_array_elements_text(v.keywords::jsonb)),
      max_papers = v.max_papers,
      top_when_no_match = v.top_when_no_match,
      cadence = v.cadence::cadence,
      weekday = v.weekday,
      timezone = v.timezone,
      hour = v.hour,
      channel = v.channel::channel,
      exclude_keywords = ARRAY(SELECT jsonb_array_elements_text(v.exclude_keywords::jsonb)),
      authors = ARRAY(SELECT jsonb_array_elements_text(v.authors::jsonb)),
      confirmed_at = COALESCE(v.confirmed_at AT TIME ZONE 'UTC', s.confirmed_at),
      unsubscribed_at = COALESCE(v.unsubscribed_at AT TIME ZONE 'UTC', s.unsubscribed_at),
      bounced_at = COALESCE(v.bounced_at AT TIME ZONE 'UTC', s.bounced_at),
      confirm_token = CASE WHEN v.clear_confirmation THEN NULL ELSE s.confirm_token END,
      confirm_expires_at = CASE WHEN v.clear_confirmation THEN NULL ELSE s.confirm_expires_at END,
      updated_at = ${now.toISOString()}::timestamptz AT TIME ZONE 'UTC'
    FROM unnest(${col((u) => u.id)}::int[], ${col((u) => u.status)}::text[],
                ${col((u) => JSON.stringify(u.keywords))}::text[], ${col((u) => u.maxPapers)}::int[],
                ${col((u) => u.topWhenNoMatch)}::boolean[], ${col((u) => iso(u.confirmedAt))}::timestamptz[],
                ${col((u) => iso(u.unsubscribedAt))}::timestamptz[], ${col((u) => iso(u.bouncedAt))}::timestamptz[],
                ${col((u) => u.clearConfirmation)}::boolean[], ${col((u) => u.cadence)}::text[],
                ${col((u) => u.weekday)}::int[], ${col((u) => u.timezone)}::text[], ${col((u) => u.hour)}::int[],
                ${col((u) => u.channel)}::text[], ${col((u) => JSON.stringify(u.excludeKeywords))}::text[],
                ${col((u) => JSON.stringify(u.authors))}::text[])
      AS v(id, status, keywords, max_papers, top_when_no_match, confirmed_at, unsubscribed_at, bounced_at,
           clear_confirmation, cadence, weekday, timezone, hour, channel, exclude_keywords, authors)
    WHERE s.id = v.id`;
}

/** Gives each reader exactly the topics listed for them. */
export async function replaceTopics(
  tx: Prisma.TransactionClient,
  selections: { subscriberId: number; topicIds: number[] }[],
  options: { fresh?: boolean } = {},
): Promise<void> {
  if (selections.length === 0) return;
  if (!options.fresh) {
    await tx.$executeRaw`DELETE FROM subscriber_topics WHERE subscriber_id = ANY(${selections.map((s) => s.subscriberId)}::int[])`;
  }
  const pairs = selections.flatMap((s) => s.topicIds.map((topicId) => [s.subscriberId, topicId] as const));
  if (pairs.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO subscriber_topics (subscriber_id, topic_id)
    SELECT * FROM unnest(${pairs.map((p) => p[0])}::int[], ${pairs.map((p) => p[1])}::int[])
    ON CONFLICT DO NOTHING`;
}
