// Readers for digest tests, created straight through Prisma (subscribing is another module's job).
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../src/db/client.js';
import { seedTopics } from '../../src/topics/seed-topics.js';

export interface ReaderSpec {
  email: string;
  topics?: string[];
  keywords?: string[];
  maxPapers?: number;
  topWhenNoMatch?: boolean;
  status?: 'active' | 'pending' | 'unsubscribed' | 'paused' | 'bounced';
  /** Delivery settings (src/subscriptions/delivery-settings.ts); defaults when left out. */
  settings?: {
    cadence?: 'daily' | 'weekly';
    weekday?: number;
    timezone?: string;
    hour?: number;
    channel?: 'email' | 'feed' | 'both';
    excludeKeywords?: string[];
    authors?: string[];
  };
}

export interface TestReader {
  id: number;
  email: string;
  token: string;
}

/** Seeds the topic catalog (once per database) and creates the readers, active unless said otherwise. */
export async function createReaders(prisma: PrismaClient, specs: ReaderSpec[]): Promise<TestReader[]> {
  await seedTopics(prisma);
  const topics = new Map((await prisma.topic.findMany()).map((t) => [t.slug, t.id]));
  const out: TestReader[] = [];
  for (const spec of specs) {
    const token = randomBytes(24).toString('base64url');
    const row = await prisma.subscriber.create({
      data: {
        email: spec.email,
        emailKey: spec.email.toLowerCase(),
        status: spec.status ?? 'active',
        token,
        keywords: spec.keywords ?? [],
        maxPapers: spec.maxPapers ?? 10,
        topWhenNoMatch: spec.topWhenNoMatch ?? false,
        ...spec.settings,
        topics: {
          create: (spec.topics ?? []).map((slug) => {
            const topicId = topics.get(slug);
            if (topicId === undefined) throw new Error(`no topic ${slug} in the catalog`);
            return { topicId };
          }),
        },
      },
    });
    out.push({ id: row.id, email: row.email, token });
  }
  return out;
}

/** Many readers at once (for concurrency tests): PREFIX-N@example.org, all active on the same topics. */
export async function createManyReaders(
  prisma: PrismaClient,
  count: number,
  spec: Pick<ReaderSpec, 'topics' | 'keywords'> = {},
  prefix = 'reader',
  domain = 'example.org',
): Promise<TestReader[]> {
  await seedTopics(prisma);
  const topicIds = (await prisma.topic.findMany({ where: { slug: { in: spec.topics ?? [] } } })).map((t) => t.id);
  const data = Array.from({ length: count }, (_, i) => {
    const email = `${prefix}-${i + 1}@${domain}`;
    return {
      email,
      emailKey: email,
      status: 'active' as const,
      token: randomBytes(24).toString('base64url'),
      keywords: spec.keywords ?? [],
    };
  });
  await prisma.subscriber.createMany({ data });
  const rows = await prisma.subscriber.findMany({
    where: { emailKey: { in: data.map((d) => d.emailKey) } },
    orderBy: { id: 'asc' },
  });
  await prisma.subscriberTopic.createMany({
    data: rows.flatMap((r) => topicIds.map((topicId) => ({ subscriberId: r.id, topicId }))),
  });
  return rows.map((r) => ({ id: r.id, email: r.email, token: r.token }));
}
