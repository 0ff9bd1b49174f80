import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { isPrebuilt, type Mailer } from './mailer.js';
import { buildMimeMessage } from './mime-message.js';

/** The outbox directory: one .eml file per message, when no SMTP relay is configured. */
export function outboxDir(config: Config): string {
  return path.join(config.dataDir, 'outbox');
}

function fileName(to: string, messageId: string): string {
  const who = to.replace(/[^a-zA-Z0-9@._-]/g, '_').slice(0, 80);
  const id = messageId
    .replace(/[<>]/g, '')
    .split('@')[0]!
    .replace(/[^a-zA-Z0-9.-]/g, '_');
  return `${new Date().toISOString().replace(/[:.]/g, '-')}_${who}_${id}.eml`;
}

/** Writes each message as an .eml file (opens in any mail client) and logs a line for it. */
export function createOutboxMailer(config: Config, log: Logger): Mailer {
  const dir = outboxDir(config);
  mkdirSync(dir, { recursive: true });
  log.info({ dir }, 'no SMTP_URL: mail goes to the outbox as .eml files');
  return {
    kind: 'outbox',
    async send(message) {
      const file = path.join(dir, fileName(message.to, message.messageId));
      // The same bytes an SMTP relay would get, with Unix line ends as mail clients expect of .eml files.
      const raw = isPrebuilt(message)
        ? Buffer.from(message.raw.toString('latin1').replaceAll('\r\n', '\n'), 'latin1')
        : buildMimeMessage(message, { from: config.mailFrom, newline: '\n' });
      await writeFile(file, raw);
      log.info({ to: message.to, subject: message.subject, file }, 'message written to the outbox');
      return { messageId: message.messageId, response: `written to ${file}`, file };
    },
    async close() {},
  };
}
