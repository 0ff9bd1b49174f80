// F12 and the one keyword policy: C1 controls and bidirectional overrides are refused in keywords (S38 stored
// U+0085 and U+202E), and the sign-up, preferences and CSV import apply the same count and length limits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_KEYWORD_LENGTH, MAX_KEYWORDS } from '../../src/subscriptions/keywords.js';
import { assertRefusedCleanly, auth, buildSecurityWorld, FORM, form, type SecurityWorld } from './security-world.js';

function importCsv(world: SecurityWorld, csv: string) {
  return world.app.inject({
    method: 'POST',
    url: '/api/admin/subscribers/import?mode=confirmed',
    headers: { ...auth, 'content-type': 'text/csv' },
    payload: csv,
  });
}

const json = (payload: unknown) => ({
  headers: { 'content-type': 'application/json' },
  payload: JSON.stringify(payload),
});

describe('F12: keywords', () => {
  it('refuses C1 controls and bidirectional overrides in keywords, wherever they come from (S38)', async () => {
    const world = await buildSecurityWorld();
    const { token } = world.reader;
    for (const [keyword, kind] of [
      ['next\u0085line', /line break \(U\+0085\)/],
      ['\u202Eevil', /bidirectional override \(U\+202E\)/],
      ['iso\u2066late', /bidirectional override \(U\+2066\)/],
      ['c1\u0090', /control character \(U\+0090\)/],
    ] as const) {
      const api = await assertRefusedCleanly(world, () =>
        world.app.inject({
          method: 'POST',
          url: '/api/subscriptions',
          ...json({ email: 'c1@example.org', topics: ['agents'], keywords: ['fine', keyword] }),
        }),
      );
      assert.equal(api.statusCode, 400);
      assert.match(api.json().message, new RegExp(`^body/keywords/1 cannot contain a ${kind.source}`));
      const page = await assertRefusedCleanly(world, () =>
        world.app.inject({
          method: 'POST',
          url: '/subscribe',
          headers: FORM,
          payload: form({ email: 'c1@example.org', topics: 'agents', keywords: `fine\n${keyword}` }),
        }),
      );
      assert.equal(page.statusCode, 400);
      assert.match(page.body, kind);
      const prefs = await assertRefusedCleanly(world, () =>
        world.app.inject({ method: 'PUT', url: `/api/preferences/${token}`, ...json({ keywords: [keyword] }) }),
      );
      assert.equal(prefs.statusCode, 400);
    }
    const imported = await importCsv(
      world,
      'email,keywords\r\nc1@example.org,"fine; next\u0085line"\r\nbidi@example.org,\u202Eevil\r\n',
    );
    assert.deepEqual(
      imported.json().report.map((r: { outcome: string; reason: string }) => [r.outcome, r.reason]),
      [
        ['skipped', 'A keyword cannot contain a line break.'],
        ['skipped', 'A keyword cannot contain bidirectional overrides (U+202E).'],
      ],
    );
    assert.equal(await world.db.prisma.subscriber.count(), 1, 'nobody new was stored');
  });

  it('applies one count and length limit to the API and the CSV import', async () => {
    const world = await buildSecurityWorld();
    const most = Array.from({ length: MAX_KEYWORDS }, (_, i) => `${i}`.padEnd(MAX_KEYWORD_LENGTH, 'k'));
    const tooMany = [...most, 'one more'];
    const tooLong = ['x'.repeat(MAX_KEYWORD_LENGTH + 1)];

    const api = async (keywords: string[]) =>
      (
        await world.app.inject({
          method: 'PUT',
          url: `/api/preferences/${world.reader.token}`,
          ...json({ keywords }),
        })
      ).json();
    assert.equal(
      (await api(tooMany)).message,
      `At most ${MAX_KEYWORDS} keywords are allowed (got ${MAX_KEYWORDS + 1}).`,
    );
    assert.match((await api(tooLong)).message, new RegExp(`is longer than ${MAX_KEYWORD_LENGTH} characters`));

    const csv = [
      'email,keywords',
      `many@example.org,${tooMany.join('; ')}`,
      `long@example.org,${tooLong[0]}`,
      `most@example.org,${most.join('; ')}`,
    ].join('\r\n');
    const report = (await importCsv(world, csv)).json().report as { email: string; outcome: string; reason?: string }[];
    assert.deepEqual(
      report.map((r) => [r.email, r.outcome, r.reason]),
      [
        ['many@example.org', 'skipped', `At most ${MAX_KEYWORDS} keywords are allowed (got ${MAX_KEYWORDS + 1}).`],
        ['long@example.org', 'skipped', (await api(tooLong)).message],
        ['most@example.org', 'created', undefined],
      ],
    );
    assert.deepEqual(await api(most).then((p) => p.keywords), most, 'what the import takes, the API takes');
  });
});
