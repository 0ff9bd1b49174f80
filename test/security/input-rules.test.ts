// F5: what the review's NUL bytes, out-of-range integers and misspelt fields now get. Each input is the review's
// (S51–S53, A14, A15, A18, A21, A22, A46, A47, A52, C08, C09, the `maxpapers` typo): a 400 that names the field and
// says what is wrong, nothing changed, no mail, no 5xx in the log.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { recordAudit, runAudited } from '../../src/admin/audit.js';
import { errors } from '../../src/errors.js';
import { assertRefusedCleanly, auth, buildSecurityWorld, FORM, form, type SecurityWorld } from './security-world.js';

type Request = InjectOptions & { url: string };

async function refusal(world: SecurityWorld, request: Request, options: { auditMayChange?: boolean } = {}) {
  const response = await assertRefusedCleanly(world, () => world.app.inject(request), options);
  assert.equal(response.statusCode, 400, `${request.method ?? 'GET'} ${request.url}: ${response.body}`);
  return response;
}

const json = (payload: unknown, headers: Record<string, string> = {}) => ({
  headers: { ...headers, 'content-type': 'application/json' },
  payload: JSON.stringify(payload),
});

describe('F5: control characters, integers out of range and unknown fields', () => {
  it('refuses NUL and other controls in every free-text field, parameter and query string, naming it', async () => {
    const world = await buildSecurityWorld();
    const { token } = world.reader;
    const cases: [Request, RegExp][] = [
      // S51, S52, S53: the public sign-up and a token holder's preferences.
      [
        {
          method: 'POST',
          url: '/api/subscriptions',
          ...json({ email: 'a@example.org', topics: ['evaluation\u0000'] }),
        },
        /^body\/topics\/0 cannot contain a control character \(U\+0000\)\.$/,
      ],
      [
        { method: 'POST', url: '/subscribe', headers: FORM, payload: 'email=a%40example.org&topics=%00' },
        /body\/topics/,
      ],
      [{ method: 'PUT', url: `/api/preferences/${token}`, ...json({ topics: ['\u0000'] }) }, /^body\/topics\/0 /],
      [
        { method: 'POST', url: `/preferences/${token}`, headers: FORM, payload: form({ csrf: 'x', topics: '\u0000' }) },
        /body\/topics/,
      ],
      [
        { method: 'PUT', url: `/api/preferences/${token}`, ...json({ keywords: ['ok', 'evil\r\nBcc: x@y.z'] }) },
        /^body\/keywords\/1 cannot contain a line break \(U\+000D\)\.$/,
      ],
      // A14, A15, A21: admin filters.
      [{ url: '/api/admin/subscribers?email=%00', headers: auth }, /^querystring\/email cannot contain a control/],
      [{ url: '/api/admin/subscribers?topic=%00', headers: auth }, /^querystring\/topic /],
      [{ url: '/api/admin/subscribers.csv?email=%07', headers: auth }, /^querystring\/email .*U\+0007/],
      [{ url: '/api/admin/audit?action=%00', headers: auth }, /^querystring\/action /],
      [{ url: '/api/admin/digests/2026-07-31/deliveries?email=a%00', headers: auth }, /^querystring\/email /],
      // A46, A47, A52: the topic catalog.
      [
        {
          method: 'POST',
          url: '/api/admin/topics',
          ...json({ slug: 'nul', name: 'Nul', query: 'a\u0000' }, auth),
        },
        /^body\/query cannot contain a control character \(U\+0000\)\.$/,
      ],
      [
        {
          method: 'POST',
          url: '/api/admin/topics',
          ...json({ slug: 'nul', name: 'N\u0000', query: 'a' }, auth),
        },
        /^body\/name /,
      ],
      [
        { method: 'PATCH', url: '/api/admin/topics/%00', ...json({ name: 'x' }, auth) },
        /^params\/slug cannot contain a control character \(U\+0000\)\.$/,
      ],
      [
        {
          method: 'PATCH',
          url: '/api/admin/topics/agents',
          ...json({ definition: { terms: [{ text: 'agent\u0000', weight: 1 }] } }, auth),
        },
        /^body\/definition\/terms\/0\/text cannot contain a control character \(U\+0000\)\.$/,
      ],
      // C1 controls and bidirectional overrides are refused like C0 ones.
      [
        {
          method: 'POST',
          url: '/api/admin/topics',
          ...json({ slug: 'rtl', name: 'evil\u202Etxt', query: 'a' }, auth),
        },
        /^body\/name cannot contain a bidirectional override \(U\+202E\)\.$/,
      ],
      [
        { method: 'PATCH', url: '/api/admin/topics/agents', ...json({ description: 'x\u0085y' }, auth) },
        /^body\/description cannot contain a line break \(U\+0085\)\.$/,
      ],
    ];
    for (const [request, message] of cases) {
      const response = await refusal(world, request);
      const text = request.url.startsWith('/api/') ? response.json().message : response.body;
      assert.match(text, message, `${request.method ?? 'GET'} ${request.url}`);
      if (request.url.startsWith('/api/')) assert.equal(response.json().error, 'PAPERMAIL_ERR_BAD_REQUEST');
      else assert.match(String(response.headers['content-type']), /text\/html/, 'a page route answers with a page');
    }
  });

  it('puts maxima on ids and offsets (A18, A22)', async () => {
    const world = await buildSecurityWorld();
    const offset = await refusal(world, { url: '/api/admin/subscribers?offset=99999999999999999999', headers: auth });
    assert.equal(offset.json().message, 'querystring/offset must be <= 2147483647');
    const audit = await refusal(world, { url: '/api/admin/audit?offset=2147483648', headers: auth });
    assert.equal(audit.json().message, 'querystring/offset must be <= 2147483647');
    const erase = await refusal(world, { method: 'DELETE', url: '/api/admin/subscribers/99999999999', headers: auth });
    assert.equal(erase.json().message, 'params/id must be <= 2147483647');
    // The largest allowed id is an ordinary unknown reader.
    const largest = await world.app.inject({
      method: 'DELETE',
      url: '/api/admin/subscribers/2147483647',
      headers: auth,
    });
    assert.equal(largest.statusCode, 404);
  });

  it('refuses unknown fields with a 400 that names them, instead of answering 200 and changing nothing', async () => {
    const world = await buildSecurityWorld();
    const { token } = world.reader;
    const typo = await refusal(world, { method: 'PUT', url: `/api/preferences/${token}`, ...json({ maxpapers: 3 }) });
    assert.equal(
      typo.json().message,
      'body has an unknown field "maxpapers" (known fields: cadence, weekday, timezone, hour, channel, excludeKeywords, authors, topics, keywords, maxPapers, topWhenNoMatch, status).',
    );
    const signup = await refusal(world, {
      method: 'POST',
      url: '/api/subscriptions',
      ...json({ email: 'mass@example.org', topics: ['agents'], status: 'active' }),
    });
    assert.match(signup.json().message, /^body has an unknown field "status"/);
    const topic = await refusal(world, {
      method: 'PATCH',
      url: '/api/admin/topics/agents',
      ...json({ querry: 'agents' }, auth),
    });
    assert.match(
      topic.json().message,
      /^body has an unknown field "querry" \(known fields: name, description, query, definition\)\.$/,
    );
    const filter = await refusal(world, { url: '/api/admin/subscribers.csv?stauts=active', headers: auth });
    assert.match(
      filter.json().message,
      /^querystring has an unknown field "stauts"/,
      'a misspelt filter exports nobody',
    );
    const resend = await refusal(world, {
      method: 'POST',
      url: '/api/admin/digests/2026-07-31/resend',
      ...json({ failed: true, dryRun: true }, auth),
    });
    assert.match(resend.json().message, /^body has an unknown field "dryRun"/);
    // The right spelling works, so the refusal above was about the name.
    const fixed = await world.app.inject({
      method: 'PUT',
      url: `/api/preferences/${token}`,
      ...json({ maxPapers: 3 }),
    });
    assert.equal(fixed.statusCode, 200);
    assert.equal(fixed.json().maxPapers, 3);
  });

  it('skips a CSV row with a NUL cell instead of failing the import (C08, C09), and audits it', async () => {
    const world = await buildSecurityWorld();
    const csv =
      'email,status,no\u0000tes\r\nn@example.org,act\u0000ive,x\r\nok@example.org,active,\u0000\r\nfine@example.org,active,x\r\n';
    const response = await world.app.inject({
      method: 'POST',
      url: '/api/admin/subscribers/import?mode=confirmed',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: csv,
    });
    assert.equal(response.statusCode, 200, response.body);
    const report = response.json();
    assert.deepEqual(report.ignoredColumns, ['no\u0000tes']);
    assert.deepEqual(
      report.report.map((r: { row: number; outcome: string; reason?: string }) => [r.row, r.outcome, r.reason]),
      [
        [2, 'skipped', 'column 2 holds a NUL character (U+0000)'],
        [3, 'skipped', 'column 3 holds a NUL character (U+0000)'],
        [4, 'created', undefined],
      ],
    );
    assert.deepEqual(
      (await world.db.prisma.subscriber.findMany({ where: { email: { not: world.reader.email } } })).map(
        (r) => r.email,
      ),
      ['fine@example.org'],
    );
    const [entry] = await world.db.prisma.auditEntry.findMany({ where: { action: 'subscribers.import' } });
    assert.deepEqual((entry?.result as { ignoredColumns?: string[] } | undefined)?.ignoredColumns, ['no\uFFFDtes']);
  });

  it('can always write an audit entry, even of input Postgres would refuse in jsonb', async () => {
    const world = await buildSecurityWorld();
    const { prisma } = world.db;
    await recordAudit(prisma, { actor: 'cli', action: 'test.nul', params: { name: 'a\u0000b', lone: '\uD800x' } });
    const refused = runAudited(prisma, { actor: 'cli', action: 'test.refused', params: { query: 'q\u0000' } }, () => {
      throw errors.badRequest('The query "q\u0000" is refused.');
    });
    await assert.rejects(refused, /is refused/);
    const entries = await prisma.auditEntry.findMany({
      where: { action: { startsWith: 'test.' } },
      orderBy: { id: 'asc' },
    });
    assert.deepEqual(
      entries.map((e) => [e.action, e.params, e.result]),
      [
        ['test.nul', { name: 'a\uFFFDb', lone: '\uFFFDx' }, null],
        [
          'test.refused',
          { query: 'q\uFFFD' },
          { error: 'PAPERMAIL_ERR_BAD_REQUEST', message: 'The query "q\uFFFD" is refused.' },
        ],
      ],
    );
  });
});
