import type { PrismaClient } from '../db/client.js';
import { topicCatalog } from './catalog.js';

/**
 * Adds the catalog topics that are missing. Existing topics (perhaps renamed by an admin) are left alone. The
 * definition column stays empty: the matcher then uses the catalog's shipped definition, so an upgrade improves
 * every catalog topic an admin did not redefine.
 */
export async function seedTopics(prisma: PrismaClient): Promise<{ created: number; total: number }> {
  const data = topicCatalog.map(({ definition: _shipped, ...topic }) => topic);
  const { count } = await prisma.topic.createMany({ data, skipDuplicates: true });
  const total = await prisma.topic.count({ where: { retiredAt: null } });
  return { created: count, total };
}
