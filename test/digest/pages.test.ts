import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prepareDigest } from '../../src/digest/prepare-digest.js';
import { buildTestApp } from '../helpers/app.js';
import { loadFixturePapers } from './fixture-papers.js';

describe('the web version of digests', () => {
  it('GET /digests/:date shows the day’s papers, escaped, and GET /digests lists every digest', async () => {
    const { app, db } = await buildTestApp();
    const papers = await loadFixturePapers(db.prisma, '2026-07-31');
    await loadFixturePapers(db.prisma, '2026-07-30');
    await db.prisma.paper.create({
      data: { id: '2607.00001', title: 'Tags <i>in</i> & titles', authors: ['A'], abstract: 'x' },
    });
    await db.prisma.listing.create({
      data: { date: new Date('2026-07-31T00:00:00Z'), paperId: '2607.00001', source: 'file', rank: 50 },
    });
    // A digest exists for a day once it has been prepared (even with no readers yet).
    await prepareDigest(db.prisma, '2026-07-31');
    await prepareDigest(db.prisma, '2026-07-30');

    const day = await app.inject({ url: '/digests/2026-07-31' });
    assert.equal(day.statusCode, 200);
    assert.match(day.headers['content-type'] as string, /^text\/html/);
    assert.match(day.body, /<title>Trending AI papers, July 31, 2026 · papermail<\/title>/);
    assert.ok(day.body.includes(`${papers.length + 1} papers on the day's list`));
    assert.ok(day.body.includes('href="https://huggingface.co/papers/2607.28624"'));
    assert.ok(day.body.includes('href="https://arxiv.org/pdf/2607.28624"'));
    assert.ok(day.body.includes('PhiZero: A World Model Built Around Physical Language'));
    assert.ok(day.body.includes('Tags &lt;i&gt;in&lt;/i&gt; &amp; titles'), 'paper text is escaped');
    assert.ok(day.body.indexOf('PhiZero') < day.body.indexOf('Tags &lt;i&gt;'), 'most upvoted first');
    assert.ok(day.body.includes('href="/digests/2026-07-30"'), 'links to the day before');

    const archive = await app.inject({ url: '/digests' });
    assert.equal(archive.statusCode, 200);
    const first = archive.body.indexOf('href="/digests/2026-07-31"');
    const second = archive.body.indexOf('href="/digests/2026-07-30"');
    assert.ok(first > 0 && second > first, 'newest first');
    assert.match(archive.body, /July 31, 2026<\/a> <span class="meta">· 35 papers/);
  });

  it('answers 404 for a day without a digest and 400 for something that is not a date', async () => {
    const { app } = await buildTestApp();
    const missing = await app.inject({ url: '/digests/2026-01-01' });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.body, /No digest for 2026-01-01/);
    const bad = await app.inject({ url: '/digests/yesterday' });
    assert.equal(bad.statusCode, 400);
    const impossible = await app.inject({ url: '/digests/2026-02-30' });
    assert.equal(impossible.statusCode, 400);
    assert.match(impossible.json().message, /not a real calendar date/);
    const empty = await app.inject({ url: '/digests' });
    assert.match(empty.body, /No digest has been sent yet/);
  });
});
