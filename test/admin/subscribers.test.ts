import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seedTopics } from '../../src/topics/seed-topics.js';
import { buildTestApp } from '../helpers/app.js';
import { createDelivery, dayDigest } from '../helpers/deliveries.js';
import { addReader, auth } from './admin-helpers.js';

interface Listed {
  total: number;
  limit: number;
  offset: number;
  subscribers: { id: number; email: string; status: string; topics: string[] }[];
}

describe('admin: readers', () => {
  it('lists readers filtered by status, topic and part of the address, a page at a time with the total', async () => {
    const { app, db } = await buildTestApp();
    await seedTopics(db.prisma);
    const p = db.prisma;
    await addReader(p, { email: 'ada@example.org', topics: ['agents', 'reasoning'] });
    await addReader(p, { email: 'a_b@example.org', topics: ['agents'] });
    await addReader(p, { email: 'axb@example.org', status: 'pending', topics: ['agents'] });
    await addReader(p, { email: 'Bob@Lab.example.net', status: 'paused', topics: ['reasoning'] });
    await addReader(p, { email: 'carol@example.org', status: 'unsubscribed' });
    await addReader(p, { email: 'dan@example.org', topics: ['speech-audio'] });
    await addReader(p, { email: '100%real@example.org' });

    const list = async (query: string) => {
      const res = await app.inject({ url: `/api/admin/subscribers${query}`, headers: auth });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Listed;
    };
    const emails = (page: Listed) => page.subscribers.map((s) => s.email);

    const all = await list('');
    assert.equal(all.total, 7);
    assert.deepEqual(emails(all), [
      'ada@example.org',
      'a_b@example.org',
      'axb@example.org',
      'Bob@Lab.example.net',
      'carol@example.org',
      'dan@example.org',
      '100%real@example.org',
    ]);
    assert.deepEqual(all.subscribers[0], {
      ...all.subscribers[0],
      status: 'active',
      topics: ['agents', 'reasoning'],
      keywords: [],
      maxPapers: 10,
      topWhenNoMatch: false,
      unsubscribedAt: null,
      erasedAt: null,
    });

    assert.deepEqual(emails(await list('?status=active')), [
      'ada@example.org',
      'a_b@example.org',
      'dan@example.org',
      '100%real@example.org',
    ]);
    assert.deepEqual(emails(await list('?topic=agents')), ['ada@example.org', 'a_b@example.org', 'axb@example.org']);
    assert.deepEqual(emails(await list('?topic=agents&status=active')), ['ada@example.org', 'a_b@example.org']);
    assert.deepEqual(emails(await list('?email=LAB.EXAMPLE')), ['Bob@Lab.example.net'], 'any case');
    // % and _ are characters of addresses here, not wildcards.
    assert.deepEqual(emails(await list('?email=a_b')), ['a_b@example.org']);
    assert.deepEqual(emails(await list(`?email=${encodeURIComponent('100%')}`)), ['100%real@example.org']);
    assert.deepEqual(emails(await list('?email=nobody')), []);

    const page = await list('?limit=2&offset=2');
    assert.deepEqual([page.total, page.limit, page.offset], [7, 2, 2]);
    assert.deepEqual(emails(page), ['axb@example.org', 'Bob@Lab.example.net']);
    const last = await list('?limit=5&offset=5');
    assert.deepEqual(emails(last), ['dan@example.org', '100%real@example.org']);

    const unknownTopic = await app.inject({ url: '/api/admin/subscribers?topic=no-such-topic', headers: auth });
    assert.equal(unknownTopic.statusCode, 400);
    assert.match(unknownTopic.json().message, /no topic "no-such-topic"/);
    const badStatus = await app.inject({ url: '/api/admin/subscribers?status=happy', headers: auth });
    assert.equal(badStatus.statusCode, 400);
    const tooMany = await app.inject({ url: '/api/admin/subscribers?limit=100000', headers: auth });
    assert.equal(tooMany.statusCode, 400);
    assert.equal(await db.prisma.auditEntry.count(), 0, 'looking at the list is not logged (README, "Audit")');
  });

  it("erases a reader's personal data, keeps their deliveries anonymised, and old links find no one", async () => {
    const { app, db } = await buildTestApp();
    await seedTopics(db.prisma);
    const p = db.prisma;
    const id = await addReader(p, {
      email: 'Alice.Private@example.org',
      topics: ['agents', 'reasoning'],
      keywords: ['mixture of experts', 'rl'],
      confirmToken: 'still-pending-confirm-token-123456',
    });
    const other = await addReader(p, {
      email: 'bob@example.org',
      topics: ['agents'],
      keywords: ['mixture of experts'],
    });
    const before = await p.subscriber.findUniqueOrThrow({ where: { id } });
    const digest = await dayDigest(p, '2026-07-01');
    await createDelivery(p, {
      digestId: digest.id,
      subscriberId: id,
      status: 'failed',
      attempts: 1,
      lastError: '550 5.1.1 <alice.private@example.org>: Recipient address rejected',
      messageId: '<d1.abc@papermail.test>',
      paperIds: ['2401.00001', '2401.00002'],
      matches: {
        '2401.00001': { topics: ['agents'], keywords: ['mixture of experts'] },
        '2401.00002': { topics: ['reasoning'], keywords: ['RL'], note: 'world models and RL' },
      },
    });
    await createDelivery(p, {
      digestId: digest.id,
      subscriberId: other,
      status: 'sent',
      paperIds: ['2401.00001'],
      matches: { '2401.00001': { keywords: ['mixture of experts'] } },
    });
    // Sign-up requests hold the address and what a form asked for: one processed, one still queued, and Bob's.
    await p.signupRequest.create({
      data: {
        email: 'Alice.Private@example.org',
        emailKey: 'alice.private@example.org',
        subscriberId: id,
        keywords: ['rl'],
      },
    });
    await p.signupRequest.create({
      data: { email: 'alice.private@example.org', emailKey: 'alice.private@example.org' },
    });
    await p.signupRequest.create({
      data: { email: 'bob@example.org', emailKey: 'bob@example.org', subscriberId: other },
    });

    const res = await app.inject({ method: 'DELETE', url: `/api/admin/subscribers/${id}`, headers: auth });
    assert.equal(res.statusCode, 200, res.body);
    const remaining = await p.signupRequest.findMany({ select: { emailKey: true } });
    assert.deepEqual(remaining, [{ emailKey: 'bob@example.org' }], "the reader's sign-up requests are gone");
    const erased = res.json() as { id: number; erasedAt: string; deliveries: number; alreadyErased: boolean };
    assert.deepEqual(erased, { id, erasedAt: erased.erasedAt, deliveries: 1, alreadyErased: false });

    const after = await p.subscriber.findUniqueOrThrow({ where: { id }, include: { topics: true } });
    assert.equal(after.email, `erased-${id}@invalid`);
    assert.equal(after.emailKey, `erased-${id}@invalid`);
    assert.equal(after.status, 'unsubscribed');
    assert.equal(after.erasedAt?.toISOString(), erased.erasedAt);
    assert.ok(after.unsubscribedAt);
    assert.deepEqual(after.keywords, []);
    assert.deepEqual(after.topics, []);
    assert.equal(after.confirmToken, null);
    assert.notEqual(after.token, before.token);
    assert.equal(await p.subscriber.findUnique({ where: { token: before.token } }), null, 'the old links find no one');
    assert.equal(
      await p.subscriber.findUnique({ where: { confirmToken: 'still-pending-confirm-token-123456' } }),
      null,
    );

    const [kept] = await p.delivery.findMany({ where: { subscriberId: id }, include: { selection: true } });
    assert.equal(kept?.status, 'failed', 'the history stays');
    assert.deepEqual(kept?.selection.paperIds, ['2401.00001', '2401.00002']);
    assert.equal(kept?.lastError, `550 5.1.1 <erased-${id}@invalid>: Recipient address rejected`);
    assert.deepEqual(kept?.selection.matches, {
      '2401.00001': { topics: ['agents'], keywords: ['(erased)'] },
      '2401.00002': { topics: ['reasoning'], keywords: ['(erased)'], note: 'world models and (erased)' },
    });
    const whole = JSON.stringify(
      await p.subscriber.findUniqueOrThrow({ where: { id }, include: { deliveries: true, selections: true } }),
    );
    assert.ok(!/alice|private|mixture/i.test(whole), whole);
    const [untouched] = await p.selection.findMany({ where: { subscriberId: other } });
    assert.deepEqual(
      untouched?.matches,
      { '2401.00001': { keywords: ['mixture of experts'] } },
      'other readers keep theirs',
    );

    const listed = await app.inject({ url: '/api/admin/subscribers?email=alice', headers: auth });
    assert.equal(listed.json().total, 0);

    const again = await app.inject({ method: 'DELETE', url: `/api/admin/subscribers/${id}`, headers: auth });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().alreadyErased, true);
    const missing = await app.inject({ method: 'DELETE', url: '/api/admin/subscribers/999999', headers: auth });
    assert.equal(missing.statusCode, 404);

    const entries = await p.auditEntry.findMany({ where: { action: 'subscriber.erase' }, orderBy: { id: 'asc' } });
    assert.deepEqual(
      entries.map((e) => [e.actor, e.params, e.result]),
      [
        ['admin-api 127.0.0.1', { id }, { deliveries: 1, alreadyErased: false }],
        ['admin-api 127.0.0.1', { id }, { deliveries: 1, alreadyErased: true }],
        [
          'admin-api 127.0.0.1',
          { id: 999999 },
          { error: 'PAPERMAIL_ERR_NOT_FOUND', message: 'There is no reader 999999.' },
        ],
      ],
    );
  });
});
