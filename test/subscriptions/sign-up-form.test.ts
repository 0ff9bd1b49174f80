import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activeReader, buildReaderWorld, FORM, form, freshIp, linkIn, pressConfirm, readerRow } from './readers.js';

function scriptSources(csp: string): string {
  const directive = csp.split(';').find((d) => d.trim().startsWith('script-src'));
  assert.ok(directive, `no script-src in ${csp}`);
  return directive;
}

describe('the sign-up form at /', () => {
  it('renders an accessible form with the topic catalog, a hidden honeypot and no scripts', async () => {
    const world = await buildReaderWorld();
    const page = await world.app.inject({ url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    const html = page.body;
    assert.match(html, /<form method="post" action="\/subscribe"/);
    assert.match(html, /<label for="email">/);
    assert.match(html, /<input type="email" id="email" name="email" autocomplete="email"/);
    assert.match(html, /<legend>Topics<\/legend>/);
    assert.match(html, /<label class="check" for="topic-speculative-decoding">/);
    assert.match(html, /id="topic-speculative-decoding" name="topics" value="speculative-decoding"/);
    assert.match(html, /<div class="honeypot" aria-hidden="true">/);
    assert.match(html, /name="website" tabindex="-1" autocomplete="off"/);
    assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /\son[a-z]+="/i, 'no inline event handlers');
  });

  it('sets security headers on every page, with a CSP that allows no inline script', async () => {
    const world = await buildReaderWorld();
    const token = await activeReader(world, 'ada@example.org');
    for (const url of ['/', `/preferences/${token}`, `/unsubscribe/${token}`, '/confirm/unknown-token']) {
      const page = await world.app.inject({ url });
      const csp = page.headers['content-security-policy'] as string;
      assert.ok(csp, `${url} has a CSP`);
      const scripts = scriptSources(csp);
      assert.doesNotMatch(scripts, /unsafe-inline|unsafe-eval/, url);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /form-action 'self'/);
      assert.equal(page.headers['x-content-type-options'], 'nosniff');
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.match(page.headers['x-robots-tag'] as string, /noindex/);
    }
  });

  it('takes the urlencoded form: 202 "check your inbox", and the confirmation email arrives', async () => {
    const world = await buildReaderWorld();
    const response = await world.app.inject({
      method: 'POST',
      url: '/subscribe',
      headers: FORM,
      payload: form({
        email: ' Ada@Example.org ',
        topics: ['agents', 'robotics'],
        keywords: 'world model\nmixture of depths',
        website: '',
      }),
      remoteAddress: freshIp(),
    });
    assert.equal(response.statusCode, 202);
    assert.match(response.body, /Check your inbox/);
    await world.services.subscriptions.processSignups();
    assert.equal(world.sink.to('Ada@example.org').length, 1);
    await pressConfirm(world, linkIn(world.sink.to('Ada@example.org')[0]!, '/confirm/'));
    const row = await readerRow(world.db.prisma, 'ada@example.org');
    assert.equal(row?.email, 'Ada@example.org');
    assert.deepEqual(row?.keywords, ['world model', 'mixture of depths']);
    assert.deepEqual(row?.topics.map((t) => t.topic.slug).sort(), ['agents', 'robotics']);
  });

  it('answers a filled honeypot with the same 202 page, and does nothing', async () => {
    const world = await buildReaderWorld();
    const post = (email: string, website: string) =>
      world.app.inject({
        method: 'POST',
        url: '/subscribe',
        headers: FORM,
        payload: form({ email, topics: 'agents', website }),
        remoteAddress: freshIp(),
      });
    const person = await post('person@example.org', '');
    const bot = await post('bot-target@example.org', 'http://spam.example');
    assert.equal(bot.statusCode, person.statusCode);
    assert.equal(bot.body, person.body);
    await world.services.subscriptions.processSignups();
    assert.equal(await readerRow(world.db.prisma, 'bot-target@example.org'), null);
    assert.equal(await world.db.prisma.signupRequest.count({ where: { emailKey: 'bot-target@example.org' } }), 0);
    assert.equal(world.sink.to('bot-target@example.org').length, 0);
    assert.equal(world.sink.to('person@example.org').length, 1);
  });

  it('shows the form again with the reason and what was typed when something is wrong', async () => {
    const world = await buildReaderWorld();
    const response = await world.app.inject({
      method: 'POST',
      url: '/subscribe',
      headers: FORM,
      payload: form({ email: 'ada@example.org\r\nBcc: eve@evil.test', topics: 'robotics', keywords: 'world model' }),
      remoteAddress: freshIp(),
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /role="alert"/);
    assert.match(response.body, /it contains a line break/);
    assert.match(response.body, /value="robotics" checked/);
    assert.match(response.body, />world model<\/textarea>/);
    assert.equal(await world.db.prisma.subscriber.count(), 0);
  });

  it('answers an over-eager client with a 429 page', async () => {
    const world = await buildReaderWorld({ SIGNUP_RATE_LIMIT: '2' });
    const post = () =>
      world.app.inject({
        method: 'POST',
        url: '/subscribe',
        headers: FORM,
        payload: form({ email: 'ada@example.org', topics: 'agents' }),
        remoteAddress: '203.0.113.9',
      });
    await post();
    await post();
    const refused = await post();
    assert.equal(refused.statusCode, 429);
    assert.match(refused.headers['content-type'] as string, /text\/html/);
    assert.match(refused.body, /Too many requests: try again in/);
    await world.services.subscriptions.processSignups();
  });
});
