// Calibrating each topic's absolute threshold on labelled days: the score that maximises F1 over the days given.
// With cross-validation over the tuning days (calibrate on some, score the rest) it shows how well a threshold
// carries to days it was not fitted on, without touching the held-out days.
import { type Interest, matchPapers } from '../../src/relevance/interest-matcher.js';
import type { ScoreWeights } from '../../src/relevance/score-paper.js';
import type { LabelledDay } from './labelled-days.js';

export interface Scored {
  score: number;
  relevant: boolean;
}

export function scoredPapers(interest: Interest, name: string, days: LabelledDay[], weights?: ScoreWeights): Scored[] {
  const out: Scored[] = [];
  for (const day of days) {
    const m = matchPapers(day.papers, [interest], { keepAll: true, ...(weights ? { weights } : {}) }).get(
      interest.key,
    )!;
    for (const paper of day.papers) {
      const label = day.labels.get(paper.id)!;
      if (label.borderline.includes(name)) continue;
      out.push({ score: m.get(paper.id)?.score ?? 0, relevant: label.relevant.includes(name) });
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
