// A papermail with every webhook configured, readers with sent deliveries, and ways to read what changed.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../src/db/client.js';
import { createReaders, type ReaderSpec, type TestReader } from '../digest/readers.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { createDelivery, dayDigest } from '../helpers/deliveries.js';

export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:papermail-feedback';
export const POSTMARK_SECRET = 'postmark-webhook-password-0123';
export const MAILGUN_KEY = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';
export const GENERIC_SECRET = 'generic-webhook-secret-0123456789';

/** SendGrid signs with its private key; papermail is given the public one, base64 DER as SendGrid shows it. */
export const sendgridKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
export const SENDGRID_PUBLIC_KEY = sendgridKeys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

export function webhookEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    SES_SNS_TOPIC_ARNS: TOPIC_ARN,
    POSTMARK_WEBHOOK_SECRET: POSTMARK_SECRET,
    MAILGUN_WEBHOOK_SIGNING_KEY: MAILGUN_KEY,
    SENDGRID_WEBHOOK_PUBLIC_KEY: SENDGRID_PUBLIC_KEY,
    WEBHOOK_SECRET: GENERIC_SECRET,
    ...extra,
  };
}

export function buildWebhookApp(extra: Record<string, string> = {}): Promise<TestApp> {
  return buildTestApp(webhookEnv(extra));
}

export interface SentDelivery {
  id: number;
  messageId: string;
}

let nextDay = 0;

/** `count` digests the reader was sent, one a day, oldest first, each with the Message-ID papermail set. */
export async function sentDeliveries(prisma: PrismaClient, reader: TestReader, count: number) {
  const out: SentDelivery[] = [];
  for (let i = 0; i < count; i++) {
    const day = new Date(Date.UTC(2026, 5, 1) + nextDay++ * 86_400_000);
    const digest = await dayDigest(prisma, day);
    const messageId = `<digest.${digest.id}.${randomBytes(8).toString('hex')}@localhost>`;
    const row = await createDelivery(prisma, {
      digestId: digest.id,
      subscriberId: reader.id,
      status: 'sent',
      attempts: 1,
      messageId,
      paperIds: [],
      sentAt: new Date(day.getTime() + 7 * 3_600_000),
    });
    out.push({ id: row.id, messageId });
  }
  return out;
}

export async function readersWithSends(prisma: PrismaClient, specs: ReaderSpec[], sends = 1) {
  const readers = await createReaders(prisma, specs);
  return Promise.all(readers.map(async (r) => ({ ...r, deliveries: await sentDeliveries(prisma, r, sends) })));
}

export async function statusOf(prisma: PrismaClient, id: number): Promise<string> {
  return (await prisma.subscriber.findUniqueOrThrow({ where: { id } })).status;
}

export function eventsOf(prisma: PrismaClient) {
  return prisma.deliveryEvent.findMany({ orderBy: { id: 'asc' } });
}

/** Everything a webhook could change: readers' statuses and the recorded events. */
export async function snapshot(prisma: PrismaClient) {
  const readers = await prisma.subscriber.findMany({ select: { id: true, status: true }, orderBy: { id: 'asc' } });
  return { readers, events: await prisma.deliveryEvent.count() };
}
