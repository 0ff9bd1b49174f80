// Stores one day's list in ONE transaction: the papers (insert, or refresh their facts) and their listings on the
// day (insert, or update upvotes, comments and rank). Rows whose values did not change are not rewritten, so a
// re-run of an unchanged day changes nothing, not even updated_at. Raw SQL over jsonb_to_recordset: one statement
// per table per chunk instead of a round trip per paper.

import { parseDay } from '../dates.js';
import type { Prisma, PrismaClient } from '../db/client.js';
import type { FetchedListing } from './paper-source.js';

export interface StoredDay {
  /** Listings new on the day. */
  created: number;
  /** Listings already there whose upvotes, comments, rank or source changed. */
  updated: number;
  /** Listings already there and exactly as fetched. */
  unchanged: number;
  /** Papers the database had not seen before. */
  newPapers: number;
}

/** Large days go in slices, so no single statement carries megabytes of JSON. */
const CHUNK = 1000;

function paperRow(l: FetchedListing) {
  const p = l.paper;
  return {
    id: p.id,
    title: p.title,
    authors: p.authors,
    abstract: p.abstract,
    ai_summary: p.aiSummary,
    ai_keywords: p.aiKeywords,
    code_url: p.codeUrl,
    github_stars: p.githubStars,
    project_url: p.projectUrl,
    thumbnail_url: p.thumbnailUrl,
    organization: p.organization,
    // UTC ISO: the column is a timestamp without time zone holding UTC, as Prisma writes it.
    published_at: p.publishedAt?.toISOString() ?? null,
  };
}

async function upsertPapers(tx: Prisma.TransactionClient, listings: FetchedListing[]): Promise<number> {
  const rows = JSON.stringify(listings.map(paperRow));
  // A source that lacks a fact (arXiv has no AI summary, an old HF shape no keywords) keeps what another gave.
  // Only new or changed papers are offered to the INSERT: Postgres computes the generated search vector of every
  // offered row, even one that then conflicts, and that vector is most of the cost of storing a paper.
  const result = await tx.$queryRaw<{ inserted: boolean }[]>`
    WITH incoming AS (
      SELECT * FROM jsonb_to_recordset(${rows}::jsonb) AS x(
        id text, title text, authors text[], abstract text, ai_summary text, ai_keywords text[], code_url text,
        github_stars int, project_url text, thumbnail_url text, organization text, published_at timestamp(3))
    ), merged AS (
      SELECT m.*,
        (p.title, p.authors, p.abstract, p.ai_summary, p.ai_keywords, p.code_url, p.github_stars, p.project_url,
          p.thumbnail_url, p.organization, p.published_at)
        IS DISTINCT FROM (m.title, m.authors, m.abstract, m.ai_summary, m.ai_keywords, m.code_url, m.github_stars,
          m.project_url, m.thumbnail_url, m.organization, m.published_at) AS differs
      FROM incoming i
      LEFT JOIN papers p ON p.id = i.id
      CROSS JOIN LATERAL (SELECT i.id, i.title,
        CASE WHEN cardinality(i.authors) > 0 OR p.id IS NULL THEN i.authors ELSE p.authors END AS authors,
        CASE WHEN i.abstract <> '' OR p.id IS NULL THEN i.abstract ELSE p.abstract END AS abstract,
        coalesce(i.ai_summary, p.ai_summary) AS ai_summary,
        CASE WHEN cardinality(i.ai_keywords) > 0 OR p.id IS NULL THEN i.ai_keywords ELSE p.ai_keywords END AS ai_keywords,
        coalesce(i.code_url, p.code_url) AS code_url,
        coalesce(i.github_stars, p.github_stars) AS github_stars,
        coalesce(i.project_url, p.project_url) AS project_url,
        coalesce(i.thumbnail_url, p.thumbnail_url) AS thumbnail_url,
        coalesce(i.organization, p.organization) AS organization,
        coalesce(i.published_at, p.published_at) AS published_at) m
    )
    INSERT INTO papers AS p (id, title, authors, abstract, ai_summary, ai_keywords, code_url, github_stars,
      project_url, thumbnail_url, organization, published_at, updated_at)
    SELECT id, title, authors, abstract, ai_summary, ai_keywords, code_url, github_stars, project_url,
      thumbnail_url, organization, published_at, now()
    FROM merged WHERE differs ORDER BY id
    ON CONFLICT (id) DO UPDATE SET
      title = excluded.title, authors = excluded.authors, abstract = excluded.abstract,
      ai_summary = excluded.ai_summary, ai_keywords = excluded.ai_keywords, code_url = excluded.code_url,
      github_stars = excluded.github_stars, project_url = excluded.project_url,
      thumbnail_url = excluded.thumbnail_url, organization = excluded.organization,
      published_at = excluded.published_at, updated_at = excluded.updated_at
    -- Another ingest may have stored the same facts since this statement's snapshot: then there is nothing to do.
    WHERE (p.title, p.authors, p.abstract, p.ai_summary, p.ai_keywords, p.code_url, p.github_stars,
        p.project_url, p.thumbnail_url, p.organization, p.published_at)
      IS DISTINCT FROM (excluded.title, excluded.authors, excluded.abstract, excluded.ai_summary,
        excluded.ai_keywords, excluded.code_url, excluded.github_stars, excluded.project_url,
        excluded.thumbnail_url, excluded.organization, excluded.published_at)
    RETURNING (xmax = 0) AS inserted`;
  return result.filter((r) => r.inserted).length;
}

async function upsertListings(
  tx: Prisma.TransactionClient,
  day: string,
  source: string,
  listings: FetchedListing[],
): Promise<{ created: number; updated: number }> {
  const rows = JSON.stringify(
    listings.map((l) => ({ paper_id: l.paper.id, upvotes: l.upvotes, comments: l.comments, rank: l.rank })),
  );
  const result = await tx.$queryRaw<{ inserted: boolean }[]>`
    INSERT INTO listings AS l (date, paper_id, source, upvotes, comments, rank, updated_at)
    SELECT ${day}::date, x.paper_id, ${source}, x.upvotes, x.comments, x.rank, now()
    FROM jsonb_to_recordset(${rows}::jsonb) AS x(paper_id text, upvotes int, comments int, rank int)
    ORDER BY x.paper_id
    ON CONFLICT (date, paper_id) DO UPDATE SET
      upvotes = excluded.upvotes, comments = excluded.comments, rank = excluded.rank, source = excluded.source,
      updated_at = excluded.updated_at
    WHERE (l.upvotes, l.comments, l.rank, l.source)
      IS DISTINCT FROM (excluded.upvotes, excluded.comments, excluded.rank, excluded.source)
    RETURNING (xmax = 0) AS inserted`;
  const created = result.filter((r) => r.inserted).length;
  return { created, updated: result.length - created };
}

/**
 * Writes a day's listings (and their papers) in one transaction: all of it lands or none. Two ingests of the same
 * day queue on a transaction-scoped advisory lock instead of racing.
 */
export async function storeDay(
  prisma: PrismaClient,
  day: string,
  source: string,
  listings: FetchedListing[],
): Promise<StoredDay> {
  parseDay(day);
  // Same lock order in every transaction (papers sorted by id) so concurrent ingests of different days that share
  // papers cannot deadlock.
  const sorted = [...listings].sort((a, b) => (a.paper.id < b.paper.id ? -1 : a.paper.id > b.paper.id ? 1 : 0));
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`papermail:ingest:${day}`}))`;
      const stored: StoredDay = { created: 0, updated: 0, unchanged: 0, newPapers: 0 };
      for (let i = 0; i < sorted.length; i += CHUNK) {
        const chunk = sorted.slice(i, i + CHUNK);
        stored.newPapers += await upsertPapers(tx, chunk);
        const { created, updated } = await upsertListings(tx, day, source, chunk);
        stored.created += created;
        stored.updated += updated;
      }
      stored.unchanged = listings.length - stored.created - stored.updated;
      return stored;
    },
    { maxWait: 10_000, timeout: 120_000 },
  );
}
