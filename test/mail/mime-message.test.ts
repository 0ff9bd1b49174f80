import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { buildMimeMessage } from '../../src/mail/mime-message.js';

const base = {
  to: 'ada@example.org',
  messageId: '<digest.1.abc@example.org>',
  headers: { 'List-Unsubscribe': '<https://papers.example.org/unsubscribe/tok>' },
};

describe('building a message in one piece', () => {
  it('round-trips non-ASCII subjects, names, long lines and trailing spaces through a real MIME parser', async () => {
    const text = `Ünïcödé — “quotes” · ▲ 12 · 日本語 😀\nA line with trailing spaces   \n${'long '.repeat(300)}\n= signs =\n.leading dot\n`;
    const html = `<p>${'x'.repeat(1200)}</p>\n<p>Gödel</p>`;
    const subject = `6 new papers on “speculative decoding” and tokenization — Jul 31 ${'é'.repeat(40)}`;
    const raw = buildMimeMessage({ ...base, subject, text, html }, { from: 'Pâpermail, daily <digest@example.org>' });
    const lines = raw.toString('utf8').split('\r\n');
    assert.ok(
      lines.every((l) => l.length <= 998),
      'no line over 998 octets',
    );
    assert.ok(
      raw.every((b) => b < 0x80),
      'the whole message is 7-bit ASCII on the wire',
    );
    const parsed = await simpleParser(raw);
    assert.equal(parsed.subject, subject);
    assert.equal(parsed.from?.value[0]?.name, 'Pâpermail, daily');
    assert.equal(parsed.from?.value[0]?.address, 'digest@example.org');
    assert.equal(parsed.messageId, '<digest.1.abc@example.org>');
    assert.equal(parsed.text, text);
    assert.equal(parsed.html, html);
    assert.match(raw.toString(), /\r\nList-Unsubscribe: <https:\/\/papers\.example\.org\/unsubscribe\/tok>\r\n/);
  });

  it('quoted-printable survives any mix of characters, spaces, "=" and line lengths', async () => {
    const alphabet = ['a', 'Z', ' ', ' ', '\t', '=', '.', 'é', '—', '😀', '日', '\n', '-', '_', '?'];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 60; n++) {
      const length = Math.floor(random() * 400);
      const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const raw = buildMimeMessage(
        { ...base, subject: 's', text: `${text}\n`, html: '<p>x</p>' },
        { from: 'a@example.org' },
      );
      const wire = raw.toString('latin1');
      assert.ok(
        wire.split('\r\n').every((l) => l.length <= 76 || l.startsWith('<')),
        'encoded lines stay within 76',
      );
      const parsed = await simpleParser(raw);
      assert.equal(parsed.text, `${text}\n`, JSON.stringify(text));
    }
  });

  it('sends ASCII bodies with short lines as they are (7bit), with CRLF line ends', () => {
    const raw = buildMimeMessage(
      { ...base, subject: 'Hello', text: 'plain\ntext', html: '<p>plain</p>\n<p>html</p>' },
      { from: 'papermail <digest@example.org>', date: new Date('2026-07-31T07:00:00Z') },
    ).toString();
    assert.match(raw, /^From: papermail <digest@example\.org>\r\n/);
    assert.match(raw, /\r\nDate: Fri, 31 Jul 2026 07:00:00 \+0000\r\n/);
    assert.match(raw, /Content-Transfer-Encoding: 7bit\r\n\r\nplain\r\ntext\r\n/);
    assert.match(raw, /Content-Transfer-Encoding: 7bit\r\n\r\n<p>plain<\/p>\r\n<p>html<\/p>\r\n/);
    assert.doesNotMatch(raw, /[^\r]\n/, 'every line ends with CRLF');
  });

  it('keeps an internationalised address (SMTPUTF8) as UTF-8 on the wire', async () => {
    const raw = buildMimeMessage(
      { ...base, to: 'jürgen@exämple.org', subject: 'Hallo', text: 'plain', html: '<p>plain</p>' },
      { from: 'Zoë <zoë@example.org>' },
    );
    assert.match(raw.toString('utf8'), /\r\nTo: jürgen@exämple\.org\r\n/);
    const parsed = await simpleParser(raw);
    assert.equal(
      parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]?.address : undefined,
      'jürgen@exämple.org',
    );
    assert.equal(parsed.from?.value[0]?.address, 'zoë@example.org');
  });
});
