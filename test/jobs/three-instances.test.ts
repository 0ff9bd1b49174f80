import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createManyReaders } from '../digest/readers.js';
import { busiestWindow } from '../helpers/arrivals.js';
import { createTestDatabase } from '../helpers/database.js';
import { startServers } from '../helpers/process.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { waitUntil } from '../helpers/wait.js';

const READERS = 7000;
const RATE = 200;

describe('three instances on one database', () => {
  it('with SEND_RATE=200 shared by 3 instances x 2 sender threads, one killed mid-send: every reader gets the digest, the rate holds', async (t) => {
    const db = await createTestDatabase();
    const sink = await startSmtpSink();
    const arrivals: number[] = [];
    sink.setPolicy(() => {
      arrivals.push(performance.now());
      return undefined;
    });
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'papermail-instances-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    // Everyone's hour is this UTC hour, and the schedule fires every 10 s of it: the day's deliveries are due at once.
    const hour = new Date().getUTCHours();
    const readers = await createManyReaders(db.prisma, READERS);
    await db.prisma.$executeRaw`UPDATE subscribers SET top_when_no_match = true, max_papers = 3`;

    const env = {
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      SMTP_URL: sink.url,
      SCHEDULER: 'on',
      DIGEST_TIMEZONE: 'UTC',
      DIGEST_CRON: `*/10 * ${hour} * * *`,
      SOURCE: `file:${path.resolve('prisma/seed/daily-papers-2026-07-31.json')}`,
      SEND_RATE: String(RATE),
      SEND_WORKERS: '2',
      SEND_CONCURRENCY: '3',
      SEND_BATCH_SIZE: '50',
      SEND_LOOP_MS: '500',
      // A killed instance's claims and run lapse to the others within seconds, not minutes.
      SEND_LEASE_MS: '3000',
      RUN_STALE_MS: '3000',
      LOG_LEVEL: 'warn',
    };
    const servers = await startServers([env, env, env], 90_000);

    // Kill one instance while the day is being sent.
    await waitUntil('a fifth of the digests sent', async () => arrivals.length >= READERS / 5, 120_000);
    servers[1]!.child.kill('SIGKILL');
    await waitUntil(
      'every reader has a digest',
      async () => new Set(sink.messages.flatMap((m) => m.envelopeTo)).size >= READERS,
      120_000,
    );
    for (const s of [servers[0]!, servers[2]!]) s.child.kill('SIGTERM');
    const results = await Promise.all([servers[0]!.done, servers[2]!.done]);
    for (const r of results) assert.equal(r.code, 0, r.stderr);

    const perReader = new Map<string, Set<string>>();
    for (const m of sink.messages) {
      const ids = perReader.get(m.envelopeTo[0]!) ?? new Set();
      ids.add(m.parsed.messageId!);
      perReader.set(m.envelopeTo[0]!, ids);
    }
    for (const r of readers) assert.ok(perReader.has(r.email), `${r.email} got nothing`);
    // A duplicate is possible only for what the killed instance had in flight (2 threads x 2 x SEND_CONCURRENCY),
    // and it is the same message (the same Message-ID) sent twice, never two different digests.
    const duplicates = sink.messages.length - READERS;
    assert.ok(duplicates <= 2 * 2 * 3, `${duplicates} duplicates`);
    for (const [to, ids] of perReader) assert.equal(ids.size, 1, `${to} got ${ids.size} different digests`);
    assert.equal(await db.prisma.delivery.count({ where: { status: { not: 'sent' } } }), 0);

    // The rate, over every 30-second window of the send: together never above SEND_RATE (+5 %).
    const most = busiestWindow(arrivals, 30_000);
    assert.ok(most <= RATE * 30 * 1.05, `${most} messages within 30 s (limit ${RATE * 30 * 1.05})`);
    const spanS = (Math.max(...arrivals) - Math.min(...arrivals)) / 1000;
    t.diagnostic(
      `${sink.messages.length} messages (${duplicates} duplicates) in ${spanS.toFixed(1)} s; busiest 30 s: ${most} = ${(most / 30).toFixed(1)}/s`,
    );
    assert.ok(spanS >= (READERS - 60) / RATE - 1, `${arrivals.length} messages in ${spanS.toFixed(1)} s`);
  });
});
