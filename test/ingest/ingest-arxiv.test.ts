import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ARXIV_INTERVAL_MS, type SourceTuning } from '../../src/ingest/create-paper-source.js';
import { createIngestService } from '../../src/ingest/ingest-service.js';
import { readArxivFeed } from '../../src/ingest/read-arxiv-feed.js';
import { createLogger } from '../../src/logger.js';
import { testConfig } from '../helpers/app.js';
import { readDailyPapersFixture, routeDailyPapers } from '../helpers/daily-papers-route.js';
import { createTestDatabase } from '../helpers/database.js';
import { readFixture, startFixtureServer } from '../helpers/fixture-server.js';
import { rejection } from '../helpers/rejection.js';

const QUERY_PATH = '/api/query';
const DAY = '2024-07-17';
const PAGES: Record<string, string> = {
  '0': readFixture('arxiv/2024-07-17-page-0.xml'),
  '4': readFixture('arxiv/2024-07-17-page-1.xml'),
};
const atom = { 'content-type': 'application/atom+xml; charset=utf-8' };

async function setup(tuning: SourceTuning = { arxivIntervalMs: 20 }) {
  const db = await createTestDatabase();
  const server = await startFixtureServer();
  const arrivals: number[] = [];
  server.route(QUERY_PATH, (url) => {
    arrivals.push(Date.now());
    const onDay = url.searchParams.get('search_query')?.includes('submittedDate:[202407170000 TO 202407172359]');
    const page = onDay ? PAGES[url.searchParams.get('start') ?? ''] : undefined;
    return page ? { headers: atom, body: page } : { headers: atom, body: readFixture('arxiv/empty.xml') };
  });
  routeDailyPapers(server);
  const config = testConfig({ ARXIV_BASE_URL: server.baseUrl, HF_BASE_URL: server.baseUrl }, db);
  const ingest = createIngestService({
    prisma: db.prisma,
    config,
    log: createLogger('silent'),
    tuning: { retryBaseMs: 5, arxivPageSize: 4, ...tuning },
  });
  const queries = () => server.requests.filter((r) => r.url.pathname === QUERY_PATH).map((r) => r.url.searchParams);
  return { db, server, ingest, arrivals, queries };
}

describe('ingest from arXiv', () => {
  it('stores the papers of the day in the configured categories, newest first, paging 3 s apart', async () => {
    const { db, ingest, arrivals, queries } = await setup({});

    const report = await ingest.ingestDay(DAY, 'arxiv');

    const [first, second] = queries();
    assert.equal(queries().length, 2);
    assert.equal(
      first?.get('search_query'),
      '(cat:cs.CL OR cat:cs.LG OR cat:cs.CV) AND submittedDate:[202407170000 TO 202407172359]',
    );
    assert.equal(first?.get('sortBy'), 'submittedDate');
    assert.deepEqual([first?.get('start'), first?.get('max_results')], ['0', '4']);
    assert.deepEqual([second?.get('start'), second?.get('max_results')], ['4', '4']);
    // The client waits 3 s after each answer, so arrivals here are at least that far apart.
    const gap = arrivals[1]! - arrivals[0]!;
    assert.ok(gap >= ARXIV_INTERVAL_MS, `arXiv asks for 3 seconds between requests (gap: ${gap} ms)`);
    assert.equal(ARXIV_INTERVAL_MS, 3000);

    assert.deepEqual(
      { fetched: report.fetched, created: report.created, skipped: report.skipped, source: report.source },
      { fetched: 7, created: 7, skipped: [], source: 'arxiv' },
    );
    const listings = await db.prisma.listing.findMany({ orderBy: { rank: 'asc' }, include: { paper: true } });
    assert.deepEqual(
      listings.map((l) => l.paperId),
      ['2407.12891', '2407.12877', '2407.12840', '2407.12803', '2407.12764', '2407.12731', '2407.12702'],
      'ranked by submission time within the day, ids without their version',
    );
    assert.ok(listings.every((l) => l.upvotes === 0 && l.comments === 0 && l.source === 'arxiv'));
    const top = listings[0]!.paper;
    assert.equal(
      top.title,
      'Draft-and-Verify at Scale: Tree-Structured Speculative Decoding for Long-Context Language Models',
    );
    assert.deepEqual(top.authors, ['Mira Okonkwo', 'Tobias Lindqvist', 'Hao-Ran Chen']);
    assert.match(top.abstract, /^Speculative decoding accelerates autoregressive generation by letting a small draft/);
    assert.doesNotMatch(top.abstract, /\n/);
    assert.equal(top.publishedAt?.toISOString(), '2024-07-17T21:48:02.000Z');
    assert.equal(top.thumbnailUrl, null);
  });

  it('reads every category of an entry, primary first', () => {
    const feed = readArxivFeed(PAGES['0']!, 'page 0');
    assert.equal(feed.totalResults, 7);
    assert.deepEqual(
      feed.entries.map((e) => [e.paper.id, e.paper.categories]),
      [
        ['2407.12891', ['cs.CL', 'cs.LG']],
        ['2407.12877', ['cs.CV', 'cs.CL', 'cs.LG']],
        ['2407.12840', ['cs.LG', 'stat.ML']],
        ['2407.12803', ['cs.CL']],
      ],
    );
    const crossListed = readArxivFeed(PAGES['4']!, 'page 1').entries.find((e) => e.paper.id === '2407.12731');
    assert.deepEqual(crossListed?.paper.categories, ['eess.AS', 'cs.CL', 'cs.SD']);
  });

  it("reports arXiv's error entry as the reason, whatever the HTTP status, and writes nothing", async () => {
    const { db, server, ingest } = await setup();
    server.queue(QUERY_PATH, { status: 400, headers: atom, body: readFixture('arxiv/error.xml') });
    const refused = await rejection(ingest.ingestDay(DAY, 'arxiv'));
    assert.equal(refused.code, 'PAPERMAIL_ERR_SOURCE_RESPONSE');
    assert.equal(refused.message, 'arXiv refused the query for 2024-07-17: start must be non-negative');

    // Sometimes the error feed comes with 200: it must not read as a one-paper day titled "Error".
    server.queue(QUERY_PATH, { status: 200, headers: atom, body: readFixture('arxiv/error.xml') });
    const refusedOk = await rejection(ingest.ingestDay(DAY, 'arxiv'));
    assert.match(refusedOk.message, /start must be non-negative/);
    assert.equal(await db.prisma.paper.count(), 0);
  });

  it('retries a plain-text "Rate exceeded." 503, and refuses a 200 that is not XML', async () => {
    const { db, server, ingest } = await setup();
    server.queue(QUERY_PATH, { status: 503, headers: { 'content-type': 'text/plain' }, body: 'Rate exceeded.' });
    const report = await ingest.ingestDay(DAY, 'arxiv');
    assert.equal(report.created, 7);

    server.queue(QUERY_PATH, { status: 200, headers: { 'content-type': 'text/plain' }, body: 'Rate exceeded.' });
    const err = await rejection(ingest.ingestDay('2024-07-18', 'arxiv'));
    assert.equal(err.code, 'PAPERMAIL_ERR_SOURCE_RESPONSE');
    assert.match(err.message, /is not XML .*Rate exceeded\./);
    assert.equal(await db.prisma.listing.count({ where: { date: new Date('2024-07-18T00:00:00Z') } }), 0);
  });

  it('skips an entry that is not an arXiv paper and stores the others', async () => {
    const { db, server, ingest } = await setup();
    const broken = PAGES['0']!.replace(
      '<id>http://arxiv.org/abs/2407.12840v1</id>',
      '<id>http://example.org/not-arxiv/12840</id>',
    ).replace(/<title>Byte-Level Tokenizers Revisited:[^<]*<\/title>/, '<title>  </title>');
    server.queue(QUERY_PATH, { headers: atom, body: broken });

    const report = await ingest.ingestDay(DAY, 'arxiv');

    assert.equal(report.fetched, 7);
    assert.equal(report.created, 5);
    assert.deepEqual(report.skipped, [
      {
        id: 'http://example.org/not-arxiv/12840',
        reason: '"http://example.org/not-arxiv/12840" is not an arXiv abstract URL',
      },
      { id: '2407.12803', reason: 'the entry has no title' },
    ]);
    assert.equal(await db.prisma.paper.count(), 5);
  });

  it('a day with no submissions is an empty day', async () => {
    const { ingest } = await setup();
    const report = await ingest.ingestDay('2024-07-20', 'arxiv');
    assert.deepEqual([report.fetched, report.created], [0, 0]);
  });

  it('keeps what Hugging Face knew about a paper (AI summary, keywords, links) when arXiv lists it too', async () => {
    const { db, server, ingest } = await setup();
    const hf = readDailyPapersFixture('2026-07-03')[0]!;
    await ingest.ingestDay('2026-07-03', 'huggingface');
    const before = await db.prisma.paper.findUniqueOrThrow({ where: { id: hf.paper.id } });
    assert.ok(before.aiSummary && before.aiKeywords.length > 0);

    const sameOnArxiv = PAGES['0']!.replaceAll('2407.12891', hf.paper.id);
    server.queue(QUERY_PATH, { headers: atom, body: sameOnArxiv });
    await ingest.ingestDay(DAY, 'arxiv');

    const after = await db.prisma.paper.findUniqueOrThrow({ where: { id: hf.paper.id } });
    assert.equal(after.aiSummary, before.aiSummary);
    assert.deepEqual(after.aiKeywords, before.aiKeywords);
    assert.equal(after.thumbnailUrl, before.thumbnailUrl);
    assert.equal(after.codeUrl, before.codeUrl);
    assert.equal(
      after.title,
      'Draft-and-Verify at Scale: Tree-Structured Speculative Decoding for Long-Context Language Models',
      'facts are refreshed from the latest source',
    );
    const days = await db.prisma.listing.findMany({ where: { paperId: hf.paper.id }, orderBy: { date: 'asc' } });
    assert.deepEqual(
      days.map((l) => [l.date.toISOString().slice(0, 10), l.source]),
      [
        [DAY, 'arxiv'],
        ['2026-07-03', 'huggingface'],
      ],
    );
  });
});
