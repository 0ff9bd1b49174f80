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

  it('has an optional delivery fieldset: labelled selects, the operator zone and hour first and chosen', async () => {
    const world = await buildReaderWorld({ DIGEST_TIMEZONE: 'America/Chicago', DIGEST_CRON: '0 6 * * *' });
    const html = (await world.app.inject({ url: '/' })).body;
    assert.match(html, /<legend>Delivery <span class="hint">\(optional\)<\/span><\/legend>/);
    for (const [id, label] of [
      ['cadence', 'How often'],
      ['weekday', 'Day of a weekly digest'],
      ['timezone', 'Time zone'],
      ['hour', 'Deliver at'],
    ]) {
      assert.match(html, new RegExp(`<label for="${id}">${label}</label>\\s*<select id="${id}" name="${id}"`), id);
    }
    const zones = [...html.matchAll(/<option(?: selected)?>([^<]+)<\/option>/g)].map((m) => m[1]);
    assert.equal(zones[0], 'America/Chicago', "the operator's zone comes first");
    assert.ok(zones.includes('Asia/Tokyo') && zones.length > 300, 'every IANA zone is offered');
    assert.match(html, /<option selected>America\/Chicago<\/option>/);
    assert.match(html, /<option value="6" selected>06:00<\/option>/);
    assert.match(html, /<option value="daily" selected>Daily<\/option>/);
    assert.match(html, /Left as it is: daily at 06:00, America\/Chicago time/);
  });

  it('takes weekly, a weekday, a zone and an hour; left at the defaults, the reader follows the operator', async () => {
    const world = await buildReaderWorld({ DIGEST_TIMEZONE: 'America/Chicago', DIGEST_CRON: '0 6 * * *' });
    const post = (fields: Record<string, string | string[]>) =>
      world.app.inject({
        method: 'POST',
        url: '/subscribe',
        headers: FORM,
        payload: form({ topics: 'agents', website: '', ...fields }),
        remoteAddress: freshIp(),
      });
    const chose = await post({
      email: 'tokyo@example.org',
      cadence: 'weekly',
      weekday: '5',
      timezone: 'Asia/Tokyo',
      hour: '8',
    });
    assert.equal(chose.statusCode, 202, chose.body);
    // What a browser sends for a form left alone: every select with its first choice.
    const alone = await post({
      email: 'usual@example.org',
      cadence: 'daily',
      weekday: '1',
      timezone: 'America/Chicago',
      hour: '6',
    });
    assert.equal(alone.statusCode, 202);
    const onlyHour = await post({
      email: 'early@example.org',
      cadence: 'daily',
      weekday: '3',
      timezone: 'America/Chicago',
      hour: '5',
    });
    assert.equal(onlyHour.statusCode, 202);
    await world.services.subscriptions.processSignups();
    const confirmed = async (email: string) => {
      await pressConfirm(world, linkIn(world.sink.to(email)[0]!, '/confirm/'));
      const row = await readerRow(world.db.prisma, email);
      assert.equal(row?.status, 'active');
      return [row?.cadence, row?.weekday, row?.timezone, row?.hour];
    };
    assert.deepEqual(await confirmed('tokyo@example.org'), ['weekly', 5, 'Asia/Tokyo', 8]);
    assert.deepEqual(await confirmed('usual@example.org'), ['daily', 1, null, null], 'the operator’s, not copied');
    assert.deepEqual(
      await confirmed('early@example.org'),
      ['daily', 1, 'America/Chicago', 5],
      'a daily digest ignores the weekday; an hour of its own pins the zone it was chosen in',
    );
  });

  it('shows the form again with the field named and the choices kept when a delivery value is wrong', async () => {
    const world = await buildReaderWorld();
    const post = (fields: Record<string, string>) =>
      world.app.inject({
        method: 'POST',
        url: '/subscribe',
        headers: FORM,
        payload: form({ email: 'ada@example.org', topics: 'agents', cadence: 'weekly', weekday: '5', ...fields }),
        remoteAddress: freshIp(),
      });
    const zone = await post({ timezone: 'Atlantis/Capital', hour: '9' });
    assert.equal(zone.statusCode, 400);
    assert.match(zone.body, /role="alert"/);
    assert.match(zone.body, /timezone must be an IANA time zone/);
    assert.match(zone.body, /<option value="weekly" selected>Weekly<\/option>/);
    assert.match(zone.body, /<option value="5" selected>Friday<\/option>/);
    assert.match(zone.body, /<option value="9" selected>09:00<\/option>/);
    // A value no select offers (a hand-made request) is refused by the schema, naming the field.
    const hour = await post({ hour: '99' });
    assert.equal(hour.statusCode, 400);
    assert.match(hour.body, /hour/);
    const cadence = await post({ cadence: 'hourly' });
    assert.equal(cadence.statusCode, 400);
    assert.match(cadence.body, /cadence/);
    await world.services.subscriptions.processSignups();
    assert.equal(await world.db.prisma.signupRequest.count(), 0, 'nothing queued');
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
