import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAtomFeed } from 'feedsmith';
import { loadFixturePapers } from '../digest/fixture-papers.js';
import { createReaders } from '../digest/readers.js';
import { buildReaderWorld, csrfIn, FORM, form } from '../subscriptions/readers.js';

const DAY = '2026-07-21';

describe("a reader's personal Atom feed", () => {
  it('carries the matched papers with the why, validates, answers 304 to its validators, and dies when replaced', async () => {
    const world = await buildReaderWorld();
    const { prisma } = world.db;
    await loadFixturePapers(prisma, DAY);
    const [feedOnly, both] = await createReaders(prisma, [
      { email: 'feed@example.org', topics: ['agents'], maxPapers: 30, settings: { channel: 'feed' } },
      { email: 'both@example.org', topics: ['agents'], maxPapers: 30, settings: { channel: 'both' } },
    ]);
    const run = await world.services.digests.runDay(DAY, { trigger: 'test' });
    assert.equal(run.status, 'done');
    assert.equal(world.sink.to('feed@example.org').length, 0, 'a feed-only reader gets no digest email');
    assert.equal(world.sink.to('both@example.org').length, 1);

    const prefs = (await world.app.inject({ url: `/api/preferences/${feedOnly!.token}` })).json();
    const feedPath = new URL(prefs.feedUrl).pathname;
    const response = await world.app.inject({ url: feedPath });
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-type']), /^application\/atom\+xml/);
    const etag = String(response.headers.etag);
    const lastModified = String(response.headers['last-modified']);
    assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
    assert.ok(!Number.isNaN(Date.parse(lastModified)));

    const feed = parseAtomFeed(response.body);
    const selection = await prisma.selection.findFirstOrThrow({ where: { subscriberId: feedOnly!.id } });
    assert.equal(selection.byEmail, false);
    assert.equal(await prisma.delivery.count({ where: { subscriberId: feedOnly!.id } }), 0, 'never mailed');
    assert.ok(selection.paperIds.length >= 3);
    assert.ok(feed.id && feed.title && feed.updated, 'the feed has the id, title and updated RFC 4287 requires');
    assert.ok(feed.links?.some((l) => l.rel === 'self' && l.href === prefs.feedUrl));
    assert.equal(feed.entries?.length, selection.paperIds.length);
    const papers = await prisma.paper.findMany({ where: { id: { in: selection.paperIds } } });
    for (const [i, entry] of (feed.entries ?? []).entries()) {
      const paper = papers.find((p) => p.id === selection.paperIds[i])!;
      assert.ok(entry.id && entry.updated, 'each entry has an id and updated');
      const text = (v: unknown) => (typeof v === 'object' && v !== null ? (v as { value: string }).value : v);
      assert.equal(text(entry.title), paper.title.replace(/\s+/g, ' ').trim());
      assert.equal(entry.links?.[0]?.href, `https://huggingface.co/papers/${paper.id}`);
      assert.deepEqual(
        entry.authors?.map((a) => a.name),
        paper.authors,
      );
      assert.ok(String(text(entry.summary)).length > 20, 'a summary');
      assert.match(String(text(entry.content)), /Why you get this: LLM agents\./);
    }

    const unchanged = await world.app.inject({ url: feedPath, headers: { 'if-none-match': etag } });
    assert.equal(unchanged.statusCode, 304);
    assert.equal(unchanged.body, '');
    const notModified = await world.app.inject({ url: feedPath, headers: { 'if-modified-since': lastModified } });
    assert.equal(notModified.statusCode, 304);
    const stale = await world.app.inject({ url: feedPath, headers: { 'if-none-match': '"something-else"' } });
    assert.equal(stale.statusCode, 200);

    // The feed token grants the feed only, and the reader's own token is no feed token.
    assert.equal((await world.app.inject({ url: `/feed/${feedOnly!.token}` })).statusCode, 404);
    assert.equal((await world.app.inject({ url: `/preferences/${feedPath.split('/').pop()}` })).statusCode, 404);
    const other = (await world.app.inject({ url: `/api/preferences/${both!.token}` })).json();
    assert.notEqual(other.feedUrl, prefs.feedUrl, 'every reader has a feed of their own');

    // Replacing it from the preferences page: the old URL answers 404, the new one works.
    const page = await world.app.inject({ url: `/preferences/${feedOnly!.token}` });
    assert.ok(page.body.includes(prefs.feedUrl), 'the preferences page shows the feed address');
    const replaced = await world.app.inject({
      method: 'POST',
      url: `/preferences/${feedOnly!.token}/feed`,
      headers: FORM,
      payload: form({ csrf: csrfIn(page.body, '/feed') }),
    });
    assert.equal(replaced.statusCode, 200, replaced.body);
    const after = (await world.app.inject({ url: `/api/preferences/${feedOnly!.token}` })).json();
    assert.notEqual(after.feedUrl, prefs.feedUrl);
    assert.ok(replaced.body.includes(after.feedUrl));
    assert.equal((await world.app.inject({ url: feedPath })).statusCode, 404, 'the old feed URL is dead');
    const fresh = await world.app.inject({ url: new URL(after.feedUrl).pathname });
    assert.equal(fresh.statusCode, 200);
    assert.equal(parseAtomFeed(fresh.body).entries?.length, selection.paperIds.length);

    const forged = await world.app.inject({
      method: 'POST',
      url: `/preferences/${feedOnly!.token}/feed`,
      headers: FORM,
      payload: form({ csrf: 'forged' }),
    });
    assert.equal(forged.statusCode, 403, 'replacing needs the CSRF value of the page');
  });

  it('a reader whose email bounced keeps the selection, and the feed shows it', async () => {
    const world = await buildReaderWorld();
    const { prisma } = world.db;
    await loadFixturePapers(prisma, DAY);
    const [reader] = await createReaders(prisma, [
      { email: 'gone@example.org', topics: ['agents'], maxPapers: 30, settings: { channel: 'both' } },
    ]);
    world.sink.setPolicy((to) =>
      to.includes('gone@example.org') ? { code: 550, message: '5.1.1 <gone@example.org>: user unknown' } : undefined,
    );
    await world.services.digests.runDay(DAY, { trigger: 'test' });
    const delivery = await prisma.delivery.findFirstOrThrow({
      where: { subscriberId: reader!.id },
      include: { selection: true, subscriber: true },
    });
    assert.equal(delivery.status, 'failed');
    assert.equal(delivery.subscriber.status, 'bounced');
    assert.ok(delivery.selection.paperIds.length >= 3, 'the selection stays');

    const feed = await world.app.inject({ url: `/feed/${delivery.subscriber.feedToken}` });
    assert.equal(feed.statusCode, 200);
    assert.deepEqual(
      parseAtomFeed(feed.body).entries?.map((e) => e.id),
      delivery.selection.paperIds.map((id) => `tag:papermail,2026:paper:${id}`),
    );
  });
});
