import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { createTestDatabase } from '../helpers/database.js';
import { runCli } from '../helpers/process.js';
import { loadSeedPapers } from '../helpers/seed-papers.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { createReaders } from './readers.js';

const DAY = '2026-07-31';

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'papermail-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('papermail digest', () => {
  it('--dry-run prints who would get what and writes nothing; a real run writes the outbox and prints counts', async () => {
    const db = await createTestDatabase();
    await loadSeedPapers(db.prisma, DAY);
    await createReaders(db.prisma, [
      { email: 'ada@example.org', topics: ['speculative-decoding'], maxPapers: 2 },
      { email: 'nobody@example.org', keywords: ['protein folding'] },
    ]);
    const env = { DATABASE_URL: db.url, DATA_DIR: tempDir(), LOG_LEVEL: 'warn' };

    const dry = await runCli(['digest', '--date', DAY, '--dry-run'], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^2026-07-31: 70 papers listed, 2 active readers without a digest yet/m);
    assert.match(dry.stdout, /^ada@example\.org — 2 papers$/m);
    // Both papers are the topic's, and what says it in its title is among them (the order is the matcher's).
    assert.match(dry.stdout, /^ {3}1\. .*\[Speculative decoding\]$/m);
    assert.match(dry.stdout, /^ {3}2\. .*\[Speculative decoding\]$/m);
    assert.match(dry.stdout, /^ {3}[12]\. .*Speculative Decoding.*\[Speculative decoding\]$/m);
    assert.match(dry.stdout, /^nobody@example\.org — nothing matches today: no email$/m);
    assert.match(dry.stdout, /dry run: nothing was written or sent/);
    assert.equal(await db.prisma.digest.count(), 0);
    assert.equal(await db.prisma.delivery.count(), 0);

    const real = await runCli(['digest', '--date', DAY], env);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /deliveries: 1 prepared now, 1 readers with no match today get nothing/);
    assert.match(real.stdout, /sent 1 · failed 0 · skipped 0 · pending 0 \(of 1, in [\d.]+ s\)/);
    assert.doesNotMatch(real.stdout, /\r\[/, 'no progress bar when stdout is not a terminal');
    const outbox = path.join(env.DATA_DIR, 'outbox');
    const files = readdirSync(outbox);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /ada@example\.org/);
    const eml = readFileSync(path.join(outbox, files[0]!), 'utf8');
    const parsed = await simpleParser(eml);
    assert.equal(parsed.subject, '2 new papers on speculative decoding — Jul 31');
    assert.match(eml, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
  });

  it('exits non-zero when a delivery failed or is still waiting for a retry', async () => {
    const db = await createTestDatabase();
    const sink = await startSmtpSink();
    await loadSeedPapers(db.prisma, DAY);
    await createReaders(db.prisma, [
      { email: 'gone@example.org', topics: ['speculative-decoding'] },
      { email: 'slow@example.org', topics: ['speculative-decoding'] },
      { email: 'fine@example.org', topics: ['speculative-decoding'] },
    ]);
    sink.setPolicy((to) => {
      if (to.includes('gone@example.org')) return { code: 550, message: '5.1.1 user unknown' };
      if (to.includes('slow@example.org')) return { code: 451, message: '4.3.0 try later' };
      return undefined;
    });
    const env = {
      DATABASE_URL: db.url,
      SMTP_URL: sink.url,
      DATA_DIR: tempDir(),
      LOG_LEVEL: 'silent',
      SEND_RETRY_BASE_MS: '60000',
      SEND_WAIT_LIMIT_MS: '200',
    };
    const result = await runCli(['digest', '--date', DAY], env);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /sent 1 · failed 1 · skipped 0 · pending 1 \(of 3/);
    assert.match(result.stderr, /^papermail: 2026-07-31: 1 delivery failed, 1 still pending \(retries not due yet\)$/m);
    assert.equal(sink.to('fine@example.org').length, 1);
  });

  it('says so when the day has no papers, and refuses a date that does not exist', async () => {
    const db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, DATA_DIR: tempDir(), LOG_LEVEL: 'warn' };
    const empty = await runCli(['digest', '--date', '2026-08-02'], env);
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stdout, /2026-08-02: no papers are listed that day \(ingest it first\): nothing to send/);
    const bad = await runCli(['digest', '--date', '2026-02-30'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /papermail: "2026-02-30" is not a real calendar date/);
  });
});
