// The one seam every part of papermail matches through: the daily run, the dry run, the admin preview, the topic
// check and the relevance evaluation. Given a day's papers and the interests wanted (each once, however many
// readers share it), it returns per interest the papers its model finds to be about it (an absolute cut, never a
// share of the day), with the probability, a strength for ranking, and the evidence. Readers' feedback re-ranks on
// top of this (see rerank-for-reader.ts), never here: one reader can never change what a topic means for everyone.
import { type CompiledInterest, compileDefinition, evidenceWords } from './compile-interest.js';
import type { TopicDefinition } from './interest-definition.js';
import {
  type DayWords,
  dayWords,
  KEYWORD_FEATURES,
  keywordCut,
  keywordDay,
  keywordFeatures,
  titleNamesKeyword,
} from './keyword-features.js';
import { type LogisticModel, loadModel, probability } from './logistic-model.js';
import { type PaperText, type PaperTokens, tokenizePaper } from './paper-text.js';
import { type PaperScore, scorePaper } from './score-paper.js';
import { PROTOTYPE_TOPIC_FEATURES, TOPIC_FEATURES, topicCut, topicFeatures, topicTooThin } from './topic-features.js';
import { loadPrototypes, PrototypeSimilarity } from './topic-prototypes.js';

export interface Interest {
  /** Stable key: `topic:<slug>` or `keyword:<normalised text>`. */
  key: string;
  /** What a reader sees as "why": the topic's name or the keyword. */
  label: string;
  kind: 'topic' | 'keyword';
  definition: TopicDefinition;
  /** A topic's slug: a catalog topic's labelled prototype (topic-prototypes.ts) is found by it. */
  slug?: string;
}

export interface Match extends PaperScore {
  /** How far over the cut: 1 at the cut, about 2 for a paper plainly about the interest; comparable across interests. */
  strength: number;
}
/** Per interest key, per paper id: the papers that match. */
export type InterestMatches = Map<string, Map<string, Match>>;

/** When a keyword passes for more than this share of a day's papers, only the best of them count. */
export const COMMON_SHARE = 0.4;
/** Below this many papers a day is too small to call any keyword common. */
const COMMON_MIN_PAPERS = 10;

export interface MatchOptions {
  /** Score every paper (also those below the threshold): for the evaluation and the topic check. */
  keepAll?: boolean;
}

function compile(interest: Interest): CompiledInterest {
  return compileDefinition(interest.definition, { keyword: interest.kind === 'keyword' });
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
  // How common each word is that day: counted once, and only when a keyword needs it.
  let words: DayWords | undefined;
  const wordsOfDay = () => {
    words ??= dayWords(tokens);
    return words;
  };
  const out: InterestMatches = new Map();
  for (const interest of interests) {
    const compiled = compile(interest);
    const candidates = options.keepAll ? tokens : mayMatch(compiled, tokens);
    const decisions =
      interest.kind === 'keyword'
        ? scoreKeyword(compiled, candidates, wordsOfDay())
        : scoreTopic(compiled, interest.slug, candidates);
    const kept = decisions.flatMap((d) => (options.keepAll || d.sent ? [[d.id, d.match] as [string, Match]] : []));
    out.set(interest.key, new Map(options.keepAll ? kept : weighDownCommon(interest, kept, papers.length)));
  }
  return out;
}

const keywordModel = loadModel(
  new URL('./keyword-model.json', import.meta.url),
  KEYWORD_FEATURES,
  'npm run train:keywords -- --write',
);
const TRAIN_TOPICS = 'npm run train:topics -- --write';
/** For a topic with no labelled papers behind it: an admin's own, made from a definition or a query. */
const topicModel = loadModel(new URL('./topic-model.json', import.meta.url), TOPIC_FEATURES, TRAIN_TOPICS);
/** For a catalog topic: the same evidence plus how close the paper is to the topic's labelled papers. */
const prototypeModel = loadModel(
  new URL('./topic-prototype-model.json', import.meta.url),
  PROTOTYPE_TOPIC_FEATURES,
  TRAIN_TOPICS,
);
const prototypes = new PrototypeSimilarity(
  loadPrototypes(new URL('./topic-prototypes.json', import.meta.url), TRAIN_TOPICS),
);

const logit = (p: number) => Math.log(p / (1 - p));

/**
 * The share of a topic's threshold a paper's own evidence must reach before its closeness to the topic's labelled
 * papers (the prototype) can carry it the rest of the way: the definition keeps the last word, so an admin who
 * raises a threshold or narrows the terms sees papers leave, and a paper is never sent on resemblance alone. On the
 * tuning days every floor up to 0.25 sends the same papers (at 0.6 catalog recall falls from 0.96 to 0.93).
 */
const EVIDENCE_FLOOR = 0.25;

interface Decision {
  id: string;
  match: Match;
  /** The model's call, on the unrounded probability. */
  sent: boolean;
}

/**
 * A model's decision as a match: the score is the probability that the paper is about the interest, the cut the
 * model's. The strength maps the log-odds over the cut onto the scale the definitions' score over threshold had
 * (1 at the cut, about 2 for a paper plainly about the interest, at most 2.8), which the feedback re-ranking's
 * constants were set on (rerank-for-reader.ts), and which lets a reader's topics and keywords rank together.
 */
function decided(
  model: LogisticModel,
  features: number[],
  compiled: CompiledInterest,
  paper: PaperTokens,
  {
    floor = 0,
    named = false,
    cut = model.threshold,
    veto,
  }: { floor?: number; named?: boolean; cut?: number; veto?: () => boolean } = {},
): Decision {
  // A keyword named in the title is sent at least at the cut (titleNamesKeyword).
  const p = named ? Math.max(probability(model, features), cut) : probability(model, features);
  // `veto`: asked only of a paper over the cut (topicTooThin).
  const scored = p >= cut && !veto?.() ? scorePaper(compiled, paper) : undefined;
  const evidence = scored?.evidence ?? [];
  // What is sent can always show why: at least one of the interest's terms, and for a topic decided with its
  // prototype, evidence worth `floor` of the definition's threshold (EVIDENCE_FLOOR).
  const sent = scored !== undefined && evidence.length > 0 && scored.score >= floor;
  const strength = 1 + (logit(Math.min(Math.max(p, 1e-4), 0.9999)) - logit(model.threshold)) / 5;
  const match = { score: Math.round(p * 1000) / 1000, evidence, strength: Math.round(strength * 1000) / 1000 };
  return { id: paper.id, match, sent };
}

/**
 * A topic's terms and threshold say what it is about; the topic model (topic-features.ts) decides, from how that
 * evidence shows in the paper, whether the paper is about it or only uses its words.
 */
function scoreTopic(compiled: CompiledInterest, slug: string | undefined, papers: readonly PaperTokens[]): Decision[] {
  return papers.map((paper) => {
    const features = topicFeatures(compiled, paper);
    const tooThin = () => topicTooThin(compiled, paper);
    const similarity = slug === undefined ? undefined : prototypes.zScore(slug, paper);
    return similarity === undefined
      ? decided(topicModel, features, compiled, paper, { cut: topicCut(topicModel, features), veto: tooThin })
      : decided(prototypeModel, [...features, similarity], compiled, paper, {
          floor: EVIDENCE_FLOOR * compiled.threshold,
          cut: topicCut(prototypeModel, features),
          veto: tooThin,
        });
  });
}

/**
 * A reader's keyword: the keyword model (keyword-features.ts) decides, for any keyword a reader types, and a title
 * that names the keyword sends the paper. A paper that says the keyword only in passing is never sent on its own
 * (keywordCut).
 */
function scoreKeyword(compiled: CompiledInterest, papers: readonly PaperTokens[], words: DayWords): Decision[] {
  const day = keywordDay(compiled, words);
  return papers.map((paper) => {
    const features = keywordFeatures(compiled, paper, day);
    return decided(keywordModel, features, compiled, paper, {
      named: titleNamesKeyword(compiled, paper),
      cut: keywordCut(keywordModel, features),
    });
  });
}

/**
 * The papers that hold every word of at least one of the interest's patterns: the others have no evidence for it
 * and are never sent, so they are not scored. At 1,065 readers' keywords and 60 papers this halves the matching.
 */
function mayMatch(compiled: CompiledInterest, papers: readonly PaperTokens[]): readonly PaperTokens[] {
  const sets = evidenceWords(compiled);
  if (!sets) return papers;
  return papers.filter((paper) => sets.some((words) => words.every((word) => paper.words.has(word))));
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
