// Real Hugging Face Daily Papers days (test/fixtures/hf-daily-papers) stored straight through Prisma, for digest
// tests and the benchmark. Ingestion proper is another module's job; this only needs the rows.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from '../../src/db/client.js';
import { type PaperView, toPaperView } from '../../src/digest/paper-view.js';
import { fixturesDir } from '../helpers/fixture-server.js';

interface HfItem {
  paper: {
    id: string;
    title: string;
    summary?: string;
    authors?: { name: string }[];
    upvotes?: number;
    ai_summary?: string;
    ai_keywords?: string[];
    githubRepo?: string;
    githubStars?: number;
    projectPage?: string;
  };
  thumbnail?: string;
  numComments?: number;
}

export interface FixturePaper {
  id: string;
  title: string;
  upvotes: number;
}

export function readFixtureDay(file: string): HfItem[] {
  return JSON.parse(readFileSync(path.join(fixturesDir, 'hf-daily-papers', `${file}.json`), 'utf8'));
}

/** The items of the fixture days `files`, each paper once, at most `limit`. */
export function fixtureItems(files: string[], limit?: number): HfItem[] {
  const seen = new Set<string>();
  return files
    .flatMap(readFixtureDay)
    .filter((i) => !seen.has(i.paper.id) && seen.add(i.paper.id))
    .slice(0, limit);
}

/** A fixture item as the papers table holds it. */
export function paperRow({ paper, thumbnail }: HfItem) {
  return {
    id: paper.id,
    title: paper.title.replace(/\s+/g, ' ').trim(),
    authors: (paper.authors ?? []).map((a) => a.name),
    abstract: paper.summary ?? '',
    aiSummary: paper.ai_summary ?? null,
    aiKeywords: paper.ai_keywords ?? [],
    codeUrl: paper.githubRepo ?? null,
    githubStars: paper.githubStars ?? null,
    projectUrl: paper.projectPage ?? null,
    thumbnailUrl: thumbnail ?? null,
  };
}

/**
 * The papers of the fixture days `files` as a digest shows them, ranked as listed, at most `limit`; `moreUpvotes`
 * added to each paper's count (a later day's papers, whose emails differ).
 */
export function fixtureViews(files: string[], limit?: number, moreUpvotes = 0): PaperView[] {
  return fixtureItems(files, limit).map((item, rank) =>
    toPaperView({
      ...paperRow(item),
      upvotes: (item.paper.upvotes ?? 0) + moreUpvotes,
      comments: item.numComments ?? 0,
      rank,
    }),
  );
}

/** Stores the papers of the fixture days `files` and lists them all on `day`, ranked by upvotes. */
export async function loadFixturePapers(
  prisma: PrismaClient,
  day: string,
  files: string[] = [day],
  options: { limit?: number } = {},
): Promise<FixturePaper[]> {
  const items = fixtureItems(files, options.limit);
  await prisma.paper.createMany({ data: items.map(paperRow), skipDuplicates: true });
  const ranked = [...items].sort((a, b) => (b.paper.upvotes ?? 0) - (a.paper.upvotes ?? 0));
  await prisma.listing.createMany({
    data: ranked.map((item, rank) => ({
      date: new Date(`${day}T00:00:00Z`),
      paperId: item.paper.id,
      source: 'file',
      upvotes: item.paper.upvotes ?? 0,
      comments: item.numComments ?? 0,
      rank: rank + 1,
    })),
    skipDuplicates: true,
  });
  return ranked.map((i) => ({
    id: i.paper.id,
    title: i.paper.title.replace(/\s+/g, ' ').trim(),
    upvotes: i.paper.upvotes ?? 0,
  }));
}
