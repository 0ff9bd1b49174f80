// Full-text matching of interests (catalog topics and readers' own keywords) against one day's papers. It runs once
// per day for every distinct interest, in one query: readers who share a topic or a keyword share the work.
//
// Relevance is ts_rank_cd over the paper's weighted vector (title A = 1.0, AI keywords B = 0.4, abstract C = 0.2 per
// occurrence of the query). Two rules keep common words from flooding every digest (see FIELD-NOTES):
//   - a cut-off: a paper matches when the query hits its title or AI keywords, or the abstract often enough to reach
//     MIN_RELEVANCE (two mentions). One passing mention in an abstract ("unlike speculative decoding, …") is not a
//     match.
//   - common interests: when a query hits more than COMMON_SHARE of the day's papers (a reader's keyword "token" on a
//     day of tokenizer papers), only title and AI-keyword hits count for it that day.
import type { PrismaClient } from '../db/client.js';

export const MIN_RELEVANCE = 0.4;
export const COMMON_SHARE = 0.4;
/** Below this many papers a day is too small to call any interest common. */
const COMMON_MIN_PAPERS = 10;

export interface Interest {
  /** Stable key: `topic:<id>` or `keyword:<normalised text>`. */
  key: string;
  /** What a reader sees as "why": the topic's name or the keyword. */
  label: string;
  /** Postgres websearch syntax. */
  query: string;
}

/** For each interest key, the matching papers of the day and their relevance. */
export type InterestMatches = Map<string, Map<string, number>>;

interface Hit {
  ord: number;
  paperId: string;
  relevance: number;
  headline: boolean;
}

/** Matches every interest against the papers listed on `day`, in one round trip. */
export async function matchInterests(
  prisma: PrismaClient,
  day: string,
  dayPaperCount: number,
  interests: Interest[],
): Promise<InterestMatches> {
  const matches: InterestMatches = new Map(interests.map((i) => [i.key, new Map()]));
  if (interests.length === 0 || dayPaperCount === 0) return matches;
  // numnode() = 0: the query is only stop words ("the"); Postgres would warn on every row, and nothing can match.
  const hits = await prisma.$queryRaw<Hit[]>`
    WITH day AS (
      SELECT p.id, p.search FROM listings l JOIN papers p ON p.id = l.paper_id WHERE l.date = ${day}::date
    ), wanted AS (
      SELECT i.ord::int AS ord, websearch_to_tsquery('english', i.query) AS q
      FROM unnest(${interests.map((i) => i.query)}::text[]) WITH ORDINALITY AS i(query, ord)
    )
    SELECT w.ord, d.id AS "paperId", ts_rank_cd(d.search, w.q)::float8 AS relevance,
           ts_filter(d.search, '{a,b}') @@ w.q AS headline
    FROM wanted w JOIN day d ON d.search @@ w.q
    WHERE numnode(w.q) > 0`;

  const byInterest = new Map<number, Hit[]>();
  for (const hit of hits) {
    const list = byInterest.get(hit.ord);
    if (list) list.push(hit);
    else byInterest.set(hit.ord, [hit]);
  }
  for (const [ord, list] of byInterest) {
    const interest = interests[ord - 1]!;
    const common = dayPaperCount >= COMMON_MIN_PAPERS && list.length > dayPaperCount * COMMON_SHARE;
    const papers = matches.get(interest.key)!;
    for (const hit of list) {
      if (hit.headline || (!common && hit.relevance >= MIN_RELEVANCE)) papers.set(hit.paperId, hit.relevance);
    }
  }
  return matches;
}

/** Keywords as readers type them, folded so that "KV cache " and "kv cache" are one interest. */
export function normaliseKeyword(keyword: string): string {
  return keyword.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}
