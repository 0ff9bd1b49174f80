// The InterestMatcher as a service: loads a day's papers (or several days') from Postgres and matches them with
// the pure matcher. Created once in src/services.ts; the daily run, the dry run, the admin preview and the topic
// check all go through it, so they give the same papers for the same reader and day.
import type { PrismaClient } from '../db/client.js';
import { type Interest, type InterestMatches, type MatchOptions, matchPapers } from './interest-matcher.js';
import type { PaperText } from './paper-text.js';

export interface InterestMatcher {
  /** Per interest, the papers listed on `day` that match it. */
  matchDay(day: string, interests: readonly Interest[], options?: MatchOptions): Promise<InterestMatches>;
  /** The same for papers already loaded (the caller has the day's list). */
  matchPapers(papers: readonly PaperText[], interests: readonly Interest[], options?: MatchOptions): InterestMatches;
  /** The text of the papers listed on each day from `from` to `to` (inclusive), by day. */
  loadDays(from: string, to: string): Promise<Map<string, PaperText[]>>;
}

export function createInterestMatcher(prisma: PrismaClient): InterestMatcher {
  async function loadDays(from: string, to: string): Promise<Map<string, PaperText[]>> {
    const rows = await prisma.$queryRaw<(PaperText & { day: string })[]>`
      SELECT to_char(l.date, 'YYYY-MM-DD') AS day, p.id, p.title, p.abstract, p.ai_keywords AS "aiKeywords"
      FROM listings l JOIN papers p ON p.id = l.paper_id
      WHERE l.date BETWEEN ${from}::date AND ${to}::date
      ORDER BY l.date, l.rank`;
    const out = new Map<string, PaperText[]>();
    for (const { day, ...paper } of rows) {
      const list = out.get(day);
      if (list) list.push(paper);
      else out.set(day, [paper]);
    }
    return out;
  }
  return {
    async matchDay(day, interests, options) {
      const papers = (await loadDays(day, day)).get(day) ?? [];
      return matchPapers(papers, interests, options);
    },
    matchPapers,
    loadDays,
  };
}
