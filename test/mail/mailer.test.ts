import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { createLogger } from '../../src/logger.js';
import { createMailer } from '../../src/mail/create-mailer.js';
import { newMessageId } from '../../src/mail/message-options.js';
import { buildMimeMessage } from '../../src/mail/mime-message.js';
import { testConfig } from '../helpers/app.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';

const log = createLogger('silent');
const headers = {
  'List-Id': '<papermail.example.org>',
  'List-Unsubscribe': '<https://papers.example.org/unsubscribe/tok>',
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
};

describe('mailers', () => {
  it('without SMTP_URL writes one .eml file per message that a mail client can read', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'papermail-outbox-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = testConfig({ DATA_DIR: dataDir });
    const mailer = createMailer(config, log);
    assert.equal(mailer.kind, 'outbox');
    const messageId = newMessageId(config);
    const result = await mailer.send({
      to: 'ada@example.org',
      subject: 'Hello',
      html: '<p>Hi</p>',
      text: 'Hi',
      messageId,
      headers,
    });
    const files = readdirSync(path.join(dataDir, 'outbox'));
    assert.equal(files.length, 1);
    assert.equal(path.join(dataDir, 'outbox', files[0]!), result.file);
    const parsed = await simpleParser(readFileSync(result.file!));
    assert.equal(parsed.subject, 'Hello');
    assert.equal(parsed.messageId, messageId);
    assert.equal(parsed.text?.trim(), 'Hi');
    assert.match(readFileSync(result.file!, 'utf8'), /^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
  });

  it('with SMTP_URL sends through the relay, DKIM-signed over the one-click headers', async () => {
    const sink = await startSmtpSink();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const config = testConfig({
      SMTP_URL: sink.url,
      DKIM_DOMAIN: 'example.org',
      DKIM_SELECTOR: 'pm',
      DKIM_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    const mailer = createMailer(config, log);
    assert.equal(mailer.kind, 'smtp');
    await mailer.send({
      to: 'ada@example.org',
      subject: 'Hi',
      html: '<p>x</p>',
      text: 'x',
      messageId: newMessageId(config),
      headers,
    });
    const [mail] = await sink.waitFor(1);
    assert.deepEqual(mail!.envelopeTo, ['ada@example.org']);
    const dkim = mail!.header('dkim-signature') ?? '';
    assert.match(dkim, /d=example\.org/);
    await mailer.close();
    const signed = /;h=([^;]+)/.exec(dkim.replace(/\s+/g, ''))![1]!.toLowerCase().split(':');
    assert.ok(signed.includes('list-unsubscribe') && signed.includes('list-unsubscribe-post'), signed.join(':'));
  });

  it('with SMTP_URL sends a built message byte for byte, and a refusal keeps its codes', async () => {
    const sink = await startSmtpSink();
    const config = testConfig({ SMTP_URL: sink.url });
    const mailer = createMailer(config, log);
    // Lines the SMTP data phase must escape: a lone dot would end the message early, a leading dot would be lost.
    const text = 'first\n.\n.hidden line\n..two dots\nlast';
    const messageId = newMessageId(config);
    const raw = buildMimeMessage(
      { to: 'ada@example.org', subject: 'Dots', html: '<p>x</p>', text, messageId },
      {
        from: config.mailFrom,
      },
    );
    const result = await mailer.send({ to: 'ada@example.org', subject: 'Dots', messageId, raw });
    assert.equal(result.messageId, messageId);
    assert.match(result.response, /^250/);
    const [mail] = await sink.waitFor(1);
    assert.deepEqual(mail!.envelopeTo, ['ada@example.org']);
    assert.equal(mail!.raw, raw.toString('utf8'));

    sink.setPolicy(() => ({ code: 550, message: '5.1.1 no such user' }));
    const refused = await mailer
      .send({ to: 'bob@example.org', subject: 'Dots', messageId: newMessageId(config), raw })
      .then(
        () => undefined,
        (err: unknown) => err as { responseCode?: number; code?: string },
      );
    assert.equal(refused?.responseCode, 550);
    assert.equal(refused?.code, 'EMESSAGE'); // refused after the data, as this sink does
    // The session was reset after the refusal: the next message goes through.
    sink.setPolicy(undefined);
    await mailer.send({ to: 'cy@example.org', subject: 'Dots', messageId: newMessageId(config), raw });
    await sink.waitFor(2);
    await mailer.close();
  });
});
