// Reads an arXiv API answer: an Atom feed, parsed with a real XML parser. arXiv reports a bad query not with an
// HTTP error alone but with a feed whose only entry is titled "Error" (its summary says what was wrong), which would
// otherwise read as a one-paper day.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { errors } from '../errors.js';
import type { FetchedPaper, SkippedItem } from './paper-source.js';
import { isArxivId, isoDate, isRecord, normaliseWhitespace, snippet } from './read-fields.js';

export interface ArxivEntry {
  paper: FetchedPaper;
  /** When v1 was submitted: what "recency within the day" ranks by. */
  submittedAt: Date | null;
}

export interface ArxivFeed {
  /** opensearch:totalResults: how many entries the query has over all pages. */
  totalResults: number;
  entries: ArxivEntry[];
  skipped: SkippedItem[];
  /** Entries on this page, read or not. */
  count: number;
  /** Set when arXiv answered with its error entry: the message it gave. */
  error?: string;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Namespace prefixes (arxiv:, opensearch:) are whatever the feed declares; the local names are what count.
  removeNSPrefix: true,
  // Ids like 2407.12345 must stay text, never become numbers.
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => name === 'entry' || name === 'author' || name === 'link' || name === 'category',
});

/** The text of an element that may carry attributes (then it is { '#text': … }). */
function text(node: unknown): string {
  if (typeof node === 'string') return node;
  if (isRecord(node) && typeof node['#text'] === 'string') return node['#text'];
  return '';
}

function term(node: unknown): string | undefined {
  return isRecord(node) && typeof node['@_term'] === 'string' ? node['@_term'] : undefined;
}

// http(s)://arxiv.org/abs/2407.12345v2 -> 2407.12345; old style …/abs/hep-th/9901001v1 -> hep-th/9901001.
const ABS_URL = /^https?:\/\/(?:export\.)?arxiv\.org\/abs\/(.+?)(?:v\d+)?$/;

function readEntry(
  entry: Record<string, unknown>,
): { ok: true; entry: ArxivEntry } | { ok: false; skipped: SkippedItem } {
  const rawId = normaliseWhitespace(text(entry.id));
  const id = ABS_URL.exec(rawId)?.[1];
  if (!id || !isArxivId(id)) {
    return {
      ok: false,
      skipped: { ...(rawId ? { id: rawId } : {}), reason: `"${snippet(rawId, 60)}" is not an arXiv abstract URL` },
    };
  }
  const title = normaliseWhitespace(text(entry.title));
  if (title === '') return { ok: false, skipped: { id, reason: 'the entry has no title' } };
  const authors = ((entry.author as unknown[] | undefined) ?? [])
    .map((a) => (isRecord(a) ? normaliseWhitespace(text(a.name)) : ''))
    .filter(Boolean);
  const primary = term(entry.primary_category);
  const others = ((entry.category as unknown[] | undefined) ?? []).map(term).filter((t): t is string => !!t);
  const categories = [...new Set([...(primary ? [primary] : []), ...others])];
  const published = isoDate(normaliseWhitespace(text(entry.published)));
  return {
    ok: true,
    entry: {
      submittedAt: published,
      paper: {
        id,
        title,
        authors,
        abstract: normaliseWhitespace(text(entry.summary)),
        aiSummary: null,
        aiKeywords: [],
        codeUrl: null,
        githubStars: null,
        projectUrl: null,
        thumbnailUrl: null,
        organization: null,
        publishedAt: published,
        categories,
      },
    },
  };
}

/** Parses one page of an arXiv API answer, or throws sourceResponse when it is not an Atom feed. */
export function readArxivFeed(body: string, origin: string): ArxivFeed {
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    throw errors.sourceResponse(
      `${origin} is not XML (line ${valid.err.line}: ${valid.err.msg}); it began with "${snippet(body, 60)}"`,
    );
  }
  const doc = parser.parse(body) as Record<string, unknown>;
  const feed = doc.feed;
  if (!isRecord(feed)) throw errors.sourceResponse(`${origin} is XML but not an Atom feed`);
  const rawEntries = ((feed.entry as unknown[] | undefined) ?? []).filter(isRecord);

  const first = rawEntries[0];
  if (rawEntries.length === 1 && first && normaliseWhitespace(text(first.title)) === 'Error') {
    const message = normaliseWhitespace(text(first.summary)) || normaliseWhitespace(text(first.id)) || 'no details';
    return { totalResults: 0, entries: [], skipped: [], count: 1, error: message };
  }

  const total = Number(normaliseWhitespace(text(feed.totalResults)));
  const entries: ArxivEntry[] = [];
  const skipped: SkippedItem[] = [];
  for (const raw of rawEntries) {
    const result = readEntry(raw);
    if (result.ok) entries.push(result.entry);
    else skipped.push(result.skipped);
  }
  return {
    totalResults: Number.isFinite(total) ? total : rawEntries.length,
    entries,
    skipped,
    count: rawEntries.length,
  };
}
