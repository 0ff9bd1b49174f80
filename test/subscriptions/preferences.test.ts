import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activeReader, buildReaderWorld, csrfIn, FORM, form, readerRow } from './readers.js';

describe('preferences', () => {
  it('reads and changes preferences as JSON, authorised by the token alone', async () => {
    const world = await buildReaderWorld();
    const token = await activeReader(world, 'ada@example.org', ['agents']);
    const url = `/api/preferences/${token}`;

    const read = await world.app.inject({ url });
    assert.equal(read.statusCode, 200);
    assert.equal(read.headers['cache-control'], 'no-store');
    const { feedUrl, ...rest } = read.json();
    assert.deepEqual(rest, {
      email: 'ada@example.org',
      status: 'active',
      confirmed: true,
      topics: ['agents'],
      keywords: [],
      maxPapers: 10,
      topWhenNoMatch: false,
      cadence: 'daily',
      weekday: 1,
      timezone: 'UTC',
      hour: 7,
      channel: 'email',
      excludeKeywords: [],
      authors: [],
    });
    assert.match(feedUrl, /^https:\/\/papers\.example\.org\/feed\/[A-Za-z0-9_-]{40,}$/);

    const changed = await world.app.inject({
      method: 'PUT',
      url,
      payload: {
        topics: ['speculative-decoding', 'tokenization'],
        keywords: [' KV  cache ', 'kv cache'],
        maxPapers: 5,
      },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.deepEqual(changed.json().topics, ['speculative-decoding', 'tokenization']);
    const row = await readerRow(world.db.prisma, 'ada@example.org');
    assert.deepEqual(row?.topics.map((t) => t.topic.slug).sort(), ['speculative-decoding', 'tokenization']);
    assert.deepEqual(row?.keywords, ['KV cache'], 'trimmed, and case duplicates dropped');
    assert.equal(row?.maxPapers, 5);
    assert.equal(row?.topWhenNoMatch, false, 'fields left out stay as they were');

    const paused = await world.app.inject({ method: 'PUT', url, payload: { status: 'paused', topWhenNoMatch: true } });
    assert.equal(paused.json().status, 'paused');
    assert.equal(paused.json().topWhenNoMatch, true);
    const resumed = await world.app.inject({ method: 'PUT', url, payload: { status: 'active' } });
    assert.equal(resumed.json().status, 'active');
    const left = await world.app.inject({ method: 'PUT', url, payload: { status: 'unsubscribed' } });
    assert.equal(left.json().status, 'unsubscribed');
    assert.ok((await readerRow(world.db.prisma, 'ada@example.org'))?.unsubscribedAt);
    const back = await world.app.inject({ method: 'PUT', url, payload: { status: 'active' } });
    assert.equal(back.json().status, 'active');
  });

  it('refuses bad changes with a 400 that says why, and changes nothing', async () => {
    const world = await buildReaderWorld();
    const token = await activeReader(world, 'ada@example.org', ['agents']);
    const before = await readerRow(world.db.prisma, 'ada@example.org');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ maxPapers: 0 }, /from 1 to 30/],
      [{ maxPapers: 31 }, /from 1 to 30/],
      [{ topics: ['agents', 'horoscopes'] }, /Unknown topic "horoscopes"/],
      [{ keywords: Array.from({ length: 11 }, (_, i) => `k${i}`) }, /At most 10 keywords/],
      [{ keywords: ['ok', 'line\nbreak'] }, /line break/],
      [{ topics: ['reasoning'], maxPapers: 99 }, /from 1 to 30/],
    ];
    for (const [payload, reason] of cases) {
      const response = await world.app.inject({ method: 'PUT', url: `/api/preferences/${token}`, payload });
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.match(response.json().message, reason);
    }
    assert.deepEqual(await readerRow(world.db.prisma, 'ada@example.org'), before);
  });

  it('answers tampered and unknown tokens with 404 and changes nothing', async () => {
    const world = await buildReaderWorld();
    const token = await activeReader(world, 'ada@example.org');
    const before = await readerRow(world.db.prisma, 'ada@example.org');
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    for (const bad of [tampered, 'nope', token.toLowerCase() === token ? token.toUpperCase() : token.toLowerCase()]) {
      const get = await world.app.inject({ url: `/api/preferences/${bad}` });
      const put = await world.app.inject({ method: 'PUT', url: `/api/preferences/${bad}`, payload: { maxPapers: 3 } });
      assert.equal(get.statusCode, 404);
      assert.equal(put.statusCode, 404);
      assert.equal(get.body, put.body);
      const page = await world.app.inject({ url: `/preferences/${bad}` });
      assert.equal(page.statusCode, 404);
      assert.match(page.body, /This link does not work/);
    }
    assert.deepEqual(await readerRow(world.db.prisma, 'ada@example.org'), before);
  });

  it('changes topics, keywords and options from the page, protected by a CSRF value bound to the reader', async () => {
    const world = await buildReaderWorld();
    const token = await activeReader(world, 'ada@example.org', ['agents']);
    const otherToken = await activeReader(world, 'bob@example.org', ['agents']);
    const path = `/preferences/${token}`;

    const page = await world.app.inject({ url: path });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<input type="checkbox" id="topic-agents" name="topics" value="agents" checked/);
    assert.match(page.body, /<label for="keywords">/);
    assert.match(page.body, /name="maxPapers" min="1" max="30"/);
    const csrf = csrfIn(page.body);

    // Without the value, with another reader's, or with a forged one: 403 and nothing changes.
    const otherCsrf = csrfIn((await world.app.inject({ url: `/preferences/${otherToken}` })).body);
    for (const bad of [undefined, otherCsrf, `${csrf.slice(0, -2)}xx`]) {
      const fields: Record<string, string | string[]> = { topics: ['reasoning'], keywords: '', maxPapers: '3' };
      if (bad !== undefined) fields.csrf = bad;
      const refused = await world.app.inject({ method: 'POST', url: path, headers: FORM, payload: form(fields) });
      assert.equal(refused.statusCode, 403);
      assert.match(refused.body, /security token/);
    }
    assert.deepEqual(
      (await readerRow(world.db.prisma, 'ada@example.org'))?.topics.map((t) => t.topic.slug),
      ['agents'],
    );

    const saved = await world.app.inject({
      method: 'POST',
      url: path,
      headers: FORM,
      payload: form({
        csrf,
        topics: ['reasoning', 'robotics'],
        keywords: 'world model, "test-time training"\nworld model',
        maxPapers: '7',
        topWhenNoMatch: 'on',
      }),
    });
    assert.equal(saved.statusCode, 200);
    assert.match(saved.body, /Saved/);
    const row = await readerRow(world.db.prisma, 'ada@example.org');
    assert.deepEqual(row?.topics.map((t) => t.topic.slug).sort(), ['reasoning', 'robotics']);
    assert.deepEqual(row?.keywords, ['world model', '"test-time training"']);
    assert.equal(row?.maxPapers, 7);
    assert.equal(row?.topWhenNoMatch, true);

    // A bad value: 400, the page again with the reason and what was typed, nothing saved.
    const bad = await world.app.inject({
      method: 'POST',
      url: path,
      headers: FORM,
      payload: form({ csrf, topics: ['agents'], keywords: 'x', maxPapers: '40' }),
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Papers per digest must be a whole number from 1 to 30/);
    assert.match(bad.body, /value="40"/);
    assert.equal((await readerRow(world.db.prisma, 'ada@example.org'))?.maxPapers, 7);
  });

  it('pauses and resumes from the page; GET never changes anything', async () => {
    const world = await buildReaderWorld();
    const token = await activeReader(world, 'ada@example.org');
    const before = await readerRow(world.db.prisma, 'ada@example.org');
    for (const url of [`/preferences/${token}`, `/preferences/${token}/pause`, `/unsubscribe/${token}`]) {
      await world.app.inject({ url });
    }
    assert.deepEqual(await readerRow(world.db.prisma, 'ada@example.org'), before);

    const csrf = csrfIn((await world.app.inject({ url: `/preferences/${token}` })).body, '/pause');
    const pause = await world.app.inject({
      method: 'POST',
      url: `/preferences/${token}/pause`,
      headers: FORM,
      payload: form({ csrf }),
    });
    assert.equal(pause.statusCode, 200);
    assert.match(pause.body, /Paused/);
    assert.match(pause.body, /Resume my digest/);
    assert.equal((await readerRow(world.db.prisma, 'ada@example.org'))?.status, 'paused');

    const forged = await world.app.inject({ method: 'POST', url: `/preferences/${token}/resume` });
    assert.equal(forged.statusCode, 403);
    assert.equal((await readerRow(world.db.prisma, 'ada@example.org'))?.status, 'paused');

    const resume = await world.app.inject({
      method: 'POST',
      url: `/preferences/${token}/resume`,
      headers: FORM,
      payload: form({ csrf: csrfIn(pause.body, '/resume') }),
    });
    assert.equal(resume.statusCode, 200);
    assert.equal((await readerRow(world.db.prisma, 'ada@example.org'))?.status, 'active');
  });
});
