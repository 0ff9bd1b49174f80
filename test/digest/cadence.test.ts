import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prepareDigest } from '../../src/digest/prepare-digest.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import { foldName } from '../../src/subscriptions/delivery-settings.js';
import { testConfig } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { loadFixturePapers } from './fixture-papers.js';
import { createReaders } from './readers.js';

// Monday to Friday of real fixture days, each listed on its own date.
const WEEK = ['2026-07-20', '2026-07-21', '2026-07-22', '2026-07-23', '2026-07-24'];
const FRIDAY = 5;

/** The papers each sent delivery of `email` carried, by day, in day order. */
async function sentPapers(db: TestDatabase, email: string): Promise<Map<string, string[]>> {
  const rows = await db.prisma.delivery.findMany({
    where: { subscriber: { emailKey: email }, status: 'sent' },
    include: { digest: true, selection: true },
    orderBy: { digest: { date: 'asc' } },
  });
  return new Map(rows.map((r) => [r.digest.date.toISOString().slice(0, 10), r.selection.paperIds]));
}

describe('cadence: daily or weekly', () => {
  it('a weekly (Friday) reader gets one email with the week; a daily one gets one a day; a switch mid-week neither loses nor repeats', async () => {
    const db = await createTestDatabase();
    const sink = await startSmtpSink();
    const config = testConfig({ SMTP_URL: sink.url }, db);
    const services = createServices({ config, log: createLogger('silent'), prisma: db.prisma });
    for (const day of WEEK) await loadFixturePapers(db.prisma, day);
    const interests = { topics: ['agents'], maxPapers: 30 };
    await createReaders(db.prisma, [
      { email: 'daily@example.org', ...interests },
      { email: 'weekly@example.org', ...interests, settings: { cadence: 'weekly', weekday: FRIDAY } },
      { email: 'switcher@example.org', ...interests },
    ]);
    const listedOn = new Map<string, string>();
    for (const day of WEEK) {
      for (const l of await db.prisma.listing.findMany({ where: { date: new Date(`${day}T00:00:00Z`) } })) {
        listedOn.set(l.paperId, day);
      }
    }

    for (const day of WEEK) {
      if (day === '2026-07-22') {
        // On Wednesday morning the switcher makes their digest weekly, on Fridays.
        await db.prisma.subscriber.update({
          where: { emailKey: 'switcher@example.org' },
          data: { cadence: 'weekly', weekday: FRIDAY },
        });
      }
      const run = await services.digests.runDay(day, { trigger: 'test' });
      assert.equal(run.status, 'done', day);
    }
    await services.close();

    const daily = await sentPapers(db, 'daily@example.org');
    assert.deepEqual([...daily.keys()], WEEK, 'the daily reader gets one digest every day');
    assert.equal(sink.to('daily@example.org').length, WEEK.length);
    const dailyAll = [...daily.values()].flat();

    const weekly = await sentPapers(db, 'weekly@example.org');
    assert.deepEqual([...weekly.keys()], ['2026-07-24'], 'the weekly reader gets only the Friday digest');
    assert.equal(sink.to('weekly@example.org').length, 1);
    const week = weekly.get('2026-07-24')!;
    const issue = await db.prisma.digest.findFirstOrThrow({
      where: { selections: { some: { subscriber: { emailKey: 'weekly@example.org' } } } },
    });
    assert.deepEqual(
      [issue.kind, issue.periodStart, issue.periodEnd].map((v) =>
        v instanceof Date ? v.toISOString().slice(0, 10) : v,
      ),
      ['week', '2026-07-18', '2026-07-24'],
      "a week issue: the 7 days that end on the reader's Friday",
    );
    assert.equal(new Set(week).size, week.length, 'no paper twice');
    assert.ok(new Set(week.map((id) => listedOn.get(id))).size >= 3, 'papers from several days of the week');
    assert.deepEqual(
      [...week].sort(),
      [...dailyAll].sort(),
      'the week carries what the daily reader got, in one email',
    );
    const mail = sink.to('weekly@example.org')[0]!;
    for (const id of week) assert.ok(mail.parsed.text?.includes(id), `the email shows ${id}`);

    const switcher = await sentPapers(db, 'switcher@example.org');
    assert.deepEqual([...switcher.keys()], ['2026-07-20', '2026-07-21', '2026-07-24']);
    const switched = [...switcher.values()].flat();
    assert.equal(new Set(switched).size, switched.length, 'no paper repeated across the switch');
    assert.deepEqual([...switched].sort(), [...dailyAll].sort(), 'no paper lost across the switch');
    assert.ok(
      switcher.get('2026-07-24')!.every((id) => ['2026-07-22', '2026-07-23', '2026-07-24'].includes(listedOn.get(id)!)),
      "the Friday digest carries the days since the switch, not Monday's and Tuesday's again",
    );
  });

  it('an excluded keyword vetoes a paper that otherwise matches; a followed author is always included, with the reason', async () => {
    const { prisma } = await createTestDatabase();
    const day = '2026-07-21';
    await loadFixturePapers(prisma, day);
    await createReaders(prisma, [{ email: 'plain@example.org', topics: ['agents'], maxPapers: 30 }]);
    const plain = (await prepareDigest(prisma, day, { dryRun: true })).plans!.find(
      (p) => p.email === 'plain@example.org',
    )!;
    assert.ok(plain.paperIds.length >= 3, 'the agents topic matches several papers that day');
    const papers = await prisma.paper.findMany({
      where: { listings: { some: { date: new Date(`${day}T00:00:00Z`) } } },
    });
    const vetoed = papers.find((p) => p.id === plain.paperIds[0])!;
    // A phrase from the paper's own title: it matches that paper as a keyword would.
    const phrase = vetoed.title
      .split(/[\s:]+/)
      .slice(0, 4)
      .join(' ');
    const outsider = papers.find((p) => !plain.paperIds.includes(p.id) && p.authors.length > 0)!;
    const author = outsider.authors[0]!;
    const typed = author.toUpperCase();
    assert.equal(foldName('José  Núñez'), foldName('jose nunez'), 'accents and case are folded');

    await createReaders(prisma, [
      {
        email: 'picky@example.org',
        topics: ['agents'],
        maxPapers: 30,
        settings: { excludeKeywords: [phrase], authors: [typed] },
      },
    ]);
    const picky = (await prepareDigest(prisma, day, { dryRun: true })).plans!.find(
      (p) => p.email === 'picky@example.org',
    )!;
    assert.ok(!picky.paperIds.includes(vetoed.id), `"${phrase}" vetoes "${vetoed.title}"`);
    const kept = plain.paperIds.filter((id) => picky.paperIds.includes(id));
    assert.ok(kept.length >= 1, 'other matches stay');
    assert.equal(
      picky.paperIds[0],
      outsider.id,
      "the followed author's paper comes first, though no interest matches it",
    );
    assert.deepEqual(picky.matches.why[outsider.id], [`by ${typed}`]);
  });
});
