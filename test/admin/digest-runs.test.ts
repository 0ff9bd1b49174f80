import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createReaders } from '../digest/readers.js';
import { readDailyPapersFixture, routeDailyPapers } from '../helpers/daily-papers-route.js';
import { startFixtureServer } from '../helpers/fixture-server.js';
import { auth } from './admin-helpers.js';
import { DAY, settle, setupDigestApp } from './digest-setup.js';

// A day the saved Hugging Face fixtures have, and that the seed page (DAY) does not list.
const HF_DAY = '2026-07-30';

describe('admin runs, ingest, days and previews', () => {
  it('runs a day in the background; calling twice makes one digest and sends no email twice', async () => {
    const server = await startFixtureServer();
    routeDailyPapers(server);
    const setup = await setupDigestApp({ HF_BASE_URL: server.baseUrl });
    const { app, db, sink, services } = setup;
    await createReaders(db.prisma, [
      { email: 'ada@example.org' },
      { email: 'bob@example.org' },
      { email: 'cy@example.org' },
    ]);
    // A slow relay keeps the first run busy while the second call arrives.
    sink.setDelay(200);
    const url = `/api/admin/digests/${HF_DAY}/run`;
    const first = await app.inject({ method: 'POST', url, headers: auth, payload: { source: 'huggingface' } });
    assert.equal(first.statusCode, 202, first.body);
    const second = await app.inject({ method: 'POST', url, headers: auth, payload: { source: 'huggingface' } });
    assert.equal(second.statusCode, 202);
    assert.deepEqual(second.json(), { runId: first.json().runId, date: HF_DAY, alreadyRunning: true });
    await services.admin.digests.runFinished(HF_DAY);
    sink.setDelay(0);

    // Once it is over, a third call runs again, and finds nothing left to send.
    const third = await app.inject({ method: 'POST', url, headers: auth, payload: {} });
    assert.equal(third.statusCode, 202);
    assert.notEqual(third.json().runId, first.json().runId);
    assert.equal(third.json().alreadyRunning, false);
    await services.admin.digests.runFinished(HF_DAY);
    await settle();

    assert.equal(await db.prisma.digest.count(), 1);
    assert.equal(sink.messages.length, 3);
    for (const email of ['ada@example.org', 'bob@example.org', 'cy@example.org']) {
      assert.equal(sink.to(email).length, 1, email);
    }
    const listed = await db.prisma.listing.count({ where: { date: new Date(`${HF_DAY}T00:00:00Z`) } });
    assert.equal(listed, readDailyPapersFixture(HF_DAY).length, 'the run ingested the day first');

    const day = (await app.inject({ url: `/api/admin/digests/${HF_DAY}`, headers: auth })).json();
    assert.deepEqual(
      day.runs.map((r: { trigger: string; status: string }) => [r.trigger, r.status]),
      [
        ['admin', 'done'],
        ['admin', 'done'],
      ],
    );
    assert.deepEqual([day.counts.sent, day.counts.total, day.failed], [3, 3, []]);
    assert.equal(day.papers, listed);
    assert.equal(day.digest.status, 'done');
    const audit = await db.prisma.auditEntry.findMany({ where: { action: 'digest.run' }, orderBy: { id: 'asc' } });
    assert.deepEqual(
      audit.map((a) => a.result),
      [
        { runId: first.json().runId },
        { runId: first.json().runId, alreadyRunning: true },
        { runId: third.json().runId },
      ],
    );

    const bad = await app.inject({ method: 'POST', url, headers: auth, payload: { source: 'file:/etc/passwd' } });
    assert.equal(bad.statusCode, 400);
    const badDate = await app.inject({
      method: 'POST',
      url: '/api/admin/digests/2026-02-30/run',
      headers: auth,
      payload: {},
    });
    assert.equal(badDate.statusCode, 400);
    assert.equal(await db.prisma.run.count(), 2);
    const refused = await db.prisma.auditEntry.findFirstOrThrow({
      where: { params: { path: ['date'], equals: '2026-02-30' } },
    });
    assert.equal((refused.result as { error: string }).error, 'PAPERMAIL_ERR_INVALID_DATE');
  });

  it('ingests a day and answers with the report; the source is checked', async () => {
    const server = await startFixtureServer();
    routeDailyPapers(server);
    const { app, db } = await setupDigestApp({ HF_BASE_URL: server.baseUrl });
    const res = await app.inject({
      method: 'POST',
      url: '/api/admin/ingest',
      headers: auth,
      payload: { date: HF_DAY, source: 'huggingface' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const expected = readDailyPapersFixture(HF_DAY).length;
    assert.deepEqual(
      { day: res.json().day, source: res.json().source, fetched: res.json().fetched, created: res.json().created },
      { day: HF_DAY, source: 'huggingface', fetched: expected, created: expected },
    );
    const again = await app.inject({
      method: 'POST',
      url: '/api/admin/ingest',
      headers: auth,
      payload: { date: HF_DAY },
    });
    assert.equal(again.statusCode, 200);
    assert.deepEqual([again.json().created, again.json().unchanged], [0, expected]);

    const badSource = await app.inject({
      method: 'POST',
      url: '/api/admin/ingest',
      headers: auth,
      payload: { date: HF_DAY, source: 'file:/etc/passwd' },
    });
    assert.equal(badSource.statusCode, 400);
    const badDate = await app.inject({
      method: 'POST',
      url: '/api/admin/ingest',
      headers: auth,
      payload: { date: '31/07/2026', source: 'huggingface' },
    });
    assert.equal(badDate.statusCode, 400);
    assert.equal(badDate.json().error, 'PAPERMAIL_ERR_INVALID_DATE');
    const audit = await db.prisma.auditEntry.findMany({ where: { action: 'ingest' }, orderBy: { id: 'asc' } });
    assert.equal(audit.length, 3, 'two ingests and the refused date');
    assert.deepEqual(audit[0]!.params, { date: HF_DAY, source: 'huggingface' });
  });

  it("previews the digest a reader got, or would get, as HTML with the reader's papers", async () => {
    const { app, db, services } = await setupDigestApp();
    const [ada] = await createReaders(db.prisma, [{ email: 'ada@example.org', topics: ['speculative-decoding'] }]);
    await services.digests.runDay(DAY, { trigger: 'test' });
    const delivery = await db.prisma.delivery.findFirstOrThrow({
      where: { subscriberId: ada!.id },
      include: { selection: true },
    });
    const titles = async (ids: string[]) =>
      (await db.prisma.paper.findMany({ where: { id: { in: ids } }, select: { title: true } })).map((p) => p.title);
    // The HTML escapes non-ASCII as entities; compare on the plain ASCII words of each title.
    const words = (title: string) =>
      title
        .replace(/[^A-Za-z0-9 ]+/g, ' ')
        .split(/\s+/)
        .filter((w) => w.length > 3);

    const got = await app.inject({ url: `/api/admin/digests/${DAY}/preview?email=ADA@example.org`, headers: auth });
    assert.equal(got.statusCode, 200, got.body);
    assert.match(got.headers['content-type'] as string, /^text\/html/);
    assert.equal(got.headers['x-papermail-preview'], `delivered; delivery=${delivery.id}; status=sent`);
    for (const title of await titles(delivery.selection.paperIds)) {
      for (const w of words(title)) assert.ok(got.body.includes(w), `${w} of "${title}"`);
    }

    // A reader who joined after the run: what they would get, matched now, with nothing written.
    const [late] = await createReaders(db.prisma, [{ email: 'late@example.org', topics: ['speech-tokenizers'] }]);
    const before = await db.prisma.delivery.count();
    const would = await app.inject({ url: `/api/admin/digests/${DAY}/preview?email=late@example.org`, headers: auth });
    assert.equal(would.statusCode, 200, would.body);
    assert.equal(would.headers['x-papermail-preview'], 'would-get');
    assert.equal(await db.prisma.delivery.count(), before);
    const dry = await services.digests.prepare(DAY, { dryRun: true });
    const plan = dry.plans!.find((p) => p.subscriberId === late!.id)!;
    assert.ok(plan.paperIds.length > 0);
    for (const title of await titles(plan.paperIds)) {
      for (const w of words(title)) assert.ok(would.body.includes(w), `${w} of "${title}"`);
    }
    assert.doesNotMatch(would.body, /Speculative Decoding/i, "not ada's papers");

    const nobody = await app.inject({ url: `/api/admin/digests/${DAY}/preview?email=no@example.org`, headers: auth });
    assert.equal(nobody.statusCode, 404);
    const noDay = await app.inject({
      url: '/api/admin/digests/2026-08-01/preview?email=ada@example.org',
      headers: auth,
    });
    assert.equal(noDay.statusCode, 404);
    const audit = await db.prisma.auditEntry.findMany({ where: { action: 'digest.preview' } });
    assert.equal(audit.length, 2);
    assert.doesNotMatch(JSON.stringify(audit), /@/);
  });

  it('lists days with counts and timings, and answers 404 for a day with nothing', async () => {
    const { app, db, services } = await setupDigestApp();
    await createReaders(db.prisma, [{ email: 'ada@example.org', topics: ['speculative-decoding'] }]);
    await services.digests.runDay(DAY, { trigger: 'test' });
    await services.digests.runDay('2026-08-01', { trigger: 'test' });
    const res = await app.inject({ url: '/api/admin/digests', headers: auth });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.total, 2);
    assert.deepEqual(
      body.days.map((d: { date: string; digest: unknown; runs: number }) => [d.date, d.digest !== null, d.runs]),
      [
        ['2026-08-01', false, 1],
        [DAY, true, 1],
      ],
    );
    const day = body.days[1];
    assert.equal(day.counts.sent, 1);
    assert.equal(day.papers, 70);
    assert.ok(day.digest.finishedAt);
    assert.deepEqual(Object.keys(day.lastRun.timings).sort(), ['ingestMs', 'matchMs', 'sendMs', 'totalMs']);
    assert.match(day.lastRun.startedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const missing = await app.inject({ url: '/api/admin/digests/2026-09-09', headers: auth });
    assert.equal(missing.statusCode, 404);
    const paged = await app.inject({ url: '/api/admin/digests?limit=1&offset=1', headers: auth });
    assert.deepEqual(
      paged.json().days.map((d: { date: string }) => d.date),
      [DAY],
    );
  });
});
