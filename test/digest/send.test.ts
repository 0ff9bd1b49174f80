import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createServices, type Services } from '../../src/services.js';
import { testConfig } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { loadSeedPapers } from '../helpers/seed-papers.js';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.js';
import { createManyReaders, createReaders } from './readers.js';

const DAY = '2026-07-31';

interface Setup {
  db: TestDatabase;
  sink: SmtpSink;
  config: Config;
  services: Services;
}

async function setup(env: Record<string, string> = {}): Promise<Setup> {
  const db = await createTestDatabase();
  const sink = await startSmtpSink();
  await loadSeedPapers(db.prisma, DAY);
  const config = testConfig({ SMTP_URL: sink.url, SEND_RETRY_BASE_MS: '20', ...env }, db);
  const services = createServices({ config, log: createLogger('silent'), prisma: db.prisma });
  return { db, sink, config, services };
}

async function deliveryOf(db: TestDatabase, email: string) {
  return db.prisma.delivery.findFirstOrThrow({
    where: { subscriber: { emailKey: email } },
    include: { subscriber: true },
  });
}

describe('sending the digest', () => {
  it('sends each reader one message with the Message-ID recorded before sending, and records the run', async () => {
    const { db, sink, services } = await setup();
    const readers = await createReaders(db.prisma, [
      { email: 'ada@example.org', topics: ['speculative-decoding'] },
      { email: 'alan@example.org', topics: ['speech-tokenizers'] },
    ]);
    const run = await services.digests.runDay(DAY, { trigger: 'test' });
    await services.close();
    assert.equal(run.status, 'done');
    assert.deepEqual(
      { sent: run.counts!.sent, failed: run.counts!.failed, pending: run.counts!.pending },
      { sent: 2, failed: 0, pending: 0 },
    );
    for (const reader of readers) {
      const mails = sink.to(reader.email);
      assert.equal(mails.length, 1, reader.email);
      const delivery = await deliveryOf(db, reader.email);
      assert.equal(delivery.status, 'sent');
      assert.ok(delivery.sentAt);
      assert.equal(delivery.attempts, 1);
      assert.equal(mails[0]!.parsed.messageId, delivery.messageId);
      assert.equal(mails[0]!.header('list-unsubscribe'), `<http://localhost:3000/unsubscribe/${reader.token}>`);
    }
    const digest = await db.prisma.digest.findFirstOrThrow({ where: { date: new Date(`${DAY}T00:00:00Z`) } });
    assert.equal(digest.status, 'done');
    const runs = await db.prisma.run.findMany();
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.trigger, 'test');
    assert.equal(runs[0]!.status, 'done');
    assert.ok(runs[0]!.finishedAt);
    const stats = runs[0]!.stats as { send: { sent: number }; prepare: { created: number } };
    assert.equal(stats.send.sent, 2);
    assert.equal(stats.prepare.created, 2);

    const again = await services.digests.runDay(DAY, { trigger: 'test' });
    assert.equal(again.prepare.created, 0);
    assert.equal(sink.messages.length, 2, 'running the day again sends nothing new');
  });

  it('retries 421 and 451 with backoff and then sends', async () => {
    const { db, sink, services } = await setup();
    await createReaders(db.prisma, [
      { email: 'busy@example.org', topics: ['speculative-decoding'] },
      { email: 'greylisted@example.org', topics: ['speculative-decoding'] },
      { email: 'fine@example.org', topics: ['speculative-decoding'] },
    ]);
    sink.setPolicy((to, attempt) => {
      if (to.includes('busy@example.org') && attempt === 1) return { code: 421, message: '4.3.2 Try again later' };
      if (to.includes('greylisted@example.org') && attempt <= 2)
        return { code: 451, message: '4.7.1 Greylisted, come back later' };
      return undefined;
    });
    const run = await services.digests.runDay(DAY);
    await services.close();
    assert.equal(run.status, 'done');
    assert.equal(run.counts!.sent, 3);
    assert.equal(run.send.retried, 3);
    for (const [email, attempts] of [
      ['busy@example.org', 2],
      ['greylisted@example.org', 3],
      ['fine@example.org', 1],
    ] as const) {
      assert.equal(sink.to(email).length, 1, email);
      const d = await deliveryOf(db, email);
      assert.equal(d.status, 'sent', email);
      assert.equal(d.attempts, attempts, email);
      assert.equal(d.lastError, null);
    }
  });

  it('gives up on a temporary error after SEND_MAX_ATTEMPTS', async () => {
    const { db, sink, services } = await setup({ SEND_MAX_ATTEMPTS: '3' });
    await createReaders(db.prisma, [{ email: 'full@example.org', topics: ['speculative-decoding'] }]);
    sink.setPolicy(() => ({ code: 452, message: '4.2.2 Mailbox full' }));
    const run = await services.digests.runDay(DAY);
    await services.close();
    assert.equal(run.status, 'done');
    const d = await deliveryOf(db, 'full@example.org');
    assert.equal(d.status, 'failed');
    assert.equal(d.attempts, 3);
    assert.match(d.lastError ?? '', /gave up after 3 attempts: 452 .*Mailbox full/);
    assert.equal(d.subscriber.status, 'active', 'a full mailbox is no reason to drop the reader');
  });

  it('fails a 550 for good: "user unknown" marks the reader bounced, a policy refusal does not', async () => {
    const { db, sink, services } = await setup();
    await createReaders(db.prisma, [
      { email: 'gone@example.org', topics: ['speculative-decoding'] },
      { email: 'refused@example.org', topics: ['speculative-decoding'] },
      { email: 'fine@example.org', topics: ['speculative-decoding'] },
    ]);
    sink.setPolicy((to) => {
      if (to.includes('gone@example.org')) return { code: 550, message: '5.1.1 <gone@example.org>: user unknown' };
      if (to.includes('refused@example.org')) return { code: 550, message: '5.7.1 Message rejected as spam' };
      return undefined;
    });
    const run = await services.digests.runDay(DAY);
    await services.close();
    assert.equal(run.status, 'done');
    assert.equal(run.counts!.failed, 2);
    assert.equal(run.send.bounced, 1);
    const gone = await deliveryOf(db, 'gone@example.org');
    assert.equal(gone.status, 'failed');
    assert.equal(gone.attempts, 1, 'a permanent error is not retried');
    assert.match(gone.lastError ?? '', /^550 .*user unknown/);
    assert.equal(gone.subscriber.status, 'bounced');
    assert.ok(gone.subscriber.bouncedAt);
    const refused = await deliveryOf(db, 'refused@example.org');
    assert.equal(refused.status, 'failed');
    assert.equal(refused.subscriber.status, 'active');
    assert.equal(sink.to('fine@example.org').length, 1);
    assert.equal(sink.messages.length, 1);
  });

  it('honours an unsubscribe that happens in the middle of a run', async () => {
    const { db, sink, services } = await setup({ SEND_CONCURRENCY: '1', SEND_BATCH_SIZE: '4' });
    const readers = await createManyReaders(db.prisma, 30, { topics: ['speculative-decoding'] });
    sink.setDelay(40);
    const running = services.digests.runDay(DAY);
    await sink.waitFor(5, 20_000);
    // Readers claimed last: their deliveries are still pending when they leave.
    const leaving = readers.slice(-5);
    await db.prisma.subscriber.updateMany({
      where: { id: { in: leaving.map((r) => r.id) } },
      data: { status: 'unsubscribed', unsubscribedAt: new Date() },
    });
    const run = await running;
    await services.close();
    assert.equal(run.status, 'done');
    for (const reader of leaving) {
      assert.equal(sink.to(reader.email).length, 0, `${reader.email} left and got nothing`);
      const d = await deliveryOf(db, reader.email);
      assert.equal(d.status, 'skipped');
      assert.match(d.lastError ?? '', /unsubscribed/);
    }
    for (const reader of readers.slice(0, -5)) assert.equal(sink.to(reader.email).length, 1, reader.email);
    assert.deepEqual(
      { sent: run.counts!.sent, skipped: run.counts!.skipped, failed: run.counts!.failed },
      { sent: 25, skipped: 5, failed: 0 },
    );
  });

  it('never sends a reader the same paper on two days', async () => {
    const { db, sink, services } = await setup();
    await loadSeedPapers(db.prisma, '2026-08-01'); // the same papers, trending again the next day
    await createReaders(db.prisma, [{ email: 'ada@example.org', topics: ['speculative-decoding'], maxPapers: 2 }]);
    await services.digests.runDay(DAY);
    await services.digests.runDay('2026-08-01');
    await services.close();
    const mails = sink.to('ada@example.org');
    assert.equal(mails.length, 2);
    const papersIn = (html: string) =>
      [...html.matchAll(/<h2><a href="https:\/\/huggingface\.co\/papers\/([^"]+)"/g)].map((m) => m[1]);
    const first = papersIn(String(mails[0]!.parsed.html));
    const second = papersIn(String(mails[1]!.parsed.html));
    assert.equal(first.length, 2);
    assert.ok(second.length >= 1);
    for (const id of second) assert.ok(!first.includes(id), `${id} was sent on both days`);
    const deliveries = await db.prisma.delivery.findMany({ orderBy: { id: 'asc' }, include: { selection: true } });
    assert.deepEqual(
      deliveries.map((d) => d.selection.paperIds),
      [first, second],
    );
  });
});
