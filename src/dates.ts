// A "day" in papermail is a calendar date (YYYY-MM-DD) with no time zone: the day of a trending list.
// In the database it is a DATE column, which Prisma reads and writes as a Date at UTC midnight.
import { errors } from './errors.js';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses YYYY-MM-DD into a Date at UTC midnight, refusing impossible dates such as 2026-02-30. */
export function parseDay(text: string): Date {
  const m = DAY.exec(text.trim());
  if (!m) throw errors.invalidDate(`"${text}" is not a date in the form YYYY-MM-DD`);
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (formatDay(date) !== text.trim()) throw errors.invalidDate(`"${text}" is not a real calendar date`);
  return date;
}

export function formatDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Today's date in a time zone, as YYYY-MM-DD. */
export function today(timezone = 'UTC', now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** Every day from `from` to `to` inclusive, as YYYY-MM-DD. */
export function daysBetween(from: string, to: string): string[] {
  const start = parseDay(from);
  const end = parseDay(to);
  if (end < start) throw errors.invalidDate(`the range ends (${to}) before it starts (${from})`);
  const out: string[] = [];
  for (let d = start; d <= end; d = new Date(d.getTime() + 86_400_000)) out.push(formatDay(d));
  return out;
}

/** "Jul 31" — the short form used in subjects. */
export function shortDay(day: string): string {
  return new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(parseDay(day));
}
