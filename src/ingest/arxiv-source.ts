// arXiv: the papers submitted on the day in the configured categories, newest first, via the arXiv API
// (GET {base}/api/query). arXiv has no upvotes: the list is ranked by recency within the day. arXiv asks for one
// request every 3 seconds and one connection at a time: the HTTP client spaces requests (retries included).
import { errors } from '../errors.js';
import type { HttpClient } from './http-client.js';
import type { FetchedListing, PaperSource, SkippedItem } from './paper-source.js';
import { type ArxivEntry, readArxivFeed } from './read-arxiv-feed.js';
import { snippet } from './read-fields.js';

export interface ArxivSourceOptions {
  baseUrl: string;
  categories: string[];
  /** Built with minIntervalMs >= 3000 in production (see create-paper-source.ts). */
  http: HttpClient;
  /** Entries per request; arXiv allows up to 2000. */
  pageSize?: number;
  /** arXiv serves at most 30,000 results per query. */
  maxPages?: number;
}

/** search_query for the day: (cat:A OR cat:B …) AND submittedDate:[YYYYMMDD0000 TO YYYYMMDD2359] (GMT). */
export function arxivDayQuery(day: string, categories: string[]): string {
  const compact = day.replaceAll('-', '');
  const cats = categories.map((c) => `cat:${c}`).join(' OR ');
  return `(${cats}) AND submittedDate:[${compact}0000 TO ${compact}2359]`;
}

function byRecency(a: ArxivEntry, b: ArxivEntry): number {
  const diff = (b.submittedAt?.getTime() ?? 0) - (a.submittedAt?.getTime() ?? 0);
  return diff !== 0 ? diff : b.paper.id.localeCompare(a.paper.id);
}

export function createArxivSource(options: ArxivSourceOptions): PaperSource {
  const { baseUrl, categories, http } = options;
  const pageSize = options.pageSize ?? 500;
  const maxPages = options.maxPages ?? 60;
  return {
    name: 'arxiv',
    async fetchDay(day) {
      const query = arxivDayQuery(day, categories);
      const entries: ArxivEntry[] = [];
      const skipped: SkippedItem[] = [];
      let fetched = 0;
      for (let page = 0, start = 0; page < maxPages; page++) {
        const params = new URLSearchParams({
          search_query: query,
          sortBy: 'submittedDate',
          sortOrder: 'descending',
          start: String(start),
          max_results: String(pageSize),
        });
        const res = await http.get(`${baseUrl}/api/query?${params}`, 'application/atom+xml');
        const origin = `arXiv's answer for ${day} (from ${start})`;
        // arXiv sends its error feed with HTTP 400 (and sometimes 200): read the feed before judging the status.
        const looksLikeFeed = /<feed[\s>]/.test(res.body);
        if (res.status !== 200 && !looksLikeFeed) {
          throw errors.sourceResponse(
            `arXiv answered HTTP ${res.status} for ${day}: ${snippet(res.body) || 'no body'}`,
          );
        }
        const feed = readArxivFeed(res.body, origin);
        if (feed.error !== undefined) throw errors.sourceResponse(`arXiv refused the query for ${day}: ${feed.error}`);
        if (res.status !== 200) throw errors.sourceResponse(`arXiv answered HTTP ${res.status} for ${day}`);
        entries.push(...feed.entries);
        skipped.push(...feed.skipped);
        fetched += feed.count;
        start += feed.count;
        if (feed.count === 0 || start >= feed.totalResults) break;
      }
      // The same paper on two pages (the index shifted while we paged) is listed once.
      const seen = new Set<string>();
      const unique: ArxivEntry[] = [];
      for (const e of entries) {
        if (seen.has(e.paper.id)) skipped.push({ id: e.paper.id, reason: 'the paper is listed twice; counted once' });
        else unique.push(e);
        seen.add(e.paper.id);
      }
      const listings: FetchedListing[] = unique
        .sort(byRecency)
        .map((e, i) => ({ paper: e.paper, upvotes: 0, comments: 0, rank: i + 1 }));
      return { day, source: 'arxiv', fetched, listings, skipped };
    },
  };
}
