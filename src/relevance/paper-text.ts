// A paper as the matcher reads it: the stemmed tokens of its title, abstract and Hugging Face's AI keywords.
import { textTokens } from './text-tokens.js';

export interface PaperText {
  id: string;
  title: string;
  abstract: string;
  aiKeywords: readonly string[];
}

export interface PaperTokens {
  id: string;
  title: string[];
  abstract: string[];
  /** The abstract's first OPENING_TOKENS tokens, where it says what the paper is about. */
  opening: string[];
  /** Each AI keyword's tokens, joined by a separator that no pattern contains, so phrases never span two. */
  keywords: string[];
  /** Every token of the three fields: an interest none of whose words is here cannot match the paper. */
  words: ReadonlySet<string>;
}

export const FIELD_BREAK = '|';
/** How much of an abstract counts as its opening. */
export const OPENING_TOKENS = 40;

export function tokenizePaper(paper: PaperText): PaperTokens {
  const abstract = textTokens(paper.abstract);
  const title = textTokens(paper.title);
  const keywords = paper.aiKeywords.flatMap((k, i) => (i === 0 ? textTokens(k) : [FIELD_BREAK, ...textTokens(k)]));
  return {
    id: paper.id,
    title,
    abstract,
    opening: abstract.slice(0, OPENING_TOKENS),
    keywords,
    words: new Set([...title, ...abstract, ...keywords]),
  };
}
