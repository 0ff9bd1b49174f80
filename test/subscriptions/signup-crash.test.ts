// A sign-up accepted just before the server is killed: the real server process, SIGKILL, a restart, and the
// confirmation email in a real SMTP sink afterwards; what it asked for (interests and delivery settings) lands.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { seedTopics } from '../../src/topics/seed-topics.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startServer } from '../helpers/process.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { waitUntil } from '../helpers/wait.js';

/** A relay that takes connections and never says a word: an email handed to it is never sent. */
async function startSilentRelay(): Promise<string> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return `smtp://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

function startPapermail(db: TestDatabase, smtpUrl: string) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'papermail-signup-crash-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  return startServer((base) => ({
    DATABASE_URL: db.url,
    PUBLIC_URL: base,
    DATA_DIR: dataDir,
    SMTP_URL: smtpUrl,
    SECRET: 'crash-test-secret-crash-test-secret-0123',
    // A short lease, so the restarted server takes over what the dead one had claimed within a second.
    SEND_LEASE_MS: '1000',
    LOG_LEVEL: 'warn',
  }));
}

describe('a sign-up and a crash', () => {
  it('a sign-up accepted just before a SIGKILL is confirmed by email after the restart, once', async () => {
    const db = await createTestDatabase();
    await seedTopics(db.prisma);
    const sink = await startSmtpSink();
    const email = 'crash@example.org';

    // The first server's relay never answers: whatever it did before the kill, no email went out.
    const first = await startPapermail(db, await startSilentRelay());
    const response = await fetch(`${first.base}/api/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email,
        topics: ['agents'],
        keywords: ['world model'],
        cadence: 'weekly',
        weekday: 5,
        timezone: 'Asia/Tokyo',
        hour: 8,
        excludeKeywords: ['benchmark'],
        authors: ['Ada Lovelace'],
      }),
    });
    assert.equal(response.status, 202);
    first.child.kill('SIGKILL');
    assert.equal((await first.done).signal, 'SIGKILL');

    const [request] = await db.prisma.signupRequest.findMany();
    assert.ok(request, 'the accepted sign-up is in Postgres');
    assert.notEqual(request.status, 'sent');
    assert.equal(sink.messages.length, 0);

    const second = await startPapermail(db, sink.url);
    await waitUntil(
      'the restarted server sent the confirmation',
      async () => (await db.prisma.signupRequest.findFirstOrThrow()).status === 'sent',
      60_000,
    );
    const mails = sink.to(email);
    assert.equal(mails.length, 1, 'exactly one confirmation email');
    assert.equal(mails[0]!.parsed.subject, 'Confirm your papermail subscription');
    const reader = await db.prisma.subscriber.findUniqueOrThrow({ where: { emailKey: email } });
    assert.equal(reader.confirmSentCount, 1, 'the address spent one email of its daily share, not two');

    // The link in it confirms the reader, with what the sign-up asked for.
    const confirmUrl = new RegExp(`${second.base}/confirm/[A-Za-z0-9_-]+`).exec(mails[0]!.parsed.text ?? '')?.[0];
    assert.ok(confirmUrl);
    const page = await (await fetch(confirmUrl)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    assert.ok(csrf, page);
    const confirmed = await fetch(confirmUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }).toString(),
    });
    assert.equal(confirmed.status, 200);
    const active = await db.prisma.subscriber.findUniqueOrThrow({
      where: { emailKey: email },
      include: { topics: { include: { topic: true } } },
    });
    assert.equal(active.status, 'active');
    assert.deepEqual(active.keywords, ['world model']);
    assert.deepEqual(
      active.topics.map((t) => t.topic.slug),
      ['agents'],
    );
    assert.deepEqual(
      [active.cadence, active.weekday, active.timezone, active.hour, active.excludeKeywords, active.authors],
      ['weekly', 5, 'Asia/Tokyo', 8, ['benchmark'], ['Ada Lovelace']],
      'the delivery settings came through the kill with the request',
    );

    second.child.kill('SIGTERM');
    assert.equal((await second.done).code, 0);
  });
});
