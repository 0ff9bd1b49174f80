// The most recent fire time of a cron expression at or before a moment, in a time zone.
// node-cron 4 can say when a task fires next (from now) but not when it last fired, and catch-up needs exactly
// that. We walk back day by day over the candidate times the expression allows (node-cron's own `parse`), and let
// node-cron's `match` decide whether an instant really is a fire. So a wrong guess here can only miss a fire,
// never invent one, and names (MON, JAN), steps, ranges, L, W and # mean what node-cron says they mean.
import { parse } from 'node-cron';

/** Tells whether an instant is a fire of the expression (node-cron's `ScheduledTask.match`). */
export type FireMatcher = (instant: Date) => boolean;

export interface PreviousFireQuery {
  expression: string;
  timezone: string;
  /** Look for a fire at or before this moment. */
  at: Date;
  match: FireMatcher;
  /** How far back to look; 8 years covers "29 February" expressions. */
  maxDays?: number;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(instant: number, timezone: string): LocalParts {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, f);
  }
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(instant))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out as unknown as LocalParts;
}

/** Milliseconds the zone is ahead of UTC at an instant. */
function offsetAt(instant: number, timezone: string): number {
  const p = localParts(instant, timezone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(instant / 1000) * 1000;
}

function readsBackTo(instant: number, p: LocalParts, timezone: string): boolean {
  const q = localParts(instant, timezone);
  return (
    q.year === p.year &&
    q.month === p.month &&
    q.day === p.day &&
    q.hour === p.hour &&
    q.minute === p.minute &&
    q.second === p.second
  );
}

/**
 * The instant a local wall-clock time names, resolved the way node-cron 4 resolves it (its localTimeToTimestamp),
 * so that in a DST fold we pick the same one of the two instants node-cron fires at.
 */
function localToInstant(p: LocalParts, timezone: string): number {
  const guess = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const firstOffset = offsetAt(guess, timezone);
  const first = guess - firstOffset;
  const secondOffset = offsetAt(first, timezone);
  if (secondOffset === firstOffset) return first;
  const second = guess - secondOffset;
  if (readsBackTo(first, p, timezone)) return first;
  if (readsBackTo(second, p, timezone)) return second;
  return Math.max(first, second);
}

function dayBefore(p: { year: number; month: number; day: number }, days: number) {
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day - days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const descending = (values: number[]) => [...values].sort((a, b) => b - a);

/** The latest fire at or before `at`, or undefined when there is none within `maxDays`. */
export function findPreviousFire(query: PreviousFireQuery): Date | undefined {
  const { timezone, match } = query;
  const at = query.at.getTime();
  const fields = parse(query.expression);
  const hours = descending(fields.hour);
  const minutes = descending(fields.minute);
  const seconds = descending(fields.second);
  const now = localParts(at, timezone);
  const nowSecondOfDay = now.hour * 3600 + now.minute * 60 + now.second;
  const maxDays = query.maxDays ?? 8 * 366;

  for (let back = 0; back <= maxDays; back++) {
    const date = dayBefore(now, back);
    // Most days do not match the day fields at all: rule them out with one probe per hour before trying every time.
    const dayMatches = hours.some((hour) =>
      match(new Date(localToInstant({ ...date, hour, minute: minutes.at(-1)!, second: seconds.at(-1)! }, timezone))),
    );
    if (!dayMatches) continue;
    // Today, skip hours and minutes that begin after `at` (cheaply by the wall clock first, with an hour of slack for
    // a DST fold), so a dense expression does not convert every second of the day.
    const after = (hour: number, minute: number) =>
      back === 0 &&
      (hour * 3600 + minute * 60 > nowSecondOfDay + 3600 ||
        localToInstant({ ...date, hour, minute, second: 0 }, timezone) > at);
    for (const hour of hours) {
      if (after(hour, 0)) continue;
      for (const minute of minutes) {
        if (after(hour, minute)) continue;
        for (const second of seconds) {
          const instant = localToInstant({ ...date, hour, minute, second }, timezone);
          if (instant <= at && match(new Date(instant))) return new Date(instant);
        }
      }
    }
  }
  return undefined;
}
