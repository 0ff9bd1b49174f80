// A catalog topic as the matcher's interest. A topic whose row has no definition of its own gets the catalog's
// shipped one for its slug (so better definitions reach every install with an upgrade), and a topic an admin made
// with only a query gets one read from the query: every phrase and word an OR-alternative, each defining.
import { Value } from '@sinclair/typebox/value';
import { topicDefinitions } from '../topics/topic-definitions.js';
import { type TopicDefinition, TopicDefinitionSchema } from './interest-definition.js';
import type { Interest } from './interest-matcher.js';
import { KEYWORD_THRESHOLD } from './keywords.js';

export interface TopicRow {
  id: number;
  slug: string;
  name: string;
  query: string;
  definition: unknown;
}

/** `"speculative decoding" OR draft` -> two terms. Negated parts (`-word`) become terms against. */
export function definitionFromQuery(query: string): TopicDefinition {
  const terms: { text: string; weight: number }[] = [];
  const against: { text: string; weight: number }[] = [];
  for (const m of query.matchAll(/(-?)"([^"]+)"|(-?)([^\s"()]+)/g)) {
    const negated = (m[1] ?? m[3]) === '-';
    const text = (m[2] ?? m[4] ?? '').trim();
    if (text === '' || /^(or|and)$/i.test(text)) continue;
    (negated ? against : terms).push({ text: text.slice(0, 80), weight: 1 });
  }
  if (terms.length === 0) terms.push({ text: query.trim().slice(0, 80) || '?', weight: 1 });
  return { terms: terms.slice(0, 80), against: against.slice(0, 40), threshold: KEYWORD_THRESHOLD };
}

/** Where a topic's definition comes from: the admin's own, the catalog's shipped one, or read from its query. */
export type DefinitionSource = 'admin' | 'catalog' | 'query';

export function definitionSource(row: Pick<TopicRow, 'slug' | 'definition'>): DefinitionSource {
  if (row.definition != null && Value.Check(TopicDefinitionSchema, row.definition)) return 'admin';
  return topicDefinitions[row.slug] ? 'catalog' : 'query';
}

export function topicDefinition(row: Pick<TopicRow, 'slug' | 'query' | 'definition'>): TopicDefinition {
  if (row.definition != null && Value.Check(TopicDefinitionSchema, row.definition)) return row.definition;
  return topicDefinitions[row.slug] ?? definitionFromQuery(row.query);
}

export function topicInterest(row: TopicRow): Interest {
  return { key: `topic:${row.id}`, label: row.name, kind: 'topic', definition: topicDefinition(row), slug: row.slug };
}
