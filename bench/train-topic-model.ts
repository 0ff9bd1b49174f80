// npm run train:topics [-- --write]: fits the model that decides whether a paper is about a catalog topic
// (src/relevance/topic-model.json) on the tuning days' labels, never the held-out days. One model for every topic:
// its features are relative to each topic's calibrated threshold (topic-thresholds.json, npm run tune:relevance),
// so it learns what kind of evidence makes a paper about its topic, not any one topic's words. Before fitting it
// estimates how that carries to new days: 4 folds of the tuning days, thresholds and model fitted on three, scored
// on the fourth; the plain threshold rule is scored the same way beside it.
import { parseArgs } from 'node:util';
import { compileDefinition, DEFAULT_THRESHOLD } from '../src/relevance/compile-interest.js';
import { type Example, fitLogistic, type LogisticModel, probability } from '../src/relevance/logistic-model.js';
import { tokenizePaper } from '../src/relevance/paper-text.js';
import { scorePaper } from '../src/relevance/score-paper.js';
import { TOPIC_FEATURES, topicFeatures } from '../src/relevance/topic-features.js';
import { topicDefinitions } from '../src/topics/topic-definitions.js';
import { bestThreshold, foldDays, scoredPapers, THRESHOLD_BETA } from './relevance/calibrate.js';
import { evaluationInterests } from './relevance/evaluate.js';
import { type LabelledDay, loadEvaluationSet } from './relevance/labelled-days.js';
import { noCounts, printComparison, tally, writeModel } from './relevance/train.js';

const { values } = parseArgs({ options: { write: { type: 'boolean', default: false } } });
/** As for keywords (train-keyword-model.ts): sent when more likely about the topic than not. */
const CUT = Number(process.env.TOPIC_CUT ?? 0.5);
const folds = 4;

const set = loadEvaluationSet();
const tuning = set.days.filter((d) => !set.heldOut.has(d.date));
const cvDays = foldDays(tuning, folds);
const topics = evaluationInterests(set).filter(({ interest }) => interest.kind === 'topic');

interface Row extends Example {
  topic: string;
  /** The definition's score over the threshold: the plain rule sends at 1. */
  score: number;
}

/** Every (topic, paper) of `days` that is not borderline, with features relative to `thresholds`. */
function rows(days: LabelledDay[], thresholds: Record<string, number>): Row[] {
  const out: Row[] = [];
  for (const { name: slug, interest } of topics) {
    const compiled = compileDefinition({ ...interest.definition, threshold: thresholds[slug]! });
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
  for (const { name, interest } of topics) {
    const { threshold } = bestThreshold(scoredPapers(interest, name, days), THRESHOLD_BETA);
    out[name] = Number.isFinite(threshold) ? threshold : DEFAULT_THRESHOLD;
  }
  return out;
}

const model = new Map(topics.map(({ name }) => [name, noCounts()]));
const rule = new Map(topics.map(({ name }) => [name, noCounts()]));
for (let k = 0; k < folds; k++) {
  const fitDays = cvDays.filter((_, i) => i % folds !== k);
  const testDays = cvDays.filter((_, i) => i % folds === k);
  const thresholds = thresholdsOn(fitDays);
  const m: LogisticModel = { ...fitLogistic(TOPIC_FEATURES, rows(fitDays, thresholds)), threshold: CUT };
  for (const row of rows(testDays, thresholds)) {
    tally(model.get(row.topic)!, probability(m, row.x) >= m.threshold, row.y === 1);
    tally(rule.get(row.topic)!, row.score >= 1, row.y === 1);
  }
}
printComparison(
  `${folds}-fold over the tuning days (${tuning.length}):`,
  topics.map(({ name }) => ({ name, model: model.get(name)!, rule: rule.get(name)! })),
);

// The shipped thresholds (fitted on the same tuning days by tune-relevance), so features at run time are the ones
// trained on.
const shipped = Object.fromEntries(topics.map(({ name }) => [name, topicDefinitions[name]!.threshold!]));
writeModel('topic-model.json', { ...fitLogistic(TOPIC_FEATURES, rows(tuning, shipped)), threshold: CUT }, values.write);
