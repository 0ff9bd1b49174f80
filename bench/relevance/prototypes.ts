// Building the catalog topics' prototypes (src/relevance/topic-prototypes.ts) from labelled days: the idf of the
// days' words, and per topic the mean vector of its relevant papers plus its definition's terms, cut to its
// heaviest terms, with the similarity spread of its unrelated papers.

import { cosine, type TermVector, tfIdfVector } from '../../src/relevance/term-vectors.js';
import { textTokens } from '../../src/relevance/text-tokens.js';
import { type TopicPrototypes, termCounts } from '../../src/relevance/topic-prototypes.js';
import { topicDefinitions } from '../../src/topics/topic-definitions.js';
import type { LabelledDay } from './labelled-days.js';

/** How much the definition's own terms weigh beside the mean of the labelled papers (both unit length). */
const DEFINITION_SHARE = 0.5;
/** Terms kept per prototype: the rest weigh little and would only grow the file. */
const PROTOTYPE_TERMS = 500;
const round = (v: number) => Math.round(v * 1e5) / 1e5;

function definitionCounts(slug: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of topicDefinitions[slug]!.terms) {
    for (const [text, n] of termCounts([], textTokens(term.text)))
      counts.set(text, (counts.get(text) ?? 0) + n * term.weight);
  }
  return counts;
}

export function buildPrototypes(days: LabelledDay[], slugs: readonly string[]): TopicPrototypes {
  const papers = days.flatMap((day) =>
    day.papers.map((p) => ({
      counts: termCounts(textTokens(p.title), textTokens(p.abstract)),
      label: day.labels.get(p.id)!,
    })),
  );
  const documents = new Map<string, number>();
  for (const { counts } of papers)
    for (const term of counts.keys()) documents.set(term, (documents.get(term) ?? 0) + 1);
  const n = papers.length;
  const idfOf = (df: number) => round(Math.log((n + 1) / (df + 1)) + 1);
  const idf = new Map([...documents].filter(([, df]) => df >= 2).map(([term, df]) => [term, idfOf(df)]));
  const rareIdf = idfOf(1);
  // A Map, as at run time: a paper's word can be "constructor", which a plain object already has.
  const weigh = (term: string) => idf.get(term) ?? rareIdf;
  const vectors = papers.map(({ counts }) => tfIdfVector(counts, weigh));

  const topics: TopicPrototypes['topics'] = {};
  for (const slug of slugs) {
    const relevant = vectors.filter((_, i) => papers[i]!.label.relevant.includes(slug));
    const unrelated = vectors.filter((_, i) => {
      const { relevant, borderline } = papers[i]!.label;
      return !relevant.includes(slug) && !borderline.includes(slug);
    });
    const sum: TermVector = new Map();
    for (const v of relevant) for (const [term, w] of v) sum.set(term, (sum.get(term) ?? 0) + w / relevant.length);
    for (const [term, w] of tfIdfVector(definitionCounts(slug), weigh)) {
      sum.set(term, (sum.get(term) ?? 0) + DEFINITION_SHARE * w);
    }
    const heaviest = [...sum].sort((a, b) => b[1] - a[1]).slice(0, PROTOTYPE_TERMS);
    const norm = Math.sqrt(heaviest.reduce((a, [, w]) => a + w * w, 0)) || 1;
    const prototype: TermVector = new Map(heaviest.map(([term, w]) => [term, round(w / norm)]));
    const sims = unrelated.map((v) => cosine(v, prototype));
    const mean = sims.reduce((a, b) => a + b, 0) / sims.length;
    const spread = Math.sqrt(sims.reduce((a, b) => a + (b - mean) ** 2, 0) / sims.length) || 1;
    topics[slug] = { terms: Object.fromEntries(prototype), mean: round(mean), spread: round(spread) };
  }
  return { idf: Object.fromEntries(idf), rareIdf, topics };
}
