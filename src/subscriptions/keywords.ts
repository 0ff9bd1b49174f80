// A reader's own keywords: short phrases matched like topics (Postgres websearch syntax, which never fails to parse).
// They are stored as typed, minus extra white space; duplicates that differ only in case are dropped.
import { errors } from '../errors.js';

export const MAX_KEYWORDS = 10;
export const MAX_KEYWORD_LENGTH = 60;

/** Splits the text of a form field into keywords: one per line or separated by commas. */
export function splitKeywordText(text: string): string[] {
  return text.split(/[,\r\n]+/);
}

/** Cleans a list of keywords, or throws a 400 that says which one is wrong and why. */
export function normalizeKeywords(input: readonly unknown[]): string[] {
  const seen = new Set<string>();
  const keywords: string[] = [];
  for (const raw of input) {
    if (typeof raw !== 'string') throw errors.badRequest('Each keyword must be text.');
    if (/[\r\n]/.test(raw)) throw errors.badRequest('A keyword cannot contain a line break.');
    if (/[\u0000-\u001f\u007f]/.test(raw)) throw errors.badRequest('A keyword cannot contain control characters.');
    const keyword = raw.trim().replace(/\s+/g, ' ');
    if (keyword === '') continue;
    if (keyword.length > MAX_KEYWORD_LENGTH) {
      throw errors.badRequest(
        `The keyword "${keyword.slice(0, 20)}…" is longer than ${MAX_KEYWORD_LENGTH} characters: use a shorter phrase.`,
      );
    }
    const key = keyword.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    keywords.push(keyword);
  }
  if (keywords.length > MAX_KEYWORDS) {
    throw errors.badRequest(`At most ${MAX_KEYWORDS} keywords are allowed (got ${keywords.length}).`);
  }
  return keywords;
}
