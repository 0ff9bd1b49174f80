import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activeReader, buildReaderWorld, csrfIn, FORM, form, readerRow } from './readers.js';

function multipart(fields: Record<string, string>, boundary = '----papermailBoundary7MA4YWxkTrZu0gW') {
  const body =
    Object.entries(fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('') + `--${boundary}--\r\n`;
  return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: body };
}

describe('unsubscribe', () => {
  it('one-click POST (RFC 8058), urlencoded: 200 without redirect or cookie, effective at once', async () => {
    const world = await buildReaderWorld();
    const token = await activeReader(world, 'ada@example.org');
    const response = await world.app.inject({
      method: 'POST',
      url: `/unsubscribe/${token}`,
      headers: FORM,
      payload: 'List-Unsubscribe=One-Click',
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers.location, undefined);
    assert.equal(response.headers['set-cookie'], undefined);
    assert.match(response.body, /You are unsubscribed/);
    const row = await readerRow(world.db.prisma, 'ada@example.org');
    assert.equal(row?.status, 'unsubscribed');
    assert.ok(row?.unsubscribedAt);

    // A mail client retrying: still 200, nothing changes (the first unsubscribe time is kept).
    const again = await world.app.inject({
      method: 'POST',
      url: `/unsubscribe/${token}`,
      headers: FORM,
      payload: 'List-Unsubscribe=One-Click',
    });
    assert.equal(again.statusCode, 200);
    assert.deepEqual((await readerRow(world.db.prisma, 'ada@example.org'))?.unsubscribedAt, row?.unsubscribedAt);
  });

  it('one-click POST (RFC 8058), multipart/form-data', async () => {
    const world = await buildReaderWorld();
    const token = await activeReader(world, 'ada@example.org');
    const response = await world.app.inject({
      method: 'POST',
      url: `/unsubscribe/${token}`,
      ...multipart({ 'List-Unsubscribe': 'One-Click' }),
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers.location, undefined);
    assert.equal((await readerRow(world.db.prisma, 'ada@example.org'))?.status, 'unsubscribed');

    // A quoted boundary and an extra field are fine too.
    const other = await activeReader(world, 'bob@example.org');
    const quoted = multipart({ extra: 'x', 'List-Unsubscribe': 'One-Click' }, 'simple');
    quoted.headers['content-type'] = 'multipart/form-data; boundary="simple"';
    const second = await world.app.inject({ method: 'POST', url: `/unsubscribe/${other}`, ...quoted });
    assert.equal(second.statusCode, 200, second.body);
    assert.equal((await readerRow(world.db.prisma, 'bob@example.org'))?.status, 'unsubscribed');
  });

  it('refuses a POST without List-Unsubscribe=One-Click, and tampered tokens get the 404 page', async () => {
    const world = await buildReaderWorld();
    const token = await activeReader(world, 'ada@example.org');
    const cases = [
      { headers: FORM, payload: 'List-Unsubscribe=Maybe' },
      { headers: FORM, payload: '' },
      multipart({ other: 'One-Click' }),
    ];
    for (const request of cases) {
      const response = await world.app.inject({ method: 'POST', url: `/unsubscribe/${token}`, ...request });
      assert.equal(response.statusCode, 400);
      assert.match(response.body, /List-Unsubscribe with the value One-Click/);
    }
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const notFound = await world.app.inject({
      method: 'POST',
      url: `/unsubscribe/${tampered}`,
      headers: FORM,
      payload: 'List-Unsubscribe=One-Click',
    });
    assert.equal(notFound.statusCode, 404);
    assert.match(notFound.body, /This link does not work/);
    assert.equal((await readerRow(world.db.prisma, 'ada@example.org'))?.status, 'active');
  });

  it('GET shows a page with a button and changes nothing; the page leads back in with a resubscribe button', async () => {
    const world = await buildReaderWorld();
    const token = await activeReader(world, 'ada@example.org');
    const before = await readerRow(world.db.prisma, 'ada@example.org');
    const page = await world.app.inject({ url: `/unsubscribe/${token}` });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Unsubscribe from papermail\?/);
    assert.match(page.body, /<input type="hidden" name="List-Unsubscribe" value="One-Click">/);
    assert.match(page.body, new RegExp(`href="/preferences/${token}"`));
    assert.deepEqual(await readerRow(world.db.prisma, 'ada@example.org'), before, 'GET changed nothing');

    const done = await world.app.inject({
      method: 'POST',
      url: `/unsubscribe/${token}`,
      headers: FORM,
      payload: 'List-Unsubscribe=One-Click',
    });
    assert.match(done.body, /Subscribe again/);
    const csrf = csrfIn(done.body);

    const forged = await world.app.inject({
      method: 'POST',
      url: `/unsubscribe/${token}/resubscribe`,
      headers: FORM,
      payload: form({ csrf: 'forged' }),
    });
    assert.equal(forged.statusCode, 403);
    assert.equal((await readerRow(world.db.prisma, 'ada@example.org'))?.status, 'unsubscribed');

    const back = await world.app.inject({
      method: 'POST',
      url: `/unsubscribe/${token}/resubscribe`,
      headers: FORM,
      payload: form({ csrf }),
    });
    assert.equal(back.statusCode, 200);
    assert.match(back.body, /Welcome back/);
    const row = await readerRow(world.db.prisma, 'ada@example.org');
    assert.equal(row?.status, 'active');
    assert.equal(row?.unsubscribedAt, null);

    // The token never changed, so the links in every digest already sent keep working.
    assert.equal(row?.token, token);
    const later = await world.app.inject({
      method: 'POST',
      url: `/unsubscribe/${token}`,
      ...multipart({ 'List-Unsubscribe': 'One-Click' }),
    });
    assert.equal(later.statusCode, 200);
    assert.equal((await readerRow(world.db.prisma, 'ada@example.org'))?.status, 'unsubscribed');
  });
});
