// The one seam every part of papermail matches through: the daily run, the dry run, the admin preview, the topic
// check and the relevance evaluation. Given a day's papers and the interests wanted (each once, however many
// readers share it), it returns per interest the papers that reach the interest's absolute threshold, with their
// score and the evidence. Readers' feedback re-ranks on top of this (see rerank-for-reader.ts), never here: one
// reader can never change what a topic means for everyone.
import { type CompiledInterest, compileDefinition } from './compile-interest.js';
import type { TopicDefinition } from './interest-definition.js';
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

/** A reader's keyword is one term, also matched when its words are near each other. */
export const KEYWORD_THRESHOLD = 2.5;
/** When a keyword passes for more than this share of a day's papers, only the best of them count. */
export const COMMON_SHARE = 0.4;
/** Below this many papers a day is too small to call any keyword common. */
const COMMON_MIN_PAPERS = 10;

/**
 * "tokenization for language models": the whole phrase rarely occurs, so the part before the preposition (the
 * subject) also counts alone, and the part after it (the setting) counts as context. "mixture of experts" and
 * "text-to-speech" are not split: "of" and "to" join names more often than they set a context.
 */
const SETTING = /\s+(?:for|in|with|using|via|on|under|from)\s+/;
const SUBJECT_WEIGHT = 0.7;
const SETTING_WEIGHT = 0.3;

export function keywordDefinition(text: string): TopicDefinition {
  const terms = [{ text, weight: 1 }];
  const parts = text.split(SETTING);
  if (parts.length === 2 && parts[0]!.trim() && parts[1]!.trim()) {
    terms.push({ text: parts[0]!.trim(), weight: SUBJECT_WEIGHT }, { text: parts[1]!.trim(), weight: SETTING_WEIGHT });
  }
  return { terms, threshold: KEYWORD_THRESHOLD };
}

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
  const weights = options.weights ?? defaultWeights;
  const out: InterestMatches = new Map();
  for (const interest of interests) {
    const compiled = compile(interest);
    const scored: [string, Match][] = [];
    for (const paper of tokens) {
      const s = scorePaper(compiled, paper, weights);
      if (options.keepAll || s.score >= compiled.threshold) {
        scored.push([paper.id, { ...s, strength: Math.round((s.score / compiled.threshold) * 1000) / 1000 }]);
      }
    }
    out.set(interest.key, new Map(options.keepAll ? scored : weighDownCommon(interest, scored, papers.length)));
  }
  return out;
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
