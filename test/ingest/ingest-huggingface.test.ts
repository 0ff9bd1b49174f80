import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createIngestService } from '../../src/ingest/ingest-service.js';
import { createLogger } from '../../src/logger.js';
import { testConfig } from '../helpers/app.js';
import {
  DAILY_PAPERS_PATH,
  type HfItem,
  readDailyPapersFixture,
  routeDailyPapers,
} from '../helpers/daily-papers-route.js';
import { createTestDatabase } from '../helpers/database.js';
import { startFixtureServer } from '../helpers/fixture-server.js';
import { rejection } from '../helpers/rejection.js';

const PAGE_SIZE = 10;

/** A fresh database, a fake Hugging Face serving the saved days, and the ingest service pointed at both. */
async function setup(env: Record<string, string> = {}) {
  const db = await createTestDatabase();
  const server = await startFixtureServer();
  routeDailyPapers(server);
  const config = testConfig({ HF_BASE_URL: server.baseUrl, ...env }, db);
  const ingest = createIngestService({
    prisma: db.prisma,
    config,
    log: createLogger('silent'),
    tuning: { retryBaseMs: 5, hfPageSize: PAGE_SIZE },
  });
  const pageRequests = () =>
    server.requests.filter((r) => r.url.pathname === DAILY_PAPERS_PATH).map((r) => r.url.searchParams.get('p'));
  const listingsOn = (day: string) =>
    db.prisma.listing.findMany({ where: { date: new Date(`${day}T00:00:00Z`) }, orderBy: { rank: 'asc' } });
  return { db, server, ingest, pageRequests, listingsOn };
}

describe('ingest from Hugging Face Daily Papers', () => {
  it('stores a current-shape day read over several pages, ranked by upvotes, with its links and AI fields', async () => {
    const { db, ingest, pageRequests, listingsOn, server } = await setup();
    const items = readDailyPapersFixture('2026-07-31');

    const report = await ingest.ingestDay('2026-07-31', 'huggingface');

    assert.deepEqual(pageRequests(), ['0', '1', '2', '3'], '34 items at 10 a page: three full pages and a short one');
    assert.equal(report.fetched, 34);
    assert.equal(report.created, 34);
    assert.equal(report.newPapers, 34);
    assert.deepEqual(report.skipped, []);
    const listings = await listingsOn('2026-07-31');
    assert.equal(listings.length, 34);
    assert.deepEqual(
      listings.map((l) => l.upvotes),
      [...items.map((i) => i.paper.upvotes)].sort((a, b) => b - a),
    );
    assert.deepEqual(
      listings.map((l) => l.rank),
      listings.map((_, i) => i + 1),
    );
    assert.ok(listings.every((l) => l.source === 'huggingface'));

    const top = await db.prisma.paper.findUniqueOrThrow({ where: { id: '2607.28624' } });
    assert.equal(top.title, 'PhiZero: A World Model Built Around Physical Language');
    assert.equal(top.codeUrl, 'https://github.com/yaoyao-jpg/PhiZero');
    assert.equal(top.projectUrl, 'https://phi-zero.github.io/');
    assert.equal(top.githubStars, 2);
    assert.equal(top.thumbnailUrl, 'https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2607.28624.png');
    assert.deepEqual(top.authors.slice(0, 2), ['Shuyao Shang', 'Yuqi Wang']);
    assert.match(top.abstract, /^We introduce PhiZero, a physical world model/);
    assert.equal(top.publishedAt?.toISOString(), '2026-07-30T00:00:00.000Z');

    const withOrg = await db.prisma.paper.findUniqueOrThrow({ where: { id: '2607.28568' } });
    assert.equal(withOrg.organization, 'Frontis AI');
    const commented = listings.find((l) => l.paperId === '2607.28227');
    assert.equal(commented?.comments, 3);

    const agent = server.requests[0]?.headers['user-agent'] ?? '';
    assert.match(agent, /^papermail\/\d+\.\d+\.\d+ \(\+http:\/\/localhost:3000;/, 'a descriptive User-Agent');
  });

  it('reads the AI summary and keywords, and asks for one more page after an exactly full one', async () => {
    const { db, ingest, pageRequests } = await setup();
    const item = readDailyPapersFixture('2026-07-03')[0]!;

    const report = await ingest.ingestDay('2026-07-03', 'huggingface');

    assert.equal(report.created, 20);
    assert.deepEqual(pageRequests(), ['0', '1', '2'], 'two full pages, then an empty one ends the day');
    const paper = await db.prisma.paper.findUniqueOrThrow({ where: { id: item.paper.id } });
    assert.equal(paper.aiSummary, item.paper.ai_summary);
    assert.deepEqual(paper.aiKeywords, item.paper.ai_keywords);
  });

  it('stores an old-shape day: titles with line breaks normalised, thumbnails derived from the id', async () => {
    const { db, ingest } = await setup();

    const report = await ingest.ingestDay('2024-05-27');

    assert.equal(report.created, 13);
    const paper = await db.prisma.paper.findUniqueOrThrow({ where: { id: '2405.15738' } });
    assert.equal(paper.title, 'ConvLLaVA: Hierarchical Backbones as Visual Encoder for Large Multimodal Models');
    assert.doesNotMatch(paper.abstract, /\n| {2}/);
    assert.equal(paper.thumbnailUrl, 'https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2405.15738.png');
    assert.equal(paper.aiSummary, null);
    assert.equal(paper.organization, null);
    const titles = await db.prisma.paper.findMany({ select: { title: true } });
    assert.ok(
      titles.every((t) => !/\s{2}|\n/.test(t.title)),
      'no stored title keeps arXiv line wrapping',
    );
  });

  it('runs the same day twice without duplicates: upvotes, comments and rank follow, nothing else changes', async () => {
    const { db, server, ingest, listingsOn } = await setup();
    const items = readDailyPapersFixture('2026-07-30');
    await ingest.ingestDay('2026-07-30');
    const before = await db.prisma.paper.findMany({ orderBy: { id: 'asc' } });
    const last = items.at(-1)!;

    // Later that day: the last paper climbs to the top and gets a comment.
    const later = structuredClone(items);
    later.at(-1)!.paper.upvotes = 500;
    later.at(-1)!.numComments = 7;
    routeDailyPapers(server, { '2026-07-30': later });
    const report = await ingest.ingestDay('2026-07-30');

    assert.equal(report.created, 0);
    assert.equal(report.newPapers, 0);
    assert.ok(report.updated >= 1, 'the climbing paper is updated (and those it overtook move down a rank)');
    assert.equal(report.created + report.updated + report.unchanged, 16);
    assert.equal(await db.prisma.paper.count(), 16);
    const listings = await listingsOn('2026-07-30');
    assert.equal(listings.length, 16);
    assert.equal(listings[0]?.paperId, last.paper.id);
    assert.equal(listings[0]?.upvotes, 500);
    assert.equal(listings[0]?.comments, 7);
    const after = await db.prisma.paper.findMany({ orderBy: { id: 'asc' } });
    assert.deepEqual(after, before, 'paper rows are untouched when their facts did not change');

    // And a third, identical run changes nothing at all.
    const again = await ingest.ingestDay('2026-07-30');
    assert.deepEqual([again.created, again.updated, again.unchanged], [0, 0, 16]);
  });

  it('skips a bad item with its reason and stores the rest', async () => {
    const { db, server, ingest, listingsOn } = await setup();
    const items: unknown[] = readDailyPapersFixture('2026-07-30');
    const noId = structuredClone(items[3]) as HfItem;
    delete (noId.paper as Partial<HfItem['paper']>).id;
    const badTitle = structuredClone(items[4]) as HfItem;
    badTitle.paper.id = '2607.99991';
    badTitle.paper.title = 42 as unknown as string;
    const badUpvotes = structuredClone(items[5]) as HfItem;
    badUpvotes.paper.id = '2607.99992';
    badUpvotes.paper.upvotes = 'many' as unknown as number;
    routeDailyPapers(server, { '2026-07-30': [...items, noId, badTitle, badUpvotes, 'not an item'] });

    const report = await ingest.ingestDay('2026-07-30');

    assert.equal(report.fetched, 20);
    assert.equal(report.created, 16);
    assert.deepEqual(report.skipped, [
      { reason: 'the paper has no arXiv id' },
      { id: '2607.99991', reason: 'the title is not text' },
      { id: '2607.99992', reason: 'upvotes is not a whole number' },
      { reason: 'the item is not an object' },
    ]);
    assert.equal((await listingsOn('2026-07-30')).length, 16);
    assert.equal(await db.prisma.paper.count({ where: { id: { in: ['2607.99991', '2607.99992'] } } }), 0);
  });

  it('retries after 429 (Retry-After) and after 500, then stores the day', async () => {
    const { server, ingest, pageRequests, listingsOn } = await setup();
    server.queue(
      DAILY_PAPERS_PATH,
      { status: 429, headers: { 'retry-after': '0' }, body: '{"error":"rate limited"}' },
      { status: 500, body: 'upstream error' },
    );

    const report = await ingest.ingestDay('2026-07-29');

    assert.equal(report.created, 20);
    assert.deepEqual(pageRequests(), ['0', '0', '0', '1', '2']);
    assert.equal((await listingsOn('2026-07-29')).length, 20);
  });

  it('waits out a RateLimit reset on 429, and refuses a wait longer than it will sit out', async () => {
    const { server, ingest, listingsOn } = await setup();
    server.queue(DAILY_PAPERS_PATH, { status: 429, headers: { ratelimit: '"api";r=0;t=1' }, body: '' });
    const report = await ingest.ingestDay('2026-07-15');
    assert.equal(report.created, 2);

    server.queue(DAILY_PAPERS_PATH, { status: 429, headers: { ratelimit: '"api";r=0;t=3600' }, body: '' });
    const err = await rejection(ingest.ingestDay('2026-07-14'));
    assert.equal(err.code, 'PAPERMAIL_ERR_SOURCE_UNAVAILABLE');
    assert.match(err.message, /rate limiting.*3600 s/);

    server.queue(DAILY_PAPERS_PATH, { status: 429, headers: { 'retry-after': '7200' }, body: '' });
    const viaRetryAfter = await rejection(ingest.ingestDay('2026-07-14'));
    assert.match(viaRetryAfter.message, /7200 s/);
    assert.equal((await listingsOn('2026-07-14')).length, 0);
  });

  it('gives up after the configured retries when the server keeps failing, writing nothing', async () => {
    const { server, ingest, pageRequests, listingsOn } = await setup({ HTTP_RETRIES: '2' });
    server.route(DAILY_PAPERS_PATH, () => ({ status: 503, body: 'unavailable' }));

    const err = await rejection(ingest.ingestDay('2026-07-31'));

    assert.equal(err.code, 'PAPERMAIL_ERR_SOURCE_UNAVAILABLE');
    assert.match(err.message, /Hugging Face failed after 3 attempts \(HTTP 503\)/);
    assert.equal(pageRequests().length, 3);
    assert.equal((await listingsOn('2026-07-31')).length, 0);
  });

  it('times out a request that hangs and retries it; a source that always hangs fails with the reason', async () => {
    const { server, ingest, listingsOn } = await setup({ HTTP_TIMEOUT_MS: '300', HTTP_RETRIES: '1' });
    server.queue(DAILY_PAPERS_PATH, { hang: true });
    const report = await ingest.ingestDay('2026-07-15');
    assert.equal(report.created, 2);

    server.queue(DAILY_PAPERS_PATH, { hang: true }, { hang: true });
    const err = await rejection(ingest.ingestDay('2026-07-14'));
    assert.equal(err.code, 'PAPERMAIL_ERR_SOURCE_UNAVAILABLE');
    assert.match(err.message, /failed after 2 attempts \(timed out after 300 ms\)/);
    assert.equal((await listingsOn('2026-07-14')).length, 0);
  });

  it('aborts the day on malformed JSON, even on a later page: nothing of the day is written', async () => {
    const { db, server, ingest } = await setup();
    const items = readDailyPapersFixture('2026-07-28');
    server.route(DAILY_PAPERS_PATH, (url) =>
      url.searchParams.get('p') === '0'
        ? { body: JSON.stringify(items.slice(0, PAGE_SIZE)) }
        : { body: '[{"paper": {"id": "2607.1' },
    );

    const err = await rejection(ingest.ingestDay('2026-07-28'));

    assert.equal(err.code, 'PAPERMAIL_ERR_SOURCE_RESPONSE');
    assert.match(err.message, /Hugging Face's answer for 2026-07-28 \(page 1\) is not JSON/);
    assert.equal(await db.prisma.paper.count(), 0, 'the good first page was not stored either');
    assert.equal(await db.prisma.listing.count(), 0);
  });

  it('refuses an answer that is JSON but not a list, an HTTP 400, and a list of nothing readable', async () => {
    const { db, server, ingest } = await setup();
    server.queue(DAILY_PAPERS_PATH, { body: '{"error":"Invalid date"}' });
    const notList = await rejection(ingest.ingestDay('2026-07-28'));
    assert.equal(notList.code, 'PAPERMAIL_ERR_SOURCE_RESPONSE');
    assert.match(notList.message, /is not a list of papers \(got an object with keys error\)/);

    server.queue(DAILY_PAPERS_PATH, { status: 400, body: '{"error":"\\"date\\" must be a valid date"}' });
    const badRequest = await rejection(ingest.ingestDay('2026-07-28'));
    assert.match(badRequest.message, /Hugging Face answered HTTP 400 for 2026-07-28 .*must be a valid date/);

    server.queue(DAILY_PAPERS_PATH, { body: JSON.stringify([{ id: '2607.00001' }, { paper: { title: 'x' } }]) });
    const unreadable = await rejection(ingest.ingestDay('2026-07-28'));
    assert.match(unreadable.message, /none of the 2 items huggingface listed for 2026-07-28 could be read/);
    assert.equal(await db.prisma.listing.count(), 0);
  });

  it('stores an empty day (a weekend) as nothing, without error', async () => {
    const { ingest } = await setup();
    const report = await ingest.ingestDay('2026-08-01');
    assert.deepEqual(
      { fetched: report.fetched, created: report.created, skipped: report.skipped },
      { fetched: 0, created: 0, skipped: [] },
    );
  });

  it('refuses an impossible date and an unknown source before asking anyone', async () => {
    const { server, ingest } = await setup();
    assert.equal((await rejection(ingest.ingestDay('2026-02-30'))).code, 'PAPERMAIL_ERR_INVALID_DATE');
    assert.match((await rejection(ingest.ingestDay('2026-07-31', 'twitter'))).message, /unknown source "twitter"/);
    assert.equal(server.requests.length, 0);
  });
});
