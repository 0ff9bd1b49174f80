// Shared by the admin tests: the auth header, a way to put readers in place, and an app whose confirmation emails
// are recorded instead of sent (the reader service owns those emails; the lead wires it in services.ts).
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createSubscriberAdmin } from '../../src/admin/subscriber-admin.js';
import { buildServer } from '../../src/app.js';
import type { PrismaClient } from '../../src/db/client.js';
import type { SubscriberStatus } from '../../src/generated/prisma/enums.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import type { StoredDeliverySettings } from '../../src/subscriptions/delivery-settings.js';
import { TEST_ADMIN_TOKEN, testConfig } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

export const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

export interface ReaderSeed {
  email: string;
  status?: SubscriberStatus;
  topics?: string[];
  keywords?: string[];
  maxPapers?: number;
  topWhenNoMatch?: boolean;
  createdAt?: Date;
  confirmedAt?: Date | null;
  unsubscribedAt?: Date | null;
  confirmToken?: string | null;
  /** Delivery settings other than the defaults. */
  delivery?: Partial<StoredDeliverySettings>;
}

/** Puts a reader straight into the database, the way the reader service would have left them. */
export async function addReader(prisma: PrismaClient, seed: ReaderSeed): Promise<number> {
  const topics = await prisma.topic.findMany({ where: { slug: { in: seed.topics ?? [] } }, select: { id: true } });
  const status = seed.status ?? 'active';
  const reader = await prisma.subscriber.create({
    data: {
      email: seed.email,
      emailKey: seed.email.toLowerCase(),
      status,
      token: randomBytes(24).toString('base64url'),
      confirmToken: seed.confirmToken ?? null,
      keywords: seed.keywords ?? [],
      maxPapers: seed.maxPapers ?? 10,
      topWhenNoMatch: seed.topWhenNoMatch ?? false,
      createdAt: seed.createdAt,
      confirmedAt: seed.confirmedAt === undefined ? (status === 'pending' ? null : new Date()) : seed.confirmedAt,
      unsubscribedAt: seed.unsubscribedAt ?? null,
      ...seed.delivery,
      topics: { create: topics.map((t) => ({ topicId: t.id })) },
    },
  });
  return reader.id;
}

/** The real app on a fresh database, with `sendConfirmation` in place of the reader service's email. */
export async function buildAdminApp(
  sendConfirmation: (subscriberId: number) => Promise<void>,
): Promise<{ app: FastifyInstance; db: TestDatabase }> {
  const db = await createTestDatabase();
  const config = testConfig({}, db);
  const log = createLogger(config.logLevel);
  const base = createServices({ config, log, prisma: db.prisma });
  const services = {
    ...base,
    admin: { ...base.admin, subscribers: createSubscriberAdmin({ prisma: db.prisma, log, sendConfirmation }) },
  };
  const app = await buildServer(services);
  await app.ready();
  after(async () => {
    await app.close();
    await services.close();
  });
  return { app, db };
}
