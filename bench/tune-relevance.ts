// npm run tune:relevance [-- --write]: fits every catalog topic's threshold on the tuning days (never the held-out
// ones) and prints them, with a 4-fold cross-validation over the tuning days that estimates how they carry to new
// days. --write stores the thresholds in src/topics/topic-thresholds.json, which the catalog's definitions read.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { bestThreshold, foldDays, scoredPapers, THRESHOLD_BETA } from './relevance/calibrate.js';
import { evaluationInterests } from './relevance/evaluate.js';
import { loadEvaluationSet } from './relevance/labelled-days.js';

const set = loadEvaluationSet();
const tuning = set.days.filter((d) => !set.heldOut.has(d.date));
const folds = 4;
const cvDays = foldDays(tuning, folds);
const f = (x: number) => x.toFixed(2);
let sumP = 0;
let sumR = 0;
let n = 0;
const thresholds: Record<string, number> = {};
for (const { interest, name } of evaluationInterests(set)) {
  if (interest.kind !== 'topic') continue;
  const all = bestThreshold(scoredPapers(interest, name, tuning), THRESHOLD_BETA);
  if (Number.isFinite(all.threshold)) thresholds[name] = Math.round(all.threshold * 100) / 100;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let k = 0; k < folds; k++) {
    const fit = cvDays.filter((_, i) => i % folds !== k);
    const test = cvDays.filter((_, i) => i % folds === k);
    const { threshold } = bestThreshold(scoredPapers(interest, name, fit), THRESHOLD_BETA);
    for (const s of scoredPapers(interest, name, test)) {
      if (s.score >= threshold) s.relevant ? tp++ : fp++;
      else if (s.relevant) fn++;
    }
  }
  const p = tp + fp ? tp / (tp + fp) : 1;
  const r = tp + fn ? tp / (tp + fn) : 1;
  sumP += p;
  sumR += r;
  n++;
  process.stdout.write(
    `${name.padEnd(28)} threshold ${all.threshold.toFixed(2).padStart(6)} (F1 ${f(all.f)})   cross-validated P ${f(p)} R ${f(r)}\n`,
  );
}
process.stdout.write(`cross-validated macro P ${f(sumP / n)} R ${f(sumR / n)}\n`);
if (process.argv.includes('--write')) {
  const file = path.resolve(import.meta.dirname, '../src/topics/topic-thresholds.json');
  writeFileSync(file, `${JSON.stringify(thresholds, null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
}
