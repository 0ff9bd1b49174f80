import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPapermailError } from '../../src/errors.js';
import { parseEmailAddress } from '../../src/subscriptions/email-address.js';

function refusal(input: unknown): string {
  try {
    parseEmailAddress(input);
  } catch (err) {
    assert.ok(isPapermailError(err));
    assert.equal(err.statusCode, 400);
    return err.message;
  }
  assert.fail(`${JSON.stringify(input)} was accepted`);
}

describe('email address policy', () => {
  it('trims, lower-cases the domain, converts IDN to punycode, keys on the lower-cased address', () => {
    assert.deepEqual(parseEmailAddress('  Ada.Lovelace@Example.ORG '), {
      address: 'Ada.Lovelace@example.org',
      key: 'ada.lovelace@example.org',
    });
    assert.equal(parseEmailAddress('ada@Bücher.de').address, 'ada@xn--bcher-kva.de');
    assert.match(refusal('jörg@example.org'), /plain ASCII/);
  });

  it('refuses what is not one plain address, saying why', () => {
    assert.match(refusal('ada@example.org\r\nBcc: eve@evil.test'), /line break/);
    assert.match(refusal('ada@example.org\nx'), /line break/);
    assert.match(refusal('Ada <ada@example.org>'), /without a name/);
    assert.match(refusal('ada@example.org, bob@example.org'), /one address/);
    assert.match(refusal('ada@example.org;bob@example.org'), /one address/);
    assert.match(refusal(`${'a'.repeat(65)}@example.org`), /64/);
    assert.match(refusal(`ada@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.org`), /254/);
    assert.match(refusal('ada@localhost'), /needs a dot/);
    assert.match(refusal('ada'), /an @/);
    assert.match(refusal('a@b@example.org'), /more than one @/);
    assert.match(refusal('.ada@example.org'), /dots/);
    assert.match(refusal('"ada"@example.org'), /quoted/);
    assert.match(refusal(''), /empty/);
    assert.match(refusal(42), /text/);
  });
});
