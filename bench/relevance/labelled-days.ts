// The labelled evaluation set: fixture days of Hugging Face Daily Papers, the hand labels for each paper against
// every catalog topic and free-text interest, and which days are held out of all tuning.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readDailyPapers } from '../../src/ingest/read-hf-daily-papers.js';
import type { PaperText } from '../../src/relevance/paper-text.js';
import { readSeedPapers } from '../../test/helpers/seed-papers.js';

export const relevanceDir = path.resolve(import.meta.dirname, '../../test/fixtures/relevance');
const fixtureDir = path.resolve(import.meta.dirname, '../../test/fixtures/hf-daily-papers');
/** Days labelled for relevance only (not fixtures the app's tests use): see more-days/README.md. */
const moreDaysDir = path.join(relevanceDir, 'more-days');

export interface PaperLabels {
  relevant: string[];
  borderline: string[];
}

export interface LabelledDay {
  date: string;
  papers: PaperText[];
  labels: Map<string, PaperLabels>;
}

export interface EvaluationSet {
  topics: string[];
  /** Every free-text interest: the first list of interests.json, then its moreKeywords. */
  keywords: string[];
  /** The first list alone: the interests the first six sessions reported on, for comparison. */
  firstKeywords: Set<string>;
  heldOut: Set<string>;
  days: LabelledDay[];
}

/** The page papermail was specified from: a tuning "day" rich in the narrow topics the fixture days rarely have. */
function seedPapers(): PaperText[] {
  return readSeedPapers().map((p) => ({ id: p.id, title: p.title, abstract: p.abstract, aiKeywords: [] }));
}

function dayPapers(date: string): PaperText[] {
  const fixture = path.join(fixtureDir, `${date}.json`);
  const items = readJson<unknown[]>(existsSync(fixture) ? fixture : path.join(moreDaysDir, `${date}.json`));
  return readDailyPapers(items, date, 'huggingface').listings.map(({ paper: p }) => ({
    id: p.id,
    title: p.title,
    abstract: p.abstract,
    aiKeywords: p.aiKeywords,
  }));
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export function loadEvaluationSet(dir = relevanceDir): EvaluationSet {
  const interests = readJson<{ topics: string[]; keywords: string[]; moreKeywords?: string[] }>(
    path.join(dir, 'interests.json'),
  );
  const split = readJson<{ heldOut: string[] }>(path.join(dir, 'split.json'));
  const days: LabelledDay[] = [];
  for (const file of readdirSync(path.join(dir, 'labels')).sort()) {
    if (!file.endsWith('.json')) continue;
    const labelled = readJson<{ date: string; labels: Record<string, PaperLabels> }>(path.join(dir, 'labels', file));
    const papers = labelled.date === 'seed' ? seedPapers() : dayPapers(labelled.date);
    const labels = new Map(Object.entries(labelled.labels));
    const missing = papers.filter((p) => !labels.has(p.id)).map((p) => p.id);
    if (missing.length > 0) throw new Error(`${file}: no labels for ${missing.join(', ')}`);
    days.push({ date: labelled.date, papers, labels });
  }
  return {
    topics: interests.topics,
    keywords: [...interests.keywords, ...(interests.moreKeywords ?? [])],
    firstKeywords: new Set(interests.keywords),
    heldOut: new Set(split.heldOut),
    days,
  };
}
