// What the labelled papers of each catalog topic look like as a whole: a Rocchio prototype, the mean tf-idf vector
// of the papers labelled relevant to it (plus its definition's own terms, so a topic is never only its examples).
// A definition names a topic's vocabulary as someone wrote it; the prototype carries the words its papers actually
// use ("we present X-Bench, a benchmark for ..."), so a paper that says its subject in other words still comes
// close to it. The similarity is one more feature for the topic model (topic-features.ts), as a z-score against the
// topic's unrelated papers, so one weight fits every topic. Built by `npm run train:topics -- --write` from the
// tuning days only; a topic without a prototype (an admin's own) is decided by the definition-only model.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { PaperTokens } from './paper-text.js';
import { cosine, type TermVector, tfIdfVector } from './term-vectors.js';

export const TopicPrototypeSchema = Type.Object(
  {
    /** Term -> weight of the unit-length prototype vector. */
    terms: Type.Record(Type.String(), Type.Number()),
    /** Mean and spread of the similarity of the topic's unrelated training papers: the z-score's origin and unit. */
    mean: Type.Number(),
    spread: Type.Number({ exclusiveMinimum: 0 }),
  },
  { additionalProperties: false },
);

export const TopicPrototypesSchema = Type.Object(
  {
    /** Inverse document frequency of every term seen in two or more training papers. */
    idf: Type.Record(Type.String(), Type.Number()),
    /** The idf of a term seen in at most one training paper. */
    rareIdf: Type.Number(),
    topics: Type.Record(Type.String(), TopicPrototypeSchema),
  },
  { additionalProperties: false },
);
export type TopicPrototypes = Static<typeof TopicPrototypesSchema>;

/**
 * The fewest abstract tokens (stop words dropped) the prototype judges: a few words make a unit vector that is all
 * "speculative decoding" from one passing mention. Every abstract of the labelled days has 71 or more (median 156);
 * a shorter one is left to the definition alone.
 */
const PROTOTYPE_MIN_TOKENS = 64;

/** The title says what a paper is about in a few words: each of its terms counts twice. */
const TITLE_WEIGHT = 2;

/** Words and adjacent word pairs of a paper's title and abstract (stemmed tokens), with their counts. */
export function termCounts(title: readonly string[], abstract: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (tokens: readonly string[], weight: number) => {
    for (let i = 0; i < tokens.length; i++) {
      counts.set(tokens[i]!, (counts.get(tokens[i]!) ?? 0) + weight);
      if (i + 1 < tokens.length) {
        const pair = `${tokens[i]} ${tokens[i + 1]}`;
        counts.set(pair, (counts.get(pair) ?? 0) + weight);
      }
    }
  };
  add(title, TITLE_WEIGHT);
  add(abstract, 1);
  return counts;
}

export function loadPrototypes(file: URL, retrain: string): TopicPrototypes {
  const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Value.Check(TopicPrototypesSchema, data)) throw new Error(`${fileURLToPath(file)}: not prototypes (${retrain})`);
  return data;
}

/** Similarity to topic prototypes, with each paper's vector computed once however many topics ask. */
// Maps, not the file's records: a paper's word can be "constructor", which a plain object already has.
export class PrototypeSimilarity {
  private readonly vectors = new WeakMap<PaperTokens, TermVector>();
  private readonly idf: Map<string, number>;
  private readonly rareIdf: number;
  private readonly topics: Map<string, { terms: TermVector; mean: number; spread: number }>;

  constructor(prototypes: TopicPrototypes) {
    this.idf = new Map(Object.entries(prototypes.idf));
    this.rareIdf = prototypes.rareIdf;
    this.topics = new Map(
      Object.entries(prototypes.topics).map(([slug, p]) => [slug, { ...p, terms: new Map(Object.entries(p.terms)) }]),
    );
  }

  /** How many spreads above the topic's unrelated papers `paper` lies; undefined where the prototype cannot tell. */
  zScore(slug: string, paper: PaperTokens): number | undefined {
    const prototype = this.topics.get(slug);
    if (!prototype || paper.abstract.length < PROTOTYPE_MIN_TOKENS) return undefined;
    return (cosine(this.vectorOf(paper), prototype.terms) - prototype.mean) / prototype.spread;
  }

  private vectorOf(paper: PaperTokens): TermVector {
    let vector = this.vectors.get(paper);
    if (!vector) {
      vector = tfIdfVector(termCounts(paper.title, paper.abstract), (term) => this.idf.get(term) ?? this.rareIdf);
      this.vectors.set(paper, vector);
    }
    return vector;
  }
}
