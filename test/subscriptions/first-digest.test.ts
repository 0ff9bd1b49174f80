import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadFixturePapers } from '../digest/fixture-papers.js';
import { waitUntil } from '../helpers/wait.js';
import { buildReaderWorld, linkIn, pressConfirm, type ReaderWorld, signUp } from './readers.js';

const DAY = '2026-07-21';

/** Signs `email` up for agents, applies `settings` to the pending reader, and presses the confirmation button. */
async function confirmNewReader(world: ReaderWorld, email: string, settings: Record<string, unknown> = {}) {
  assert.equal((await signUp(world, { email, topics: ['agents'] })).statusCode, 202);
  await world.db.prisma.subscriber.update({ where: { emailKey: email }, data: settings });
  const confirmed = await pressConfirm(world, linkIn(world.sink.to(email)[0]!, '/confirm/'));
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  return confirmed.body;
}

describe('a first digest at once', () => {
  it("confirming after a day's run delivers that day's digest; a weekly reader gets the week ending on it", async () => {
    const world = await buildReaderWorld();
    const { prisma } = world.db;
    for (const day of ['2026-07-20', DAY]) await loadFixturePapers(prisma, day);
    // The day's run, before these readers existed.
    assert.equal((await world.services.digests.runDay(DAY, { trigger: 'test' })).status, 'done');

    const page = await confirmNewReader(world, 'new@example.org');
    assert.match(page, /Your first digest, the papers of Tuesday, July 21, is on its way/);
    const [, digest] = await world.sink.waitFor(2).then(() => world.sink.to('new@example.org'));
    assert.ok(digest, 'the digest follows the confirmation email');
    assert.match(digest.parsed.subject ?? '', /papers/i);
    const delivery = await prisma.delivery.findFirstOrThrow({
      where: { subscriber: { emailKey: 'new@example.org' } },
      include: { selection: true, digest: true },
    });
    assert.equal(delivery.messageId, digest.parsed.messageId);
    assert.equal(delivery.digest.kind, 'day');
    assert.equal(delivery.digest.date.toISOString().slice(0, 10), DAY);
    const titles = await prisma.paper.findMany({ where: { id: { in: delivery.selection.paperIds } } });
    assert.ok(titles.length > 0);
    for (const { title } of titles) assert.ok(digest.parsed.text?.includes(title.split(/\s+/)[0]!), title);

    // A weekly (Friday) reader confirming on a Tuesday gets the week that ends on the day now, not on Friday.
    const weeklyPage = await confirmNewReader(world, 'weekly@example.org', { cadence: 'weekly', weekday: 5 });
    assert.match(weeklyPage, /is on its way/);
    await world.sink.waitFor(4);
    const weeklyDelivery = () =>
      prisma.delivery.findFirstOrThrow({
        where: { subscriber: { emailKey: 'weekly@example.org' } },
        include: { digest: true, selection: true },
      });
    // The relay has the message a moment before the sender records it as sent.
    await waitUntil('the weekly delivery to read as sent', async () => (await weeklyDelivery()).status === 'sent');
    const weekly = await weeklyDelivery();
    assert.deepEqual(
      [weekly.digest.kind, weekly.digest.periodStart.toISOString().slice(0, 10)],
      ['week', '2026-07-15'],
    );
    const listed = await prisma.listing.findMany({ where: { paperId: { in: weekly.selection.paperIds } } });
    assert.ok(
      listed.some((l) => l.date.toISOString().startsWith('2026-07-20')),
      'papers of earlier days too',
    );
  });

  it('confirming with no digest prepared in the last 24 hours says when the first comes and sends nothing', async () => {
    const world = await buildReaderWorld();
    const { prisma } = world.db;
    await loadFixturePapers(prisma, DAY);
    assert.equal((await world.services.digests.runDay(DAY, { trigger: 'test' })).status, 'done');
    // That run was 25 hours ago.
    await prisma.$executeRaw`UPDATE digests SET matched_at = now() - interval '25 hours'`;

    const page = await confirmNewReader(world, 'tokyo@example.org', { timezone: 'Asia/Tokyo', hour: 8 });
    const said = /Your first digest comes on (\w+), (\w+ \d+) at 08:00 \(Asia\/Tokyo\)\./.exec(page);
    assert.ok(said, page);
    // The next 07:00 UTC run (DIGEST_CRON's default), then the reader's first 08:00 in Tokyo after it.
    const year = new Date().getUTCFullYear();
    const shown = [year, year + 1]
      .map((y) => Date.parse(`${said[2]}, ${y} 08:00 GMT+0900`))
      .find((t) => t > Date.now())!;
    const ahead = shown - Date.now();
    assert.ok(ahead > 0 && ahead < 3 * 86_400_000, `${said[0]} is within three days`);

    await world.services.digests.sendPending();
    assert.equal(world.sink.to('tokyo@example.org').length, 1, 'only the confirmation email');
    assert.equal(await prisma.selection.count({ where: { subscriber: { emailKey: 'tokyo@example.org' } } }), 0);
  });
});
