// A reader's interests as the matcher sees them: their live topics and their own keywords, each keyed the same way
// everywhere (`topic:<id>`, `keyword:<normalised text>`), so readers who share one share the matching, and the daily
// run, the dry run and the preview build them alike.
import type { PrismaClient } from '../db/client.js';
import type { Interest } from '../relevance/interest-matcher.js';
import { keywordDefinition, normaliseKeyword } from '../relevance/keywords.js';
import { type TopicRow, topicInterest } from '../relevance/topic-interest.js';

/** The live (not retired) topics among `ids`, as interests. */
export async function loadTopicInterests(prisma: PrismaClient, ids: readonly number[]): Promise<Map<number, Interest>> {
  if (ids.length === 0) return new Map();
  const rows: TopicRow[] = await prisma.topic.findMany({
    where: { id: { in: [...ids] }, retiredAt: null },
    select: { id: true, slug: true, name: true, query: true, definition: true },
    orderBy: { id: 'asc' },
  });
  return new Map(rows.map((t) => [t.id, topicInterest(t)]));
}

export function keywordInterest(raw: string): Interest | undefined {
  const text = normaliseKeyword(raw);
  if (!text) return undefined;
  return { key: `keyword:${text}`, label: text, kind: 'keyword', definition: keywordDefinition(text) };
}

/** One reader's interests, in the order they chose them: topics (by id), then keywords; duplicates dropped. */
export function readerInterests(
  topicIds: readonly number[],
  keywords: readonly string[],
  topics: ReadonlyMap<number, Interest>,
): Interest[] {
  const out: Interest[] = [];
  for (const id of topicIds) {
    const topic = topics.get(id);
    if (topic) out.push(topic);
  }
  for (const raw of keywords) {
    const interest = keywordInterest(raw);
    if (interest && !out.some((i) => i.key === interest.key)) out.push(interest);
  }
  return out;
}
