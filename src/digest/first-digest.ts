// A first digest at once: a reader who just confirmed gets the latest day's issue if it was prepared within the
// last FIRST_DIGEST_HOURS, made by the same prepare code (the same matcher, the same "never twice" rule) for this one
// reader, with its delivery due now. A weekly reader gets the week that ends on that day, whatever their weekday; on
// their weekday they get the week again, minus what this one carried. Without a recent issue nothing is sent, and the
// reader is told when their first digest is expected.
import { createTask } from 'node-cron';
import { today } from '../dates.js';
import type { PrismaClient } from '../db/client.js';
import type { InterestMatcher } from '../relevance/matcher-service.js';
import { dueAt, localWeekday } from '../schedule/due-time.js';
import type { Cadence, SettingsDefaults } from '../subscriptions/delivery-settings.js';
import { prepareDigest } from './prepare-digest.js';

/** How recent the latest day's issue must be for a new reader to get it at once. */
export const FIRST_DIGEST_HOURS = 24;

export type FirstDigest =
  /** An email of the day's papers is queued, due now. */
  | { state: 'queued'; day: string; digestId: number; deliveryId: number }
  /** A feed-only reader: the day's selection is in their feed. */
  | { state: 'in-feed'; day: string }
  /** Nothing recent (or nothing in it for this reader): when the first digest is expected, in the reader's zone. */
  | { state: 'scheduled'; at: Date | undefined; timezone: string };

export interface FirstDigestDeps {
  prisma: PrismaClient;
  matcher: InterestMatcher;
  /** The reader's zone and hour when they chose none. */
  defaults: SettingsDefaults;
  /** DIGEST_CRON: when the daily run prepares the next day. */
  cron: string;
}

interface ReaderTimes {
  cadence: Cadence;
  weekday: number;
  timezone: string | null;
  hour: number | null;
}

export async function prepareFirstDigest(
  deps: FirstDigestDeps,
  subscriberId: number,
  now: Date = new Date(),
): Promise<FirstDigest> {
  const { prisma, defaults } = deps;
  const [recent] = await prisma.$queryRaw<{ day: string }[]>`
    SELECT to_char(date, 'YYYY-MM-DD') AS day FROM digests
    WHERE kind = 'day'
      AND matched_at > ${now}::timestamptz AT TIME ZONE 'UTC' - ${FIRST_DIGEST_HOURS} * interval '1 hour'
    ORDER BY date DESC LIMIT 1`;
  if (recent) {
    const report = await prepareDigest(
      prisma,
      recent.day,
      { defaults, now, dueNow: true, subscriberIds: [subscriberId], anyWeekday: true },
      deps.matcher,
    );
    // Nothing written: nothing matched, or the reader had this issue already (a comeback on the same day).
    if (report.created > 0) {
      const [made] = await prisma.$queryRaw<{ digestId: number; deliveryId: number | null }[]>`
        SELECT x.digest_id AS "digestId", d.id AS "deliveryId"
        FROM selections x JOIN digests g ON g.id = x.digest_id
        LEFT JOIN deliveries d ON d.selection_id = x.id AND d.resend_of_id IS NULL
        WHERE x.subscriber_id = ${subscriberId} AND g.date = ${recent.day}::date
        ORDER BY x.id DESC LIMIT 1`;
      if (made?.deliveryId) {
        return { state: 'queued', day: recent.day, digestId: made.digestId, deliveryId: made.deliveryId };
      }
      if (made) return { state: 'in-feed', day: recent.day };
    }
  }
  const reader = await prisma.subscriber.findUniqueOrThrow({
    where: { id: subscriberId },
    select: { cadence: true, weekday: true, timezone: true, hour: true },
  });
  return {
    state: 'scheduled',
    at: nextDigestTime(deps, reader, now),
    timezone: reader.timezone ?? defaults.timezone,
  };
}

/**
 * When the reader's next digest is due: the next run of DIGEST_CRON (for a weekly reader, the next one whose day is
 * their weekday), then the reader's first local hour after it. Undefined when the schedule shows no such run soon.
 * An estimate: a day with nothing listed sends nothing.
 */
export function nextDigestTime(
  deps: Pick<FirstDigestDeps, 'defaults' | 'cron'>,
  reader: ReaderTimes,
  now: Date = new Date(),
): Date | undefined {
  const operatorZone = deps.defaults.timezone;
  // node-cron says when the expression fires next, from the real clock; runs before `now` are left out.
  const task = createTask(deps.cron, () => undefined, { timezone: operatorZone });
  try {
    for (const run of task.getNextRuns(60)) {
      if (run <= now) continue;
      const day = today(operatorZone, run);
      if (reader.cadence === 'weekly' && localWeekday(new Date(`${day}T12:00:00Z`), 'UTC') !== reader.weekday) {
        continue;
      }
      return dueAt(run, reader.timezone ?? operatorZone, reader.hour ?? deps.defaults.hour);
    }
    return undefined;
  } finally {
    void task.destroy();
  }
}
