import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import DataStream from 'nodemailer/lib/smtp-connection/data-stream';
import { SMTPServer } from 'smtp-server';
import { installFastDataStream, nodemailerTransform } from '../../src/mail/fast-data-stream.js';

/** What a DataStream with the given transform writes for these chunks, its closing "." line included. */
async function escaped(chunks: Buffer[], transform: typeof DataStream.prototype._transform): Promise<Buffer> {
  const stream = new DataStream();
  stream._transform = transform;
  const out: Buffer[] = [];
  stream.on('data', (b: Buffer) => out.push(b));
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await once(stream, 'end');
  return Buffer.concat(out);
}

describe("escaping a message's data for SMTP", () => {
  it("writes the same bytes as nodemailer's DataStream for any mix of dots, CRs and LFs, however chunked", async () => {
    installFastDataStream();
    const fast = DataStream.prototype._transform;
    assert.notEqual(fast, nodemailerTransform, 'installed on the class every connection uses');
    const alphabet = ['.', '.', '\r', '\n', '\r\n', 'a', 'b', ' ', '..', '\n.', '\r.'];
    let seed = 11;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 2000; round++) {
      const text = Array.from(
        { length: 1 + Math.floor(random() * 40) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('');
      const bytes = Buffer.from(text);
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; ) {
        const size = 1 + Math.floor(random() * 8);
        chunks.push(bytes.subarray(at, at + size));
        at += size;
      }
      const want = await escaped(chunks, nodemailerTransform);
      const got = await escaped(chunks, fast);
      assert.equal(
        got.toString('latin1'),
        want.toString('latin1'),
        `for ${JSON.stringify(text)} in ${chunks.length} chunks`,
      );
    }
  });

  it('delivers a message whose lines start with dots, byte for byte, through a real SMTP session', async () => {
    installFastDataStream();
    const received: Buffer[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        const parts: Buffer[] = [];
        stream.on('data', (b: Buffer) => parts.push(b));
        stream.on('end', () => {
          received.push(Buffer.concat(parts));
          callback();
        });
      },
    });
    server.listen(0, '127.0.0.1');
    await once(server.server, 'listening');
    const { port } = server.server.address() as { port: number };
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    const raw = 'Subject: dots\r\n\r\n.one\r\n..two\r\nend.\r\n.\r\nbare\nlf and a bare\rcr\r\n';
    await transport.sendMail({ envelope: { from: 'a@example.org', to: ['b@example.org'] }, raw });
    transport.close();
    server.close();
    // The relay undoes the stuffing; bare CR and LF arrive as CRLF, as nodemailer has always sent them.
    assert.equal(
      received[0]?.toString(),
      'Subject: dots\r\n\r\n.one\r\n..two\r\nend.\r\n.\r\nbare\r\nlf and a bare\r\ncr\r\n',
    );
  });
});
