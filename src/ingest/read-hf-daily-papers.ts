// Reads a Hugging Face Daily Papers response (both shapes, see test/fixtures/README.md) into ranked listings.
// A bad item (no id, no title, wrong types in the fields a listing needs) is skipped with its reason; a wrong type
// in an optional extra (AI summary, links, organization) only drops that extra, so one odd field never loses a paper.
import { errors } from '../errors.js';
import type { FetchedDay, FetchedListing, FetchedPaper, SkippedItem } from './paper-source.js';
import { httpUrl, isArxivId, isCount, isoDate, isRecord, normaliseWhitespace, snippet } from './read-fields.js';

const THUMBNAILS = 'https://cdn-thumbnails.huggingface.co/social-thumbnails/papers';

/** Parses a response body into the list of items, or throws sourceResponse naming what came instead. */
export function parseDailyPapersJson(body: string, origin: string): unknown[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    throw errors.sourceResponse(
      `${origin} is not JSON (${(err as Error).message}); it began with "${snippet(body, 60)}"`,
    );
  }
  if (!Array.isArray(json)) {
    const what = isRecord(json) ? `an object with keys ${Object.keys(json).slice(0, 5).join(', ')}` : typeof json;
    throw errors.sourceResponse(`${origin} is not a list of papers (got ${what})`);
  }
  return json;
}

type ItemResult = { ok: true; listing: Omit<FetchedListing, 'rank'> } | { ok: false; skipped: SkippedItem };

function readItem(item: unknown): ItemResult {
  const fail = (reason: string, id?: string): ItemResult => ({ ok: false, skipped: id ? { id, reason } : { reason } });
  if (!isRecord(item)) return fail('the item is not an object');
  const paper = item.paper;
  if (!isRecord(paper)) return fail('the item has no paper object');
  if (typeof paper.id !== 'string' || paper.id.trim() === '') return fail('the paper has no arXiv id');
  const id = paper.id.trim();
  if (!isArxivId(id)) return fail(`"${snippet(id, 40)}" is not an arXiv id`, id);

  const rawTitle = paper.title ?? item.title;
  if (rawTitle !== undefined && typeof rawTitle !== 'string') return fail('the title is not text', id);
  const title = normaliseWhitespace(rawTitle ?? '');
  if (title === '') return fail('the paper has no title', id);

  if (paper.authors !== undefined && !Array.isArray(paper.authors)) return fail('the authors are not a list', id);
  const authors = ((paper.authors as unknown[] | undefined) ?? [])
    .map((a) => (isRecord(a) && typeof a.name === 'string' ? normaliseWhitespace(a.name) : ''))
    .filter((name) => name !== '');

  const rawAbstract = paper.summary ?? item.summary;
  if (rawAbstract !== undefined && typeof rawAbstract !== 'string') return fail('the abstract is not text', id);

  const upvotes = paper.upvotes ?? 0;
  if (!isCount(upvotes)) return fail('upvotes is not a whole number', id);
  const comments = item.numComments ?? 0;
  if (!isCount(comments)) return fail('numComments is not a whole number', id);

  const organization = isRecord(item.organization)
    ? item.organization
    : isRecord(paper.organization)
      ? paper.organization
      : undefined;
  const orgName = organization?.fullname ?? organization?.name;
  const keywords = Array.isArray(paper.ai_keywords) ? paper.ai_keywords : [];

  const fetched: FetchedPaper = {
    id,
    title,
    authors,
    abstract: normaliseWhitespace(rawAbstract ?? ''),
    aiSummary:
      typeof paper.ai_summary === 'string' && paper.ai_summary.trim() ? normaliseWhitespace(paper.ai_summary) : null,
    aiKeywords: keywords
      .filter((k): k is string => typeof k === 'string')
      .map(normaliseWhitespace)
      .filter(Boolean),
    codeUrl: httpUrl(paper.githubRepo),
    githubStars: isCount(paper.githubStars) ? paper.githubStars : null,
    projectUrl: httpUrl(paper.projectPage),
    thumbnailUrl: httpUrl(item.thumbnail) ?? `${THUMBNAILS}/${id}.png`,
    organization: typeof orgName === 'string' && orgName.trim() ? normaliseWhitespace(orgName) : null,
    publishedAt: isoDate(paper.publishedAt),
    categories: [],
  };
  return { ok: true, listing: { paper: fetched, upvotes, comments } };
}

/**
 * Turns the items of a day into listings ranked by upvotes (ties keep the response's order), skipping bad items
 * and repeats of an id with a reason each.
 */
export function readDailyPapers(items: unknown[], day: string, source: string): FetchedDay {
  const read: Omit<FetchedListing, 'rank'>[] = [];
  const skipped: SkippedItem[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const result = readItem(item);
    if (!result.ok) {
      skipped.push(result.skipped);
    } else if (seen.has(result.listing.paper.id)) {
      skipped.push({ id: result.listing.paper.id, reason: 'the paper is listed twice; the first entry counts' });
    } else {
      seen.add(result.listing.paper.id);
      read.push(result.listing);
    }
  }
  // Array.prototype.sort is stable, so equal upvotes keep the order Hugging Face gave.
  const listings = read.sort((a, b) => b.upvotes - a.upvotes).map((l, i) => ({ ...l, rank: i + 1 }));
  return { day, source, fetched: items.length, listings, skipped };
}
