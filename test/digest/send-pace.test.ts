import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { busiestWindow } from '../helpers/arrivals.js';
import { createManyReaders } from './readers.js';
import { DAY, setupSendingDay } from './sending-setup.js';

const TOPIC = { topics: ['speculative-decoding'] };

const setup = setupSendingDay;

describe('sender threads and shared limits', () => {
  it('SEND_WORKERS=2: two sender threads share the day, every reader gets exactly one digest', async () => {
    const { db, sink, services } = await setup({ SEND_WORKERS: '2', SEND_BATCH_SIZE: '10', SEND_CONCURRENCY: '2' });
    const readers = await createManyReaders(db.prisma, 120, TOPIC);
    const run = await services.digests.runDay(DAY, { trigger: 'test' });
    await services.close();
    assert.equal(run.status, 'done');
    assert.equal(run.counts!.sent, 120);
    for (const r of readers) assert.equal(sink.to(r.email).length, 1, r.email);
    const claimers = await db.prisma.delivery.groupBy({ by: ['claimedBy'], _count: true });
    assert.equal(claimers.length, 2, `claimed by ${claimers.map((c) => c.claimedBy).join(', ')}`);
    for (const c of claimers) assert.ok(c._count > 0);
  });

  it('SEND_RATE is one budget for all threads: 2 threads at SEND_RATE=40 never send faster together', async () => {
    const { db, services, arrivals } = await setup({ SEND_WORKERS: '2', SEND_RATE: '40', SEND_CONCURRENCY: '3' });
    await createManyReaders(db.prisma, 200, TOPIC);
    const run = await services.digests.runDay(DAY, { trigger: 'test' });
    await services.close();
    assert.equal(run.counts!.sent, 200);
    const times = arrivals.map((a) => a.at);
    const span = (Math.max(...times) - Math.min(...times)) / 1000;
    // 200 messages at 40/s: at least (200 - the bucket's burst of 8 and the 2 x 2 tokens the threads hold) / 40.
    assert.ok(span >= (200 - 12) / 40 - 0.1, `200 messages in ${span.toFixed(2)} s`);
    // Times are arrivals at the relay, not token takes: a message that took its token just before a window may land
    // in it, at most what is in flight (2 threads x 3 connections) on top of the tokens.
    const most = busiestWindow(times, 2000);
    assert.ok(most <= 2 * 40 + 12 + 2 * 3, `${most} messages within 2 s`);
  });

  it('SEND_DOMAIN_RATES paces one domain and lets the others through at full speed', async () => {
    const { db, services, arrivals } = await setup({ SEND_DOMAIN_RATES: 'slow.example:5', SEND_CONCURRENCY: '3' });
    await createManyReaders(db.prisma, 15, TOPIC, 'slow', 'slow.example');
    await createManyReaders(db.prisma, 60, TOPIC, 'fast', 'fast.example');
    const run = await services.digests.runDay(DAY, { trigger: 'test' });
    await services.close();
    assert.equal(run.counts!.sent, 75);
    const slow = arrivals.filter((a) => a.to.endsWith('@slow.example')).map((a) => a.at);
    const fast = arrivals.filter((a) => a.to.endsWith('@fast.example')).map((a) => a.at);
    const spanSlow = (Math.max(...slow) - Math.min(...slow)) / 1000;
    assert.ok(spanSlow >= (15 - 2) / 5 - 0.1, `15 slow.example messages in ${spanSlow.toFixed(2)} s`);
    assert.ok(busiestWindow(slow, 1000) <= 5 + 2, `slow.example: ${busiestWindow(slow, 1000)} within 1 s`);
    // The fast domain did not wait for the slow one: it was done before half the slow messages were sent.
    assert.ok(Math.max(...fast) < [...slow].sort((a, b) => a - b)[7]!, 'fast.example waited for slow.example');
  });

  it('a 421 from one domain pauses that domain, not the send, and its digests arrive on a retry', async () => {
    const { db, sink, services } = await setup({ SEND_CONCURRENCY: '2', SEND_BATCH_SIZE: '50' });
    await createManyReaders(db.prisma, 10, TOPIC, 'busy', 'busy.example');
    const ok = await createManyReaders(db.prisma, 40, TOPIC, 'ok', 'ok.example');
    const refused: number[] = [];
    const accepted: { at: number; to: string }[] = [];
    sink.setPolicy((to) => {
      if (to[0]!.endsWith('@busy.example') && refused.length === 0) {
        refused.push(performance.now());
        return { code: 421, message: '4.7.0 Try again later, closing connection' };
      }
      accepted.push({ at: performance.now(), to: to[0]! });
      return undefined;
    });
    const run = await services.digests.runDay(DAY, { trigger: 'test' });
    await services.close();
    assert.equal(run.status, 'done');
    assert.equal(run.counts!.sent, 50);
    for (const r of ok) assert.equal(sink.to(r.email).length, 1);
    const busy = accepted.filter((a) => a.to.endsWith('@busy.example')).map((a) => a.at);
    // During its first pause (1 s) busy.example got only what was on its way already (2 x SEND_CONCURRENCY), the
    // rest after the pause; ok.example went on meanwhile.
    const pause = (at: number) => at > refused[0]! && at < refused[0]! + 950;
    assert.ok(busy.filter(pause).length <= 4, `${busy.filter(pause).length} busy.example messages during the pause`);
    assert.ok(busy.filter((at) => at >= refused[0]! + 950).length >= 5, 'busy.example after the pause');
    const okDuringPause = accepted.filter((a) => a.to.endsWith('@ok.example') && pause(a.at));
    assert.ok(okDuringPause.length > 0, 'ok.example waited for busy.example');
    const retried = await db.prisma.delivery.count({ where: { attempts: 2 } });
    assert.equal(retried, 1, 'only the refused digest needed a second attempt');
  });
});
