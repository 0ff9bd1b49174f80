// Full-text search over papers: the generated `papers.search` vector (title A, AI keywords B, abstract C, GIN
// index, see the init migration) against a reader-typed query. websearch_to_tsquery takes what people type
// ("speculative decoding", "diffusion -image", "\"visual tokens\"") and never fails on odd syntax.

import { parseDay } from '../dates.js';
import { Prisma, type PrismaClient } from '../db/client.js';

export interface PaperHit {
  id: string;
  title: string;
  /** ts_rank_cd: higher is better; title words weigh most. */
  score: number;
}

export interface SearchOptions {
  /** Only papers listed on this day (YYYY-MM-DD). */
  day?: string;
  limit?: number;
}

export async function searchPapers(
  prisma: PrismaClient,
  query: string,
  options: SearchOptions = {},
): Promise<PaperHit[]> {
  const limit = options.limit ?? 50;
  if (options.day !== undefined) parseDay(options.day);
  const onDay =
    options.day === undefined
      ? Prisma.empty
      : Prisma.sql`AND EXISTS (SELECT 1 FROM listings l WHERE l.paper_id = p.id AND l.date = ${options.day}::date)`;
  const rows = await prisma.$queryRaw<{ id: string; title: string; score: number }[]>`
    SELECT p.id, p.title, ts_rank_cd(p.search, q)::float8 AS score
    FROM papers p, websearch_to_tsquery('english', ${query}) AS q
    WHERE p.search @@ q ${onDay}
    ORDER BY score DESC, p.id
    LIMIT ${limit}`;
  return rows.map((r) => ({ id: r.id, title: r.title, score: Number(r.score) }));
}
