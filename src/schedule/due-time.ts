// When a reader's delivery is due: the first time their clock shows `hour`:00 at or after the start of the hour
// the digest was prepared in. Computed in the reader's IANA zone with luxon, so 08:00 stays 08:00 local across DST
// changes; an hour the clocks skip (02:00 on a spring-forward night) falls on the first instant after the gap.
import { DateTime } from 'luxon';

export function dueAt(preparedAt: Date, timezone: string, hour: number): Date {
  const now = DateTime.fromJSDate(preparedAt, { zone: timezone });
  const slotStart = now.startOf('hour');
  let candidate = atHour(now, hour);
  // A reader whose hour is the current one gets it now, not tomorrow.
  if (candidate < slotStart) candidate = atHour(now.plus({ days: 1 }), hour);
  // On a fall-back night the hour happens twice: the first one is the reader's.
  const earlier = candidate.minus({ hours: 1 });
  if (earlier.hour === hour && earlier >= slotStart) candidate = earlier;
  return candidate.toJSDate();
}

/**
 * The due times of one preparation: readers who share a zone and an hour share a due time, so it is computed once
 * per (zone, hour), a few hundred a day at most, instead of once per reader (luxon's zone offsets cost tens of
 * microseconds each: half a second per 10,000 readers spread over the world's zones).
 */
export function dueTimes(preparedAt: Date): (timezone: string, hour: number) => Date {
  const known = new Map<string, Date>();
  return (timezone, hour) => {
    const key = `${hour} ${timezone}`;
    let due = known.get(key);
    if (due === undefined) {
      due = dueAt(preparedAt, timezone, hour);
      known.set(key, due);
    }
    return due;
  };
}

function atHour(day: DateTime, hour: number): DateTime {
  return DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour }, { zone: day.zone });
}

/** The reader's local ISO weekday (1 = Monday … 7 = Sunday) at an instant. */
export function localWeekday(at: Date, timezone: string): number {
  return DateTime.fromJSDate(at, { zone: timezone }).weekday;
}
