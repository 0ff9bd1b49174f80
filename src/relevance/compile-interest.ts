// Compiling an interest definition into token patterns once per day, so scoring a paper is only array scans.
// Every term is expanded through the synonym table: a term or keyword that contains a phrase of a group also
// stands for the same text with each other phrase of that group.
import type { Field, Term, TopicDefinition } from './interest-definition.js';
import { falseFriends, narrowerTerms, synonymGroups } from './lexicon.js';
import { textTokens } from './text-tokens.js';

/** One way of saying a term: consecutive stemmed tokens ("*bench" as a token matches any word ending in bench). */
export type Pattern = readonly string[];

export interface CompiledTerm {
  /** The term as written, for evidence. */
  text: string;
  weight: number;
  /** Undefined: every field. */
  fields?: readonly Field[];
  patterns: Pattern[];
  /** A multi-word keyword also counts when its words occur close together in any order. */
  near?: Pattern;
  /** Phrases a mention inside of does not count: the lexicon's falseFriends of a general word a keyword holds. */
  except?: Pattern[];
}

export interface CompiledInterest {
  terms: CompiledTerm[];
  against: CompiledTerm[];
  threshold: number;
}

export const DEFAULT_THRESHOLD = 2;

const groups = synonymGroups.map((g) => g.map((phrase) => textTokens(phrase)).filter((t) => t.length > 0));
const narrower = Object.entries(narrowerTerms).map(
  ([general, kinds]) => [textTokens(general), kinds.map((k) => textTokens(k))] as const,
);

function key(p: Pattern): string {
  return p.join(' ');
}

const friends = Object.entries(falseFriends).map(
  ([general, others]) => [textTokens(general), others.map((o) => textTokens(o))] as const,
);

/**
 * The falseFriends of every general word the term holds ("quantization", "tokenization for language models"), but
 * none the term itself says: "speech tokenizer" keeps its own phrasings.
 */
function falseFriendsOf(tokens: Pattern, patterns: readonly Pattern[]): Pattern[] | undefined {
  const own = new Set(patterns.map(key));
  const out = friends
    .filter(([general]) => indexOf(tokens, general) >= 0)
    .flatMap(([, others]) => others.filter((o) => !own.has(key(o))));
  return out.length > 0 ? out : undefined;
}

const lexiconPhrases = new Set([...groups.flat(), ...narrower.map(([general]) => general)].map(key));

/** Whether the lexicon knows `text` as one phrase ("ai for science"): a synonym or a general term of the table. */
export function isLexiconPhrase(text: string): boolean {
  return lexiconPhrases.has(key(textTokens(text)));
}

function indexOf(haystack: Pattern, needle: Pattern): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function substitute(out: Map<string, Pattern>, pattern: Pattern, phrase: Pattern, others: readonly Pattern[]) {
  const at = indexOf(pattern, phrase);
  if (at < 0) return;
  for (const other of others) {
    const rewritten = [...pattern.slice(0, at), ...other, ...pattern.slice(at + phrase.length)];
    out.set(key(rewritten), rewritten);
  }
}

/**
 * The pattern and every rewrite of it that swaps a synonym-group phrase for another of its group, then every
 * rewrite (of those) that swaps a general phrase for a narrower one, then the synonyms of those.
 */
export function expandPattern(pattern: Pattern): Pattern[] {
  const out = new Map<string, Pattern>([[key(pattern), pattern]]);
  addSynonyms(out, pattern);
  for (const synonym of [...out.values()]) {
    for (const [general, kinds] of narrower) substitute(out, synonym, general, kinds);
  }
  // A kind's synonyms are kinds too: "robot manipulation" finds "VLA" through "vision-language-action".
  for (const kind of [...out.values()]) addSynonyms(out, kind);
  return [...out.values()];
}

function addSynonyms(out: Map<string, Pattern>, pattern: Pattern): void {
  for (const group of groups) {
    for (const phrase of group)
      substitute(
        out,
        pattern,
        phrase,
        group.filter((p) => p !== phrase),
      );
  }
}

export interface CompileOptions {
  /**
   * Compile a reader's keyword: a multi-word term also counts when its words are near each other, and a term that
   * holds a general word of the lexicon's falseFriends does not count mentions inside them. A topic says what is not
   * it with terms against, and its model was fitted on its terms as they are.
   */
  keyword?: boolean;
  /**
   * Expand through the lexicon (the default). Off only to measure what a keyword the lexicon does not know gets
   * (npm run train:keywords).
   */
  lexicon?: boolean;
}

function compileTerm(term: Term, options: CompileOptions): CompiledTerm | undefined {
  const tokens = textTokens(term.text.replace(/\*/g, 'WILDCARDSTAR')).map((t) => t.replace(/^wildcardstar/, '*'));
  if (tokens.length === 0) return undefined;
  const patterns = options.lexicon === false ? [tokens] : expandPattern(tokens);
  const compiled: CompiledTerm = { text: term.text, weight: term.weight, patterns };
  if (term.fields) compiled.fields = term.fields;
  const except = options.keyword && options.lexicon !== false ? falseFriendsOf(tokens, patterns) : undefined;
  if (except) compiled.except = except;
  if (options.keyword && tokens.length >= 2 && tokens.length <= 4) compiled.near = tokens;
  return compiled;
}

/**
 * Terms that stem alike ("retrieval", "retriever", "retrieve") or share a synonym would count one mention several
 * times: each pattern belongs to the heaviest term that has it, and the others drop it.
 */
function ownPatterns(terms: CompiledTerm[]): CompiledTerm[] {
  // A term that counts only in some fields owns its patterns only there.
  const slot = (term: CompiledTerm, p: Pattern) => `${term.fields?.join(',') ?? '*'}:${key(p)}`;
  const owner = new Map<string, CompiledTerm>();
  for (const term of terms) {
    for (const p of term.patterns) {
      const current = owner.get(slot(term, p));
      if (!current || current.weight < term.weight) owner.set(slot(term, p), term);
    }
  }
  return terms.flatMap((term) => {
    const patterns = term.patterns.filter((p) => owner.get(slot(term, p)) === term);
    return patterns.length > 0 ? [{ ...term, patterns }] : [];
  });
}

/**
 * The word sets a paper must hold all of for one of the interest's terms to occur in it (each pattern's words, and a
 * keyword's near-words), or undefined when a pattern has a wildcard ("*bench"), which no set of words can rule out.
 * A paper holding none of them whole has no evidence for the interest, and nothing is sent without.
 */
export function evidenceWords(interest: CompiledInterest): readonly Pattern[] | undefined {
  const sets: Pattern[] = [];
  for (const term of interest.terms) {
    for (const pattern of term.patterns) {
      if (pattern.some((word) => word.startsWith('*'))) return undefined;
      sets.push(pattern);
    }
    if (term.near) sets.push(term.near);
  }
  return sets;
}

export function compileDefinition(definition: TopicDefinition, options: CompileOptions = {}): CompiledInterest {
  const compile = (terms: Term[] | undefined) =>
    ownPatterns((terms ?? []).flatMap((t) => compileTerm(t, options) ?? []));
  return {
    terms: compile(definition.terms),
    against: compile(definition.against),
    threshold: definition.threshold ?? DEFAULT_THRESHOLD,
  };
}
