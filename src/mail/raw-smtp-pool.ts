// Hands finished messages to nodemailer's SMTP pool without nodemailer's message composer. Every message papermail
// sends is built already (mime-message.ts), so the composer only wrapped the bytes: per message it built a MIME
// tree, drew random boundaries, ran its plugins and piped the bytes through three streams, 20-30% of the sending
// thread's CPU at 100,000 readers. The pool itself (connections, reconnects, requeueing a message whose connection
// closed before a byte of it went out, resetting a session after a refusal, the errors with `code` and
// `responseCode` that classify-send-error reads) is nodemailer's, unchanged.
import { Readable } from 'node:stream';
import DKIM, { type DKIMSingleKeyOptions } from 'nodemailer/lib/dkim';
import SMTPPool, { type SMTPPoolOptions } from 'nodemailer/lib/smtp-pool';
import { installFastDataStream } from './fast-data-stream.js';

export interface RawEnvelope {
  from: string;
  to: string[];
}

export interface RawSmtpPool {
  /** Sends the raw message as it is (DKIM-signed first, when a key is set); resolves with the relay's reply. */
  send(envelope: RawEnvelope, raw: Buffer, messageId: string): Promise<{ response: string }>;
  close(): void;
}

/**
 * The part of nodemailer's mail object the pool reads (smtp-pool and pool-resource: `data.signal`, `data.dsn`,
 * `message.getEnvelope()`, `messageId()`, `getHeader('message-id')`, `createReadStream()`). A stream is made afresh
 * for each attempt: the pool may requeue a message to another connection.
 */
function rawMail(envelope: RawEnvelope, raw: Buffer, messageId: string, dkim: DKIM | undefined) {
  return {
    data: {},
    message: {
      getEnvelope: () => ({ from: envelope.from, to: [...envelope.to] }),
      messageId: () => messageId,
      getHeader: (name: string) => (name.toLowerCase() === 'message-id' ? messageId : undefined),
      createReadStream: () => (dkim ? dkim.sign(raw) : bufferStream(raw)),
    },
  };
}

/** One chunk, the whole message: the pool's SMTP connection escapes dots and ends the data as it streams. */
function bufferStream(raw: Buffer): Readable {
  return new Readable({
    read() {
      this.push(raw);
      this.push(null);
    },
  });
}

export function createRawSmtpPool(options: SMTPPoolOptions & { dkim?: DKIMSingleKeyOptions }): RawSmtpPool {
  const { dkim: dkimOptions, ...poolOptions } = options;
  installFastDataStream();
  const pool = new SMTPPool(poolOptions);
  const dkim = dkimOptions ? new DKIM(dkimOptions) : undefined;
  return {
    send(envelope, raw, messageId) {
      return new Promise((resolve, reject) => {
        const mail = rawMail(envelope, raw, messageId, dkim);
        // The pool reads only the members above; its declared parameter is nodemailer's whole MailMessage.
        pool.send(mail as unknown as Parameters<SMTPPool['send']>[0], (err, info) => {
          if (err) reject(err);
          else resolve({ response: String(info?.response ?? '') });
        });
      });
    },
    close() {
      pool.close();
    },
  };
}
