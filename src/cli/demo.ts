import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { PrismaClient } from '../db/client.js';
import { projectRoot } from '../db/migrate.js';
import { outboxDir } from '../mail/outbox-mailer.js';
import type { Services } from '../services.js';
import { seedTopics } from '../topics/seed-topics.js';
import { withRuntime } from './runtime.js';

/** The real day bundled with the project (prisma/seed/daily-papers-2026-07-31.json). */
export const DEMO_DAY = '2026-07-31';

/** A handful of readers with different interests, so the digests differ. */
const demoReaders = [
  { email: 'ada@example.org', topics: ['agents', 'reasoning'], keywords: [] as string[], topWhenNoMatch: false },
  { email: 'grace@example.org', topics: ['image-video-generation'], keywords: ['world model'], topWhenNoMatch: false },
  {
    email: 'alan@example.org',
    topics: ['speculative-decoding', 'retrieval'],
    keywords: ['memory'],
    topWhenNoMatch: false,
  },
  { email: 'katherine@example.org', topics: [], keywords: [], topWhenNoMatch: false },
  { email: 'barbara@example.org', topics: ['speech-tokenizers'], keywords: [], topWhenNoMatch: true },
];

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the whole job on the embedded defaults: seed topics and readers, then build and send a real day')
    .action(async () => {
      await withRuntime(async ({ config, db, services }) => {
        const out = (line: string) => process.stdout.write(`${line}\n`);
        out(`database: ${db.embedded ? `embedded Postgres under ${config.dataDir}/postgres` : 'DATABASE_URL'}`);
        const topics = await seedTopics(db.prisma);
        out(`topics: ${topics.created} added, ${topics.total} in the catalog`);
        const readers = await seedDemoReaders(db.prisma);
        out(`readers: ${readers.created} added, ${demoReaders.length} demo readers`);

        const run = await services.digests.runDay(DEMO_DAY, {
          trigger: 'demo',
          ingest: (day) => ingestDemoDay(services, day),
        });
        if (run.prepare.papers === 0) {
          out(`${DEMO_DAY}: no papers are listed that day yet, so there is no digest to send`);
          return;
        }
        const c = run.counts!;
        out(`${DEMO_DAY}: ${run.prepare.papers} papers; sent ${c.sent}, failed ${c.failed}, pending ${c.pending}`);
        out('');
        printTable(out, await demoDeliveries(db.prisma, services));
        if (services.mailer.kind === 'outbox')
          out(`\nthe .eml files are in ${outboxDir(config)} (open them in any mail client)`);
      });
    });
}

/** Ingests the real day bundled with the project (prisma/seed), through the same file source operators use. */
async function ingestDemoDay(services: Services, day: string): Promise<unknown> {
  const file = path.join(projectRoot, 'prisma/seed', `daily-papers-${day}.json`);
  const report = await services.ingest.ingestDay(day, `file:${file}`);
  process.stdout.write(
    `${day}: ingested ${report.fetched} papers from prisma/seed (${report.created} new listings, ${report.updated} updated)\n`,
  );
  return report;
}

/** Creates the demo readers that are missing (active, with their topics); existing ones are left as they are. */
async function seedDemoReaders(prisma: PrismaClient): Promise<{ created: number }> {
  let created = 0;
  const topics = new Map(
    (await prisma.topic.findMany({ select: { id: true, slug: true } })).map((t) => [t.slug, t.id]),
  );
  for (const reader of demoReaders) {
    const existing = await prisma.subscriber.findUnique({ where: { emailKey: reader.email } });
    if (existing) continue;
    await prisma.subscriber.create({
      data: {
        email: reader.email,
        emailKey: reader.email,
        status: 'active',
        confirmedAt: new Date(),
        token: randomBytes(24).toString('base64url'),
        keywords: reader.keywords,
        topWhenNoMatch: reader.topWhenNoMatch,
        topics: { create: reader.topics.flatMap((slug) => (topics.has(slug) ? [{ topicId: topics.get(slug)! }] : [])) },
      },
    });
    created++;
  }
  return { created };
}

interface DemoRow {
  reader: string;
  topics: string;
  papers: string;
  file: string;
}

async function demoDeliveries(prisma: PrismaClient, services: Services): Promise<DemoRow[]> {
  const rows = await prisma.subscriber.findMany({
    where: { emailKey: { in: demoReaders.map((r) => r.email) } },
    orderBy: { id: 'asc' },
    select: {
      email: true,
      keywords: true,
      topics: { select: { topic: { select: { name: true } } } },
      deliveries: {
        where: { digest: { date: new Date(`${DEMO_DAY}T00:00:00Z`) }, resendOfId: null },
        select: { status: true, messageId: true, selection: { select: { paperIds: true } } },
      },
    },
  });
  const files = services.mailer.kind === 'outbox' ? safeReaddir(outboxDir(services.config)) : [];
  return rows.map((r) => {
    const interests = [...r.topics.map((t) => t.topic.name), ...r.keywords.map((k) => `"${k}"`)];
    const delivery = r.deliveries[0];
    // The outbox names each file after the local part of its Message-ID (src/mail/outbox-mailer.ts).
    const idPart = delivery?.messageId
      ?.replace(/[<>]/g, '')
      .split('@')[0]
      ?.replace(/[^a-zA-Z0-9.-]/g, '_');
    const file = idPart ? files.find((f) => f.endsWith(`_${idPart}.eml`)) : undefined;
    return {
      reader: r.email,
      topics: interests.length ? interests.join(', ') : '(none: top trending)',
      papers: delivery
        ? `${delivery.selection.paperIds.length}${delivery.status === 'sent' ? '' : ` (${delivery.status})`}`
        : '0 (no match)',
      file: file ?? (delivery?.status === 'sent' && services.mailer.kind === 'smtp' ? '(sent over SMTP)' : '-'),
    };
  });
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function printTable(out: (line: string) => void, rows: DemoRow[]): void {
  const head: DemoRow = { reader: 'reader', topics: 'topics', papers: 'papers sent', file: 'file' };
  const keys = ['reader', 'topics', 'papers', 'file'] as const;
  const widths = keys.map((k) => Math.max(...[head, ...rows].map((r) => r[k].length)));
  const line = (r: DemoRow) =>
    keys
      .map((k, i) => r[k].padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  out(line(head));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) out(line(r));
}
