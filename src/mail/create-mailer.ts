import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Mailer } from './mailer.js';
import { createOutboxMailer } from './outbox-mailer.js';
import { createSmtpMailer } from './smtp-mailer.js';

/** SMTP_URL set: the pooled SMTP relay. Unset: the file outbox under DATA_DIR. */
export function createMailer(config: Config, log: Logger): Mailer {
  return config.smtpUrl ? createSmtpMailer(config, log) : createOutboxMailer(config, log);
}
