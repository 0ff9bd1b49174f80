import type { Config } from '../config.js';
import type { OutgoingMessage } from './mailer.js';

/** The nodemailer message both transports build: base64 bodies are ~3× cheaper to encode than quoted-printable. */
export function toNodemailerMessage(config: Config, message: OutgoingMessage) {
  return {
    from: config.mailFrom,
    to: message.to,
    subject: message.subject,
    html: message.html,
    text: message.text,
    messageId: message.messageId,
    headers: message.headers,
    textEncoding: 'base64' as const,
  };
}

/** The domain of MAIL_FROM: the right-hand side of every Message-ID papermail makes. */
export function mailDomain(config: Config): string {
  const match = /@([^>\s]+)>?\s*$/.exec(config.mailFrom);
  return match?.[1] ?? 'localhost';
}

/** A new globally unique Message-ID, with angle brackets. */
export function newMessageId(config: Config, prefix = 'pm'): string {
  return `<${prefix}.${Date.now().toString(36)}.${crypto.randomUUID()}@${mailDomain(config)}>`;
}
