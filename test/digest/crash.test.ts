import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { prepareDigest } from '../../src/digest/prepare-digest.js';
import { SENT_FLUSH_COUNT } from '../../src/digest/send-deliveries.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { collect, type Finished, startScript } from '../helpers/process.js';
import { loadSeedPapers } from '../helpers/seed-papers.js';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.js';
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
  return { child, ready, done: run.done };
}

function assertFinished(result: Finished) {
  assert.equal(result.code, 0, `sender failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { status: string };
}

/** Messages per reader, and whether every copy a reader got carries the same Message-ID. */
function tally(sink: SmtpSink, readers: TestReader[]) {
  return readers.map((r) => {
    const mails = sink.to(r.email);
    return { email: r.email, count: mails.length, messageIds: new Set(mails.map((m) => m.parsed.messageId)) };
  });
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('senders in separate processes', () => {
  it('a sender killed with SIGKILL mid-run: a restart finishes the digest, duplicates only from the crash window', async () => {
    const db = await createTestDatabase();
    const sink = await startSmtpSink();
    await loadSeedPapers(db.prisma, DAY);
    const readers = await createManyReaders(db.prisma, 60, { topics: ['speculative-decoding'] });
    await prepareDigest(db.prisma, DAY);
    sink.setDelay(25); // a slow relay, so the kill lands in the middle
    const concurrency = 2;
    const env = { SEND_CONCURRENCY: String(concurrency), SEND_BATCH_SIZE: '10', SEND_LEASE_MS: '1500' };
    const first = startSender(db, sink, env);
    await first.ready;
    await waitUntil(() => sink.messages.length >= 15, 60_000, 'the first sender to get going');
    first.child.kill('SIGKILL');
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL');
    const acceptedBeforeCrash = sink.messages.length;
    assert.ok(acceptedBeforeCrash < readers.length, 'the kill came before the end');
    const stranded = await db.prisma.delivery.count({ where: { status: 'sending' } });
    assert.ok(stranded > 0, 'the dead sender left claimed deliveries behind');

    const second = startSender(db, sink, env);
    assert.equal(assertFinished(await second.done).status, 'done');

    const counts = tally(sink, readers);
    const missing = counts.filter((c) => c.count === 0);
    assert.deepEqual(missing, [], 'every active reader has the digest');
    const twice = counts.filter((c) => c.count === 2);
    assert.ok(
      counts.every((c) => c.count <= 2),
      'at most one duplicate per reader per crash',
    );
    // The documented window: what was in flight (2 × concurrency) plus sent marks not yet flushed.
    assert.ok(twice.length <= concurrency * 2 + SENT_FLUSH_COUNT, `${twice.length} duplicates`);
    for (const c of twice) assert.equal(c.messageIds.size, 1, `${c.email}: a resend keeps its Message-ID`);
    const sent = await db.prisma.delivery.count({ where: { status: 'sent' } });
    assert.equal(sent, readers.length);
    const resent = await db.prisma.delivery.count({ where: { attempts: { gt: 1 } } });
    assert.ok(resent >= twice.length, 'every duplicate is a delivery taken over from the dead sender');
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
    const env = { SEND_CONCURRENCY: '3', SEND_BATCH_SIZE: '10', GO_FILE: go };
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
