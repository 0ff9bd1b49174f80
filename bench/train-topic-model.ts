// npm run train:topics [-- --write]: fits the model that decides whether a paper is about a catalog topic
// (src/relevance/topic-model.json) on the tuning days' labels, never the held-out days. One model for every topic:
// its features are relative to each topic's calibrated threshold (topic-thresholds.json, npm run tune:relevance),
// so it learns what kind of evidence makes a paper about its topic, not any one topic's words. Before fitting it
// estimates how that carries to new days: 4 folds of the tuning days, thresholds and model fitted on three, scored
// on the fourth; the plain threshold rule is scored the same way beside it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compileDefinition } from '../src/relevance/compile-interest.js';
import { type Example, fitLogistic, type LogisticModel, probability } from '../src/relevance/logistic-model.js';
import { tokenizePaper } from '../src/relevance/paper-text.js';
import { scorePaper } from '../src/relevance/score-paper.js';
import { TOPIC_FEATURES, topicFeatures } from '../src/relevance/topic-features.js';
import { topicDefinitions, writtenDefinitions } from '../src/topics/topic-definitions.js';
import { bestThreshold } from './relevance/calibrate.js';
import { type LabelledDay, loadEvaluationSet } from './relevance/labelled-days.js';

const { values } = parseArgs({ options: { write: { type: 'boolean', default: false } } });
/** As for keywords (train-keyword-model.ts): sent when more likely about the topic than not. */
const CUT = Number(process.env.TOPIC_CUT ?? 0.5);
const BETA = Number(process.env.RELEVANCE_BETA ?? 1.2);
const folds = 4;

const set = loadEvaluationSet();
const tuning = set.days.filter((d) => !set.heldOut.has(d.date));
// The seed page holds nearly all the tokenizer papers: split in four, one part per fold (as tune-relevance does).
const cvDays: LabelledDay[] = tuning.flatMap((d) =>
  d.date !== 'seed'
    ? [d]
    : Array.from({ length: folds }, (_, k) => ({ ...d, papers: d.papers.filter((_, i) => i % folds === k) })),
);

interface Row extends Example {
  topic: string;
  /** The definition's score over the threshold: the plain rule sends at 1. */
  score: number;
}

/** Every (topic, paper) of `days` that is not borderline, with features relative to `thresholds`. */
function rows(days: LabelledDay[], thresholds: Record<string, number>): Row[] {
  const out: Row[] = [];
  for (const slug of set.topics) {
    const compiled = compileDefinition({ ...writtenDefinitions[slug]!, threshold: thresholds[slug]! });
    for (const day of days) {
      for (const paper of day.papers) {
        const label = day.labels.get(paper.id)!;
        if (label.borderline.includes(slug)) continue;
        const tokens = tokenizePaper(paper);
        const x = topicFeatures(compiled, tokens);
        const score = scorePaper(compiled, tokens).score / thresholds[slug]!;
        out.push({ topic: slug, x, y: label.relevant.includes(slug) ? 1 : 0, score });
      }
    }
  }
  return out;
}

/** Each topic's F-beta-best threshold on `days`, as tune-relevance fits them. */
function thresholdsOn(days: LabelledDay[]): Record<string, number> {
  const out: Record<string, number> = {};
  const unit = rows(days, Object.fromEntries(set.topics.map((s) => [s, 1])));
  for (const slug of set.topics) {
    const fit = bestThreshold(
      unit.filter((r) => r.topic === slug).map((r) => ({ score: r.score, relevant: r.y === 1 })),
      BETA,
    );
    out[slug] = Number.isFinite(fit.threshold) ? fit.threshold : 2;
  }
  return out;
}

const counts = () => new Map(set.topics.map((s) => [s, { tp: 0, fp: 0, fn: 0 }]));
const model = counts();
const rule = counts();
for (let k = 0; k < folds; k++) {
  const fitDays = cvDays.filter((_, i) => i % folds !== k);
  const testDays = cvDays.filter((_, i) => i % folds === k);
  const thresholds = thresholdsOn(fitDays);
  const m: LogisticModel = { ...fitLogistic(TOPIC_FEATURES, rows(fitDays, thresholds)), threshold: CUT };
  for (const row of rows(testDays, thresholds)) {
    const c = model.get(row.topic)!;
    if (probability(m, row.x) >= m.threshold) row.y ? c.tp++ : c.fp++;
    else if (row.y) c.fn++;
    const b = rule.get(row.topic)!;
    if (row.score >= 1) row.y ? b.tp++ : b.fp++;
    else if (row.y) b.fn++;
  }
}

const f = (x: number | undefined) => (x === undefined ? '   -' : x.toFixed(2));
const pr = ({ tp, fp, fn }: { tp: number; fp: number; fn: number }) => ({
  p: tp + fp > 0 ? tp / (tp + fp) : undefined,
  r: tp + fn > 0 ? tp / (tp + fn) : undefined,
});
const mean = (xs: (number | undefined)[]) => {
  const ys = xs.filter((x): x is number => x !== undefined);
  return ys.reduce((a, b) => a + b, 0) / ys.length;
};
process.stdout.write(
  `${folds}-fold over the tuning days (${tuning.length}):\n${'topic'.padEnd(28)} model P    R   rule P    R\n`,
);
for (const slug of set.topics) {
  const a = pr(model.get(slug)!);
  const b = pr(rule.get(slug)!);
  process.stdout.write(`${slug.padEnd(28)} ${f(a.p)} ${f(a.r)}   ${f(b.p)} ${f(b.r)}\n`);
}
const all = (c: ReturnType<typeof counts>) => [...c.values()].map(pr);
process.stdout.write(
  `${'macro'.padEnd(28)} ${f(mean(all(model).map((x) => x.p)))} ${f(mean(all(model).map((x) => x.r)))}   ${f(mean(all(rule).map((x) => x.p)))} ${f(mean(all(rule).map((x) => x.r)))}\n`,
);

// The shipped thresholds (fitted on the same tuning days by tune-relevance), so features at run time are the ones
// trained on.
const shipped = Object.fromEntries(set.topics.map((slug) => [slug, topicDefinitions[slug]!.threshold!]));
const final: LogisticModel = {
  ...fitLogistic(TOPIC_FEATURES, rows(tuning, shipped)),
  threshold: CUT,
};
process.stdout.write(`\nfitted on every tuning day: ${JSON.stringify(final)}\n`);
if (values.write) {
  const file = path.resolve(import.meta.dirname, '../src/relevance/topic-model.json');
  writeFileSync(file, `${JSON.stringify(final, null, 2)}\n`);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
