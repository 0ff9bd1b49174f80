// A paper as the digest shows it, computed once per digest and shared by every reader's email and the web page.
// Source text stays raw here: the templates escape it (Handlebars {{…}}). URLs from sources are kept only when they
// are plain http(s), so a "javascript:" link can never reach a reader.
import type { DayPaper } from './day-papers.js';
import { toHtmlText } from './html-text.js';

export interface PaperView {
  id: string;
  title: string;
  /** Hugging Face paper page. */
  url: string;
  /** "Ada Lovelace, Alan Turing, Grace Hopper et al." */
  authors: string;
  upvotes: number;
  /** "1 upvote", "12 upvotes". */
  upvotesText: string;
  /** The AI summary, or the start of the abstract. */
  summary: string;
  arxivUrl: string | undefined;
  pdfUrl: string | undefined;
  codeUrl: string | undefined;
  projectUrl: string | undefined;
  thumbnailUrl: string;
  /** Title, authors and summary escaped for HTML (and ASCII), once per digest instead of once per message. */
  html: { title: string; authors: string; summary: string };
}

const SUMMARY_CHARS = 320;
// New-style (2607.28624, with an optional version) and old-style (hep-th/9901001) arXiv identifiers.
const ARXIV_ID = /^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})(v\d+)?$/;

export function toPaperView(paper: DayPaper): PaperView {
  const id = encodeURIComponent(paper.id).replace(/%2F/g, '/');
  const onArxiv = ARXIV_ID.test(paper.id);
  const title = oneLine(paper.title);
  const authors = authorsLine(paper.authors);
  const summary = summaryOf(paper);
  return {
    id: paper.id,
    title,
    url: `https://huggingface.co/papers/${id}`,
    authors,
    upvotes: paper.upvotes,
    upvotesText: `${paper.upvotes} ${paper.upvotes === 1 ? 'upvote' : 'upvotes'}`,
    summary,
    html: { title: toHtmlText(title), authors: toHtmlText(authors), summary: toHtmlText(summary) },
    arxivUrl: onArxiv ? `https://arxiv.org/abs/${id}` : undefined,
    pdfUrl: onArxiv ? `https://arxiv.org/pdf/${id}` : undefined,
    codeUrl: safeUrl(paper.codeUrl),
    projectUrl: safeUrl(paper.projectUrl),
    thumbnailUrl:
      safeUrl(paper.thumbnailUrl) ?? `https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/${id}.png`,
  };
}

/** The first three authors, then "et al.". */
export function authorsLine(authors: string[]): string {
  const names = authors.map(oneLine).filter(Boolean);
  if (names.length === 0) return 'Unknown authors';
  return names.length > 3 ? `${names.slice(0, 3).join(', ')} et al.` : names.join(', ');
}

function summaryOf(paper: DayPaper): string {
  const ai = oneLine(paper.aiSummary ?? '');
  if (ai) return ai;
  const abstract = oneLine(paper.abstract);
  if (abstract.length <= SUMMARY_CHARS) return abstract;
  const cut = abstract.slice(0, SUMMARY_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${(space > SUMMARY_CHARS * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, '')}…`;
}

/** Titles and abstracts from arXiv are wrapped with line breaks and runs of spaces. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function safeUrl(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : undefined;
  } catch {
    return undefined;
  }
}
