import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { activeReader, buildReaderWorld, csrfIn, FORM, form, linkIn, readerRow, signUp } from './readers.js';

/** Flips one character of a token: the shape stays right, the value is wrong. */
function tamper(path: string): string {
  const last = path.at(-1)!;
  return path.slice(0, -1) + (last === 'A' ? 'B' : 'A');
}

describe('confirming a sign-up', () => {
  it('shows a page on GET and changes nothing; only the POST activates, and twice is harmless', async () => {
    const world = await buildReaderWorld();
    const { prisma } = world.db;
    await signUp(world, { email: 'ada@example.org', topics: ['agents', 'reasoning'], keywords: ['world model'] });
    const confirmPath = linkIn(world.sink.to('ada@example.org')[0]!, '/confirm/');
    const before = await readerRow(prisma, 'ada@example.org');

    // A mail scanner opens the link, several times.
    for (let i = 0; i < 3; i++) {
      const page = await world.app.inject({ url: confirmPath });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Confirm my subscription/);
      assert.match(page.body, /LLM agents/);
      assert.match(page.body, /world model/);
      assert.match(page.body, /<form method="post" action="\/confirm\//);
    }
    assert.deepEqual(await readerRow(prisma, 'ada@example.org'), before, 'GET changed nothing');

    const page = await world.app.inject({ url: confirmPath });
    const confirmed = await world.app.inject({
      method: 'POST',
      url: confirmPath,
      headers: FORM,
      payload: form({ csrf: csrfIn(page.body) }),
    });
    assert.equal(confirmed.statusCode, 200);
    assert.match(confirmed.body, /You are subscribed/);
    const row = await readerRow(prisma, 'ada@example.org');
    assert.equal(row?.status, 'active');
    assert.ok(row?.confirmedAt);
    assert.match(confirmed.body, new RegExp(`/preferences/${row!.token}`), 'the press that confirmed links onwards');
    assert.equal(row?.confirmToken, null, 'confirming clears the confirmation token');
    assert.equal(row?.confirmExpiresAt, null);

    // F7: pressing again (a link scanner after the click, a forwarded email) is harmless and shows no token.
    const again = await world.app.inject({
      method: 'POST',
      url: confirmPath,
      headers: FORM,
      payload: form({ csrf: csrfIn(page.body) }),
    });
    const view = await world.app.inject({ url: confirmPath });
    for (const answer of [again, view]) {
      assert.equal(answer.statusCode, 200);
      assert.match(answer.body, /<h1>Already confirmed<\/h1>/);
      assert.doesNotMatch(answer.body, new RegExp(row!.token), 'the long-lived token is not shown');
      assert.doesNotMatch(answer.body, /\/preferences\/|\/unsubscribe\//, 'no link that carries a token');
      assert.doesNotMatch(answer.body, /ada@example\.org/, 'nothing about the reader');
      assert.doesNotMatch(answer.body, /<form/, 'nothing to press');
    }
    assert.deepEqual(await readerRow(prisma, 'ada@example.org'), row, 'the second press changed nothing');
  });

  it('refuses a POST without a CSRF value, or with a forged one, with a 403 that says why', async () => {
    const world = await buildReaderWorld();
    await signUp(world, { email: 'ada@example.org', topics: ['agents'] });
    const confirmPath = linkIn(world.sink.to('ada@example.org')[0]!, '/confirm/');
    await signUp(world, { email: 'bob@example.org', topics: ['agents'] });
    const otherPath = linkIn(world.sink.to('bob@example.org')[0]!, '/confirm/');
    const otherCsrf = csrfIn((await world.app.inject({ url: otherPath })).body);
    const realCsrf = csrfIn((await world.app.inject({ url: confirmPath })).body);
    const [issued, mac] = realCsrf.split('.');

    const attempts: [string | undefined, RegExp][] = [
      [undefined, /without its security token/],
      ['', /without its security token/],
      ['1234.abcd', /not valid/],
      [otherCsrf, /not valid/],
      [`${Number(issued) + 1}.${mac}`, /not valid/],
      [`${Number(issued) - 2 * 86400}.${mac}`, /not valid/],
    ];
    for (const [csrf, reason] of attempts) {
      const response = await world.app.inject({
        method: 'POST',
        url: confirmPath,
        headers: FORM,
        payload: csrf === undefined ? '' : form({ csrf }),
      });
      assert.equal(response.statusCode, 403, String(csrf));
      assert.match(response.headers['content-type'] as string, /text\/html/);
      assert.match(response.body, reason);
    }
    // No body at all, as a bare POST from another site.
    const bare = await world.app.inject({ method: 'POST', url: confirmPath });
    assert.equal(bare.statusCode, 403);
    assert.equal((await readerRow(world.db.prisma, 'ada@example.org'))?.status, 'pending');
  });

  it('answers every tampered, unknown or malformed token with the same 404 page, and changes nothing', async () => {
    const world = await buildReaderWorld();
    await signUp(world, { email: 'ada@example.org', topics: ['agents'] });
    const confirmPath = linkIn(world.sink.to('ada@example.org')[0]!, '/confirm/');
    const csrf = csrfIn((await world.app.inject({ url: confirmPath })).body);
    const before = await readerRow(world.db.prisma, 'ada@example.org');

    const bad = [
      tamper(confirmPath),
      '/confirm/short',
      `/confirm/${'A'.repeat(32)}`,
      `${confirmPath}x`,
      '/confirm/%00',
    ];
    const bodies = new Set<string>();
    for (const path of bad) {
      for (const method of ['GET', 'POST'] as const) {
        const response = await world.app.inject({ method, url: path, headers: FORM, payload: form({ csrf }) });
        assert.equal(response.statusCode, 404, `${method} ${path}`);
        bodies.add(response.body);
      }
    }
    assert.equal(bodies.size, 1, 'one and the same 404 page');
    assert.match([...bodies][0]!, /This link does not work/);
    assert.deepEqual(await readerRow(world.db.prisma, 'ada@example.org'), before);
  });

  it('lets a confirmation link expire after 7 days, and deletes sign-ups nobody confirmed within a week', async () => {
    const world = await buildReaderWorld();
    const { prisma } = world.db;
    const { subscriptions } = world.services;
    await activeReader(world, 'reader@example.org');
    await signUp(world, { email: 'late@example.org', topics: ['agents'] });
    await signUp(world, { email: 'fresh@example.org', topics: ['agents'] });
    const latePath = linkIn(world.sink.to('late@example.org')[0]!, '/confirm/');
    const lateToken = latePath.split('/').at(-1)!;
    const late = await readerRow(prisma, 'late@example.org');
    const expiresInDays = (late!.confirmExpiresAt!.getTime() - late!.createdAt.getTime()) / 86_400_000;
    assert.ok(Math.abs(expiresInDays - 7) < 0.01, `expires in ${expiresInDays} days`);

    // Eight days on (moved in the database: the service reads the clock it is given, the page the real one).
    const eightDays = 8 * 86_400_000;
    await prisma.subscriber.update({
      where: { id: late!.id },
      data: { confirmExpiresAt: new Date(Date.now() - 86_400_000), createdAt: new Date(Date.now() - eightDays) },
    });
    const page = await world.app.inject({ url: latePath });
    assert.equal(page.statusCode, 404);
    await assert.rejects(subscriptions.confirm(lateToken), /This link does not work/);

    assert.equal(await subscriptions.expirePendingSignups(new Date()), 1);
    assert.equal(await readerRow(prisma, 'late@example.org'), null, 'the week-old pending sign-up is gone');
    assert.equal((await readerRow(prisma, 'fresh@example.org'))?.status, 'pending', 'a fresh one stays');
    // A week later the fresh one has expired too; the active reader is never expired.
    assert.equal(await subscriptions.expirePendingSignups(new Date(Date.now() + eightDays)), 1);
    assert.equal(await prisma.subscriber.count(), 1);
    assert.equal(await prisma.signupRequest.count(), 0, 'finished sign-up requests go a day after their link would');
    assert.equal((await readerRow(prisma, 'reader@example.org'))?.status, 'active');
  });

  it('brings an unsubscribed reader back only through a new confirmation link, not an old one', async () => {
    const world = await buildReaderWorld();
    const { prisma } = world.db;
    await signUp(world, { email: 'ada@example.org', topics: ['agents'] });
    const oldPath = linkIn(world.sink.to('ada@example.org')[0]!, '/confirm/');
    const csrf = csrfIn((await world.app.inject({ url: oldPath })).body);
    await world.app.inject({ method: 'POST', url: oldPath, headers: FORM, payload: form({ csrf }) });
    const { token } = (await readerRow(prisma, 'ada@example.org'))!;
    await world.services.subscriptions.unsubscribe(token);

    const replay = await world.app.inject({ method: 'POST', url: oldPath, headers: FORM, payload: form({ csrf }) });
    assert.equal(replay.statusCode, 404, 'unsubscribing voided the old link');
    assert.equal((await readerRow(prisma, 'ada@example.org'))?.status, 'unsubscribed');

    await signUp(world, { email: 'ada@example.org', topics: ['reasoning'] });
    const newPath = linkIn(world.sink.to('ada@example.org').at(-1)!, '/confirm/');
    assert.notEqual(newPath, oldPath);
    const newCsrf = csrfIn((await world.app.inject({ url: newPath })).body);
    const confirmed = await world.app.inject({
      method: 'POST',
      url: newPath,
      headers: FORM,
      payload: form({ csrf: newCsrf }),
    });
    assert.equal(confirmed.statusCode, 200);
    const row = await readerRow(prisma, 'ada@example.org');
    assert.equal(row?.status, 'active');
    assert.equal(row?.unsubscribedAt, null);
    assert.equal(row?.token, token, 'the same long-lived token: old unsubscribe links keep working');
    assert.deepEqual(
      row?.topics.map((t) => t.topic.slug),
      ['reasoning'],
    );
  });

  it('sends the confirmation link of a pending reader made elsewhere (an admin import), within the daily share', async () => {
    const world = await buildReaderWorld();
    const { prisma } = world.db;
    const agents = await prisma.topic.findUniqueOrThrow({ where: { slug: 'agents' } });
    // What an import in pending mode writes: its own tokens (32 random bytes), a week to confirm.
    const imported = await prisma.subscriber.create({
      data: {
        email: 'imported@example.org',
        emailKey: 'imported@example.org',
        status: 'pending',
        token: randomBytes(32).toString('base64url'),
        confirmToken: randomBytes(32).toString('base64url'),
        confirmExpiresAt: new Date(Date.now() + 7 * 86_400_000),
        topics: { create: [{ topicId: agents.id }] },
      },
    });
    await world.services.subscriptions.sendConfirmation(imported.id);
    assert.equal(world.sink.to('imported@example.org').length, 0, 'queued, not sent by the caller');
    await world.services.subscriptions.processSignups();
    const [mail] = world.sink.to('imported@example.org');
    assert.match(mail?.parsed.text ?? '', /Topics chosen:\n- LLM agents/);
    const confirmPath = linkIn(mail!, '/confirm/');
    assert.equal(confirmPath, `/confirm/${imported.confirmToken}`);
    const csrf = csrfIn((await world.app.inject({ url: confirmPath })).body);
    const confirmed = await world.app.inject({
      method: 'POST',
      url: confirmPath,
      headers: FORM,
      payload: form({ csrf }),
    });
    assert.equal(confirmed.statusCode, 200);
    const active = await readerRow(prisma, 'imported@example.org');
    assert.equal(active?.status, 'active');
    assert.deepEqual(
      active?.topics.map((t) => t.topic.slug),
      ['agents'],
      'the interests the import gave stand',
    );

    // Not for a reader with no open sign-up (now active), nor beyond the address's daily share.
    await assert.rejects(world.services.subscriptions.sendConfirmation(imported.id), /no open sign-up/);
    await signUp(world, { email: 'twice@example.org', topics: ['agents'] });
    const twice = await readerRow(prisma, 'twice@example.org');
    await world.services.subscriptions.sendConfirmation(twice!.id);
    await world.services.subscriptions.sendConfirmation(twice!.id);
    await assert.rejects(world.services.subscriptions.sendConfirmation(twice!.id), /had its 3 emails today/);
    await world.services.subscriptions.processSignups();
    assert.equal(world.sink.to('twice@example.org').length, 3);
  });
});
