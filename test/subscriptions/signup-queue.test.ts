// The sign-up queue against a relay that refuses: temporary refusals are retried with backoff and deliver once,
// permanent ones fail the request, and neither spends the address's daily share. A worker that died mid-request is
// taken over after its lease, with the same Message-ID and without counting the email twice.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSignupLoop } from '../../src/jobs/signup-loop.js';
import { CONFIRMATIONS_PER_DAY, decideSignup } from '../../src/subscriptions/decide-signup.js';
import { claimSignupRequests } from '../../src/subscriptions/signup-requests.js';
import { waitUntil } from '../helpers/wait.js';
import { buildReaderWorld, freshIp, linkIn, type ReaderWorld, readerRow } from './readers.js';

async function post(world: ReaderWorld, email: string) {
  const response = await world.app.inject({
    method: 'POST',
    url: '/api/subscriptions',
    payload: { email, topics: ['agents'] },
    remoteAddress: freshIp(),
  });
  assert.equal(response.statusCode, 202);
}

function requestOf(world: ReaderWorld, email: string) {
  return world.db.prisma.signupRequest.findFirstOrThrow({ where: { emailKey: email }, orderBy: { id: 'desc' } });
}

describe('the sign-up queue', () => {
  it('delivers the confirmation once through a relay that refuses with 451 three times, spending one share', async () => {
    const world = await buildReaderWorld({ SEND_RETRY_BASE_MS: '100' });
    const email = 'patient@example.org';
    const refusals: number[] = [];
    world.sink.setPolicy((to, attempt) => {
      if (!to.includes(email) || attempt > 3) return undefined;
      refusals.push(Date.now());
      return { code: 451, message: '4.3.0 Try again later' };
    });
    // The loop server.ts runs, woken by the accepted sign-up and then by its own timer for the retries.
    const loop = createSignupLoop(world.services, 50);
    loop.start();
    try {
      await post(world, email);
      await waitUntil('the request was sent', async () => (await requestOf(world, email)).status === 'sent', 30_000);
    } finally {
      await loop.stop();
    }

    assert.equal(refusals.length, 3, 'the relay refused three times');
    // Exponential backoff from SEND_RETRY_BASE_MS: at least 100 ms before the second attempt, 200 before the third.
    const gaps = refusals.slice(1).map((t, i) => t - refusals[i]!);
    assert.ok(gaps[0]! >= 100 && gaps[1]! >= 200, `the waits double (${gaps.join(', ')} ms)`);
    const mails = world.sink.to(email);
    assert.equal(mails.length, 1, 'exactly one confirmation arrived');
    assert.equal(mails[0]!.parsed.subject, 'Confirm your papermail subscription');
    const request = await requestOf(world, email);
    assert.equal(request.attempts, 4);
    assert.equal(request.lastError, null);
    assert.equal(mails[0]!.parsed.messageId, request.messageId, 'every attempt carried the same Message-ID');
    const reader = await readerRow(world.db.prisma, email);
    assert.equal(reader?.confirmSentCount, 1, 'three refusals and a success spend one email of the daily share');
    assert.equal(linkIn(mails[0]!, '/confirm/'), `/confirm/${reader?.confirmToken}`);
  });

  it('fails a request the relay refuses for good (550), and gives its daily share back', async () => {
    const world = await buildReaderWorld();
    const email = 'refused@example.org';
    world.sink.setPolicy((to) =>
      to.includes(email) ? { code: 550, message: '5.7.1 Message rejected by policy' } : undefined,
    );
    await post(world, email);
    assert.deepEqual(await world.services.subscriptions.processSignups(), {
      claimed: 1,
      sent: 0,
      retried: 0,
      failed: 1,
      skipped: 0,
    });
    const request = await requestOf(world, email);
    assert.equal(request.status, 'failed');
    assert.match(request.lastError ?? '', /^550 .*rejected by policy/);
    assert.equal((await readerRow(world.db.prisma, email))?.confirmSentCount, 0, 'the share is given back');

    // The relay relents: the address can still get all of its emails today.
    world.sink.setPolicy(undefined);
    for (let i = 0; i < CONFIRMATIONS_PER_DAY + 1; i++) await post(world, email);
    await world.services.subscriptions.processSignups();
    assert.equal(world.sink.to(email).length, CONFIRMATIONS_PER_DAY);
  });

  it('gives up after SEND_MAX_ATTEMPTS temporary refusals, and gives the share back', async () => {
    const world = await buildReaderWorld({ SEND_RETRY_BASE_MS: '20', SEND_MAX_ATTEMPTS: '2' });
    const email = 'down@example.org';
    world.sink.setPolicy(() => ({ code: 421, message: '4.7.0 Service not available' }));
    await post(world, email);
    await waitUntil('the request is final', async () => {
      await world.services.subscriptions.processSignups();
      return (await requestOf(world, email)).status === 'failed';
    });
    const request = await requestOf(world, email);
    assert.equal(request.attempts, 2);
    assert.match(request.lastError ?? '', /^gave up after 2 attempts: 421 /);
    assert.equal((await readerRow(world.db.prisma, email))?.confirmSentCount, 0);
    assert.equal(world.sink.messages.length, 0);
  });

  it('takes over a request whose worker died after deciding it: same Message-ID, the share counted once', async () => {
    const world = await buildReaderWorld();
    const { prisma } = world.db;
    const email = 'orphan@example.org';
    await post(world, email);
    // A worker claims and decides the request, then dies before sending (nothing else of it runs).
    const [claimed] = await claimSignupRequests(prisma, {
      claimer: 'dead-worker',
      limit: 10,
      leaseMs: 3000,
      domain: 'example.org',
    });
    assert.ok(claimed);
    assert.ok(await decideSignup(prisma, 'dead-worker', claimed, new Date()));
    assert.equal((await readerRow(prisma, email))?.confirmSentCount, 1);

    // While the lease holds, nobody else takes it.
    assert.equal((await world.services.subscriptions.processSignups()).claimed, 0);
    await waitUntil('the dead worker’s lease lapsed', async () => {
      const { nextAttemptAt } = await requestOf(world, email);
      return nextAttemptAt.getTime() < Date.now() - 50;
    });
    const report = await world.services.subscriptions.processSignups();
    assert.equal(report.sent, 1);
    const [mail] = world.sink.to(email);
    assert.equal(mail?.parsed.messageId, claimed.messageId);
    const request = await requestOf(world, email);
    assert.equal(request.status, 'sent');
    assert.equal(request.attempts, 2);
    assert.notEqual(request.claimedBy, 'dead-worker');
    assert.equal((await readerRow(prisma, email))?.confirmSentCount, 1, 'the takeover did not decide again');
  });
});
