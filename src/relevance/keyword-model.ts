// The model that decides whether a paper is about a reader's keyword, fitted by `npm run train:keywords` on the
// tuning days' labels (never the held-out ones) and shipped as keyword-model.json. Checked against its schema when
// loaded, so a hand-edited file that lost a weight fails at start, not as silent misses.
import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { KEYWORD_FEATURES } from './keyword-features.js';
import { type LogisticModel, LogisticModelSchema, probability } from './logistic-model.js';

function load(): LogisticModel {
  const model: unknown = JSON.parse(readFileSync(new URL('./keyword-model.json', import.meta.url), 'utf8'));
  if (!Value.Check(LogisticModelSchema, model)) throw new Error('src/relevance/keyword-model.json: not a model');
  if (model.features.join() !== KEYWORD_FEATURES.join() || model.weights.length !== KEYWORD_FEATURES.length) {
    throw new Error(
      'src/relevance/keyword-model.json: features differ from keyword-features.ts; run npm run train:keywords -- --write',
    );
  }
  return model;
}

export const keywordModel: LogisticModel = load();

export function keywordProbability(features: readonly number[]): number {
  return probability(keywordModel, features);
}
