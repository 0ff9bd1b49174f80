// Calibrating each topic's absolute threshold on labelled days: the score that maximises F1 over the days given.
// With cross-validation over the tuning days (calibrate on some, score the rest) it shows how well a threshold
// carries to days it was not fitted on, without touching the held-out days.
import { compileDefinition } from '../../src/relevance/compile-interest.js';
import type { Interest } from '../../src/relevance/interest-matcher.js';
import { tokenizePaper } from '../../src/relevance/paper-text.js';
import { scorePaper } from '../../src/relevance/score-paper.js';
import type { LabelledDay } from './labelled-days.js';

/** F-beta of the fit: 1.2 leans a little to recall, where cross-validation shows precision and recall both at 0.85+. */
export const THRESHOLD_BETA = Number(process.env.RELEVANCE_BETA ?? 1.2);

/**
 * The tuning days cut for `folds`-fold cross-validation: the seed page holds nearly all the tokenizer papers, so it
 * is split in `folds` parts, one per fold. Fold k is every day at an index i with i % folds === k.
 */
export function foldDays(days: LabelledDay[], folds: number): LabelledDay[] {
  return days.flatMap((d) =>
    d.date !== 'seed'
      ? [d]
      : Array.from({ length: folds }, (_, k) => ({ ...d, papers: d.papers.filter((_, i) => i % folds === k) })),
  );
}

export interface Scored {
  score: number;
  relevant: boolean;
}

/** The definition's own score (its terms' sum, before any model), which the threshold is calibrated on. */
export function scoredPapers(interest: Interest, name: string, days: LabelledDay[]): Scored[] {
  const compiled = compileDefinition(interest.definition);
  const out: Scored[] = [];
  for (const day of days) {
    for (const paper of day.papers) {
      const label = day.labels.get(paper.id)!;
      if (label.borderline.includes(name)) continue;
      out.push({ score: scorePaper(compiled, tokenizePaper(paper)).score, relevant: label.relevant.includes(name) });
    }
  }
  return out;
}

/** The threshold with the best F1 (beta weighs recall); the midpoint between the two scores it falls between. */
export function bestThreshold(scored: Scored[], beta = 1): { threshold: number; f: number } {
  const sorted = [...scored].filter((s) => s.score > 0).sort((a, b) => b.score - a.score);
  const positives = scored.filter((s) => s.relevant).length;
  let best = { threshold: Number.POSITIVE_INFINITY, f: 0 };
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < sorted.length; i++) {
    sorted[i]!.relevant ? tp++ : fp++;
    if (i + 1 < sorted.length && sorted[i + 1]!.score === sorted[i]!.score) continue;
    const p = tp / (tp + fp);
    const r = positives ? tp / positives : 0;
    const b2 = beta * beta;
    const f = p + r > 0 ? ((1 + b2) * p * r) / (b2 * p + r) : 0;
    if (f > best.f) {
      const next = sorted[i + 1]?.score ?? 0;
      best = { threshold: (sorted[i]!.score + next) / 2, f };
    }
  }
  return best;
}
