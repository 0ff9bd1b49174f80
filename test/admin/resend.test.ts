import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createReaders } from '../digest/readers.js';
import { auth } from './admin-helpers.js';
import { DAY, settle, setupDigestApp, waitForSender } from './digest-setup.js';

const resendUrl = `/api/admin/digests/${DAY}/resend`;

describe('admin resend', () => {
  it('refuses the new routes without the token or with a wrong one', async () => {
    const { app, db } = await setupDigestApp();
    const routes = [
      { method: 'POST' as const, url: resendUrl, payload: { failed: true } },
      { method: 'POST' as const, url: `/api/admin/digests/${DAY}/run`, payload: {} },
      { method: 'POST' as const, url: '/api/admin/ingest', payload: { date: DAY, source: 'huggingface' } },
      { method: 'GET' as const, url: '/api/admin/digests' },
      { method: 'GET' as const, url: `/api/admin/digests/${DAY}` },
      { method: 'GET' as const, url: `/api/admin/digests/${DAY}/deliveries?email=ada@example.org` },
      { method: 'GET' as const, url: `/api/admin/digests/${DAY}/preview?email=ada@example.org` },
    ];
    for (const headers of [{}, { authorization: 'Bearer not-the-admin-token-at-all' }]) {
      for (const route of routes) {
        const res = await app.inject({ ...route, headers });
        assert.equal(res.statusCode, 401, `${route.method} ${route.url}`);
        assert.deepEqual(res.json(), { error: 'PAPERMAIL_ERR_UNAUTHORIZED', message: 'Unauthorized.' });
      }
    }
    assert.equal(await db.prisma.run.count(), 0, 'no run was started');
    assert.equal(await db.prisma.auditEntry.count(), 0);
  });

  it("resends to one reader once, with the original's papers, a fresh Message-ID and to the current address", async () => {
    const setup = await setupDigestApp();
    const { app, db, sink, services } = setup;
    const [ada, alan] = await createReaders(db.prisma, [
      { email: 'ada@example.org', topics: ['speculative-decoding'] },
      { email: 'alan@example.org', topics: ['speech-tokenizers'] },
    ]);
    await services.digests.runDay(DAY, { trigger: 'test' });
    assert.equal(sink.messages.length, 2);
    const original = await db.prisma.delivery.findFirstOrThrow({
      where: { subscriberId: ada!.id },
      include: { selection: true },
    });
    const first = sink.to('ada@example.org')[0]!;

    // Ada changed her address since: the resend goes to the address she has now.
    await db.prisma.subscriber.update({
      where: { id: ada!.id },
      data: { email: 'ada.lovelace@example.org', emailKey: 'ada.lovelace@example.org' },
    });
    const res = await app.inject({
      method: 'POST',
      url: resendUrl,
      headers: auth,
      payload: { emails: ['Ada.Lovelace@Example.org'] },
    });
    assert.equal(res.statusCode, 202, res.body);
    const report = res.json();
    assert.equal(report.queued.length, 1);
    assert.deepEqual(report.queued[0], {
      deliveryId: report.queued[0].deliveryId,
      resendOf: original.id,
      subscriberId: ada!.id,
      email: 'ada.lovelace@example.org',
    });
    assert.deepEqual([report.unknown, report.skipped, report.replayed], [[], [], false]);

    await sink.waitFor(3);
    await waitForSender(setup);
    await settle();
    assert.equal(sink.messages.length, 3, 'one more message, no other reader mailed again');
    assert.equal(sink.to('alan@example.org').length, 1);
    const resent = sink.to('ada.lovelace@example.org');
    assert.equal(resent.length, 1);
    const mail = resent[0]!;

    const resend = await db.prisma.delivery.findUniqueOrThrow({ where: { id: report.queued[0].deliveryId } });
    assert.equal(resend.status, 'sent');
    assert.equal(resend.resendOfId, original.id);
    assert.equal(resend.selectionId, original.selectionId, 'a new delivery of the same selection');
    assert.equal(await db.prisma.selection.count({ where: { subscriberId: ada!.id } }), 1, 'nothing copied');
    assert.equal(mail.parsed.messageId, resend.messageId);
    assert.notEqual(mail.parsed.messageId, first.parsed.messageId, 'a fresh Message-ID');
    // The same papers, in the same order, as the original email.
    const titles = await db.prisma.paper.findMany({ where: { id: { in: original.selection.paperIds } } });
    const titleOf = new Map(titles.map((p) => [p.id, p.title]));
    const listed = (text: string) => [...text.matchAll(/^\d+\. (.+)$/gm)].map((m) => m[1]);
    assert.deepEqual(
      listed(mail.parsed.text ?? ''),
      original.selection.paperIds.map((id) => titleOf.get(id)),
    );
    assert.deepEqual(listed(mail.parsed.text ?? ''), listed(first.parsed.text ?? ''));
    assert.equal(mail.parsed.subject, first.parsed.subject);

    // History is kept: the original row is as it was.
    const after = await db.prisma.delivery.findUniqueOrThrow({ where: { id: original.id } });
    assert.deepEqual(
      { status: after.status, messageId: after.messageId, sentAt: after.sentAt },
      { status: 'sent', messageId: original.messageId, sentAt: original.sentAt },
    );

    // The reader's deliveries of the day: the original and the resend.
    const list = await app.inject({
      url: `/api/admin/digests/${DAY}/deliveries?email=ada.lovelace@example.org`,
      headers: auth,
    });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(
      list
        .json()
        .deliveries.map((d: { id: number; resendOf: number | null; status: string }) => [d.resendOf, d.status]),
      [
        [null, 'sent'],
        [original.id, 'sent'],
      ],
    );
    const audit = await db.prisma.auditEntry.findFirstOrThrow({ where: { action: 'digest.resend' } });
    assert.deepEqual(audit.params, { date: DAY, mode: 'emails', addresses: 1 });
    assert.doesNotMatch(JSON.stringify(audit), /@/, 'the audit log names no address');
    assert.equal(alan!.email, 'alan@example.org');
  });

  it('after a run where the relay refused some readers with 550, {"failed": true} reaches exactly those', async () => {
    const setup = await setupDigestApp();
    const { app, db, sink, services } = setup;
    await createReaders(db.prisma, [
      { email: 'ada@example.org', topics: ['speculative-decoding'] },
      { email: 'bob@example.org', topics: ['speculative-decoding'] },
      { email: 'cy@example.org', topics: ['speech-tokenizers'] },
      { email: 'dee@example.org', topics: ['speech-tokenizers'] },
    ]);
    const refused = new Set(['bob@example.org', 'dee@example.org']);
    sink.setPolicy((to) =>
      to.some((a) => refused.has(a)) ? { code: 550, message: '5.7.1 Message rejected by policy' } : undefined,
    );
    const run = await services.digests.runDay(DAY, { trigger: 'test' });
    assert.deepEqual([run.counts!.sent, run.counts!.failed], [2, 2]);
    assert.equal(sink.messages.length, 2);

    const day = await app.inject({ url: `/api/admin/digests/${DAY}`, headers: auth });
    assert.equal(day.statusCode, 200);
    const detail = day.json();
    assert.deepEqual(
      detail.failed.map((f: { email: string }) => f.email),
      ['bob@example.org', 'dee@example.org'],
    );
    for (const f of detail.failed) assert.match(f.lastError, /^550 .*rejected by policy/);
    assert.equal(detail.counts.failed, 2);
    assert.equal(detail.runs.length, 1);
    assert.equal(detail.runs[0].status, 'done');

    sink.setPolicy(undefined);
    const res = await app.inject({ method: 'POST', url: resendUrl, headers: auth, payload: { failed: true } });
    assert.equal(res.statusCode, 202, res.body);
    assert.deepEqual(
      res.json().queued.map((q: { email: string }) => q.email),
      ['bob@example.org', 'dee@example.org'],
    );
    await sink.waitFor(4);
    await waitForSender(setup);
    await settle();
    assert.equal(sink.messages.length, 4);
    for (const email of ['ada@example.org', 'bob@example.org', 'cy@example.org', 'dee@example.org']) {
      assert.equal(sink.to(email).length, 1, email);
    }

    // Nothing failed any more: a second request finds nobody.
    const again = await app.inject({ method: 'POST', url: resendUrl, headers: auth, payload: { failed: true } });
    assert.equal(again.statusCode, 202);
    assert.deepEqual(again.json().queued, []);
    const days = await app.inject({ url: '/api/admin/digests', headers: auth });
    const [listed] = days.json().days;
    assert.equal(listed.date, DAY);
    assert.deepEqual(
      { sent: listed.counts.sent, failed: listed.counts.failed, resends: listed.counts.resends },
      { sent: 4, failed: 2, resends: 2 },
    );
    assert.equal(listed.lastRun.status, 'done');
    assert.equal(typeof listed.lastRun.timings.totalMs, 'number');
  });

  it('queues once for the same Idempotency-Key, and refuses the key with another request', async () => {
    const setup = await setupDigestApp();
    const { app, db, sink, services } = setup;
    await createReaders(db.prisma, [
      { email: 'ada@example.org', topics: ['speculative-decoding'] },
      { email: 'bob@example.org', topics: ['speculative-decoding'] },
    ]);
    await services.digests.runDay(DAY, { trigger: 'test' });
    const send = (key: string, emails: string[]) =>
      app.inject({
        method: 'POST',
        url: resendUrl,
        headers: { ...auth, 'idempotency-key': key },
        payload: { emails },
      });
    // Two at once (a client that retried before the first answer came back), then a third later.
    const [a, b] = await Promise.all([send('key-1', ['ada@example.org']), send('key-1', ['ada@example.org'])]);
    assert.deepEqual([a.statusCode, b.statusCode], [202, 202]);
    await waitForSender(setup);
    const c = await send('key-1', ['ada@example.org']);
    assert.equal(c.statusCode, 202);
    const answers = [a.json(), b.json(), c.json()];
    assert.deepEqual(answers.map((r) => r.replayed).sort(), [false, true, true]);
    for (const r of answers) {
      assert.equal(r.queued.length, 1);
      assert.equal(r.queued[0].email, 'ada@example.org');
      assert.equal(r.queued[0].deliveryId, answers[0].queued[0].deliveryId);
    }
    await settle();
    assert.equal(await db.prisma.delivery.count({ where: { resendOfId: { not: null } } }), 1);
    assert.equal(sink.to('ada@example.org').length, 2, 'the original and one resend');

    const other = await send('key-1', ['bob@example.org']);
    assert.equal(other.statusCode, 422);
    assert.equal(other.json().error, 'PAPERMAIL_ERR_IDEMPOTENCY_KEY_REUSED');
    assert.match(other.json().message, /different request/);
    const bad = await send('has spaces', ['bob@example.org']);
    assert.equal(bad.statusCode, 400);

    // The kept answer names readers by id only.
    const stored = await db.prisma.idempotentRequest.findMany();
    assert.equal(stored.length, 1);
    assert.doesNotMatch(JSON.stringify(stored), /@/);
    assert.equal(sink.to('bob@example.org').length, 1);
  });

  it('without a key, two identical requests a second apart queue once; the second says why', async () => {
    const setup = await setupDigestApp();
    const { app, db, sink, services } = setup;
    await createReaders(db.prisma, [{ email: 'ada@example.org', topics: ['speculative-decoding'] }]);
    await services.digests.runDay(DAY, { trigger: 'test' });
    const send = () =>
      app.inject({ method: 'POST', url: resendUrl, headers: auth, payload: { emails: ['ada@example.org'] } });
    const [a, b] = await Promise.all([send(), send()]);
    const both = [a.json(), b.json()];
    assert.deepEqual(both.map((r) => r.queued.length).sort(), [0, 1]);
    const second = both.find((r) => r.queued.length === 0);
    assert.equal(second.skipped.length, 1);
    assert.match(second.skipped[0].code, /^(resend-queued|recently-resent)$/);

    await waitForSender(setup);
    await settle(1000);
    const later = (await send()).json();
    assert.deepEqual(later.queued, []);
    assert.equal(later.skipped[0].code, 'recently-resent');
    assert.match(later.skipped[0].reason, /was queued \d+ s ago \(sent\)/);
    await settle();
    assert.equal(sink.to('ada@example.org').length, 2, 'the original and one resend');
  });

  it('skips and reports unsubscribed readers, and reports unknown addresses', async () => {
    const setup = await setupDigestApp();
    const { app, db, sink, services } = setup;
    const [, bob] = await createReaders(db.prisma, [
      { email: 'ada@example.org', topics: ['speculative-decoding'] },
      { email: 'bob@example.org', topics: ['speculative-decoding'] },
    ]);
    await services.digests.runDay(DAY, { trigger: 'test' });
    await db.prisma.subscriber.update({ where: { id: bob!.id }, data: { status: 'unsubscribed' } });
    await createReaders(db.prisma, [{ email: 'late@example.org', topics: ['speculative-decoding'] }]);
    const res = await app.inject({
      method: 'POST',
      url: resendUrl,
      headers: auth,
      payload: { emails: ['ada@example.org', 'bob@example.org', 'nobody@example.org', 'late@example.org', 'not mail'] },
    });
    assert.equal(res.statusCode, 202);
    const report = res.json();
    assert.deepEqual(
      report.queued.map((q: { email: string }) => q.email),
      ['ada@example.org'],
    );
    assert.deepEqual(report.skipped, [
      {
        email: 'bob@example.org',
        subscriberId: bob!.id,
        deliveryId: report.skipped[0].deliveryId,
        code: 'not-active',
        reason: 'the reader is unsubscribed',
        status: 'unsubscribed',
      },
    ]);
    assert.deepEqual(
      report.unknown.map((u: { email: string; reason: string }) => [u.email, u.reason]),
      [
        ['nobody@example.org', 'no reader has this address'],
        ['late@example.org', `the reader got no digest on ${DAY}`],
        ['not mail', 'This email address cannot be used: it contains spaces.'],
      ],
    );
    await waitForSender(setup);
    await settle();
    assert.equal(sink.to('bob@example.org').length, 1, 'only the original, sent before bob left');
    assert.equal(sink.to('ada@example.org').length, 2);

    const neither = await app.inject({ method: 'POST', url: resendUrl, headers: auth, payload: {} });
    assert.equal(neither.statusCode, 400);
    const both = await app.inject({
      method: 'POST',
      url: resendUrl,
      headers: auth,
      payload: { failed: true, emails: ['ada@example.org'] },
    });
    assert.equal(both.statusCode, 400);
    const noDigest = await app.inject({
      method: 'POST',
      url: '/api/admin/digests/2026-08-01/resend',
      headers: auth,
      payload: { failed: true },
    });
    assert.equal(noDigest.statusCode, 404);
    assert.match(noDigest.json().message, /no digest for 2026-08-01/);
  });
});
