import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activeReader, buildReaderWorld, csrfIn, FORM, form, readerRow } from './readers.js';

describe('delivery settings', () => {
  it('reads the operator defaults and saves every setting through PUT /api/preferences/:token', async () => {
    const world = await buildReaderWorld({ DIGEST_TIMEZONE: 'Europe/Berlin', DIGEST_CRON: '30 6 * * *' });
    const token = await activeReader(world, 'ada@example.org', ['agents']);
    const url = `/api/preferences/${token}`;

    const before = (await world.app.inject({ url })).json();
    assert.equal(before.timezone, 'Europe/Berlin', "a reader who never chose has the operator's zone");
    assert.equal(before.hour, 6, "and the hour of the operator's run");
    const row0 = await readerRow(world.db.prisma, 'ada@example.org');
    assert.equal(row0?.timezone, null, 'the default is not copied into the row: the operator may change it');

    const put = await world.app.inject({
      method: 'PUT',
      url,
      payload: {
        cadence: 'weekly',
        weekday: 5,
        timezone: 'asia/tokyo',
        hour: 8,
        channel: 'both',
        excludeKeywords: [' benchmark ', 'Benchmark', 'survey'],
        authors: ['José  Núñez', 'jose nunez', 'Ada Lovelace'],
      },
    });
    assert.equal(put.statusCode, 200, put.body);
    const saved = put.json();
    assert.equal(saved.cadence, 'weekly');
    assert.equal(saved.weekday, 5);
    assert.equal(saved.timezone, 'Asia/Tokyo', 'stored under its canonical IANA name');
    assert.equal(saved.hour, 8);
    assert.equal(saved.channel, 'both');
    assert.deepEqual(saved.excludeKeywords, ['benchmark', 'survey']);
    assert.deepEqual(saved.authors, ['José Núñez', 'Ada Lovelace'], 'accent- and case-folded duplicates dropped');
    assert.deepEqual(saved.topics, ['agents'], 'fields left out stay');
    const row = await readerRow(world.db.prisma, 'ada@example.org');
    assert.equal(row?.timezone, 'Asia/Tokyo');
    assert.equal(row?.cadence, 'weekly');
    assert.deepEqual((await world.app.inject({ url })).json(), saved);
  });

  it('refuses bad values with a 400 naming the field, and changes nothing', async () => {
    const world = await buildReaderWorld();
    const token = await activeReader(world, 'ada@example.org', ['agents']);
    const before = await readerRow(world.db.prisma, 'ada@example.org');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ cadence: 'monthly' }, /cadence/],
      [{ weekday: 0 }, /weekday/],
      [{ weekday: 8 }, /weekday/],
      [{ timezone: 'Mars/Olympus_Mons' }, /^timezone must be an IANA time zone/],
      [{ timezone: '' }, /^timezone/],
      [{ hour: 24 }, /hour/],
      [{ hour: -1 }, /hour/],
      [{ channel: 'pigeon' }, /channel/],
      [{ excludeKeywords: ['ok', 'line\nbreak'] }, /excludeKeywords/],
      [{ authors: ['x'.repeat(101)] }, /^authors: /],
      [{ authors: ['Ada; Lovelace'] }, /^authors: a name cannot contain ";"/],
      [{ hour: 9, timezone: 'Nowhere/City' }, /^timezone/],
      [{ feedUrl: 'https://evil.example/feed' }, /feedUrl|additional/],
    ];
    for (const [payload, reason] of cases) {
      const response = await world.app.inject({ method: 'PUT', url: `/api/preferences/${token}`, payload });
      if (payload.feedUrl !== undefined && response.statusCode === 200) {
        // Read-only: a PUT that names it cannot change it (unknown fields may be dropped rather than refused).
        assert.doesNotMatch(response.json().feedUrl, /evil/);
        continue;
      }
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.match(response.json().message, reason, JSON.stringify(payload));
    }
    assert.deepEqual(await readerRow(world.db.prisma, 'ada@example.org'), before);
  });

  it('the preferences page sets them with no scripts: a time-zone select with the operator zone first', async () => {
    const world = await buildReaderWorld({ DIGEST_TIMEZONE: 'America/Chicago' });
    const token = await activeReader(world, 'ada@example.org', ['agents']);
    const page = await world.app.inject({ url: `/preferences/${token}` });
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /<script/i);
    const zones = [...page.body.matchAll(/<option(?: selected)?>([^<]+)<\/option>/g)].map((m) => m[1]);
    assert.equal(zones[0], 'America/Chicago', "the operator's zone comes first");
    assert.ok(zones.includes('Asia/Tokyo') && zones.length > 300, 'every IANA zone is offered');
    assert.match(page.body, /<option selected>America\/Chicago<\/option>/);
    for (const label of [
      'How often',
      'Day of a weekly digest',
      'Time zone',
      'Deliver at',
      'Where',
      'Never send me papers about',
      'Authors I follow',
    ]) {
      assert.ok(page.body.includes(label), label);
    }
    const fields = {
      csrf: csrfIn(page.body),
      topics: ['agents'],
      keywords: '',
      maxPapers: '10',
      cadence: 'weekly',
      weekday: '5',
      timezone: 'Europe/Paris',
      hour: '9',
      channel: 'both',
      excludeKeywords: 'benchmark, survey',
      authors: 'Yann LeCun\nFei-Fei Li',
    };
    const saved = await world.app.inject({
      method: 'POST',
      url: `/preferences/${token}`,
      headers: FORM,
      payload: form(fields),
    });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.match(saved.body, /Saved/);
    const row = await readerRow(world.db.prisma, 'ada@example.org');
    assert.equal(row?.cadence, 'weekly');
    assert.equal(row?.weekday, 5);
    assert.equal(row?.timezone, 'Europe/Paris');
    assert.equal(row?.hour, 9);
    assert.equal(row?.channel, 'both');
    assert.deepEqual(row?.excludeKeywords, ['benchmark', 'survey']);
    assert.deepEqual(row?.authors, ['Yann LeCun', 'Fei-Fei Li']);
    assert.match(saved.body, /<option selected>Europe\/Paris<\/option>/);

    const bad = await world.app.inject({
      method: 'POST',
      url: `/preferences/${token}`,
      headers: FORM,
      payload: form({ ...fields, csrf: csrfIn(saved.body), timezone: 'Atlantis/Capital', hour: '3' }),
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /timezone must be an IANA time zone/);
    assert.equal((await readerRow(world.db.prisma, 'ada@example.org'))?.hour, 9, 'nothing saved');
  });
});
