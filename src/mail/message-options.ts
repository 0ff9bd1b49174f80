import type { Config } from '../config.js';

/** The domain of MAIL_FROM: the right-hand side of every Message-ID papermail makes. */
export function mailDomain(config: Config): string {
  const match = /@([^>\s]+)>?\s*$/.exec(config.mailFrom);
  return match?.[1] ?? 'localhost';
}

/** A new globally unique Message-ID, with angle brackets. */
export function newMessageId(config: Config, prefix = 'pm'): string {
  return `<${prefix}.${Date.now().toString(36)}.${crypto.randomUUID()}@${mailDomain(config)}>`;
}
