// Scoring one paper against one compiled interest: a BM25-style sum over the interest's terms. Each mention counts
// with diminishing returns (the second mention of "speculative decoding" adds less than the first), the title counts
// three times the abstract, and long abstracts are normalised so they do not win on length alone. The score is
// absolute, not relative to the day, so a day with one relevant paper still sends one paper.
import type { CompiledInterest, CompiledTerm, Pattern } from './compile-interest.js';
import type { Field } from './interest-definition.js';
import type { PaperTokens } from './paper-text.js';

export interface ScoreWeights {
  title: number;
  keywords: number;
  abstract: number;
  /** BM25's k1: how fast repeated mentions saturate. */
  saturation: number;
  /** BM25's b for the abstract's length. */
  lengthNorm: number;
  /** What a keyword's words near each other (not as a phrase) count, relative to the phrase. */
  near: number;
}

export const defaultWeights: ScoreWeights = {
  title: 3,
  keywords: 1,
  abstract: 1,
  saturation: 1,
  lengthNorm: 0.4,
  near: 0.5,
};

const AVERAGE_ABSTRACT_TOKENS = 150;
const NEAR_WINDOW = 6;

export interface PaperScore {
  score: number;
  /** The terms that counted most, with where they were found ("title", "abstract ×3", "keywords"). */
  evidence: string[];
}

function tokenMatches(token: string, want: string): boolean {
  return want.charCodeAt(0) === 42 /* '*' */ ? token.endsWith(want.slice(1)) : token === want;
}

/** Calls `visit` with the start of each mention of `pattern` in `tokens`, overlapping mentions not counted. */
function eachMention(tokens: readonly string[], pattern: Pattern, visit: (start: number) => void): void {
  outer: for (let i = 0; i + pattern.length <= tokens.length; i++) {
    for (let j = 0; j < pattern.length; j++) if (!tokenMatches(tokens[i + j]!, pattern[j]!)) continue outer;
    visit(i);
    i += pattern.length - 1;
  }
}

export function countPattern(tokens: readonly string[], pattern: Pattern): number {
  let count = 0;
  eachMention(tokens, pattern, () => {
    count++;
  });
  return count;
}

/** How many windows of NEAR_WINDOW tokens hold every word of `words`, in any order (non-overlapping). */
export function countNear(tokens: readonly string[], words: Pattern): number {
  let count = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (!words.includes(tokens[i]!)) continue;
    const window = tokens.slice(i, i + NEAR_WINDOW);
    if (words.every((w) => window.includes(w))) {
      count++;
      i += NEAR_WINDOW - 1;
    }
  }
  return count;
}

/** `tokens` as the term reads them: the words of its `except` phrases blanked ("speech tokenizer" for "tokenization"). */
export function tokensFor(term: CompiledTerm, tokens: readonly string[]): readonly string[] {
  if (!term.except) return tokens;
  const masked = [...tokens];
  for (const span of term.except.flatMap((p) => patternSpans(tokens, p))) masked.fill('', span.start, span.end);
  return masked;
}

/** countNear for a term, a word inside one of the term's `except` phrases not counting as near. */
export function nearMentions(term: CompiledTerm, tokens: readonly string[]): number {
  return term.near ? countNear(tokensFor(term, tokens), term.near) : 0;
}

export function saturate(tf: number, k: number): number {
  return tf === 0 ? 0 : (tf * (1 + k)) / (tf + k);
}

/** How an abstract's length divides its mentions (BM25's b): 1 for an abstract of average length. */
export function abstractNorm(tokens: number, w: ScoreWeights = defaultWeights): number {
  return 1 - w.lengthNorm + (w.lengthNorm * tokens) / AVERAGE_ABSTRACT_TOKENS;
}

interface Span {
  start: number;
  end: number;
}

/** Where `tokens` says `pattern`: each mention's start and end, overlapping mentions not counted (as countPattern). */
function patternSpans(tokens: readonly string[], pattern: Pattern): Span[] {
  const spans: Span[] = [];
  eachMention(tokens, pattern, (start) => spans.push({ start, end: start + pattern.length }));
  return spans;
}

/** Where `tokens` says the term, in any of its phrasings, leaving out mentions inside one of its `except`. */
function termSpans(term: CompiledTerm, tokens: readonly string[]): Span[] {
  const spans = term.patterns.flatMap((p) => patternSpans(tokens, p));
  if (!term.except || spans.length === 0) return spans;
  const excepted = term.except.flatMap((p) => patternSpans(tokens, p));
  return spans.filter((m) => !excepted.some((x) => x.start <= m.start && m.end <= x.end));
}

/** How many times `tokens` says the term, in any of its phrasings ("vector quantization" is not "quantization"). */
export function termMentions(term: CompiledTerm, tokens: readonly string[]): number {
  if (term.except) return termSpans(term, tokens).length;
  // Most terms have no exceptions: counted without building spans, for this runs per term, paper and field.
  let tf = 0;
  for (const pattern of term.patterns) tf += countPattern(tokens, pattern);
  return tf;
}

/** A mention of one of an interest's terms, with that term's weight. */
export interface TermSpan extends Span {
  weight: number;
}

/** Every mention of `terms` in `tokens`, one field of a paper (terms that do not count in that field left out). */
export function mentionSpans(terms: readonly CompiledTerm[], tokens: readonly string[], field: Field): TermSpan[] {
  return terms.flatMap((term) =>
    !term.fields || term.fields.includes(field)
      ? termSpans(term, tokens).map((span) => ({ ...span, weight: term.weight }))
      : [],
  );
}

/**
 * How many mentions `spans` hold, a mention inside a longer mention counted once: one "visual token pruning" is one
 * mention, not also one of "token pruning", "visual tokens" and "prune". Term by term, the score counts that phrase
 * four times, which the topic model learned to read on papers that repeat it; this count is for telling a paper
 * that says its topic once from one that says it again.
 */
export function phraseMentions(spans: readonly Span[]): number {
  const longestFirst = [...spans].sort((a, b) => b.end - b.start - (a.end - a.start));
  const kept: Span[] = [];
  for (const s of longestFirst) if (!kept.some((k) => k.start <= s.start && s.end <= k.end)) kept.push(s);
  return kept.length;
}

export interface TermHit {
  text: string;
  value: number;
  /** The value by field, the term's weight included. */
  byField: Record<Field, number>;
  where: string[];
}

export function scoreTerm(
  term: CompiledTerm,
  paper: PaperTokens,
  w: ScoreWeights = defaultWeights,
): TermHit | undefined {
  const fields: [Field, readonly string[], number][] = [
    ['title', paper.title, w.title],
    ['keywords', paper.keywords, w.keywords],
    ['abstract', paper.abstract, w.abstract],
  ];
  let value = 0;
  const where: string[] = [];
  const byField: Record<Field, number> = { title: 0, keywords: 0, abstract: 0 };
  for (const [name, tokens, fieldWeight] of fields) {
    if (term.fields && !term.fields.includes(name)) continue;
    const tf = termMentions(term, tokens);
    let nearValue = 0;
    if (tf === 0 && term.near) nearValue = w.near * saturate(nearMentions(term, tokens), w.saturation);
    if (tf === 0 && nearValue === 0) continue;
    const norm = name === 'abstract' ? abstractNorm(tokens.length, w) : 1;
    const fieldValue = fieldWeight * (tf > 0 ? saturate(tf / norm, w.saturation) : nearValue);
    byField[name] = fieldValue * term.weight;
    value += fieldValue;
    where.push(tf > 1 ? `${name} ×${tf}` : tf === 1 ? name : `${name} (near)`);
  }
  return value > 0 ? { text: term.text, value: value * term.weight, byField, where } : undefined;
}

export function scorePaper(
  interest: CompiledInterest,
  paper: PaperTokens,
  w: ScoreWeights = defaultWeights,
): PaperScore {
  const hits: TermHit[] = [];
  let score = 0;
  for (const term of interest.terms) {
    const hit = scoreTerm(term, paper, w);
    if (hit) {
      hits.push(hit);
      score += hit.value;
    }
  }
  if (score === 0) return { score: 0, evidence: [] };
  for (const term of interest.against) {
    const hit = scoreTerm(term, paper, w);
    if (hit) score -= hit.value;
  }
  hits.sort((a, b) => b.value - a.value);
  return {
    score: Math.max(0, Math.round(score * 1000) / 1000),
    evidence: hits.slice(0, 3).map((h) => `${h.text} (${h.where.join(', ')})`),
  };
}
