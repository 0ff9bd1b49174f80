// Small readers for untrusted source data: text with arXiv's line wrapping undone, links that are really http(s),
// arXiv ids that are really arXiv ids.

/** Collapses runs of whitespace (arXiv wraps titles and abstracts at ~80 columns) and trims. */
export function normaliseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

// New-style ids (0704.0001 onwards: YYMM.NNNN, five digits from 1501) and old-style archive/YYMMNNN ids.
const NEW_ID = /^\d{4}\.\d{4,5}$/;
const OLD_ID = /^[a-z-]+(\.[A-Z]{2})?\/\d{7}$/;

export function isArxivId(id: string): boolean {
  return NEW_ID.test(id) || OLD_ID.test(id);
}

/** An http(s) URL as a string, or null: paper links end up in emails, so nothing else (javascript:, data:) passes. */
export function httpUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

/** A Date from an ISO timestamp, or null when absent or unreadable. */
export function isoDate(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** The first characters of a response body, for error messages and logs. */
export function snippet(body: string, length = 120): string {
  const flat = normaliseWhitespace(body);
  return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}
