// Makes a fixture server answer like the Hugging Face Daily Papers API: GET /api/daily_papers?date=D&p=N&limit=L
// pages through the saved day (test/fixtures/hf-daily-papers/D.json), or through items a test supplies.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type FixtureServer, fixturesDir, readFixture } from './fixture-server.js';

export const DAILY_PAPERS_PATH = '/api/daily_papers';

/** The fields tests look at; the rest of an item passes through untouched. */
export interface HfItem {
  paper: { id: string; title: string; upvotes: number; summary: string; [key: string]: unknown };
  numComments: number;
  [key: string]: unknown;
}

/** The items of a saved day, as the API returned them. */
export function readDailyPapersFixture(day: string): HfItem[] {
  return JSON.parse(readFixture(`hf-daily-papers/${day}.json`));
}

export function routeDailyPapers(server: FixtureServer, items: Record<string, unknown[]> = {}): void {
  server.route(DAILY_PAPERS_PATH, (url) => {
    const day = url.searchParams.get('date') ?? '';
    const saved = path.join(fixturesDir, 'hf-daily-papers', `${day}.json`);
    const all = items[day] ?? (existsSync(saved) ? readDailyPapersFixture(day) : []);
    const page = Number(url.searchParams.get('p') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 50);
    return { body: JSON.stringify(all.slice(page * limit, (page + 1) * limit)) };
  });
}
