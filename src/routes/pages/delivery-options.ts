// The delivery settings in words: the choices of the selects and radios the sign-up form and the preferences page
// share (the same labels, the operator's time zone first, the reader's or typed values marked), and the lines the
// confirmation page lists.
import { type DeliverySettingsChange, timezoneChoices } from '../../subscriptions/delivery-settings.js';

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const CADENCE_LABELS = { daily: 'Daily', weekly: 'Weekly' } as const;
const CHANNEL_LABELS = { email: 'Email', feed: 'Feed only (no emails)', both: 'Email and feed' } as const;

/** The values to mark, as form text. */
export interface MarkedDelivery {
  cadence: string;
  weekday: string;
  timezone: string;
  hour: string;
  channel: string;
}

export interface DeliveryOption {
  value: string;
  label: string;
  selected: boolean;
}

/** `hh:00`, as the hour selects show it. */
export const hourLabel = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

/** Every option, with `marked` selected; `ownZone` is offered even if Intl's list lacks it. */
export function deliveryOptions(operatorZone: string, marked: MarkedDelivery, ownZone?: string) {
  const options = (labels: Record<string, string>, current: string): DeliveryOption[] =>
    Object.entries(labels).map(([value, label]) => ({ value, label, selected: value === current }));
  return {
    cadences: options(CADENCE_LABELS, marked.cadence),
    weekdays: WEEKDAYS.map((label, i) => ({ value: String(i + 1), label, selected: marked.weekday === String(i + 1) })),
    timezones: timezoneChoices(operatorZone, ownZone).map((zone) => ({
      value: zone,
      label: zone,
      selected: zone === marked.timezone,
    })),
    hours: Array.from({ length: 24 }, (_, h) => ({
      value: String(h),
      label: hourLabel(h),
      selected: marked.hour === String(h),
    })),
    channels: options(CHANNEL_LABELS, marked.channel),
  };
}

/** What a sign-up asked for, one line per choice it made, for the page that asks to confirm it. */
export function describeDelivery(d: DeliverySettingsChange): string[] {
  const lines: string[] = [];
  const day = d.weekday === undefined ? undefined : WEEKDAYS[d.weekday - 1];
  if (d.cadence === 'weekly') lines.push(day ? `Weekly, on ${day}` : 'Weekly');
  else if (d.cadence === 'daily') lines.push('Daily');
  else if (day) lines.push(`A weekly digest comes on ${day}`);
  if (d.hour !== undefined && d.timezone !== undefined) lines.push(`At ${hourLabel(d.hour)}, ${d.timezone} time`);
  else if (d.hour !== undefined) lines.push(`At ${hourLabel(d.hour)}`);
  else if (d.timezone !== undefined) lines.push(`In the ${d.timezone} time zone`);
  if (d.channel !== undefined) lines.push(`Where: ${CHANNEL_LABELS[d.channel]}`);
  if (d.excludeKeywords?.length) lines.push(`Never about: ${d.excludeKeywords.join(', ')}`);
  if (d.authors?.length) lines.push(`Always papers by: ${d.authors.join(', ')}`);
  return lines;
}
