// The topics readers can choose: the catalog rows that are not retired.
import type { PrismaClient } from '../db/client.js';
import { errors } from '../errors.js';

export interface TopicSummary {
  id: number;
  slug: string;
  name: string;
  description: string;
}

export interface TopicService {
  /** Active topics, in catalog order (by name). */
  listActive(): Promise<TopicSummary[]>;
  /** The active topic with this slug, or undefined. */
  findBySlug(slug: string): Promise<TopicSummary | undefined>;
  /** The active topics for these slugs, duplicates dropped; a 400 naming every unknown slug otherwise. */
  resolveSlugs(slugs: readonly string[]): Promise<TopicSummary[]>;
}

const SUMMARY = { id: true, slug: true, name: true, description: true } as const;

export function createTopicService(prisma: PrismaClient): TopicService {
  return {
    listActive: () => prisma.topic.findMany({ where: { retiredAt: null }, select: SUMMARY, orderBy: { name: 'asc' } }),

    async findBySlug(slug) {
      const topic = await prisma.topic.findFirst({ where: { slug, retiredAt: null }, select: SUMMARY });
      return topic ?? undefined;
    },

    async resolveSlugs(slugs) {
      const wanted = [...new Set(slugs.map((s) => s.trim()).filter((s) => s !== ''))];
      if (wanted.length === 0) return [];
      const found = await prisma.topic.findMany({
        where: { slug: { in: wanted }, retiredAt: null },
        select: SUMMARY,
        orderBy: { name: 'asc' },
      });
      const known = new Set(found.map((t) => t.slug));
      const unknown = wanted.filter((s) => !known.has(s));
      if (unknown.length > 0) {
        const list = unknown.map((s) => `"${s.slice(0, 60)}"`).join(', ');
        throw errors.unknownTopic(`Unknown topic ${list}: GET /api/topics lists the topics you can choose.`, {
          unknown: unknown.map((s) => s.slice(0, 60)),
        });
      }
      return found;
    },
  };
}
