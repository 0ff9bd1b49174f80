// Scoring the matcher against the hand labels: one reader per catalog topic and one per free-text interest, each
// day's digest holding the papers that pass the matcher (at most MAX_PAPERS, as a reader's digest would). Borderline
// papers count neither way: not as misses when left out, not as errors when sent.

import { type Interest, matchPapers } from '../../src/relevance/interest-matcher.js';
import { keywordDefinition, normaliseKeyword } from '../../src/relevance/keywords.js';
import { topicCatalog } from '../../src/topics/catalog.js';
import type { EvaluationSet, LabelledDay } from './labelled-days.js';

export const MAX_PAPERS = 30;

export interface InterestScore {
  kind: 'topic' | 'keyword';
  name: string;
  tp: number;
  fp: number;
  fn: number;
  /** Undefined when nothing was sent: precision of an empty digest is not a number. */
  precision: number | undefined;
  /** Undefined when no paper was relevant. */
  recall: number | undefined;
}

export interface Summary {
  macroP: number;
  macroR: number;
  microP: number;
  microR: number;
}

export function evaluationInterests(set: EvaluationSet): { interest: Interest; name: string }[] {
  const topics = set.topics.map((slug) => {
    const seed = topicCatalog.find((t) => t.slug === slug);
    if (!seed) throw new Error(`interests.json names "${slug}", which is not in the catalog`);
    return {
      name: slug,
      interest: {
        key: `topic:${slug}`,
        label: seed.name,
        kind: 'topic',
        definition: seed.definition,
        slug,
      } as Interest,
    };
  });
  const keywords = set.keywords.map((text) => {
    const k = normaliseKeyword(text);
    return {
      name: text,
      interest: { key: `keyword:${k}`, label: k, kind: 'keyword', definition: keywordDefinition(k) } as Interest,
    };
  });
  return [...topics, ...keywords];
}

export function scoreDays(set: EvaluationSet, days: LabelledDay[]): InterestScore[] {
  const wanted = evaluationInterests(set);
  const counts = new Map(wanted.map((w) => [w.name, { tp: 0, fp: 0, fn: 0 }]));
  for (const day of days) {
    const matches = matchPapers(
      day.papers,
      wanted.map((w) => w.interest),
    );
    for (const { name, interest } of wanted) {
      const c = counts.get(name)!;
      const sent = new Set(
        [...(matches.get(interest.key) ?? new Map())]
          .sort((a, b) => b[1].score - a[1].score)
          .slice(0, MAX_PAPERS)
          .map(([id]) => id),
      );
      for (const paper of day.papers) {
        const label = day.labels.get(paper.id)!;
        const relevant = label.relevant.includes(name);
        const borderline = label.borderline.includes(name);
        if (borderline) continue;
        if (sent.has(paper.id)) relevant ? c.tp++ : c.fp++;
        else if (relevant) c.fn++;
      }
    }
  }
  return wanted.map(({ name, interest }) => {
    const c = counts.get(name)!;
    return { kind: interest.kind, name, ...c, ...precisionRecall(c) };
  });
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

/** Precision is undefined when nothing was sent, recall when nothing was relevant. */
export function precisionRecall({ tp, fp, fn }: Counts): { precision: number | undefined; recall: number | undefined } {
  return {
    precision: tp + fp > 0 ? tp / (tp + fp) : undefined,
    recall: tp + fn > 0 ? tp / (tp + fn) : undefined,
  };
}

/** The mean of the values that are defined (0 when none is). */
export function meanDefined(xs: readonly (number | undefined)[]): number {
  const ys = xs.filter((x): x is number => x !== undefined);
  return ys.length === 0 ? 0 : ys.reduce((a, b) => a + b, 0) / ys.length;
}

/** A precision or recall as the tables print it. */
export const fmt = (x: number | undefined) => (x === undefined ? '   -' : x.toFixed(2));

/**
 * Macro precision averages over interests that sent something, macro recall over interests that had something to
 * find; an interest that sent nothing while papers were relevant counts as recall 0.
 */
export function summarise(scores: InterestScore[]): Summary {
  const tp = scores.reduce((a, s) => a + s.tp, 0);
  const fp = scores.reduce((a, s) => a + s.fp, 0);
  const fn = scores.reduce((a, s) => a + s.fn, 0);
  return {
    macroP: meanDefined(scores.map((s) => s.precision)),
    macroR: meanDefined(scores.map((s) => s.recall)),
    microP: tp + fp > 0 ? tp / (tp + fp) : 0,
    microR: tp + fn > 0 ? tp / (tp + fn) : 0,
  };
}
