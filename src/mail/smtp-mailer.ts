import { domainToASCII } from 'node:url';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { isPrebuilt, type Mailer } from './mailer.js';
import { buildMimeMessage, envelopeAddress } from './mime-message.js';
import { createRawSmtpPool } from './raw-smtp-pool.js';

// DKIM must cover the one-click unsubscribe headers (RFC 8058 section 4), so the list is spelled out here.
const DKIM_HEADERS =
  'From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:' +
  'List-Id:List-Unsubscribe:List-Unsubscribe-Post';

/**
 * Nodemailer's SMTP pool (`concurrency` connections, optional DKIM), handed the raw bytes (raw-smtp-pool.ts).
 * SEND_RATE is not the transport's business: it is a budget shared by every sender (src/digest/send/send-budget.ts).
 */
export function createSmtpMailer(config: Config, log: Logger): Mailer {
  const { concurrency } = config.send;
  const pool = createRawSmtpPool({
    url: config.smtpUrl,
    maxConnections: concurrency,
    maxMessages: Number.POSITIVE_INFINITY,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
    ...(config.dkim
      ? {
          dkim: {
            domainName: config.dkim.domain,
            keySelector: config.dkim.selector,
            privateKey: config.dkim.privateKey,
            headerFieldNames: DKIM_HEADERS,
          },
        }
      : {}),
  });
  // The envelope sender, once. Nodemailer's composer put an IDN domain in punycode; the pool takes the address as
  // it is given. Readers' addresses are stored that way already (src/subscriptions/email-address.ts).
  const from = asciiDomain(envelopeAddress(config.mailFrom));
  log.info({ concurrency, dkim: Boolean(config.dkim) }, 'mail goes to the SMTP relay');
  return {
    kind: 'smtp',
    async send(message) {
      // The message is built here in one piece (see mime-message.ts); the pool DKIM-signs and sends it.
      const raw = isPrebuilt(message) ? message.raw : buildMimeMessage(message, { from: config.mailFrom });
      const { response } = await pool.send({ from, to: [message.to] }, raw, message.messageId);
      return { messageId: message.messageId, response };
    },
    async close() {
      pool.close();
    },
  };
}

/** The address with its domain in punycode (kept as it is when the domain is not a valid one). */
function asciiDomain(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = at < 0 ? '' : domainToASCII(address.slice(at + 1));
  return domain ? `${address.slice(0, at + 1)}${domain}` : address;
}
