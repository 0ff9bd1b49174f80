// What a catalog topic's evidence looks like in one paper, as numbers the topic model weighs (topic-model.ts). The
// topic's terms and threshold still say what the topic is; the model learns, across every topic at once, which
// kind of evidence makes a paper about its topic rather than one that uses it in passing: a defining term in the
// title, several distinct terms, the subject named in the abstract's opening, a neighbouring topic's words. Every
// feature but `against` only grows when a term is added, and the model weighs each of them up, so adding a term to
// a topic only adds papers. Hugging Face's AI keywords are left out: trained with them, their weight came out
// slightly negative (they add nothing the abstract does not say), which would break that promise.
import type { CompiledInterest } from './compile-interest.js';
import type { LogisticModel } from './logistic-model.js';
import type { PaperTokens } from './paper-text.js';
import { mentionSpans, phraseMentions, scoreTerm, termMentions } from './score-paper.js';

export const TOPIC_FEATURES = [
  'title',
  'abstract',
  'against',
  'distinctTerms',
  'definingTerms',
  'titleDefining',
  'early',
] as const;

/** A catalog topic's features: the same, then the paper's z-scored similarity to the topic's prototype. */
export const PROTOTYPE_TOPIC_FEATURES = [...TOPIC_FEATURES, 'prototype'] as const;

/** A term of this weight or more names the topic on its own. */
const DEFINING = 1;

export function topicFeatures(interest: CompiledInterest, paper: PaperTokens): number[] {
  const scale = interest.threshold;
  let title = 0;
  let abstract = 0;
  let distinct = 0;
  let defining = 0;
  let titleDefining = 0;
  let early = 0;
  for (const term of interest.terms) {
    const hit = scoreTerm(term, paper);
    if (!hit) continue;
    title += hit.byField.title;
    abstract += hit.byField.abstract;
    distinct++;
    if (term.weight >= DEFINING) defining++;
    if (hit.byField.title > 0) titleDefining = Math.max(titleDefining, term.weight);
    if (hit.byField.abstract > 0 && termMentions(term, paper.opening) > 0) {
      early = Math.max(early, term.weight);
    }
  }
  let against = 0;
  for (const term of interest.against) against += scoreTerm(term, paper)?.value ?? 0;
  return [
    title / scale,
    abstract / scale,
    against / scale,
    Math.log1p(distinct),
    Math.log1p(defining),
    titleDefining,
    early,
  ];
}

const DISTINCT_TERMS = TOPIC_FEATURES.indexOf('distinctTerms');
const DEFINING_TERMS = TOPIC_FEATURES.indexOf('definingTerms');
const TITLE = TOPIC_FEATURES.indexOf('title');

/**
 * Whether a paper with these features shows the topic only in passing, or only around it. Such a paper must be more
 * likely about the topic than not (topicCut), whatever lower cut the prototype earns:
 * - its only evidence is one term, none of it in the title. The prototype could otherwise carry a paper that names
 *   the topic once among related work ("Duo-LLM", an adaptive-computation study that mentions speculative decoding
 *   once, reached 0.41 against a cut of 0.3). 4-fold over the tuning days: macro P / R 0.88 / 0.91 with and without
 *   the rule; speculative decoding's precision 0.92 → 1.00.
 * - no term that names the topic (weight 1), only its strong and supporting words: "Learning to Parallel", on
 *   diffusion LMs' parallel decoding, says "parallel decoding", "speedup" and "autoregressive decoding" as
 *   speculative-decoding papers do, never speculative decoding or drafting, and its prototype carried it to 0.39
 *   (test/digest/matching.test.ts). Over the 35 tuning days such papers sent between 0.3 and 0.5 were 8 right and
 *   19 wrong; 4-fold, macro P / R 0.88 / 0.91 → 0.90 / 0.90 (twelfth session; with 47 days 0.89 / 0.89 at the
 *   cut of 0.5, 0.89 / 0.88 at 0.6).
 */
export function topicInPassing(features: readonly number[]): boolean {
  const oneTerm = features[DISTINCT_TERMS]! <= Math.log1p(1) + 1e-9 && features[TITLE]! === 0;
  return oneTerm || features[DEFINING_TERMS]! === 0;
}

/** More likely about the topic than not: what a paper that shows a topic only in passing must reach. */
const MORE_LIKELY_THAN_NOT = 0.5;

/** A term this heavy is one of the topic's strong words (weight 0.6) or names it (weight 1). */
const STRONG = 0.5;

/**
 * Whether a paper's evidence for the topic is too thin to send it, whatever the model says:
 * - title and abstract say the topic once at most, one mention per phrase however many of the topic's terms nest in
 *   it (phraseMentions). "Unlike visual token pruning, our approach needs no extra training" in a paper on
 *   spreadsheet formulas is one mention; term by term it is four ("visual token pruning", "token pruning", "visual
 *   tokens", "prune"), and the model, which learned to read that count on papers that repeat the phrase, gave it
 *   0.85 for visual-token-pruning. A reader's keyword said once in passing is never sent either (keywordCut).
 * - or they say none of its strong words, only supporting ones: "speech" and "audio" are speech-tokenizer words,
 *   but a paper that says nothing stronger is about speech, not its tokenizers (ChildVox, a speech benchmark, had
 *   0.93 from its closeness to the topic's labelled papers). For an admin's definition whose terms are all lighter
 *   than STRONG, its heaviest terms are its strong words.
 * 4-fold over the 47 tuning days (npm run train:topics), 1,108 papers sent: the first rule sends one wrong paper
 * fewer and loses no right one; the second two wrong fewer and one right (macro P / R 0.90 / 0.90 → 0.91 / 0.90).
 */
export function topicTooThin(interest: CompiledInterest, paper: PaperTokens): boolean {
  const title = mentionSpans(interest.terms, paper.title, 'title');
  const abstract = mentionSpans(interest.terms, paper.abstract, 'abstract');
  if (title.length === 0 && phraseMentions(abstract) <= 1) return true;
  const strong = Math.min(STRONG, Math.max(...interest.terms.map((t) => t.weight)));
  return ![...title, ...abstract].some((mention) => mention.weight >= strong);
}

/**
 * The probability a paper with these features must reach: the model's cut, or more when it is in passing. A paper
 * over it is still not sent when its evidence is too thin (topicTooThin, asked only then: it scans every phrasing of
 * every term, and most papers are far below the cut).
 */
export function topicCut(model: LogisticModel, features: readonly number[]): number {
  return topicInPassing(features) ? Math.max(model.threshold, MORE_LIKELY_THAN_NOT) : model.threshold;
}
