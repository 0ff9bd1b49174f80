// The papers on one day's trending list, in list order: what every digest of that day chooses from.
import type { PrismaClient } from '../db/client.js';

export interface DayPaper {
  id: string;
  title: string;
  authors: string[];
  abstract: string;
  aiSummary: string | null;
  aiKeywords: string[];
  codeUrl: string | null;
  githubStars: number | null;
  projectUrl: string | null;
  thumbnailUrl: string | null;
  upvotes: number;
  comments: number;
  rank: number;
}

/** The day's listed papers, most upvoted first (ties: the source's own rank). */
export async function loadDayPapers(prisma: PrismaClient, day: string): Promise<DayPaper[]> {
  return prisma.$queryRaw<DayPaper[]>`
    SELECT p.id, p.title, p.authors, p.abstract, p.ai_summary AS "aiSummary", p.ai_keywords AS "aiKeywords", p.code_url AS "codeUrl",
           p.github_stars AS "githubStars", p.project_url AS "projectUrl", p.thumbnail_url AS "thumbnailUrl",
           l.upvotes, l.comments, l.rank
    FROM listings l JOIN papers p ON p.id = l.paper_id
    WHERE l.date = ${day}::date
    ORDER BY l.upvotes DESC, l.rank ASC, p.id ASC`;
}

/** How many days a weekly digest looks back over, its own day included. */
export const WEEK_DAYS = 7;

/** The first day of the week that ends on `day` (inclusive): six days before it. */
export function weekStart(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return new Date(d.getTime() - (WEEK_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Every paper listed from `from` to `to` (inclusive), once, with the numbers of its latest listing in the range:
 * what a weekly digest chooses from, and what a digest's email can show. Most upvoted first.
 */
export async function loadPeriodPapers(prisma: PrismaClient, from: string, to: string): Promise<DayPaper[]> {
  return prisma.$queryRaw<DayPaper[]>`
    SELECT p.id, p.title, p.authors, p.abstract, p.ai_summary AS "aiSummary", p.ai_keywords AS "aiKeywords", p.code_url AS "codeUrl",
           p.github_stars AS "githubStars", p.project_url AS "projectUrl", p.thumbnail_url AS "thumbnailUrl",
           l.upvotes, l.comments, l.rank
    FROM (SELECT DISTINCT ON (paper_id) paper_id, upvotes, comments, rank FROM listings
          WHERE date BETWEEN ${from}::date AND ${to}::date
          ORDER BY paper_id, date DESC) l
    JOIN papers p ON p.id = l.paper_id
    ORDER BY l.upvotes DESC, l.rank ASC, p.id ASC`;
}
