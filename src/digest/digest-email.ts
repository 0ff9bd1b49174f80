// What one reader's digest says: subject, preheader, intro and the papers with their "why", as data for the
// templates (templates/digest.mjml and templates/digest.txt.hbs). No HTML here: the templates escape every value.
import { parseDay, shortDay } from '../dates.js';
import type { DeliveryVotes, FeedbackLinks } from '../feedback/feedback-links.js';
import type { Links } from '../links.js';
import { toHtmlText } from './html-text.js';
import type { PaperView } from './paper-view.js';
import type { DeliveryMatches } from './select-papers.js';

export interface DigestEmailPaper extends PaperView {
  number: number;
  why: string[];
  whyLine: string;
  /** "More like this" and "Not for me" (only in a delivery's own email). */
  moreUrl?: string;
  lessUrl?: string;
}

export interface DigestEmailData {
  subject: string;
  preheader: string;
  /** The same two, escaped for HTML and ASCII (they hold "—" and "·"): see html-text.ts. */
  subjectHtml: string;
  preheaderHtml: string;
  longDate: string;
  intro: string;
  note: string | undefined;
  papers: DigestEmailPaper[];
  /** "Speculative decoding, LLM inference and “kv cache”", or empty when the reader chose none. */
  interests: string;
  preferencesUrl: string;
  unsubscribeUrl: string;
  webUrl: string;
}

export interface DigestEmailInput {
  day: string;
  /** The digest's papers by id (those missing from the list today are left out). */
  papers: ReadonlyMap<string, PaperView>;
  paperIds: string[];
  matches: DeliveryMatches;
  token: string;
  /** The delivery this email is: its papers get feedback links signed for it. */
  deliveryId?: number;
}

const PREHEADER_CHARS = 140;

// Intl formatters cost about a millisecond to build: once per day, not once per reader.
const longDateFormat = new Intl.DateTimeFormat('en-US', {
  weekday: 'long',
  month: 'long',
  day: 'numeric',
  year: 'numeric',
  timeZone: 'UTC',
});
const labelCache = new Map<string, { short: string; long: string }>();
function dayLabels(day: string): { short: string; long: string } {
  let labels = labelCache.get(day);
  if (!labels) {
    labels = { short: shortDay(day), long: longDateFormat.format(parseDay(day)) };
    if (labelCache.size > 1000) labelCache.clear();
    labelCache.set(day, labels);
  }
  return labels;
}

export function buildDigestEmail(links: Links, input: DigestEmailInput, feedback?: FeedbackLinks): DigestEmailData {
  const { matches, deliveryId } = input;
  const votes = deliveryId !== undefined ? feedback?.forDelivery(deliveryId) : undefined;
  const papers: DigestEmailPaper[] = [];
  for (const id of input.paperIds) {
    const paper = input.papers.get(id);
    if (!paper) continue;
    const why = matches.why?.[id] ?? [];
    papers.push(emailPaper(paper, papers.length + 1, why, votes));
  }
  const count = papers.length;
  const plural = count === 1 ? 'paper' : 'papers';
  const when = dayLabels(input.day).short;
  let subject: string;
  let intro: string;
  let note: string | undefined;
  if (matches.note === 'trending') {
    subject = `${count} trending ${plural} — ${when}`;
    intro = `Today's ${count} most upvoted ${plural}`;
  } else if (matches.note === 'no-match') {
    subject = `Nothing on your topics today: ${count} trending ${plural} — ${when}`;
    intro = `Today's top ${count} ${plural}`;
    note = 'Nothing matched your topics today, so here are the most upvoted papers instead.';
  } else {
    const on = topInterests(papers);
    subject = `${count} new ${plural} on ${on} — ${when}`;
    intro = `${count} new ${plural} on ${on}`;
  }
  const preheader = preheaderOf(papers);
  subject = oneLine(subject);
  return {
    subject,
    preheader,
    subjectHtml: toHtmlText(subject),
    preheaderHtml: toHtmlText(preheader),
    longDate: dayLabels(input.day).long,
    intro,
    note,
    papers,
    interests: listOf(matches.interests ?? []),
    preferencesUrl: links.preferences(input.token),
    unsubscribeUrl: links.unsubscribe(input.token),
    webUrl: deliveryId !== undefined && feedback ? feedback.webView(deliveryId, input.day) : links.digest(input.day),
  };
}

/**
 * A paper of one reader's email. Every member is written out, not spread from the view: object spread built these
 * in V8's slow path, 3 µs a paper, a sixth of rendering a digest (each email holds up to 20).
 */
function emailPaper(
  paper: PaperView,
  number: number,
  why: string[],
  votes: DeliveryVotes | undefined,
): DigestEmailPaper {
  return {
    id: paper.id,
    title: paper.title,
    url: paper.url,
    authors: paper.authors,
    upvotes: paper.upvotes,
    upvotesText: paper.upvotesText,
    summary: paper.summary,
    arxivUrl: paper.arxivUrl,
    pdfUrl: paper.pdfUrl,
    codeUrl: paper.codeUrl,
    projectUrl: paper.projectUrl,
    thumbnailUrl: paper.thumbnailUrl,
    html: paper.html,
    number,
    why,
    whyLine: why.join(', '),
    moreUrl: votes?.vote(paper.id, 'more'),
    lessUrl: votes?.vote(paper.id, 'less'),
  };
}

/** The two interests that matched the most papers: "speculative decoding and tokenization", "… and more". */
function topInterests(papers: DigestEmailPaper[]): string {
  const counts = new Map<string, number>();
  for (const p of papers) for (const w of p.why) counts.set(w, (counts.get(w) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([label]) => lowerFirst(label));
  if (ranked.length === 0) return 'your topics';
  if (ranked.length === 1) return ranked[0]!;
  // "retrieval and RAG, and agents": a comma keeps names that hold an "and" apart.
  const and = ranked.slice(0, 2).some((label) => label.includes(' and ')) ? ', and' : ' and';
  if (ranked.length === 2) return `${ranked[0]}${and} ${ranked[1]}`;
  return `${ranked[0]}, ${ranked[1]}${and} more`;
}

/** "Speculative decoding" reads as "speculative decoding" mid-sentence; "LLM agents" keeps its capitals. */
function lowerFirst(label: string): string {
  return /^[A-Z][a-z]/.test(label) ? label[0]!.toLowerCase() + label.slice(1) : label;
}

function preheaderOf(papers: DigestEmailPaper[]): string {
  let out = '';
  for (const [i, p] of papers.entries()) {
    const rest = papers.length - i;
    const next = out ? `${out} · ${p.title}` : p.title;
    if (next.length > PREHEADER_CHARS && out) return `${out} · and ${rest} more`;
    out = next;
  }
  return out.length > PREHEADER_CHARS ? `${out.slice(0, PREHEADER_CHARS - 1)}…` : out;
}

function listOf(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** Headers never carry line breaks, whatever a topic name or keyword holds. */
function oneLine(text: string): string {
  return text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}
