// F2: a keyword with ";" planted a formula cell in an export read with ";" as the separator (C20, C21) and broke the
// export → import round trip (C22). ";" is refused in keywords everywhere, every ";"-part of a cell is guarded, and
// an export of formula-looking readers imports back exactly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { addReader } from '../admin/admin-helpers.js';
import { assertRefusedCleanly, auth, buildSecurityWorld, FORM, form } from './security-world.js';

const PLANTED = "ok;=cmd|' /C calc'!A0;x";
const FORMULA = /^[=+\-@\t\r]/;

describe('F2: CSV formula cells', () => {
  it("refuses ';' in keywords from the sign-up API and form and the preferences API (C20)", async () => {
    const world = await buildSecurityWorld();
    const { token } = world.reader;
    const json = { 'content-type': 'application/json' };
    const attempts = [
      {
        method: 'POST' as const,
        url: '/api/subscriptions',
        headers: json,
        payload: JSON.stringify({ email: 'semi@example.org', topics: ['agents'], keywords: [PLANTED] }),
      },
      {
        method: 'POST' as const,
        url: '/subscribe',
        headers: FORM,
        payload: form({ email: 'semi@example.org', topics: 'agents', keywords: PLANTED }),
      },
      {
        method: 'PUT' as const,
        url: `/api/preferences/${token}`,
        headers: json,
        payload: JSON.stringify({ keywords: [PLANTED] }),
      },
    ];
    for (const attempt of attempts) {
      const response = await assertRefusedCleanly(world, () => world.app.inject(attempt));
      assert.equal(response.statusCode, 400, attempt.url);
      const message = attempt.url === '/subscribe' ? response.body : response.json().message;
      assert.match(message, /A keyword cannot contain (";"|&quot;;&quot;): give each phrase on its own\./);
    }
  });

  it("guards every ';'-part of an export, so a ';' spreadsheet finds no formula (C21)", async () => {
    const world = await buildSecurityWorld();
    // A reader stored before ';' was refused keeps the keyword: its export must still be safe.
    await addReader(world.db.prisma, {
      email: 'semi2@example.org',
      status: 'pending',
      topics: ['agents'],
      keywords: [PLANTED, '+HYPERLINK', '@SUM(A1)', '-2+3'],
    });
    const exported = await world.app.inject({ url: '/api/admin/subscribers.csv?email=semi2', headers: auth });
    assert.equal(exported.statusCode, 200);
    const bySemicolon: string[][] = parse(exported.body, {
      delimiter: ';',
      relax_quotes: true,
      relax_column_count: true,
    });
    const cells = bySemicolon.flat();
    assert.ok(
      cells.some((c) => c.includes('cmd|')),
      'the keyword is in the export',
    );
    for (const cell of cells) assert.doesNotMatch(cell.trimStart(), FORMULA, cell);
    const byComma: string[][] = parse(exported.body);
    for (const cell of byComma.flat()) assert.doesNotMatch(cell, FORMULA, cell);
  });

  it('imports an export of formula-looking readers back exactly (C22)', async () => {
    const source = await buildSecurityWorld();
    await addReader(source.db.prisma, {
      email: '=cmd|calc@example.org',
      topics: ['agents', 'reasoning'],
      keywords: ['=1+1', '+HYPERLINK("http://evil.test","x")', '@risk', '-negation', "'=quoted"],
    });
    await addReader(source.db.prisma, { email: '-dash@example.org', status: 'paused', keywords: ['plain'] });
    const first = (await source.app.inject({ url: '/api/admin/subscribers.csv', headers: auth })).body;

    const target = await buildSecurityWorld();
    const imported = await target.app.inject({
      method: 'POST',
      url: '/api/admin/subscribers/import?mode=confirmed',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: first,
    });
    assert.equal(imported.statusCode, 200, imported.body);
    assert.deepEqual(
      imported.json().report.map((r: { email: string; outcome: string }) => [r.email, r.outcome]),
      [
        [target.reader.email, 'skipped'],
        ['=cmd|calc@example.org', 'created'],
        ['-dash@example.org', 'created'],
      ],
    );
    const row = await target.db.prisma.subscriber.findUniqueOrThrow({ where: { emailKey: '=cmd|calc@example.org' } });
    assert.deepEqual(row.keywords, ['=1+1', '+HYPERLINK("http://evil.test","x")', '@risk', '-negation', "'=quoted"]);

    // The readers the two databases share export identically, and a second import finds nothing to do.
    const again = (await target.app.inject({ url: '/api/admin/subscribers.csv', headers: auth })).body;
    const lines = (csv: string, email: string) => csv.split('\r\n').filter((l) => l.includes(email));
    for (const email of ['=cmd|calc@', '-dash@']) assert.deepEqual(lines(again, email), lines(first, email));
    assert.equal(lines(first, '=cmd|calc@').length, 1);
    const twice = await target.app.inject({
      method: 'POST',
      url: '/api/admin/subscribers/import?mode=confirmed',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: again,
    });
    assert.ok(
      twice.json().report.every((r: { reason?: string }) => r.reason === 'already up to date'),
      twice.body,
    );
  });
});
