// The benchmark's readers on their own clocks (`--zones N`): after seedReaders, each reader gets one of N time zones,
// an hour, and a tenth of them a weekly cadence on a weekday; and the week before the day gets its listings, so a
// week issue has a week to choose from. Deterministic (hashes of the reader id), so every run has the same readers.
import { DateTime } from 'luxon';
import type { PrismaClient } from '../src/db/client.js';
import { loadFixturePapers } from '../test/digest/fixture-papers.js';

/** One real zone per UTC offset band (standard time), west to east: 24 bands from UTC-11 to UTC+12. */
export const BENCH_ZONES = [
  'Pacific/Pago_Pago',
  'Pacific/Honolulu',
  'America/Anchorage',
  'America/Los_Angeles',
  'America/Denver',
  'America/Chicago',
  'America/New_York',
  'America/Halifax',
  'America/Sao_Paulo',
  'Atlantic/South_Georgia',
  'Atlantic/Azores',
  'Europe/London',
  'Europe/Berlin',
  'Africa/Cairo',
  'Europe/Moscow',
  'Asia/Dubai',
  'Asia/Karachi',
  'Asia/Dhaka',
  'Asia/Bangkok',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Pacific/Noumea',
  'Pacific/Auckland',
] as const;

/** The share of readers who take a weekly digest when readers are spread over zones. */
export const WEEKLY_SHARE = 0.1;

export interface Rhythms {
  zones: number;
  daily: number;
  weekly: number;
  /** Weekly readers whose weekday is the day's: they get the week issue; the others nothing that day. */
  weeklyToday: number;
}

/**
 * Spreads every reader over `zones` of BENCH_ZONES (evenly picked), a random local hour, and makes WEEKLY_SHARE of
 * them weekly on a random weekday. `zones` 1 leaves them as seeded: the operator's zone and hour, daily.
 */
export async function spreadReaders(prisma: PrismaClient, zones: number, day: string): Promise<Rhythms> {
  if (zones > 1) {
    const chosen = Array.from({ length: zones }, (_, i) => BENCH_ZONES[Math.floor((i * BENCH_ZONES.length) / zones)]!);
    const weeklyPerMille = Math.round(WEEKLY_SHARE * 1000);
    await prisma.$executeRaw`
      WITH h AS (
        SELECT id, abs(hashtext('zone:' || id)) AS zone, abs(hashtext('hour:' || id)) AS hour,
               abs(hashtext('cadence:' || id)) % 1000 < ${weeklyPerMille} AS weekly,
               abs(hashtext('weekday:' || id)) AS weekday
        FROM subscribers
      )
      UPDATE subscribers s SET
        timezone = (${chosen}::text[])[1 + h.zone % ${zones}],
        hour = h.hour % 24,
        cadence = (CASE WHEN h.weekly THEN 'weekly' ELSE 'daily' END)::cadence,
        weekday = CASE WHEN h.weekly THEN 1 + h.weekday % 7 ELSE s.weekday END
      FROM h WHERE h.id = s.id`;
  }
  const weekday = DateTime.fromISO(day, { zone: 'UTC' }).weekday;
  const [counts] = await prisma.$queryRaw<{ daily: number; weekly: number; weeklyToday: number }[]>`
    SELECT count(*) FILTER (WHERE cadence = 'daily')::int AS daily,
           count(*) FILTER (WHERE cadence = 'weekly')::int AS weekly,
           count(*) FILTER (WHERE cadence = 'weekly' AND weekday = ${weekday})::int AS "weeklyToday"
    FROM subscribers WHERE status = 'active'`;
  return { zones, ...counts! };
}

/**
 * The fixture days of the week that ends on 2026-07-31, each listed on its own date (the bench lists 2026-07-29 to
 * -31 on the 31st): a week issue chooses from about 100 papers, not only the day's 60. Daily readers see none of it.
 */
export async function listWeekBefore(prisma: PrismaClient): Promise<number> {
  let papers = 0;
  for (const day of ['2026-07-27', '2026-07-28']) papers += (await loadFixturePapers(prisma, day)).length;
  return papers;
}

/** "1 zone, daily" or "24 zones, 10% weekly": which run a line is about. */
export function zoneLabel(zones: number): string {
  return zones === 1 ? '1 zone, daily' : `${zones} zones, ${Math.round(WEEKLY_SHARE * 100)}% weekly`;
}

/** Who reads when, and which clock the run goes by. */
export function describeClock(r: Rhythms): string {
  if (r.zones === 1) {
    return "clock: everyone daily at the operator's zone and hour; the past day sent by hand, everything due at once";
  }
  return (
    `clock: ${r.zones} zones, random hours; ${r.daily.toLocaleString('en-US')} daily, ${r.weekly.toLocaleString('en-US')} weekly ` +
    `(${r.weeklyToday.toLocaleString('en-US')} on this weekday, the rest not due today); replayed as the 07:00 UTC fire prepared it`
  );
}

/** How the deliveries' due times spread: the proof that every reader's hour was computed. */
export async function describeDue(prisma: PrismaClient): Promise<string> {
  const [row] = await prisma.$queryRaw<{ hours: number; first: Date | null; last: Date | null; issues: string }[]>`
    SELECT count(DISTINCT date_trunc('hour', d.due_at))::int AS hours, min(d.due_at) AS first, max(d.due_at) AS last,
           string_agg(DISTINCT g.kind::text, ' + ') AS issues
    FROM deliveries d JOIN digests g ON g.id = d.digest_id`;
  if (!row?.first || !row.last) return 'no deliveries';
  const at = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const span =
    row.hours === 1 ? `all at ${at(row.first)}` : `${row.hours} distinct hours, ${at(row.first)} → ${at(row.last)}`;
  return `${span} (${row.issues} issue${row.issues.includes('+') ? 's' : ''}); all before the run's sending began, so it sends every one`;
}
