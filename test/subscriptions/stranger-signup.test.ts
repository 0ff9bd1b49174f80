// F4 of the security review: a stranger signs up the address of a reader who once confirmed and then left, with
// interests and delivery settings of their own. Nothing about the reader may change until a confirmation link is
// pressed; "Subscribe
// again" brings the reader back with their own interests, and the next digest carries nothing the stranger typed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadSeedPapers } from '../helpers/seed-papers.js';
import { buildReaderWorld, freshIp, linkIn, pressConfirm, readerRow, signUp } from './readers.js';

const DAY = '2026-07-31';
const STRANGER_TEXT = 'agents or visit evil.example to claim';
/** Settings a stranger might slip in: no digest emails any more, never the reader's topic, at 03:00 somewhere. */
const STRANGER_SETTINGS = {
  cadence: 'weekly',
  weekday: 7,
  timezone: 'Pacific/Kiritimati',
  hour: 3,
  channel: 'feed',
  excludeKeywords: ['speculative decoding'],
  authors: ['Evil Stranger'],
};

describe("a stranger's sign-up of someone else's address", () => {
  it('leaves a lapsed reader’s interests alone; "Subscribe again" restores their own, and so does the digest', async () => {
    const world = await buildReaderWorld();
    const { prisma } = world.db;
    await loadSeedPapers(prisma, DAY);
    const email = 'lapsed@example.org';
    await signUp(world, {
      email,
      topics: ['speculative-decoding'],
      keywords: ['my own keyword'],
      timezone: 'Europe/Berlin',
      hour: 6,
      authors: ['Ada Lovelace'],
    });
    assert.equal((await pressConfirm(world, linkIn(world.sink.to(email)[0]!, '/confirm/'))).statusCode, 200);
    const { token } = (await readerRow(prisma, email))!;
    // The reader leaves with the one-click link of a digest.
    const left = await world.app.inject({
      method: 'POST',
      url: `/unsubscribe/${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    assert.equal(left.statusCode, 200);
    const before = await readerRow(prisma, email);

    // The stranger, exactly as in the review's reproduction.
    const stranger = await world.app.inject({
      method: 'POST',
      url: '/api/subscriptions',
      payload: { email, topics: ['evaluation'], keywords: [STRANGER_TEXT], ...STRANGER_SETTINGS },
      remoteAddress: freshIp(),
    });
    assert.equal(stranger.statusCode, 202);
    await world.services.subscriptions.processSignups();

    const after = await readerRow(prisma, email);
    assert.equal(after?.status, 'unsubscribed');
    assert.deepEqual(after?.keywords, ['my own keyword'], 'the stored keywords are the reader’s');
    assert.deepEqual(after?.topics, before?.topics, 'the stored topics are the reader’s');
    assert.deepEqual(
      [after?.cadence, after?.weekday, after?.timezone, after?.hour, after?.channel],
      ['daily', 1, 'Europe/Berlin', 6, 'email'],
      'the stored delivery settings are the reader’s',
    );
    assert.deepEqual(after?.excludeKeywords, []);
    assert.deepEqual(after?.authors, ['Ada Lovelace']);
    assert.equal(after?.email, before?.email);
    assert.equal(after?.token, before?.token);
    // The address gets a confirmation link; its page shows what the stranger asked for before anything is pressed.
    const strangerMail = world.sink.to(email).at(-1)!;
    assert.doesNotMatch(strangerMail.raw, /evil\.example/, 'the email carries nothing the stranger typed');
    const page = await world.app.inject({ url: linkIn(strangerMail, '/confirm/') });
    assert.match(page.body, /agents or visit evil\.example to claim/);
    assert.match(page.body, /Where: Feed only/, 'and the settings it would apply');
    assert.match(page.body, /Confirm my subscription/);

    // "Subscribe again" (the JSON API here, as in the review) brings back the reader's own choice.
    const back = await world.app.inject({
      method: 'PUT',
      url: `/api/preferences/${token}`,
      payload: { status: 'active' },
    });
    assert.equal(back.statusCode, 200);
    assert.equal(back.json().status, 'active');
    assert.deepEqual(back.json().keywords, ['my own keyword']);
    assert.deepEqual(back.json().topics, ['speculative-decoding']);
    assert.equal(back.json().channel, 'email');
    assert.equal(back.json().timezone, 'Europe/Berlin');
    assert.deepEqual(back.json().excludeKeywords, []);

    // And the digest that follows is about the reader's interests only.
    const run = await world.services.digests.runDay(DAY, { trigger: 'test' });
    assert.equal(run.status, 'done');
    const digest = world.sink.to(email).at(-1)!;
    assert.notEqual(digest, strangerMail, 'a digest arrived');
    assert.doesNotMatch(digest.raw, /evil\.example/);
    assert.doesNotMatch(digest.parsed.subject ?? '', /evil|Evaluation/);
    assert.match(digest.parsed.text ?? '', /Speculative decoding/);
  });

  it('changes nothing of an active reader, whose stranger-sent note carries no link to confirm', async () => {
    const world = await buildReaderWorld();
    const { prisma } = world.db;
    const email = 'active@example.org';
    await signUp(world, { email, topics: ['agents'], keywords: ['my own keyword'] });
    await pressConfirm(world, linkIn(world.sink.to(email)[0]!, '/confirm/'));
    const before = await readerRow(prisma, email);
    await signUp(world, { email, topics: ['evaluation'], keywords: [STRANGER_TEXT], ...STRANGER_SETTINGS });
    const note = world.sink.to(email).at(-1)!;
    assert.equal(note.parsed.subject, 'You are already subscribed to papermail');
    assert.doesNotMatch(note.parsed.text ?? '', /\/confirm\//);
    const after = await readerRow(prisma, email);
    assert.deepEqual(
      { ...after, confirmSentCount: 0, updatedAt: null },
      { ...before, confirmSentCount: 0, updatedAt: null },
      'only the daily email count moved',
    );
  });
});
