// The one seam every part of papermail matches through: the daily run, the dry run, the admin preview, the topic
// check and the relevance evaluation. Given a day's papers and the interests wanted (each once, however many
// readers share it), it returns per interest the papers that reach the interest's absolute threshold, with their
// score and the evidence. Readers' feedback re-ranks on top of this (see rerank-for-reader.ts), never here: one
// reader can never change what a topic means for everyone.
import { type CompiledInterest, compileDefinition } from './compile-interest.js';
import type { TopicDefinition } from './interest-definition.js';
import { keywordDay, keywordFeatures } from './keyword-features.js';
import { keywordModel, keywordProbability } from './keyword-model.js';
import { type PaperText, type PaperTokens, tokenizePaper } from './paper-text.js';
import { defaultWeights, type PaperScore, type ScoreWeights, scorePaper } from './score-paper.js';

export interface Interest {
  /** Stable key: `topic:<slug>` or `keyword:<normalised text>`. */
  key: string;
  /** What a reader sees as "why": the topic's name or the keyword. */
  label: string;
  kind: 'topic' | 'keyword';
  definition: TopicDefinition;
}

export interface Match extends PaperScore {
  /** The score over the interest's threshold: 1 at the cut, comparable across interests. */
  strength: number;
}
/** Per interest key, per paper id: the papers that match. */
export type InterestMatches = Map<string, Map<string, Match>>;

/** When a keyword passes for more than this share of a day's papers, only the best of them count. */
export const COMMON_SHARE = 0.4;
/** Below this many papers a day is too small to call any keyword common. */
const COMMON_MIN_PAPERS = 10;

export interface MatchOptions {
  weights?: ScoreWeights;
  /** Score every paper (also those below the threshold): for the evaluation and the topic check. */
  keepAll?: boolean;
}

function compile(interest: Interest): CompiledInterest {
  return compileDefinition(interest.definition, { near: interest.kind === 'keyword' });
}

/** Scores `papers` against every interest. Pure: no I/O. */
// A day's papers are matched batch after batch as new interests turn up (prepare-digest.ts): each paper object is
// tokenized once, not once per batch. Weak: the tokens go when the papers do.
const tokenized = new WeakMap<PaperText, PaperTokens>();
function tokensOf(paper: PaperText): PaperTokens {
  let tokens = tokenized.get(paper);
  if (!tokens) {
    tokens = tokenizePaper(paper);
    tokenized.set(paper, tokens);
  }
  return tokens;
}

export function matchPapers(
  papers: readonly PaperText[],
  interests: readonly Interest[],
  options: MatchOptions = {},
): InterestMatches {
  const tokens: PaperTokens[] = papers.map(tokensOf);
  const out: InterestMatches = new Map();
  for (const interest of interests) {
    const scored = interest.kind === 'keyword' ? scoreKeyword(interest, tokens) : scoreTopic(interest, tokens, options);
    const kept = options.keepAll ? scored : scored.filter(([, m]) => m.strength >= 1);
    out.set(interest.key, new Map(options.keepAll ? kept : weighDownCommon(interest, kept, papers.length)));
  }
  return out;
}

function scoreTopic(interest: Interest, papers: readonly PaperTokens[], options: MatchOptions): [string, Match][] {
  const compiled = compile(interest);
  return papers.map((paper) => {
    const s = scorePaper(compiled, paper, options.weights ?? defaultWeights);
    return [paper.id, { ...s, strength: Math.round((s.score / compiled.threshold) * 1000) / 1000 }];
  });
}

const logit = (p: number) => Math.log(p / (1 - p));

/**
 * A keyword's papers are decided by the keyword model (keyword-model.ts): the score is the probability that the
 * paper is about the keyword, the cut the model's. The strength maps the log-odds over the cut onto the scale
 * topics use (1 at the cut, about 3 for a paper that names the keyword in its title and all through its abstract),
 * so a reader's topics and keywords rank together.
 */
function scoreKeyword(interest: Interest, papers: readonly PaperTokens[]): [string, Match][] {
  const compiled = compile(interest);
  const day = keywordDay(compiled, papers);
  return papers.map((paper) => {
    const p = keywordProbability(keywordFeatures(compiled, paper, day));
    const strength = 1 + (logit(Math.min(p, 0.9999)) - logit(keywordModel.threshold)) / 2;
    const evidence = p >= keywordModel.threshold ? scorePaper(compiled, paper).evidence : [];
    return [paper.id, { score: Math.round(p * 1000) / 1000, evidence, strength: Math.round(strength * 1000) / 1000 }];
  });
}

/**
 * A keyword that would match a large share of the day ("model", "token" on a day of tokenizer papers) keeps only
 * its best-scoring papers, the share COMMON_SHARE of the day: weighed down, not dropped.
 */
function weighDownCommon(interest: Interest, scored: [string, Match][], dayPapers: number): [string, Match][] {
  if (interest.kind !== 'keyword' || dayPapers < COMMON_MIN_PAPERS) return scored;
  const cap = Math.floor(dayPapers * COMMON_SHARE);
  if (scored.length <= cap) return scored;
  return [...scored].sort((a, b) => b[1].score - a[1].score).slice(0, cap);
}
