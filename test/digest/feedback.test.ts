// Feedback under each paper: the links in the email, the pages they open, the votes they record, and how those
// votes move one reader's next digest (and nobody else's). Two real Hugging Face days, two readers of one topic.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { buildTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../helpers/app.js';
import { type ReceivedMail, type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.js';
import { loadFixturePapers } from './fixture-papers.js';
import { createReaders, type TestReader } from './readers.js';

const DAY1 = '2026-07-30';
const DAY2 = '2026-07-31';
const BASE = 'http://localhost:3000';
// Day 1, both matched by "LLM agents": the reader finds the claim-provenance paper off topic and wants more agentic RL.
const ISNAD_PROVENANCE = '2607.24117'; // Grading the Narrators: an Isnad-Rijal framework for claim-level provenance
const SKILLRISE_AGENTIC_RL = '2607.26784'; // SkillRise: Agentic Reinforcement Learning for Cross-Task Skill Evolution
// Day 2: the papers those votes should move.
const LEDGERMIND_PROVENANCE = '2607.28374'; // LEDGERMIND: Provenance-Constrained Multimodal Agentic Reasoning
const HARNESS_G_RL_SEARCH = '2607.27652'; // Harness-G: a harness for reinforcement-learning search agents

interface World extends TestApp {
  sink: SmtpSink;
  ada: TestReader;
  bob: TestReader;
}

async function setup(): Promise<World> {
  const sink = await startSmtpSink();
  const app = await buildTestApp({ SMTP_URL: sink.url, SEND_RETRY_BASE_MS: '20' });
  await loadFixturePapers(app.db.prisma, DAY1);
  await loadFixturePapers(app.db.prisma, DAY2);
  const [ada, bob] = await createReaders(app.db.prisma, [
    { email: 'ada@example.org', topics: ['agents'], maxPapers: 30 },
    { email: 'bob@example.org', topics: ['agents'], maxPapers: 30 },
  ]);
  const run = await app.services.digests.runDay(DAY1, { trigger: 'test' });
  assert.equal(run.counts?.sent, 2);
  return { ...app, sink, ada: ada!, bob: bob! };
}

/** Per paper id, the "More like this" and "Not for me" links of the email's plain-text part. */
function feedbackLinks(mail: ReceivedMail): Map<string, { more: string; less: string }> {
  const out = new Map<string, { more: string; less: string }>();
  const text = mail.parsed.text ?? '';
  for (const m of text.matchAll(/More like this: (\S+)\s+Not for me: +(\S+)/g)) {
    const more = m[1]!;
    const payload = Buffer.from(more.split('/feedback/')[1]!.split('.')[0]!, 'base64url').toString();
    out.set(payload.split('.').slice(2).join('.'), { more, less: m[2]! });
  }
  return out;
}

const path = (url: string) => url.replace(BASE, '');

async function dryRunPlan(world: World, email: string): Promise<string[]> {
  const report = await world.services.digests.prepare(DAY2, { dryRun: true });
  return report.plans!.find((p) => p.email === email)?.paperIds ?? [];
}

/** Opens a feedback link (GET) and presses its button (POST with the page's CSRF value). */
async function vote(world: World, url: string) {
  const page = await world.app.inject({ url: path(url) });
  assert.equal(page.statusCode, 200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
  return world.app.inject({ method: 'POST', url: path(url), payload: { csrf } });
}

async function feedbackRows(world: World) {
  return world.db.prisma.feedback.findMany({ orderBy: { id: 'asc' } });
}

async function undoAll(world: World, reader: TestReader) {
  const page = await world.app.inject({ url: `/preferences/${reader.token}` });
  // Each form has its own CSRF value: the undo forms', not the first form's.
  const csrf = /action="[^"]*\/feedback\/undo"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)"/.exec(
    page.body,
  )![1]!;
  for (const m of page.body.matchAll(/name="paperId" value="([^"]+)"/g)) {
    const undo = await world.app.inject({
      method: 'POST',
      url: `/preferences/${reader.token}/feedback/undo`,
      payload: { csrf, paperId: m[1]! },
    });
    assert.equal(undo.statusCode, 200);
    assert.match(undo.body, /Undone/);
  }
}

const position = (list: string[], id: string) => (list.includes(id) ? list.indexOf(id) + 1 : undefined);

describe('feedback on the papers of a digest', () => {
  it('"Not for me" lowers similar papers the next day and "More like this" raises them, for that reader only; undo restores', async () => {
    const world = await setup();
    const links = feedbackLinks(world.sink.to(world.ada.email)[0]!);
    assert.ok(links.has(ISNAD_PROVENANCE) && links.has(SKILLRISE_AGENTIC_RL), 'both papers were in the digest');

    const before = { ada: await dryRunPlan(world, world.ada.email), bob: await dryRunPlan(world, world.bob.email) };
    assert.deepEqual(before.ada, before.bob, 'same topic, same papers without feedback');
    const ledgerBefore = position(before.ada, LEDGERMIND_PROVENANCE);
    const harnessBefore = position(before.ada, HARNESS_G_RL_SEARCH);
    assert.ok(ledgerBefore && harnessBefore, `both papers are in the plan before feedback: ${before.ada.join(' ')}`);

    assert.equal((await vote(world, links.get(ISNAD_PROVENANCE)!.less)).statusCode, 200);
    assert.equal((await vote(world, links.get(SKILLRISE_AGENTIC_RL)!.more)).statusCode, 200);
    const rows = await feedbackRows(world);
    assert.deepEqual(
      rows.map((r) => [r.subscriberId, r.paperId, r.vote]),
      [
        [world.ada.id, ISNAD_PROVENANCE, 'less'],
        [world.ada.id, SKILLRISE_AGENTIC_RL, 'more'],
      ],
    );
    const agents = await world.db.prisma.topic.findUniqueOrThrow({ where: { slug: 'agents' } });
    assert.deepEqual(rows[0]!.interestKeys, [`topic:${agents.id}`], 'stored by key, not by label');

    const after = { ada: await dryRunPlan(world, world.ada.email), bob: await dryRunPlan(world, world.bob.email) };
    // The change a reader notices: the provenance paper is gone, the RL search-agent paper climbs.
    assert.equal(position(after.ada, LEDGERMIND_PROVENANCE), undefined);
    const harnessAfter = position(after.ada, HARNESS_G_RL_SEARCH);
    assert.ok(harnessAfter && harnessAfter < harnessBefore, `climbs from ${harnessBefore} (now ${harnessAfter})`);
    assert.ok(
      after.ada.every((id) => before.ada.includes(id)),
      'feedback adds no unmatched paper',
    );
    assert.deepEqual(after.bob, before.bob, 'the other reader of the topic sees no change');

    // The admin preview gives the same papers as the dry run, and so does the daily run itself.
    const preview = await world.app.inject({
      url: `/api/admin/digests/${DAY2}/preview?email=ada@example.org`,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    assert.equal(preview.statusCode, 200);
    assert.equal(preview.headers['x-papermail-preview'], 'would-get');
    const previewIds = [...preview.body.matchAll(/huggingface\.co\/papers\/([\d.]+)"><img/g)].map((m) => m[1]);
    assert.deepEqual(previewIds, after.ada);

    // Renaming the topic keeps the feedback: it is stored by key.
    await world.db.prisma.topic.update({ where: { id: agents.id }, data: { name: 'Agents (renamed)' } });
    assert.deepEqual(await dryRunPlan(world, world.ada.email), after.ada);

    await undoAll(world, world.ada);
    assert.equal((await feedbackRows(world)).length, 0);
    assert.deepEqual(await dryRunPlan(world, world.ada.email), before.ada, 'undo restores the ranking');

    // Voted again, the real run sends what the dry run said, and nothing day 1 already carried.
    await vote(world, links.get(ISNAD_PROVENANCE)!.less);
    await vote(world, links.get(SKILLRISE_AGENTIC_RL)!.more);
    const planned = await dryRunPlan(world, world.ada.email);
    assert.deepEqual(planned, after.ada);
    await world.services.digests.runDay(DAY2, { trigger: 'test' });
    const sent = await world.db.prisma.selection.findMany({
      where: { subscriberId: world.ada.id },
      orderBy: { id: 'asc' },
    });
    assert.deepEqual(sent[1]!.paperIds, planned);
    assert.ok(!sent[1]!.paperIds.some((id) => sent[0]!.paperIds.includes(id)));
  });

  it('GET changes nothing, POST records once, a second POST is harmless; forged or foreign values get the 404 page', async () => {
    const world = await setup();
    const mail = world.sink.to(world.ada.email)[0]!;
    const links = feedbackLinks(mail);
    assert.ok(links.size > 0);
    const html = String(mail.parsed.html);
    assert.ok(html.includes('>More like this</a>'), 'the HTML part has the links');
    assert.ok(html.includes('>Not for me</a>'));
    const link = links.get(ISNAD_PROVENANCE)!.less;
    assert.ok(!link.includes(world.ada.token), "the link does not carry the reader's token");

    const page = await world.app.inject({ url: path(link) });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Fewer papers like this one\?/);
    assert.match(page.body, /Grading the Narrators/);
    assert.equal(page.headers['cache-control'], 'no-store');
    await world.app.inject({ url: path(link) });
    assert.equal((await feedbackRows(world)).length, 0, 'GET recorded nothing');

    const first = await vote(world, link);
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /rank papers like this one lower/);
    const once = await feedbackRows(world);
    const second = await vote(world, link);
    assert.equal(second.statusCode, 200);
    assert.deepEqual(await feedbackRows(world), once, 'a second POST changes nothing');
    // The other button on the same paper: the latest vote wins, still one row.
    await vote(world, links.get(ISNAD_PROVENANCE)!.more);
    assert.deepEqual(
      (await feedbackRows(world)).map((r) => [r.paperId, r.vote]),
      [[ISNAD_PROVENANCE, 'more']],
    );
    const noCsrf = await world.app.inject({ method: 'POST', url: path(link), payload: {} });
    assert.equal(noCsrf.statusCode, 403);

    const unknown = await world.app.inject({ url: '/preferences/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    assert.equal(unknown.statusCode, 404);
    const value = path(link).split('/feedback/')[1]!;
    const [payload, mac] = value.split('.');
    const bobDelivery = await world.db.prisma.delivery.findFirstOrThrow({ where: { subscriberId: world.bob.id } });
    const adaDelivery = await world.db.prisma.delivery.findFirstOrThrow({ where: { subscriberId: world.ada.id } });
    const hmac = (secret: string, text: string) =>
      createHmac('sha256', secret).update(text).digest().subarray(0, 16).toString('base64url');
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    // Links of emails sent before the signature was the delivery's: the whole payload signed (v1).
    const signV1 = (secret: string, text: string) => `${b64(text)}.${hmac(secret, `papermail-feedback-v1:${text}`)}`;
    const signV2 = (secret: string, text: string) =>
      `${b64(text)}.${hmac(secret, `papermail-feedback-v2:${text.split('.')[0]}`)}`;
    const otherSecret = 'another-secret-another-secret-0123456789';
    assert.equal(
      value,
      signV2(world.config.secret!, `${adaDelivery.id}.less.${ISNAD_PROVENANCE}`),
      'signed per delivery',
    );
    const forged = [
      `${payload}.${mac!.slice(0, -2)}AA`, // signature changed
      `${b64(`${bobDelivery.id}.less.${ISNAD_PROVENANCE}`)}.${mac}`, // bob's delivery, ada's signature
      signV1(otherSecret, `${adaDelivery.id}.less.${ISNAD_PROVENANCE}`),
      signV2(otherSecret, `${adaDelivery.id}.less.${ISNAD_PROVENANCE}`),
      // Signed right, but for a paper bob's delivery never carried.
      signV1(world.config.secret!, `${bobDelivery.id}.less.2607.99999`),
      signV2(world.config.secret!, `${bobDelivery.id}.less.2607.99999`),
      // A delivery's signature made for another purpose (its web view) is not a feedback signature.
      `${b64(`${adaDelivery.id}.less.${ISNAD_PROVENANCE}`)}.${hmac(world.config.secret!, `papermail-delivery-view-v1:${adaDelivery.id}`)}`,
      'not-a-value',
    ];
    for (const bad of forged) {
      for (const method of ['GET', 'POST'] as const) {
        const res = await world.app.inject({
          method,
          url: `/feedback/${bad}`,
          payload: method === 'POST' ? {} : undefined,
        });
        assert.equal(res.statusCode, 404, `${method} ${bad}`);
        assert.equal(res.body, unknown.body, 'the same page as an unknown token link');
      }
    }
    assert.equal((await feedbackRows(world)).length, 1, 'nothing was recorded by them');

    // A link from an email sent before links were signed per delivery still records its vote.
    const oldLink = `/feedback/${signV1(world.config.secret!, `${adaDelivery.id}.less.${ISNAD_PROVENANCE}`)}`;
    assert.equal((await vote(world, `${BASE}${oldLink}`)).statusCode, 200);
    assert.deepEqual(
      (await feedbackRows(world)).map((r) => [r.paperId, r.vote]),
      [[ISNAD_PROVENANCE, 'less']],
    );

    // Bob's own link records Bob's vote, never Ada's.
    const bobLink = [...feedbackLinks(world.sink.to(world.bob.email)[0]!).values()][0]!.less;
    await vote(world, bobLink);
    assert.deepEqual(
      (await feedbackRows(world)).map((r) => r.subscriberId).sort(),
      [world.ada.id, world.bob.id].sort(),
    );
  });

  it('the preferences page lists votes with undo; preferences, web view and one-click unsubscribe links still work', async () => {
    const world = await setup();
    const mail = world.sink.to(world.ada.email)[0]!;
    const links = feedbackLinks(mail);
    await vote(world, links.get(ISNAD_PROVENANCE)!.less);
    await vote(world, links.get(SKILLRISE_AGENTIC_RL)!.more);

    const preferencesUrl = /Change your topics: (\S+)/.exec(mail.parsed.text!)![1]!;
    assert.equal(preferencesUrl, `${BASE}/preferences/${world.ada.token}`);
    const prefs = await world.app.inject({ url: path(preferencesUrl) });
    assert.equal(prefs.statusCode, 200);
    const more = prefs.body.slice(
      prefs.body.indexOf('You asked for more of:'),
      prefs.body.indexOf('You asked for less of:'),
    );
    assert.match(more, /SkillRise/);
    assert.doesNotMatch(more, /Grading the Narrators/);
    assert.match(prefs.body.slice(prefs.body.indexOf('You asked for less of:')), /Grading the Narrators/);
    const bobPrefs = await world.app.inject({ url: `/preferences/${world.bob.token}` });
    assert.doesNotMatch(bobPrefs.body, /You asked for/);

    // Undo with another reader's page does nothing to Ada's votes.
    const bobCsrf = /name="csrf" value="([^"]+)"/.exec(bobPrefs.body)![1]!;
    await world.app.inject({
      method: 'POST',
      url: `/preferences/${world.bob.token}/feedback/undo`,
      payload: { csrf: bobCsrf, paperId: ISNAD_PROVENANCE },
    });
    assert.equal((await feedbackRows(world)).length, 2);
    await undoAll(world, world.ada);
    const emptied = await world.app.inject({ url: path(preferencesUrl) });
    assert.doesNotMatch(emptied.body, /You asked for/);

    // The web version from the email shows Ada's papers with their feedback links; the public page shows none.
    const webUrl = /This day on the web: (\S+)/.exec(mail.parsed.text!)![1]!;
    assert.match(webUrl, new RegExp(`^${BASE}/digests/${DAY1}\\?view=`));
    const web = await world.app.inject({ url: path(webUrl) });
    assert.equal(web.statusCode, 200);
    assert.equal(web.headers['cache-control'], 'no-store');
    assert.equal([...web.body.matchAll(/>Not for me</g)].length, links.size);
    assert.ok(web.body.includes(`href="${links.get(ISNAD_PROVENANCE)!.less}"`));
    const publicPage = await world.app.inject({ url: `/digests/${DAY1}` });
    assert.doesNotMatch(publicPage.body, /Not for me/);
    const forgedView = await world.app.inject({ url: `/digests/${DAY1}?view=AAAA.AAAAAAAAAAAAAAAAAAAAAA` });
    assert.equal(forgedView.statusCode, 200);
    assert.doesNotMatch(forgedView.body, /Not for me/);

    // One-click unsubscribe from the List-Unsubscribe header still works.
    const unsubscribe = /^<(.+)>$/.exec(mail.header('list-unsubscribe')!)![1]!;
    const res = await world.app.inject({
      method: 'POST',
      url: path(unsubscribe),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    assert.equal(res.statusCode, 200);
    const ada = await world.db.prisma.subscriber.findUniqueOrThrow({ where: { id: world.ada.id } });
    assert.equal(ada.status, 'unsubscribed');
  });
});
