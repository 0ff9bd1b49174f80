// The small pure pieces the reader routes stand on: tokens, keywords, CSRF values, the one-click multipart parser.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPapermailError } from '../../src/errors.js';
import { checkCsrfToken, issueCsrfToken } from '../../src/pages/csrf-token.js';
import { parseMultipartFields } from '../../src/routes/multipart-fields.js';
import { normalizeKeywords, splitKeywordText } from '../../src/subscriptions/keywords.js';
import { isWellFormedToken, newToken } from '../../src/subscriptions/tokens.js';

function statusOf(fn: () => unknown): { status: number; message: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(isPapermailError(err), String(err));
    return { status: err.statusCode, message: err.message };
  }
  assert.fail('expected an error');
}

describe('reader building blocks', () => {
  it('makes tokens of 256 random bits that are URL-safe and all different', () => {
    const tokens = new Set(Array.from({ length: 1000 }, newToken));
    assert.equal(tokens.size, 1000);
    for (const t of tokens) {
      assert.ok(isWellFormedToken(t));
      assert.equal(Buffer.from(t, 'base64url').length, 32);
    }
    assert.ok(!isWellFormedToken('short'));
    assert.ok(!isWellFormedToken(`${newToken()}/`));
    assert.ok(!isWellFormedToken(undefined));
    assert.ok(isWellFormedToken('A'.repeat(22)), 'tokens of other lengths (admin imports) are accepted from 128 bits');
    assert.ok(!isWellFormedToken('A'.repeat(21)));
  });

  it('cleans keywords and refuses bad ones with a reason', () => {
    assert.deepEqual(normalizeKeywords(splitKeywordText(' KV  cache ,\nkv cache\r\n\n"world model"')), [
      'KV cache',
      '"world model"',
    ]);
    assert.match(statusOf(() => normalizeKeywords(['a\nb'])).message, /line break/);
    assert.match(statusOf(() => normalizeKeywords(['a\u0007b'])).message, /control characters/);
    assert.match(statusOf(() => normalizeKeywords(['x'.repeat(61)])).message, /longer than 60/);
    assert.equal(normalizeKeywords(['x'.repeat(60)]).length, 1);
    assert.match(
      statusOf(() => normalizeKeywords(Array.from({ length: 11 }, (_, i) => `k${i}`))).message,
      /At most 10/,
    );
    assert.match(statusOf(() => normalizeKeywords([42])).message, /text/);
  });

  it('signs CSRF values bound to one form of one reader, which expire after a day', () => {
    const secret = 'x'.repeat(40);
    const now = Date.UTC(2026, 6, 31, 12);
    const value = issueCsrfToken(secret, 'reader:abc', now);
    checkCsrfToken(secret, 'reader:abc', value, now + 3600_000);
    assert.equal(statusOf(() => checkCsrfToken(secret, 'reader:abd', value, now)).status, 403);
    assert.equal(statusOf(() => checkCsrfToken(secret, 'confirm:abc', value, now)).status, 403);
    assert.equal(statusOf(() => checkCsrfToken('y'.repeat(40), 'reader:abc', value, now)).status, 403);
    assert.match(statusOf(() => checkCsrfToken(secret, 'reader:abc', value, now + 25 * 3600_000)).message, /too old/);
    assert.match(statusOf(() => checkCsrfToken(secret, 'reader:abc', undefined, now)).message, /without/);
    assert.match(statusOf(() => checkCsrfToken(secret, 'reader:abc', ['x'], now)).message, /without/);
    assert.match(statusOf(() => checkCsrfToken(secret, 'reader:abc', 'garbage', now)).message, /not valid/);
  });

  it('reads the text fields of a multipart body and ignores files', () => {
    const body =
      'preamble\r\n--b0\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n' +
      '--b0\r\nContent-Disposition: form-data; name="file"; filename="x.txt"\r\nContent-Type: text/plain\r\n\r\nhi\r\n' +
      '--b0\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\npolluted\r\n' +
      '--b0\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nsecond\r\n--b0--\r\n';
    const fields = parseMultipartFields(body, 'multipart/form-data; boundary=b0');
    assert.equal(fields['List-Unsubscribe'], 'One-Click');
    assert.equal(fields.file, undefined);
    assert.ok(Object.hasOwn(fields, '__proto__'), 'a field named __proto__ is plain data, not a prototype');
    assert.equal(statusOf(() => parseMultipartFields(body, 'multipart/form-data')).status, 400);
    // Bare LF line ends, as some clients send.
    const lf = '--b1\nContent-Disposition: form-data; name="List-Unsubscribe"\n\nOne-Click\n--b1--\n';
    assert.equal(parseMultipartFields(lf, 'multipart/form-data; boundary=b1')['List-Unsubscribe'], 'One-Click');
  });
});
