import { isLexiconPhrase } from './compile-interest.js';
import type { TopicDefinition } from './interest-definition.js';

// Keywords as readers type them, folded so that "KV cache " and "kv cache" are one interest.
export function normaliseKeyword(keyword: string): string {
  return keyword.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * The score a keyword's terms must reach where a plain score-and-cut decides (a topic an admin made from a query
 * alone); readers' keywords are decided by the keyword model (keyword-model.ts).
 */
export const KEYWORD_THRESHOLD = 2.5;
/**
 * "tokenization for language models": the whole phrase rarely occurs, so the part before the preposition (the
 * subject) also counts alone, and the part after it (the setting) counts as context. "mixture of experts" and
 * "text-to-speech" are not split: "of" and "to" join names more often than they set a context. Nor is a phrase the
 * lexicon knows whole: "ai for science" is one field, and its subject "ai" alone is every paper of the day.
 */
const SETTING = /\s+(?:for|in|with|using|via|on|under|from)\s+/;
const SUBJECT_WEIGHT = 0.7;
const SETTING_WEIGHT = 0.3;

export function keywordDefinition(text: string): TopicDefinition {
  const terms = [{ text, weight: 1 }];
  const parts = text.split(SETTING);
  if (parts.length === 2 && parts[0]!.trim() && parts[1]!.trim() && !isLexiconPhrase(text)) {
    terms.push({ text: parts[0]!.trim(), weight: SUBJECT_WEIGHT }, { text: parts[1]!.trim(), weight: SETTING_WEIGHT });
  }
  return { terms, threshold: KEYWORD_THRESHOLD };
}
