// A reader's own keywords: short phrases matched like topics (Postgres websearch syntax, which never fails to parse).
// They are stored as typed, minus extra white space; duplicates that differ only in case are dropped. This is the one
// keyword policy: the sign-up form and API, the preferences page and API, and the CSV import all apply it.
import { errors } from '../errors.js';
import { findUnsafeCharacter } from '../plain-text.js';

export const MAX_KEYWORDS = 10;
export const MAX_KEYWORD_LENGTH = 60;
/** Separates keywords in a CSV cell, so no keyword may hold it (it could not come back from an export). */
export const KEYWORD_SEPARATOR = ';';

/** Splits the text of a form field into keywords: one per line or separated by commas. */
export function splitKeywordText(text: string): string[] {
  return text.split(/[,\r\n]+/);
}

export type KeywordCheck = { ok: true; keywords: string[] } | { ok: false; reason: string };

/** Cleans a list of keywords, or says which one cannot be stored and why (for a 400 or an import report). */
export function checkKeywords(input: readonly unknown[]): KeywordCheck {
  const seen = new Set<string>();
  const keywords: string[] = [];
  for (const raw of input) {
    if (typeof raw !== 'string') return { ok: false, reason: 'Each keyword must be text.' };
    const unsafe = findUnsafeCharacter(raw);
    if (unsafe?.kind === 'a line break') return { ok: false, reason: 'A keyword cannot contain a line break.' };
    if (unsafe?.kind === 'a bidirectional override') {
      return { ok: false, reason: `A keyword cannot contain bidirectional overrides (${unsafe.codePoint}).` };
    }
    if (unsafe) return { ok: false, reason: `A keyword cannot contain control characters (${unsafe.codePoint}).` };
    if (raw.includes(KEYWORD_SEPARATOR)) {
      return { ok: false, reason: `A keyword cannot contain "${KEYWORD_SEPARATOR}": give each phrase on its own.` };
    }
    const keyword = raw.trim().replace(/\s+/g, ' ');
    if (keyword === '') continue;
    if (keyword.length > MAX_KEYWORD_LENGTH) {
      return {
        ok: false,
        reason: `The keyword "${keyword.slice(0, 20)}…" is longer than ${MAX_KEYWORD_LENGTH} characters: use a shorter phrase.`,
      };
    }
    const key = keyword.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    keywords.push(keyword);
  }
  if (keywords.length > MAX_KEYWORDS) {
    return { ok: false, reason: `At most ${MAX_KEYWORDS} keywords are allowed (got ${keywords.length}).` };
  }
  return { ok: true, keywords };
}

/** Cleans a list of keywords, or throws a 400 that says which one is wrong and why. */
export function normalizeKeywords(input: readonly unknown[]): string[] {
  const checked = checkKeywords(input);
  if (!checked.ok) throw errors.badRequest(checked.reason);
  return checked.keywords;
}
