// What the dashboard's forms do, through real HTTP against the real app and database: each change lands in the
// tables and the audit log (naming the admin), each confirmation page changes nothing by itself, and bad input
// gets a page that says why and changes nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import Handlebars from 'handlebars';
import { seedTopics } from '../../src/topics/seed-topics.js';
import { DAY, settle, setupDigestApp, waitForSender } from '../admin/digest-setup.js';
import { createReaders } from '../digest/readers.js';
import { buildTestApp } from '../helpers/app.js';
import { addAccount, csrfOf, signIn } from './dashboard-helpers.js';

async function post(app: FastifyInstance, cookie: string, url: string, form: Record<string, string>, from = url) {
  const page = await app.inject({ url: from, headers: { cookie } });
  assert.equal(page.statusCode, 200, `${from}: ${page.body.slice(0, 300)}`);
  return app.inject({ method: 'POST', url, headers: { cookie }, payload: { csrf: csrfOf(page.body), ...form } });
}

/** A multipart/form-data body, as a browser sends the import form. */
function multipart(fields: Record<string, string>, file: { name: string; content: string }) {
  const boundary = '----papermail-test-boundary';
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n` +
      `Content-Type: text/csv\r\n\r\n${file.content}\r\n`,
  );
  return {
    payload: `${parts.join('')}--${boundary}--\r\n`,
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

describe('dashboard actions', () => {
  it('resends to one reader once per form, starts a run, and names the admin in the audit log', async () => {
    const setup = await setupDigestApp();
    const { app, db, sink, services } = setup;
    await createReaders(db.prisma, [
      { email: 'ada@example.org', topics: ['speculative-decoding'] },
      { email: 'bob@example.org', topics: ['speculative-decoding'] },
    ]);
    await services.digests.runDay(DAY, { trigger: 'schedule' });
    assert.equal(sink.messages.length, 2);
    await addAccount(services, 'ops@example.org');
    const cookie = await signIn(app, 'ops@example.org');

    // The day page's "Resend to a reader" form, sent twice with the same key (a double click): one resend.
    const day = await app.inject({ url: `/admin/days/${DAY}`, headers: { cookie } });
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(day.body)?.[1];
    assert.ok(key);
    const form = { csrf: csrfOf(day.body), idempotencyKey: key, email: 'ada@example.org' };
    const first = await app.inject({
      method: 'POST',
      url: `/admin/days/${DAY}/resend`,
      headers: { cookie },
      payload: form,
    });
    assert.equal(first.statusCode, 200, first.body);
    assert.match(first.body, /1 resend queued\./);
    const again = await app.inject({
      method: 'POST',
      url: `/admin/days/${DAY}/resend`,
      headers: { cookie },
      payload: form,
    });
    assert.match(again.body, /this form was sent before: nothing new was queued/);
    await sink.waitFor(3);
    await waitForSender(setup);
    await settle();
    assert.equal(sink.to('ada@example.org').length, 2);
    assert.equal(sink.to('bob@example.org').length, 1);
    assert.equal(await db.prisma.delivery.count({ where: { resendOfId: { not: null } } }), 1);

    // A new form (a fresh key) within the cooldown: skipped with the API's reason.
    const soon = await post(
      app,
      cookie,
      `/admin/days/${DAY}/resend`,
      { email: 'ada@example.org' },
      `/admin/days/${DAY}`,
    );
    assert.match(soon.body, /No resend queued, 1 skipped\./);
    assert.match(soon.body, /Skipped ada@example\.org: .*resent at most once every 10 minutes/);
    const unknown = await post(
      app,
      cookie,
      `/admin/days/${DAY}/resend`,
      { email: 'nobody@example.org' },
      `/admin/days/${DAY}`,
    );
    assert.match(unknown.body, /Unknown nobody@example\.org/);

    // Start a run for a date from the runs page: answered with the day, recorded with the trigger "admin".
    const run = await post(app, cookie, '/admin/runs', { date: DAY, source: 'huggingface' }, '/admin/runs');
    assert.equal(run.statusCode, 303, run.body);
    assert.match(String(run.headers.location), new RegExp(`^/admin/days/${DAY}\\?run=\\d+$`));
    await services.admin.digests.runFinished(DAY);
    const runs = await db.prisma.run.findMany({ orderBy: { id: 'asc' } });
    assert.deepEqual(
      runs.map((r) => [r.trigger, r.status]),
      [
        ['schedule', 'done'],
        ['admin', 'done'],
      ],
    );
    const bad = await post(app, cookie, '/admin/runs', { date: '2026-02-30' }, '/admin/runs');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /is not a real calendar date/);
    const runsPage = await app.inject({ url: '/admin/runs', headers: { cookie } });
    assert.match(runsPage.body, /<td>admin<\/td>/);

    // The reader's page: their deliveries of the day (the original and the resend) and their feedback.
    const original = await db.prisma.delivery.findFirstOrThrow({
      where: { subscriber: { emailKey: 'ada@example.org' }, resendOfId: null },
      include: { subscriber: true, selection: true },
    });
    const paperId = original.selection.paperIds[0]!;
    await db.prisma.feedback.create({
      data: { subscriberId: original.subscriberId, paperId, deliveryId: original.id, vote: 'more' },
    });
    const paper = await db.prisma.paper.findUniqueOrThrow({ where: { id: paperId } });
    const readerPage = await app.inject({ url: `/admin/readers/${original.subscriberId}`, headers: { cookie } });
    assert.match(readerPage.body, /2 deliveries in all\./);
    assert.match(readerPage.body, /<td>More like this<\/td>/);
    assert.ok(readerPage.body.includes(Handlebars.Utils.escapeExpression(paper.title)), 'the paper voted on is named');

    const actors = await db.prisma.auditEntry.findMany({
      where: { action: { in: ['digest.resend', 'digest.run'] } },
      select: { actor: true, action: true },
    });
    assert.ok(actors.length >= 5);
    for (const a of actors) assert.equal(a.actor, 'dashboard ops@example.org', a.action);
  });

  it('checks a topic change (entering and leaving papers) without saving, refuses bad input, saves, retires after asking', async () => {
    const { app, db, services } = await setupDigestApp();
    await createReaders(db.prisma, [{ email: 'ada@example.org', topics: ['speculative-decoding', 'agents'] }]);
    await addAccount(services, 'ops@example.org');
    const cookie = await signIn(app, 'ops@example.org');
    const url = '/admin/topics/speculative-decoding';
    const unchanged = await db.prisma.topic.findUniqueOrThrow({ where: { slug: 'speculative-decoding' } });
    const same = { name: unchanged.name, description: unchanged.description, query: unchanged.query, definition: '' };

    const topicPage = await app.inject({ url, headers: { cookie } });
    assert.match(topicPage.body, /Matched with the catalog&#x27;s definition for this slug/);
    assert.match(topicPage.body, /<svg class="chart"[^>]*aria-labelledby="chart-topic-title/);

    // A definition no paper can reach: every paper it matches now would leave; nothing is saved.
    const narrow = JSON.stringify({ terms: [{ text: 'draft model', weight: 1 }], threshold: 20 });
    const check = await post(app, cookie, `${url}/check`, { ...same, definition: narrow }, url);
    assert.equal(check.statusCode, 200, check.body.slice(0, 500));
    assert.match(check.body, /Checked\. Nothing was saved\./);
    const now = Number(/(\d+) listings\s+match now, <strong>0<\/strong> with the change/.exec(check.body)?.[1]);
    assert.ok(now > 0, 'the day has papers it matches now');
    assert.match(check.body, new RegExp(`<h3>Leaving \\(${now}\\)</h3>`));
    assert.match(check.body, /<h3>Entering \(0\)<\/h3>/);
    assert.deepEqual(await db.prisma.topic.findUniqueOrThrow({ where: { slug: 'speculative-decoding' } }), unchanged);
    const checked = await db.prisma.auditEntry.findFirstOrThrow({ where: { action: 'topic.check' } });
    assert.equal(checked.actor, 'dashboard ops@example.org');

    const refusals: [Record<string, string>, RegExp][] = [
      [{ definition: '{oops' }, /The definition is not valid JSON/],
      [{ definition: JSON.stringify({ terms: [{ text: 'draft', weight: 9 }] }) }, /definition\/terms\/0\/weight/],
      [{ name: 'Spec dec', query: 'the of and' }, /has nothing Postgres can search for/],
    ];
    for (const [change, message] of refusals) {
      const res = await post(app, cookie, url, { ...same, ...change }, url);
      assert.equal(res.statusCode, 400, JSON.stringify(change));
      assert.match(res.body, /Not done:/);
      assert.match(res.body, message);
    }
    assert.match(
      (await post(app, cookie, url, { ...same, name: 'Spec dec', query: 'the of and' }, url)).body,
      /value="Spec dec"/,
    );
    assert.deepEqual(await db.prisma.topic.findUniqueOrThrow({ where: { slug: 'speculative-decoding' } }), unchanged);

    const definition = {
      terms: [
        { text: 'speculative decoding', weight: 1 },
        { text: 'draft model', weight: 1 },
      ],
    };
    const saved = await post(
      app,
      cookie,
      url,
      { ...same, name: 'Speculative decoding and drafts', definition: JSON.stringify(definition, null, 2) },
      url,
    );
    assert.equal(saved.statusCode, 200, saved.body);
    assert.match(saved.body, /Saved\./);
    assert.match(saved.body, /Which papers would enter and leave/);
    assert.match(saved.body, /Matched with a definition of its own, set by an admin\./);
    const topic = await db.prisma.topic.findUniqueOrThrow({ where: { slug: 'speculative-decoding' } });
    assert.deepEqual(
      [topic.name, topic.query, topic.definition],
      ['Speculative decoding and drafts', unchanged.query, definition],
    );
    const entry = await db.prisma.auditEntry.findFirstOrThrow({
      where: { action: 'topic.update' },
      orderBy: { id: 'desc' },
    });
    assert.equal(entry.actor, 'dashboard ops@example.org');
    assert.deepEqual(entry.params, {
      slug: 'speculative-decoding',
      name: 'Speculative decoding and drafts',
      definition,
    });

    const reset = await post(app, cookie, url, { ...same, name: topic.name, resetDefinition: 'on' }, url);
    assert.match(reset.body, /Saved\./);
    assert.equal(
      (await db.prisma.topic.findUniqueOrThrow({ where: { slug: 'speculative-decoding' } })).definition,
      null,
    );

    const ask = await app.inject({ url: `${url}/retire`, headers: { cookie } });
    assert.match(ask.body, /it is removed from the 1 readers who chose it/);
    assert.equal(
      (await db.prisma.topic.findUniqueOrThrow({ where: { slug: 'speculative-decoding' } })).retiredAt,
      null,
    );
    const retired = await post(app, cookie, `${url}/retire`, {}, `${url}/retire`);
    assert.match(retired.body, /Retired\. It was removed from 1 readers; 0 of them have no topic or keyword left\./);
    assert.ok((await db.prisma.topic.findUniqueOrThrow({ where: { slug: 'speculative-decoding' } })).retiredAt);
  });

  it('finds readers, pauses, unsubscribes and erases after asking, and exports CSV', async () => {
    const { app, db, services } = await setupDigestApp();
    const [ada, bob] = await createReaders(db.prisma, [
      { email: 'ada@example.org', topics: ['agents'], keywords: ['world model'] },
      { email: 'bob@lab.example.net', topics: ['agents'], status: 'paused' },
      { email: 'cy@example.org' },
    ]);
    await addAccount(services, 'ops@example.org');
    const cookie = await signIn(app, 'ops@example.org');

    const found = await app.inject({ url: '/admin/readers?email=EXAMPLE.&topic=agents', headers: { cookie } });
    assert.match(found.body, /2 readers match\./);
    assert.match(found.body, /ada@example\.org/);
    assert.doesNotMatch(found.body, /cy@example\.org/);
    const paused = await app.inject({ url: '/admin/readers?status=paused', headers: { cookie } });
    assert.match(paused.body, /1 reader matches\./);
    const badTopic = await app.inject({ url: '/admin/readers?topic=nope', headers: { cookie } });
    assert.equal(badTopic.statusCode, 400);
    assert.match(badTopic.body, /There is no topic &quot;nope&quot;\./);

    const page = await app.inject({ url: `/admin/readers/${ada!.id}`, headers: { cookie } });
    assert.match(page.body, /world model/);
    assert.match(page.body, /href="\/admin\/readers\/\d+\/erase">Erase…/);

    const ask = await app.inject({ url: `/admin/readers/${ada!.id}/erase`, headers: { cookie } });
    assert.match(ask.body, /This cannot be undone\./);
    assert.equal(
      (await db.prisma.subscriber.findUniqueOrThrow({ where: { id: ada!.id } })).erasedAt,
      null,
      'asking is not erasing',
    );
    const erased = await post(app, cookie, `/admin/readers/${ada!.id}/erase`, {}, `/admin/readers/${ada!.id}/erase`);
    assert.match(erased.body, /Erased\./);
    const row = await db.prisma.subscriber.findUniqueOrThrow({ where: { id: ada!.id } });
    assert.deepEqual([row.email, row.status, row.keywords], [`erased-${ada!.id}@invalid`, 'unsubscribed', []]);

    const unsub = await post(
      app,
      cookie,
      `/admin/readers/${bob!.id}/unsubscribe`,
      {},
      `/admin/readers/${bob!.id}/unsubscribe`,
    );
    assert.match(unsub.body, /Unsubscribed\./);
    const twice = await post(app, cookie, `/admin/readers/${bob!.id}/unsubscribe`, {}, `/admin/readers/${bob!.id}`);
    assert.match(twice.body, /Nothing to do: the reader is unsubscribed already\./);
    const cannot = await post(app, cookie, `/admin/readers/${bob!.id}/pause`, {}, `/admin/readers/${bob!.id}`);
    assert.equal(cannot.statusCode, 409);
    assert.match(cannot.body, /This reader is unsubscribed: they cannot be paused\./);
    assert.equal((await db.prisma.subscriber.findUniqueOrThrow({ where: { id: bob!.id } })).status, 'unsubscribed');

    const csv = await app.inject({ url: '/admin/csv/readers.csv?status=unsubscribed', headers: { cookie } });
    assert.equal(csv.statusCode, 200);
    assert.match(
      String(csv.headers['content-disposition']),
      /^attachment; filename="papermail-readers-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const lines = csv.body.trim().split('\r\n');
    assert.equal(lines.length, 2, 'the header and bob (erased readers are left out)');
    assert.match(lines[1]!, /^bob@lab\.example\.net,unsubscribed,/);

    const audit = await db.prisma.auditEntry.findMany({
      where: { actor: 'dashboard ops@example.org', action: { not: 'admin.sign-in' } },
      orderBy: { id: 'asc' },
      select: { action: true },
    });
    assert.deepEqual(
      audit.map((a) => a.action),
      [
        'subscriber.erase',
        'subscriber.unsubscribe',
        'subscriber.unsubscribe',
        'subscriber.pause',
        'subscribers.export',
      ],
    );
  });

  it('imports and exports the delivery settings through the CSV page, reporting a bad one by row and column', async () => {
    const { app, db, services } = await buildTestApp();
    await seedTopics(db.prisma);
    await addAccount(services, 'ops@example.org');
    const cookie = await signIn(app, 'ops@example.org');
    const page = await app.inject({ url: '/admin/csv', headers: { cookie } });
    assert.match(page.body, /cadence, weekday, timezone, hour, channel, exclude_keywords, authors/);
    const csv = [
      'email,topics,cadence,weekday,timezone,hour,channel,exclude_keywords,authors',
      'tokyo@example.org,agents,weekly,5,Asia/Tokyo,8,both,benchmark,Ada Lovelace; Fei-Fei Li',
      'wrong@example.org,agents,weekly,5,Asia/Tokyo,25,both,,',
    ].join('\r\n');
    const body = multipart({ csrf: csrfOf(page.body), mode: 'confirmed' }, { name: 'readers.csv', content: csv });
    const report = await app.inject({
      method: 'POST',
      url: '/admin/csv/import',
      headers: { cookie, 'content-type': body.contentType },
      payload: body.payload,
    });
    assert.equal(report.statusCode, 200, report.body.slice(0, 500));
    assert.match(report.body, /2 rows \(confirmed\): 1 created, 0 updated,\s+1 skipped\./);
    assert.match(report.body, /hour must be a whole number from 0 to 23, a local hour \(got &quot;25&quot;\)/);
    const tokyo = await db.prisma.subscriber.findUniqueOrThrow({ where: { emailKey: 'tokyo@example.org' } });
    assert.deepEqual(
      [tokyo.cadence, tokyo.weekday, tokyo.timezone, tokyo.hour, tokyo.channel, tokyo.excludeKeywords, tokyo.authors],
      ['weekly', 5, 'Asia/Tokyo', 8, 'both', ['benchmark'], ['Ada Lovelace', 'Fei-Fei Li']],
    );
    assert.equal(await db.prisma.subscriber.count({ where: { emailKey: 'wrong@example.org' } }), 0);

    const exported = await app.inject({ url: '/admin/csv/readers.csv', headers: { cookie } });
    const [header, line] = exported.body.trim().split('\r\n');
    assert.match(header!, /,cadence,weekday,timezone,hour,channel,exclude_keywords,authors$/);
    assert.match(line!, /,weekly,5,Asia\/Tokyo,8,both,benchmark,Ada Lovelace; Fei-Fei Li$/);
  });
});
