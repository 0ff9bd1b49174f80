// F6: one CSRF value per form and reader, as the README promises, and exactly one spelling of it. The review's
// T39 (the resubscribe form's value saved the preferences) and T45 (a leading zero was accepted) are refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { issueCsrfToken } from '../../src/pages/csrf-token.js';
import { assertRefusedCleanly, buildSecurityWorld, FORM, form, type SecurityWorld } from './security-world.js';

/** The CSRF value of each form of a page, by the end of its action ("save" for the form posting to the page). */
function csrfByForm(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(
    /<form method="post" action="([^"]+)"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)">/g,
  )) {
    const action = m[1]!;
    out[/\/(pause|resume|resubscribe|feed)$/.exec(action)?.[1] ?? 'save'] = m[2]!;
  }
  return out;
}

async function post(world: SecurityWorld, url: string, fields: Record<string, string | string[]>) {
  return world.app.inject({ method: 'POST', url, headers: FORM, payload: form(fields) });
}

const SAVE_FIELDS = { topics: ['reasoning'], keywords: 'replayed-across-forms', maxPapers: '3' };

describe('F6: CSRF values bound to the form', () => {
  it('gives every form its own value, and refuses each on the other forms', async () => {
    const world = await buildSecurityWorld();
    const { token } = world.reader;
    const page = await world.app.inject({ url: `/preferences/${token}` });
    const values = csrfByForm(page.body);
    assert.deepEqual(Object.keys(values).sort(), ['feed', 'pause', 'save']);
    assert.notEqual(values.save, values.pause);

    for (const [url, fields] of [
      [`/preferences/${token}`, { ...SAVE_FIELDS, csrf: values.pause! }],
      [`/preferences/${token}/pause`, { csrf: values.save! }],
      [`/preferences/${token}/resume`, { csrf: values.pause! }],
      [`/unsubscribe/${token}/resubscribe`, { csrf: values.save! }],
      [`/preferences/${token}/feed`, { csrf: values.save! }],
    ] as const) {
      const refused = await assertRefusedCleanly(world, () => post(world, url, fields));
      assert.equal(refused.statusCode, 403, url);
      assert.match(refused.body, /security token is not valid for this page/);
    }
    // Each form's own value works.
    assert.equal((await post(world, `/preferences/${token}`, { ...SAVE_FIELDS, csrf: values.save! })).statusCode, 200);
    const paused = await post(world, `/preferences/${token}/pause`, { csrf: values.pause! });
    assert.equal(paused.statusCode, 200);
    assert.equal(
      (await world.db.prisma.subscriber.findUniqueOrThrow({ where: { id: world.reader.id } })).status,
      'paused',
    );
    assert.deepEqual(Object.keys(csrfByForm(paused.body)).sort(), ['feed', 'resume', 'save']);
  });

  it("refuses the resubscribe form's value on the save form (T39)", async () => {
    const world = await buildSecurityWorld();
    const { token, id } = world.reader;
    await world.db.prisma.subscriber.update({
      where: { id },
      data: { status: 'unsubscribed', unsubscribedAt: new Date() },
    });
    const page = await world.app.inject({ url: `/unsubscribe/${token}` });
    const { resubscribe } = csrfByForm(page.body);
    assert.ok(resubscribe);
    const refused = await assertRefusedCleanly(world, () =>
      post(world, `/preferences/${token}`, { ...SAVE_FIELDS, csrf: resubscribe, maxPapers: '7' }),
    );
    assert.equal(refused.statusCode, 403);
    const reader = await world.db.prisma.subscriber.findUniqueOrThrow({ where: { id } });
    assert.deepEqual(reader.keywords, ['world model']);
  });

  it('accepts one spelling of a value only, and says when one is dated in the future (T42, T45)', async () => {
    const world = await buildSecurityWorld();
    const { token } = world.reader;
    const url = `/preferences/${token}/pause`;
    const { pause } = csrfByForm((await world.app.inject({ url: `/preferences/${token}` })).body);
    const [issuedAt, mac] = pause!.split('.') as [string, string];
    // The last base64url character carries two spare bits: flipping them decodes to the same 32 bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(mac.at(-1)!);
    const sameBytes = `${mac.slice(0, -1)}${alphabet[last ^ 1]}`;
    assert.deepEqual(Buffer.from(sameBytes, 'base64url'), Buffer.from(mac, 'base64url'));
    const future = issueCsrfToken(world.services.secret, `pause:${token}`, Date.now() + 3600_000);
    const old = issueCsrfToken(world.services.secret, `pause:${token}`, Date.now() - 25 * 3600_000);
    for (const [value, reason] of [
      [`0${pause}`, /not valid for this page/],
      [`${issuedAt}.${sameBytes}`, /not valid for this page/],
      [`+${pause}`, /not valid for this page/],
      [`${pause} `, /not valid for this page/],
      [future, /dated in the future/],
      [old, /too old/],
    ] as const) {
      const refused = await assertRefusedCleanly(world, () => post(world, url, { csrf: value }));
      assert.equal(refused.statusCode, 403, value);
      assert.match(refused.body, reason, value);
    }
    assert.equal((await post(world, url, { csrf: pause! })).statusCode, 200);
  });
});
