import type { PrismaClient } from '../db/client.js';
import { topicCatalog } from './catalog.js';

/** Adds the catalog topics that are missing. Existing topics (perhaps renamed by an admin) are left alone. */
export async function seedTopics(prisma: PrismaClient): Promise<{ created: number; total: number }> {
  const { count } = await prisma.topic.createMany({ data: topicCatalog, skipDuplicates: true });
  const total = await prisma.topic.count({ where: { retiredAt: null } });
  return { created: count, total };
}
