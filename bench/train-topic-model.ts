// npm run train:topics [-- --write]: fits what decides whether a paper is about a catalog topic, on the tuning days'
// labels, never the held-out days: the topics' prototypes (src/relevance/topic-prototypes.json, the mean vector of
// each topic's labelled papers), the model over the definition's evidence plus the prototype similarity
// (topic-prototype-model.json), and the model over the evidence alone (topic-model.json) for topics with no labelled
// papers, an admin's own. Both models are one for every topic: their features are relative to each topic's
// calibrated threshold (topic-thresholds.json, npm run tune:relevance) and spread, so they learn what kind of
// evidence makes a paper about its topic, not any one topic's words. Before fitting it estimates how that carries to
// new days: 4 folds of the tuning days, thresholds, prototypes and models fitted on three, scored on the fourth.
import { parseArgs } from 'node:util';
import { compileDefinition, DEFAULT_THRESHOLD } from '../src/relevance/compile-interest.js';
import { type Example, fitLogistic, type LogisticModel, probability } from '../src/relevance/logistic-model.js';
import { tokenizePaper } from '../src/relevance/paper-text.js';
import {
  PROTOTYPE_TOPIC_FEATURES,
  TOPIC_FEATURES,
  topicCut,
  topicFeatures,
  topicTooThin,
} from '../src/relevance/topic-features.js';
import { PrototypeSimilarity, type TopicPrototypes } from '../src/relevance/topic-prototypes.js';
import { topicDefinitions } from '../src/topics/topic-definitions.js';
import { bestThreshold, foldDays, scoredPapers, THRESHOLD_BETA } from './relevance/calibrate.js';
import { evaluationInterests } from './relevance/evaluate.js';
import { type LabelledDay, loadEvaluationSet } from './relevance/labelled-days.js';
import { buildPrototypes } from './relevance/prototypes.js';
import { noCounts, printComparison, tally, writeJson, writeModel } from './relevance/train.js';

const { values } = parseArgs({ options: { write: { type: 'boolean', default: false } } });
/** Without a prototype: sent when more likely about the topic than not. */
const CUT = Number(process.env.TOPIC_CUT ?? 0.5);
/**
 * With one: chosen on the folds below (tenth session, 30 tuning days: 0.25-0.3 gave the best balance, P 0.91-0.93 /
 * R 0.89-0.90; 0.5 kept precision 0.95 but lost recall to 0.83). With the 35 tuning days of the eleventh session,
 * 0.3 gives P 0.88 / R 0.91, 0.4 0.90 / 0.90, 0.5 0.93 / 0.88: F1 within 0.01, so 0.3 stays (on the held-out days
 * 0.4 gave 0.78 / 0.84 against 0.77 / 0.88, which agrees). A prior per topic (how rare its papers are on the tuning
 * days) as one more feature was tried: 0.91 / 0.88 at 0.25, no better. The prototype makes the model surer of what
 * it sends, so a lower probability already means "about the topic" more often than not among the papers it sends.
 * With the rule for papers that never name the topic (topicInPassing, twelfth session): 0.25 P 0.89 / R 0.91, 0.3
 * 0.90 / 0.90, 0.4 0.92 / 0.89, so 0.3 stays.
 */
const PROTOTYPE_CUT = Number(process.env.PROTOTYPE_CUT ?? 0.3);
const folds = 4;

const set = loadEvaluationSet();
const tuning = set.days.filter((d) => !set.heldOut.has(d.date));
const cvDays = foldDays(tuning, folds);
const topics = evaluationInterests(set).filter(({ interest }) => interest.kind === 'topic');

interface Row extends Example {
  topic: string;
  /** topicTooThin: never sent, whatever the model says. */
  tooThin: boolean;
}

/** Each paper tokenized once, so the prototypes' per-paper vectors are computed once too. */
const tokensOf = new Map(set.days.flatMap((d) => d.papers.map((p) => [p, tokenizePaper(p)] as const)));

/**
 * Every (topic, paper) of `days` that is not borderline, with features relative to `thresholds`, and the
 * prototype similarity last when `prototypes` are given.
 */
function rows(days: LabelledDay[], thresholds: Record<string, number>, prototypes?: TopicPrototypes): Row[] {
  const similarity = prototypes && new PrototypeSimilarity(prototypes);
  const out: Row[] = [];
  for (const { name: slug, interest } of topics) {
    const compiled = compileDefinition({ ...interest.definition, threshold: thresholds[slug]! });
    for (const day of days) {
      for (const paper of day.papers) {
        const label = day.labels.get(paper.id)!;
        if (label.borderline.includes(slug)) continue;
        const tokens = tokensOf.get(paper)!;
        const x = topicFeatures(compiled, tokens);
        if (similarity) {
          // Too short an abstract for the prototype is decided without it (none of the labelled days has one).
          const z = similarity.zScore(slug, tokens);
          if (z === undefined) continue;
          x.push(z);
        }
        out.push({
          topic: slug,
          x,
          y: label.relevant.includes(slug) ? 1 : 0,
          tooThin: topicTooThin(compiled, tokens),
        });
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

const slugs = topics.map(({ name }) => name);
const withPrototype = new Map(slugs.map((name) => [name, noCounts()]));
const plain = new Map(slugs.map((name) => [name, noCounts()]));
for (let k = 0; k < folds; k++) {
  const fitDays = cvDays.filter((_, i) => i % folds !== k);
  const testDays = cvDays.filter((_, i) => i % folds === k);
  const thresholds = thresholdsOn(fitDays);
  const prototypes = buildPrototypes(fitDays, slugs);
  const m: LogisticModel = {
    ...fitLogistic(PROTOTYPE_TOPIC_FEATURES, rows(fitDays, thresholds, prototypes)),
    threshold: PROTOTYPE_CUT,
  };
  const m0: LogisticModel = { ...fitLogistic(TOPIC_FEATURES, rows(fitDays, thresholds)), threshold: CUT };
  for (const row of rows(testDays, thresholds, prototypes)) {
    tally(withPrototype.get(row.topic)!, probability(m, row.x) >= topicCut(m, row.x) && !row.tooThin, row.y === 1);
  }
  for (const row of rows(testDays, thresholds)) {
    tally(plain.get(row.topic)!, probability(m0, row.x) >= topicCut(m0, row.x) && !row.tooThin, row.y === 1);
  }
}
printComparison(
  `${folds}-fold over the tuning days (${tuning.length}): "model" with prototypes, "rule" the evidence-only model`,
  slugs.map((name) => ({ name, model: withPrototype.get(name)!, rule: plain.get(name)! })),
);

// The shipped thresholds (fitted on the same tuning days by tune-relevance), so features at run time are the ones
// trained on.
const shipped = Object.fromEntries(topics.map(({ name }) => [name, topicDefinitions[name]!.threshold!]));
const prototypes = buildPrototypes(tuning, slugs);
writeModel('topic-model.json', { ...fitLogistic(TOPIC_FEATURES, rows(tuning, shipped)), threshold: CUT }, values.write);
writeModel(
  'topic-prototype-model.json',
  { ...fitLogistic(PROTOTYPE_TOPIC_FEATURES, rows(tuning, shipped, prototypes)), threshold: PROTOTYPE_CUT },
  values.write,
);
writeJson('topic-prototypes.json', prototypes, values.write);
