import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { prepareDigest } from '../../src/digest/prepare-digest.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { collect, type Finished, startScript } from '../helpers/process.js';
import { loadSeedPapers } from '../helpers/seed-papers.js';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.js';
import { sleep, waitUntil } from '../helpers/wait.js';
import { createManyReaders, type TestReader } from './readers.js';

const DAY = '2026-07-31';
const SENDER = 'test/digest/sender-process.ts';

function startSender(db: TestDatabase, sink: SmtpSink, env: Record<string, string>) {
  const child = startScript(SENDER, [DAY], {
    DATABASE_URL: db.url,
    SMTP_URL: sink.url,
    LOG_LEVEL: 'warn',
    SEND_RETRY_BASE_MS: '50',
    ...env,
  });
  const run = collect(child);
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (run.output().stdout.includes('ready\n')) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
    child.on('exit', () => {
      clearInterval(timer);
      reject(new Error(`sender exited before it was ready:\n${run.output().stderr}`));
    });
  });
  ready.catch(() => {});
  after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, ready, done: run.done, output: run.output };
}

function assertFinished(result: Finished) {
  assert.equal(result.code, 0, `sender failed:\n${result.stderr}\n${result.stdout}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { status: string };
}

/** Messages per reader, and whether every copy a reader got carries the same Message-ID. */
function tally(sink: SmtpSink, readers: TestReader[]) {
  return readers.map((r) => {
    const mails = sink.to(r.email);
    return { email: r.email, count: mails.length, messageIds: new Set(mails.map((m) => m.parsed.messageId)) };
  });
}

/**
 * After a sender died: its deliveries still `sending` whose message the relay took while it lived. Those are the
 * duplicates the crash causes: the next sender takes them over and sends them again.
 */
async function inDoubt(db: TestDatabase, sink: SmtpSink, acceptedFrom: number): Promise<string[]> {
  const accepted = new Set(sink.messages.slice(acceptedFrom).map((m) => m.parsed.messageId));
  const stranded = await db.prisma.delivery.findMany({
    where: { status: 'sending' },
    include: { subscriber: true },
  });
  return stranded.filter((d) => accepted.has(d.messageId ?? '')).map((d) => d.subscriber.email);
}

/** Polls often: the kill should land right when the sender is at full speed. */
async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** Waits until the relay has taken nothing new for half a second. */
async function settled(sink: SmtpSink) {
  for (let seen = -1; seen !== sink.messages.length; ) {
    seen = sink.messages.length;
    await sleep(500);
  }
}

describe('senders in separate processes', () => {
  it('SIGKILL mid-run four times: every reader gets the digest, each kill duplicates at most what was in flight, with one Message-ID', async () => {
    const db = await createTestDatabase();
    const sink = await startSmtpSink();
    await loadSeedPapers(db.prisma, DAY);
    const readers = await createManyReaders(db.prisma, 600, { topics: ['speculative-decoding'] });
    await prepareDigest(db.prisma, DAY);
    sink.setDelay(2); // a relay that answers at once: the kill finds the sender at full speed
    const concurrency = 5;
    const env = {
      SEND_CONCURRENCY: String(concurrency),
      SEND_BATCH_SIZE: '50',
      SEND_LEASE_MS: '1500',
      RUN_STALE_MS: '1500',
    };

    const duplicatesOf = new Map<string, number>();
    for (let kill = 1; kill <= 4; kill++) {
      const from = sink.messages.length;
      const sender = startSender(db, sink, env);
      await sender.ready;
      await waitFor(`sender ${kill} to send 80 messages`, () => sink.messages.length >= from + 80);
      sender.child.kill('SIGKILL');
      assert.equal((await sender.done).signal, 'SIGKILL');
      await settled(sink); // what the relay had fully received before the kill, it still takes
      const unsent = await db.prisma.delivery.count({ where: { status: { not: 'sent' } } });
      assert.ok(unsent > 0, `kill ${kill} came before the end`);
      const doubtful = await inDoubt(db, sink, from);
      assert.ok(
        doubtful.length <= concurrency * 2,
        `kill ${kill}: ${doubtful.length} messages accepted but not recorded (in flight: ${concurrency * 2})`,
      );
      for (const email of doubtful) duplicatesOf.set(email, (duplicatesOf.get(email) ?? 0) + 1);
      const runs = await db.prisma.run.findMany({ where: { status: 'running' } });
      assert.equal(runs.length, 1, 'the dead sender left its run running; the next start abandons it');
    }

    const last = startSender(db, sink, env);
    assert.equal(assertFinished(await last.done).status, 'done');

    const counts = tally(sink, readers);
    assert.deepEqual(
      counts.filter((c) => c.count === 0),
      [],
      'every active reader has the digest',
    );
    const unexplained = counts.filter((c) => c.count !== 1 + (duplicatesOf.get(c.email) ?? 0));
    assert.deepEqual(unexplained, [], 'every duplicate is one the relay took from a sender that was then killed');
    for (const c of counts) assert.equal(c.messageIds.size, 1, `${c.email}: a resend keeps its Message-ID`);
    assert.equal(await db.prisma.delivery.count({ where: { status: 'sent' } }), readers.length);
    const runs = await db.prisma.run.findMany({ orderBy: { id: 'asc' } });
    assert.deepEqual(
      runs.map((r) => r.status),
      ['abandoned', 'abandoned', 'abandoned', 'abandoned', 'done'],
    );
  });

  it('every database session of the sender killed twice mid-run: no crash, every reader has the digest, nothing left sending', async () => {
    const db = await createTestDatabase();
    const sink = await startSmtpSink();
    await loadSeedPapers(db.prisma, DAY);
    const readers = await createManyReaders(db.prisma, 300, { topics: ['speech-tokenizers'] });
    await prepareDigest(db.prisma, DAY);
    sink.setDelay(10);
    const concurrency = 5;
    const sender = startSender(db, sink, {
      SEND_CONCURRENCY: String(concurrency),
      SEND_BATCH_SIZE: '50',
      SEND_LEASE_MS: '3000',
      LOG_LEVEL: 'info',
    });
    await sender.ready;
    let terminated = 0;
    for (const at of [60, 160]) {
      await waitUntil(`${at} messages`, () => sink.messages.length >= at, 60_000);
      // A burst, so that statements under way are cut off too, not only idle connections.
      let killedNow = 0;
      for (const end = Date.now() + 250; Date.now() < end; ) {
        const rows = await db.prisma.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM (
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()) t`;
        killedNow += rows[0]!.n;
        await sleep(5);
      }
      assert.ok(killedNow > 0, 'the sender had sessions to kill');
      terminated += killedNow;
    }
    const result = await sender.done;
    assert.equal(assertFinished(result).status, 'done');
    assert.ok(terminated >= 2);

    const counts = tally(sink, readers);
    assert.deepEqual(
      counts.filter((c) => c.count === 0),
      [],
      'every reader has the digest',
    );
    const duplicates = counts.reduce((n, c) => n + c.count - 1, 0);
    assert.ok(duplicates <= 2 * concurrency * 2, `${duplicates} duplicates: at most what was in flight, per kill`);
    for (const c of counts) assert.equal(c.messageIds.size, 1, c.email);
    const left = await db.prisma.delivery.groupBy({ by: ['status'], _count: true });
    assert.deepEqual(
      left.map((g) => [g.status, g._count]),
      [['sent', readers.length]],
      'nothing is left sending or pending',
    );
    const run = await db.prisma.run.findFirstOrThrow();
    assert.equal(run.status, 'done');
  });

  it('two senders at once send every reader exactly one message', async () => {
    const db = await createTestDatabase();
    const sink = await startSmtpSink();
    await loadSeedPapers(db.prisma, DAY);
    const readers = await createManyReaders(db.prisma, 150, { topics: ['speech-tokenizers'] });
    sink.setDelay(5);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'papermail-go-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const go = path.join(dir, 'go');
    const env = { SEND_CONCURRENCY: '3', SEND_BATCH_SIZE: '10', GO_FILE: go, SENDER_MODE: 'send' };
    const senders = [startSender(db, sink, env), startSender(db, sink, env)];
    await Promise.all(senders.map((s) => s.ready));
    writeFileSync(go, 'go'); // both prepare and send the same day at the same moment
    for (const s of senders) assert.equal(assertFinished(await s.done).status, 'done');

    const counts = tally(sink, readers);
    assert.deepEqual(
      counts.filter((c) => c.count !== 1),
      [],
      'each reader got exactly one message',
    );
    assert.equal(sink.messages.length, readers.length);
    assert.equal(await db.prisma.digest.count(), 1);
    assert.equal(await db.prisma.delivery.count(), readers.length);
    const claimers = await db.prisma.delivery.groupBy({ by: ['claimedBy'], _count: true });
    assert.equal(claimers.length, 2, 'both senders did part of the work');
  });
});
