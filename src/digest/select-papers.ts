// Choosing one reader's papers for a day from the interest matches computed once for everybody. Pure: no I/O.

import type { InterestMatches } from '../relevance/interest-matcher.js';
import { createReranker, type ReaderProfile } from '../relevance/rerank-for-reader.js';
import type { DayPaper } from './day-papers.js';

/** Why a delivery carries what it carries; stored in deliveries.matches and read back by the renderer. */
export interface DeliveryMatches {
  /** The reader's interests when the digest was prepared (topic names, keywords): the footer's "why you get this". */
  interests: string[];
  /** Per paper id, the interests it matched. Empty lists for trending papers. */
  why: Record<string, string[]>;
  /** Per paper id, the keys of those interests (what feedback on the paper is recorded against). */
  keys?: Record<string, string[]>;
  /** `trending`: the reader chose no interests. `no-match`: nothing matched, here are the top three instead. */
  note?: 'trending' | 'no-match';
}

export interface ReaderInterests {
  /** Interest keys (see Interest.key) with the label each shows as. */
  interests: { key: string; label: string }[];
  maxPapers: number;
  topWhenNoMatch: boolean;
  /** The reader's own feedback, which re-ranks their matches (and theirs alone). */
  profile?: ReaderProfile;
}

export interface Selection {
  paperIds: string[];
  matches: DeliveryMatches;
}

export interface DayContext {
  /** The day's papers, most upvoted first. */
  papers: DayPaper[];
  matches: InterestMatches;
}

/** How many papers the no-match option sends. */
export const TOP_WHEN_NO_MATCH = 3;
// Relevance counts more than popularity, but a paper many people upvoted rises among equally relevant ones.
const RELEVANCE_WEIGHT = 0.7;
const UPVOTE_WEIGHT = 0.3;

/**
 * The papers for one reader: those matching any interest, best first, at most `maxPapers`, none the reader got
 * before (`alreadySent`). No interests: the day's top papers. No match: nothing, or the top three when asked for.
 * Undefined means there is nothing to send.
 */
export function selectPapers(
  reader: ReaderInterests,
  day: DayContext,
  alreadySent: ReadonlySet<string> | undefined,
): Selection | undefined {
  const fresh = (id: string) => !alreadySent?.has(id);
  const labels = reader.interests.map((i) => i.label);
  if (reader.interests.length === 0) {
    return trending(day, fresh, reader.maxPapers, labels, 'trending');
  }

  const scored = new Map<string, Scored>();
  for (const interest of reader.interests) {
    const papers = day.matches.get(interest.key);
    if (!papers) continue;
    for (const [paperId, match] of papers) {
      if (!fresh(paperId)) continue;
      const relevance = match.strength;
      const entry = scored.get(paperId);
      if (entry) {
        entry.relevance += relevance;
        entry.strengths.push({ key: interest.key, strength: relevance });
        if (!entry.why.includes(interest.label)) entry.why.push(interest.label);
      } else {
        scored.set(paperId, {
          relevance,
          why: [interest.label],
          strengths: [{ key: interest.key, strength: relevance }],
        });
      }
    }
  }
  if (reader.profile) applyFeedback(scored, reader.profile, day);
  if (scored.size === 0) {
    return reader.topWhenNoMatch ? trending(day, fresh, TOP_WHEN_NO_MATCH, labels, 'no-match') : undefined;
  }

  const maxUpvotes = day.papers[0]?.upvotes ?? 0;
  const upvoteScale = Math.log1p(Math.max(maxUpvotes, 1));
  const ranked = day.papers
    .filter((p) => scored.has(p.id))
    .map((paper, order) => {
      const { relevance } = scored.get(paper.id)!;
      const score =
        RELEVANCE_WEIGHT * (relevance / (1 + relevance)) + UPVOTE_WEIGHT * (Math.log1p(paper.upvotes) / upvoteScale);
      return { id: paper.id, score, order };
    })
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, reader.maxPapers);

  const why: Record<string, string[]> = {};
  const keys: Record<string, string[]> = {};
  for (const { id } of ranked) {
    const entry = scored.get(id)!;
    why[id] = entry.why;
    keys[id] = [...new Set(entry.strengths.map((s) => s.key))];
  }
  return { paperIds: ranked.map((r) => r.id), matches: { interests: labels, why, keys } };
}

interface Scored {
  relevance: number;
  why: string[];
  strengths: { key: string; strength: number }[];
}

/** Re-weighs the reader's matches by their feedback; those it pushes below the cut leave the list. */
function applyFeedback(scored: Map<string, Scored>, profile: ReaderProfile, day: DayContext): void {
  const reranker = createReranker(profile, day.papers);
  for (const [id, entry] of scored) {
    const relevance = reranker.relevance(id, entry.strengths);
    if (relevance === undefined) scored.delete(id);
    else entry.relevance = relevance;
  }
}

function trending(
  day: DayContext,
  fresh: (id: string) => boolean,
  count: number,
  interests: string[],
  note: 'trending' | 'no-match',
): Selection | undefined {
  const papers = day.papers.filter((p) => fresh(p.id)).slice(0, count);
  if (papers.length === 0) return undefined;
  const why: Record<string, string[]> = {};
  for (const p of papers) why[p.id] = [];
  return { paperIds: papers.map((p) => p.id), matches: { interests, why, note } };
}
