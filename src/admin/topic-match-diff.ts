// What a change of a topic's definition would do: the papers of the recent listed days that would enter the topic's
// matches and those that would leave them. Both definitions go through the one matcher, so the answer is what the
// daily run would do with either.
import type { Interest } from '../relevance/interest-matcher.js';
import type { InterestMatcher } from '../relevance/matcher-service.js';

export interface MatchChange {
  paperId: string;
  title: string;
  /** The listing date on which it would enter or leave. */
  date: string;
  /** Under the definition it matches with: the proposed one for entering papers, the current one for leaving. */
  score: number;
  strength: number;
  evidence: string[];
}

export interface MatchDiff {
  /** The listed days compared, oldest first. */
  days: string[];
  /** Listings (paper on a day) matched by the current and by the proposed definition. */
  matchedNow: number;
  matchedProposed: number;
  entering: MatchChange[];
  leaving: MatchChange[];
}

/** Compares `current` with `proposed` (same topic) over `days`. Reads papers, writes nothing. */
export async function diffTopicMatches(
  matcher: InterestMatcher,
  days: readonly string[],
  current: Interest,
  proposed: Interest,
): Promise<MatchDiff> {
  const diff: MatchDiff = { days: [...days], matchedNow: 0, matchedProposed: 0, entering: [], leaving: [] };
  const first = days[0];
  const last = days.at(-1);
  if (!first || !last) return diff;
  const trial = { ...proposed, key: `${proposed.key}:proposed` };
  for (const [date, papers] of await matcher.loadDays(first, last)) {
    const matches = matcher.matchPapers(papers, [current, trial]);
    const now = matches.get(current.key) ?? new Map();
    const next = matches.get(trial.key) ?? new Map();
    diff.matchedNow += now.size;
    diff.matchedProposed += next.size;
    for (const paper of papers) {
      const before = now.get(paper.id);
      const after = next.get(paper.id);
      const change = { paperId: paper.id, title: paper.title, date };
      if (after && !before) diff.entering.push({ ...change, ...after });
      if (before && !after) diff.leaving.push({ ...change, ...before });
    }
  }
  return diff;
}
