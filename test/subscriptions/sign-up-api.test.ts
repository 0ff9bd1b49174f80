import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONFIRMATIONS_PER_DAY } from '../../src/subscriptions/decide-signup.js';
import { activeReader, buildReaderWorld, freshIp, linkIn, pressConfirm, readerRow, signUp } from './readers.js';

/** Everything in a response a client could compare, minus the clock. */
function observable(response: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  const { date: _date, 'x-ratelimit-reset': _reset, ...headers } = response.headers;
  return { status: response.statusCode, headers, body: response.body };
}

describe('POST /api/subscriptions', () => {
  it('lists the topic catalog at GET /api/topics', async () => {
    const world = await buildReaderWorld();
    const response = await world.app.inject({ url: '/api/topics' });
    assert.equal(response.statusCode, 200);
    const topics = response.json() as { slug: string; name: string; description: string }[];
    assert.ok(topics.length >= 15);
    const speculative = topics.find((t) => t.slug === 'speculative-decoding');
    assert.equal(speculative?.name, 'Speculative decoding');
    assert.ok(speculative?.description);
    const spec = (await world.app.inject({ url: '/docs/json' })).json();
    for (const path of ['/api/topics', '/api/subscriptions', '/api/preferences/{token}', '/unsubscribe/{token}']) {
      assert.ok(spec.paths[path], `the OpenAPI document describes ${path}`);
    }
  });

  it('answers every address state identically, having written only the request, and then mails each what it needs', async () => {
    const world = await buildReaderWorld();
    const { prisma } = world.db;
    const { subscriptions } = world.services;
    // Set up a pending, an active, a paused, an unsubscribed, a bounced and a complained reader (the new one is new).
    await signUp(world, { email: 'pending@example.org', topics: ['agents'] });
    const activeToken = await activeReader(world, 'active@example.org');
    await subscriptions.pause(await activeReader(world, 'paused@example.org'));
    const leaverToken = await activeReader(world, 'leaver@example.org');
    await subscriptions.unsubscribe(leaverToken);
    for (const status of ['bounced', 'complained'] as const) {
      await prisma.subscriber.update({
        where: { token: await activeReader(world, `${status}@example.org`) },
        data: { status },
      });
    }
    const firstPendingLink = linkIn(world.sink.to('pending@example.org')[0]!, '/confirm/');
    // A fresh daily share for everyone, so that each state does its full work.
    await prisma.subscriber.updateMany({ data: { confirmSentCount: 0, confirmSentOn: null } });
    const mailsBefore = world.sink.messages.length;
    const readersBefore = await prisma.subscriber.findMany({ include: { topics: true }, orderBy: { id: 'asc' } });
    const requestsBefore = await prisma.signupRequest.count();

    const states = ['new', 'pending', 'active', 'paused', 'leaver', 'bounced', 'complained'];
    const responses = [];
    for (const state of states) {
      // Each from a client of its own, so that the rate-limit headers count the same for all.
      const response = await world.app.inject({
        method: 'POST',
        url: '/api/subscriptions',
        payload: { email: `${state}@example.org`, topics: ['reasoning', 'agents'], keywords: ['world model'] },
        remoteAddress: freshIp(),
      });
      responses.push(response);
    }
    const views = responses.map(observable);
    assert.equal(views[0]!.status, 202);
    assert.deepEqual(JSON.parse(views[0]!.body), {
      status: 'accepted',
      message: 'Thanks. If this address can get papermail, an email is on its way: follow its link to confirm.',
    });
    for (const view of views.slice(1)) assert.deepEqual(view, views[0]);
    // By the time of the answers nothing depending on the address had happened: one queued request each.
    assert.deepEqual(
      await prisma.subscriber.findMany({ include: { topics: true }, orderBy: { id: 'asc' } }),
      readersBefore,
    );
    const queued = await prisma.signupRequest.findMany({ where: { id: { gt: 0 } }, orderBy: { id: 'asc' } });
    assert.equal(queued.length, requestsBefore + states.length);
    for (const request of queued.slice(requestsBefore)) {
      assert.equal(request.status, 'pending');
      assert.equal(request.decidedAt, null);
      assert.deepEqual(request.keywords, ['world model']);
    }
    assert.equal(world.sink.messages.length, mailsBefore, 'no email before the queue is worked through');

    const report = await subscriptions.processSignups();
    assert.deepEqual(report, { claimed: 7, sent: 5, retried: 0, failed: 0, skipped: 2 });
    assert.equal(world.sink.messages.length, mailsBefore + 5, 'one email per sign-up, none to bounced or complained');
    const last = (email: string) => world.sink.to(email).at(-1)!;

    assert.equal(last('new@example.org').parsed.subject, 'Confirm your papermail subscription');
    // A pending address gets the same, still valid link again.
    assert.equal(last('pending@example.org').parsed.subject, 'Confirm your papermail subscription');
    assert.equal(linkIn(last('pending@example.org'), '/confirm/'), firstPendingLink);
    // Active and paused addresses get a note with their preferences link; nothing about them changed.
    assert.equal(last('active@example.org').parsed.subject, 'You are already subscribed to papermail');
    assert.equal(linkIn(last('active@example.org'), '/preferences/'), `/preferences/${activeToken}`);
    assert.equal(last('paused@example.org').parsed.subject, 'You are already subscribed to papermail');
    // An unsubscribed address gets a new confirmation link and stays unsubscribed until it is used.
    assert.equal(last('leaver@example.org').parsed.subject, 'Confirm your papermail subscription');
    const readersAfter = await prisma.subscriber.findMany({ include: { topics: true }, orderBy: { id: 'asc' } });
    for (const before of readersBefore) {
      const after = readersAfter.find((r) => r.id === before.id)!;
      assert.equal(after.status, before.status, `${before.email} keeps its status`);
      assert.equal(after.token, before.token, `${before.email}: the long-lived token never changes`);
      assert.deepEqual(after.keywords, before.keywords, `${before.email}: a sign-up does not change keywords`);
      assert.deepEqual(after.topics, before.topics, `${before.email}: a sign-up does not change topics`);
    }

    // The new address is a pending reader whose interests wait on its request until the link is pressed.
    const created = await readerRow(prisma, 'new@example.org');
    assert.equal(created?.status, 'pending');
    assert.deepEqual(created?.keywords, []);
    assert.deepEqual(created?.topics, []);
    assert.match(created!.token, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(created!.token, created!.confirmToken);
    assert.ok(!created!.token.toLowerCase().includes('new'), 'the token is random, not the address');
    assert.equal((await pressConfirm(world, linkIn(last('new@example.org'), '/confirm/'))).statusCode, 200);
    const confirmed = await readerRow(prisma, 'new@example.org');
    assert.equal(confirmed?.status, 'active');
    assert.deepEqual(confirmed?.keywords, ['world model']);
    assert.deepEqual(confirmed?.topics.map((t) => t.topic.slug).sort(), ['agents', 'reasoning']);
  });

  it('takes the delivery settings, keeps them on the queued request only, and applies them when the link is pressed', async () => {
    const world = await buildReaderWorld({ DIGEST_TIMEZONE: 'Europe/Berlin' });
    const { prisma } = world.db;
    const email = 'weekly@example.org';
    const response = await signUp(world, {
      email,
      topics: ['agents'],
      cadence: 'weekly',
      weekday: 5,
      timezone: 'asia/tokyo',
      hour: 8,
      channel: 'both',
      excludeKeywords: ['benchmark', ' Benchmark '],
      authors: ['José  Núñez', 'Ada Lovelace'],
    });
    assert.equal(response.statusCode, 202, response.body);
    const [request] = await prisma.signupRequest.findMany({ where: { emailKey: email } });
    assert.deepEqual(request?.settings, {
      cadence: 'weekly',
      weekday: 5,
      timezone: 'Asia/Tokyo',
      hour: 8,
      channel: 'both',
      excludeKeywords: ['benchmark'],
      authors: ['José Núñez', 'Ada Lovelace'],
    });
    const pending = await readerRow(prisma, email);
    assert.deepEqual(
      [pending?.cadence, pending?.timezone, pending?.hour, pending?.channel, pending?.authors],
      ['daily', null, null, 'email', []],
      'nothing reaches the reader before the link is pressed',
    );

    const link = linkIn(world.sink.to(email)[0]!, '/confirm/');
    const page = await world.app.inject({ url: link });
    for (const line of [
      'Weekly, on Friday',
      'At 08:00, Asia/Tokyo time',
      'Where: Email and feed',
      'Never about: benchmark',
      'Always papers by: José Núñez, Ada Lovelace',
    ]) {
      assert.ok(page.body.includes(line), `the confirmation page says "${line}"`);
    }
    assert.equal((await pressConfirm(world, link)).statusCode, 200);
    const confirmed = await readerRow(prisma, email);
    assert.equal(confirmed?.status, 'active');
    const preferences = (await world.app.inject({ url: `/api/preferences/${confirmed!.token}` })).json();
    assert.deepEqual(
      {
        cadence: preferences.cadence,
        weekday: preferences.weekday,
        timezone: preferences.timezone,
        hour: preferences.hour,
        channel: preferences.channel,
        excludeKeywords: preferences.excludeKeywords,
        authors: preferences.authors,
      },
      request?.settings,
    );

    // A sign-up that gives no settings leaves the reader on the operator's zone and hour (stored as none).
    await signUp(world, { email: 'plain@example.org', topics: ['agents'] });
    await pressConfirm(world, linkIn(world.sink.to('plain@example.org')[0]!, '/confirm/'));
    const plain = await readerRow(prisma, 'plain@example.org');
    assert.deepEqual([plain?.cadence, plain?.timezone, plain?.hour], ['daily', null, null]);
  });

  it('refuses bad delivery settings with a 400 naming the field, and queues nothing', async () => {
    const world = await buildReaderWorld();
    const base = { email: 'ada@example.org', topics: ['agents'] };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ cadence: 'monthly' }, /^body\/cadence must be one of daily, weekly \(got "monthly"\)/],
      [{ channel: 'pigeon' }, /^body\/channel must be one of email, feed, both/],
      [{ weekday: 0 }, /weekday/],
      [{ weekday: 8 }, /weekday/],
      [{ timezone: 'Mars/Olympus_Mons' }, /^timezone must be an IANA time zone/],
      [{ hour: 24 }, /hour/],
      [{ hour: 7.5 }, /hour/],
      [{ excludeKeywords: ['fine', 'a;b'] }, /^excludeKeywords: /],
      [{ excludeKeywords: 'benchmark' }, /excludeKeywords/],
      [{ authors: ['x'.repeat(101)] }, /^authors: /],
      [{ authors: ['Ada; Lovelace'] }, /^authors: a name cannot contain ";"/],
      [{ feedUrl: 'https://papers.example.org/feed/x' }, /unknown field "feedUrl"/],
    ];
    for (const [fields, reason] of cases) {
      const payload = { ...base, ...fields };
      const response = await world.app.inject({
        method: 'POST',
        url: '/api/subscriptions',
        payload,
        remoteAddress: freshIp(),
      });
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.match(response.json().message, reason, JSON.stringify(payload));
    }
    assert.equal(await world.db.prisma.signupRequest.count(), 0, 'nothing queued');
  });

  it('keeps the confirmation email free of anything the form filler typed except the address', async () => {
    const world = await buildReaderWorld();
    await signUp(world, { email: 'victim@example.org', keywords: ['BUY CHEAP PILLS at spam.example'] });
    const [mail] = world.sink.to('victim@example.org');
    assert.ok(mail);
    assert.doesNotMatch(mail.raw, /PILLS/);
    assert.equal(mail.header('auto-submitted'), 'auto-generated');
    assert.match(mail.parsed.html || '', /Confirm my subscription/);
    assert.match(mail.parsed.text ?? '', /https:\/\/papers\.example\.org\/confirm\//);
  });

  it('refuses line breaks, header injection, names, lists and over-long input with a 400 that says why', async () => {
    const world = await buildReaderWorld();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ email: 'ada@example.org\r\nBcc: eve@evil.test', topics: ['agents'] }, /line break/],
      [{ email: 'ada@example.org\nSubject: hi', topics: ['agents'] }, /line break/],
      [{ email: 'ada@example.org%0d%0aBcc:eve', topics: ['agents'] }, /domain is not valid/],
      [{ email: 'Ada <ada@example.org>', topics: ['agents'] }, /without a name/],
      [{ email: 'ada@example.org, eve@evil.test', topics: ['agents'] }, /one address/],
      [{ email: `${'a'.repeat(65)}@example.org`, topics: ['agents'] }, /64/],
      [{ email: 'ada@example.org', topics: ['agents'], keywords: ['fine', 'evil\r\nBcc: x@y.z'] }, /line break/],
      [{ email: 'ada@example.org', topics: ['agents', 'astrology', 'tarot'] }, /Unknown topic "astrology", "tarot"/],
      [{ email: 'ada@example.org', keywords: Array.from({ length: 11 }, (_, i) => `kw${i}`) }, /At most 10/],
      [{ email: 'ada@example.org', keywords: ['x'.repeat(61)] }, /longer than 60/],
      [{ email: 'ada@example.org', topics: [] }, /at least one topic/],
      [{ topics: ['agents'] }, /email/],
    ];
    for (const [payload, reason] of cases) {
      const response = await world.app.inject({
        method: 'POST',
        url: '/api/subscriptions',
        payload,
        remoteAddress: freshIp(),
      });
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.match(response.json().message, reason, JSON.stringify(payload));
    }
    await world.services.subscriptions.processSignups();
    assert.equal(await world.db.prisma.subscriber.count(), 0, 'nothing stored');
    assert.equal(await world.db.prisma.signupRequest.count(), 0, 'nothing queued');
    assert.equal(world.sink.messages.length, 0, 'nothing sent');
  });

  it('treats case variants of an address as one reader', async () => {
    const world = await buildReaderWorld();
    await signUp(world, { email: 'Ada.Lovelace@Example.ORG', topics: ['agents'] });
    await signUp(world, { email: 'ada.lovelace@example.org', topics: ['reasoning'] });
    const rows = await world.db.prisma.subscriber.findMany();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.emailKey, 'ada.lovelace@example.org');
    const mails = world.sink.messages.filter((m) => m.envelopeTo[0]?.toLowerCase() === 'ada.lovelace@example.org');
    assert.equal(mails.length, 2);
    assert.deepEqual(
      mails.map((m) => m.envelopeTo[0]),
      ['Ada.Lovelace@example.org', 'ada.lovelace@example.org'],
      'mail goes to the address as typed last, while it is not confirmed',
    );
    assert.equal(linkIn(mails[0]!, '/confirm/'), linkIn(mails[1]!, '/confirm/'), 'one link while it is open');
    await pressConfirm(world, linkIn(mails[0]!, '/confirm/'));
    const row = await readerRow(world.db.prisma, 'ada.lovelace@example.org');
    assert.deepEqual(
      row?.topics.map((t) => t.topic.slug),
      ['reasoning'],
      'the latest unconfirmed sign-up wins',
    );
  });

  it('makes one reader of simultaneous sign-ups of one address', async () => {
    const world = await buildReaderWorld();
    const request = await world.services.subscriptions.prepareSignup({ email: 'race@example.org', topics: ['agents'] });
    await Promise.all([1, 2, 3].map(() => world.services.subscriptions.acceptSignup(request)));
    // Two workers at once, as two instances would run them.
    await Promise.all([world.services.subscriptions.processSignups(), world.services.subscriptions.processSignups()]);
    assert.equal(await world.db.prisma.subscriber.count(), 1);
    assert.equal(world.sink.to('race@example.org').length, CONFIRMATIONS_PER_DAY);
  });

  it(`sends at most ${CONFIRMATIONS_PER_DAY} emails to one address a day, however often it is signed up`, async () => {
    const world = await buildReaderWorld();
    for (let i = 0; i < 6; i++) {
      const response = await signUp(world, { email: 'flooded@example.org', topics: ['agents'] });
      assert.equal(response.statusCode, 202, 'the answer does not change when the limit is reached');
    }
    assert.equal(world.sink.to('flooded@example.org').length, CONFIRMATIONS_PER_DAY);
    const row = await readerRow(world.db.prisma, 'flooded@example.org');
    assert.equal(row?.confirmSentCount, CONFIRMATIONS_PER_DAY);

    // The next day the address has a new share.
    const request = await world.services.subscriptions.prepareSignup({
      email: 'flooded@example.org',
      topics: ['agents'],
    });
    const tomorrow = new Date(Date.now() + 86_400_000);
    await world.services.subscriptions.acceptSignup(request);
    const report = await world.services.subscriptions.processSignups({ now: tomorrow });
    assert.equal(report.sent, 1);
    assert.equal(world.sink.to('flooded@example.org').length, CONFIRMATIONS_PER_DAY + 1);

    // The share covers the notes to active readers too: an active reader cannot be flooded either.
    await activeReader(world, 'busy@example.org');
    for (let i = 0; i < 5; i++) await signUp(world, { email: 'busy@example.org', topics: ['agents'] });
    const notes = world.sink.to('busy@example.org').filter((m) => m.parsed.subject?.includes('already'));
    assert.equal(notes.length, CONFIRMATIONS_PER_DAY - 1, 'the confirmation used one of the day’s share');
  });

  it('limits sign-ups per client IP with a 429 that says when to retry', async () => {
    const world = await buildReaderWorld({ SIGNUP_RATE_LIMIT: '3' });
    const post = (remoteAddress: string, i: number) =>
      world.app.inject({
        method: 'POST',
        url: '/api/subscriptions',
        payload: { email: `ip${i}@example.org`, topics: ['agents'] },
        remoteAddress,
      });
    for (let i = 0; i < 3; i++) assert.equal((await post('198.51.100.7', i)).statusCode, 202);
    const refused = await post('198.51.100.7', 4);
    assert.equal(refused.statusCode, 429);
    assert.match(refused.json().message, /Too many requests: try again in/);
    assert.ok(refused.headers['retry-after']);
    assert.equal((await post('198.51.100.8', 5)).statusCode, 202, 'another client is not affected');
    await world.services.subscriptions.processSignups();
    assert.equal(await world.db.prisma.subscriber.count({ where: { email: 'ip4@example.org' } }), 0);
  });

  it('writes nothing to an address that bounced or complained, and answers the same', async () => {
    const world = await buildReaderWorld();
    const token = await activeReader(world, 'gone@example.org');
    await world.db.prisma.subscriber.update({ where: { token }, data: { status: 'bounced' } });
    const before = world.sink.messages.length;
    const response = await signUp(world, { email: 'gone@example.org', topics: ['agents'] });
    assert.equal(response.statusCode, 202);
    assert.equal(world.sink.messages.length, before);
    assert.equal((await readerRow(world.db.prisma, 'gone@example.org'))?.status, 'bounced');
  });
});
