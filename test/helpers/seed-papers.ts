// The page papermail was specified from (test/fixtures/seeds/trending-page.txt): ~100 real titles and abstracts on
// tokenization, speech tokenizers, diffusion LMs, speculative decoding and visual-token pruning. It has no arXiv
// ids, so papers get ids "seed-NNN" (in page order). Good for matching tests.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from '../../src/db/client.js';
import { fixturesDir } from './fixture-server.js';

export interface SeedPaper {
  id: string;
  title: string;
  abstract: string;
  authorCount: number;
  upvotes: number;
}

/** Parses the page: title, blank, abstract, blank, "• N authors", "·", "<date> [upvotes]". */
export function readSeedPapers(): SeedPaper[] {
  const lines = readFileSync(path.join(fixturesDir, 'seeds/trending-page.txt'), 'utf8').split('\n');
  const papers: SeedPaper[] = [];
  for (let i = 0; i < lines.length; i++) {
    const authors = /^\s*•\s*(\d+) authors?/.exec(lines[i] ?? '');
    if (!authors) continue;
    // Walk back over the abstract and the title (each a non-empty line, separated by blanks).
    let j = i - 1;
    while (j >= 0 && lines[j]!.trim() === '') j--;
    const abstract = lines[j]!.trim();
    j--;
    while (j >= 0 && lines[j]!.trim() === '') j--;
    const title = lines[j]!.trim();
    const dateLine = (lines[i + 2] ?? '').trim();
    // "May 28", "Jun 11 2" (2 upvotes), "Oct 19, 2024 2": a trailing number after the date is the upvote count.
    const upvotes = /^[A-Z][a-z]{2} \d{1,2}(?:, \d{4})?(?:\s+(\d+))?$/.exec(dateLine);
    papers.push({
      id: `seed-${String(papers.length + 1).padStart(3, '0')}`,
      title,
      abstract,
      authorCount: Number(authors[1]),
      upvotes: upvotes?.[1] ? Number(upvotes[1]) : 0,
    });
  }
  return papers;
}

/** Stores the seed papers and lists them all on `date` (ranked by upvotes), straight through Prisma. */
export async function loadSeedPapers(prisma: PrismaClient, date = '2026-07-31'): Promise<SeedPaper[]> {
  const papers = readSeedPapers();
  await prisma.paper.createMany({
    data: papers.map((p) => ({
      id: p.id,
      title: p.title,
      abstract: p.abstract,
      authors: Array.from({ length: p.authorCount }, (_, k) => `Author ${k + 1}`),
    })),
    skipDuplicates: true,
  });
  const ranked = [...papers].sort((a, b) => b.upvotes - a.upvotes);
  await prisma.listing.createMany({
    data: ranked.map((p, rank) => ({
      date: new Date(`${date}T00:00:00Z`),
      paperId: p.id,
      source: 'file',
      upvotes: p.upvotes,
      rank: rank + 1,
    })),
    skipDuplicates: true,
  });
  return papers;
}
