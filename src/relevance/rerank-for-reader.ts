// One reader's feedback, applied on top of the matcher's output for that reader alone (select-papers.ts). Two
// parts, both Rocchio-style:
// - a term profile: the papers the reader liked and disliked, as tf-idf vectors of their stemmed title and abstract;
//   a candidate close to the liked ones rises, one close to the disliked ones sinks, and one very close to them can
//   fall below the interest's cut;
// - per-interest weights: an interest whose papers the reader keeps rejecting counts less for this reader.
// Pure: no I/O. The topic itself never changes: the same matches serve every other reader untouched.
import type { PaperText } from './paper-text.js';
import { cosine, type TermVector, tfIdfVector, toUnitLength } from './term-vectors.js';
import { textTokens } from './text-tokens.js';

export interface FeedbackPaper {
  vote: 'more' | 'less';
  /** The reader's interest keys the paper matched when it was sent. */
  interestKeys: readonly string[];
  title: string;
  abstract: string;
}

export interface ReaderProfile {
  more: Map<string, number>[];
  less: Map<string, number>[];
  interestWeights: Map<string, number>;
}

/**
 * How strongly similarity to liked (BETA) and disliked (GAMMA) papers scales a paper's relevance. Similarities are
 * taken relative to the day's average paper: two abstracts of the field share words anyway (cosines of 0.03-0.06
 * between unrelated papers, 0.1-0.2 between close ones here), and only what stands out from that should count.
 */
const BETA = 10;
const GAMMA = 10;
/** Interest weights stay within these bounds: feedback tilts an interest, never switches it off or floods it. */
const MIN_INTEREST_WEIGHT = 0.4;
const MAX_INTEREST_WEIGHT = 1.5;
/** Each vote counts against this many imaginary neutral ones, so one click moves an interest only a little. */
const PRIOR_VOTES = 2;

function termCounts(title: string, abstract: string): Map<string, number> {
  const counts = new Map<string, number>();
  // The title says what a paper is about more than any sentence of its abstract.
  for (const t of textTokens(title)) counts.set(t, (counts.get(t) ?? 0) + 2);
  for (const t of textTokens(abstract)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

export function buildReaderProfile(feedback: readonly FeedbackPaper[]): ReaderProfile | undefined {
  if (feedback.length === 0) return undefined;
  const votes = new Map<string, { more: number; less: number }>();
  const profile: ReaderProfile = { more: [], less: [], interestWeights: new Map() };
  for (const f of feedback) {
    profile[f.vote].push(termCounts(f.title, f.abstract));
    for (const key of f.interestKeys) {
      const v = votes.get(key) ?? { more: 0, less: 0 };
      v[f.vote]++;
      votes.set(key, v);
    }
  }
  for (const [key, v] of votes) {
    const weight = (PRIOR_VOTES + v.more) / (PRIOR_VOTES + v.less);
    profile.interestWeights.set(key, Math.min(MAX_INTEREST_WEIGHT, Math.max(MIN_INTEREST_WEIGHT, weight)));
  }
  return profile;
}

/** The normalised mean of unit vectors (Rocchio's centroid). */
function centroid(vectors: TermVector[]): TermVector | undefined {
  if (vectors.length === 0) return undefined;
  const sum: TermVector = new Map();
  for (const v of vectors) for (const [t, w] of v) sum.set(t, (sum.get(t) ?? 0) + w);
  return toUnitLength(sum);
}

export interface Reranker {
  /** Cosine similarity of a day's paper to the liked and the disliked centroid. */
  similarity(paperId: string): { more: number; less: number };
  /**
   * A matched paper's relevance for this reader, from its per-interest strengths (1 = at the interest's cut);
   * undefined when the reader's "Not for me" votes push it below the cut.
   */
  relevance(paperId: string, strengths: readonly { key: string; strength: number }[]): number | undefined;
}

/** Term statistics of a day's list, computed once per day and shared by every reader with feedback. */
const dayTerms = new WeakMap<readonly PaperText[], Map<string, Map<string, number>>>();

function termsOfDay(papers: readonly PaperText[]): Map<string, Map<string, number>> {
  let terms = dayTerms.get(papers);
  if (!terms) {
    terms = new Map(papers.map((p) => [p.id, termCounts(p.title, p.abstract)]));
    dayTerms.set(papers, terms);
  }
  return terms;
}

/** The reranker for one reader on one day: idf from the day's list and the reader's voted papers. */
export function createReranker(profile: ReaderProfile, papers: readonly PaperText[]): Reranker {
  const day = termsOfDay(papers);
  const docs = [...day.values(), ...profile.more, ...profile.less];
  const df = new Map<string, number>();
  for (const counts of docs) for (const t of counts.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (t: string) => Math.log((docs.length + 1) / ((df.get(t) ?? 0) + 1));
  const liked = centroid(profile.more.map((c) => tfIdfVector(c, idf)));
  const disliked = centroid(profile.less.map((c) => tfIdfVector(c, idf)));
  const similarity = (paperId: string) => {
    const counts = day.get(paperId);
    const paper = counts ? tfIdfVector(counts, idf) : new Map<string, number>();
    return { more: cosine(paper, liked), less: cosine(paper, disliked) };
  };
  const average = { more: 0, less: 0 };
  for (const id of day.keys()) {
    const sim = similarity(id);
    average.more += sim.more / day.size;
    average.less += sim.less / day.size;
  }
  return {
    similarity,
    relevance(paperId, strengths) {
      const sim = similarity(paperId);
      const factor = Math.exp(BETA * (sim.more - average.more) - GAMMA * (sim.less - average.less));
      let best = 0;
      let total = 0;
      for (const { key, strength } of strengths) {
        best = Math.max(best, strength);
        total += strength * (profile.interestWeights.get(key) ?? 1);
      }
      if (best * factor < 1) return undefined;
      return total * factor;
    },
  };
}
