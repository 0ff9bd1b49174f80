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
