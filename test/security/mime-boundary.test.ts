// F10: body text can never close a MIME part. The review's construction ('é', 69 × 'x', then the delimiter) made a
// quoted-printable soft break put `--<boundary>--` alone on a line. The boundary now holds "=_", which
// quoted-printable never writes, and a 7bit body that holds the boundary goes quoted-printable instead.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { buildMimeMessage, encodeQuotedPrintable } from '../../src/mail/mime-message.js';

const base = { to: 'ada@example.org', messageId: '<digest.1.abc@example.org>', subject: 'Digest' };
const options = { from: 'digest@example.org' };

function boundaryOf(raw: Buffer): string {
  const match = /boundary="([^"]+)"/.exec(raw.toString('latin1'));
  assert.ok(match);
  return match[1]!;
}

/** The boundary the next message will get: the per-process prefix and a counter, as an attacker would guess it. */
function nextBoundary(): string {
  const seen = boundaryOf(buildMimeMessage({ ...base, text: 'x', html: 'x' }, options));
  const cut = seen.lastIndexOf('_') + 1;
  return `${seen.slice(0, cut)}${(Number.parseInt(seen.slice(cut), 36) + 1).toString(36)}`;
}

describe('F10: the MIME boundary', () => {
  it('holds "=_", which quoted-printable output never contains', () => {
    const boundary = nextBoundary();
    assert.ok(boundary.includes('=_'), boundary);
    // The review's construction: a soft line break puts the delimiter at the start of a line.
    const encoded = encodeQuotedPrintable(`é${'x'.repeat(69)}--${boundary}--`, '\n');
    assert.ok(!encoded.split('\n').some((line) => line.startsWith(`--${boundary}`)), encoded);
  });

  it('keeps every part whole when the text tries to close it, quoted-printable or 7bit', async () => {
    for (const [kind, prefix] of [
      ['quoted-printable', `é${'x'.repeat(69)}`],
      ['7bit', ''],
    ] as const) {
      const boundary = nextBoundary();
      const text = `Before\n${prefix}--${boundary}--\nContent-Type: text/html\n\n<b>forged</b>\nafter\n`;
      const html = `<p>real</p>\n--${boundary}--\n`;
      const raw = buildMimeMessage({ ...base, text, html }, options);
      assert.equal(boundaryOf(raw), boundary, 'the guess was right: the test is the hard case');
      const parsed = await simpleParser(raw);
      assert.equal(parsed.text, text, kind);
      assert.equal(parsed.html, html, kind);
      const delimiters = raw
        .toString('latin1')
        .split('\r\n')
        .filter((line) => line.startsWith(`--${boundary}`));
      assert.deepEqual(delimiters, [`--${boundary}`, `--${boundary}`, `--${boundary}--`], kind);
    }
  });
});
