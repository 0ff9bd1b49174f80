// Renders one reader's digest from templates compiled once per process (MJML is far too slow to run per message).
import type { Links } from '../links.js';
import { loadEmailTemplate } from '../mail/templates.js';
import { buildDigestEmail, type DigestEmailData, type DigestEmailInput } from './digest-email.js';

export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
}

export type DigestRenderer = (input: DigestEmailInput) => RenderedDigest;

/** Compiles templates/digest.mjml (minified) and digest.txt.hbs once; the returned function fills them. */
export async function createDigestRenderer(links: Links): Promise<DigestRenderer> {
  const template = await loadEmailTemplate<DigestEmailData>('digest', { minify: true });
  return (input) => {
    const data = buildDigestEmail(links, input);
    return { subject: data.subject, html: asciiHtml(template.html(data)), text: template.text(data) };
  };
}

/**
 * Writes every non-ASCII character as a numeric character reference: the same page to any HTML reader, and a body
 * that can go as 7bit, with no transfer encoding to pay for or inflate the bytes (see src/mail/mime-message.ts).
 */
export function asciiHtml(html: string): string {
  // Not a /u regex: those are several times slower; a surrogate pair is matched as one character instead.
  if (!/[\u0080-\uffff]/.test(html)) return html;
  return html.replace(/[\ud800-\udbff][\udc00-\udfff]|[\u0080-\uffff]/g, (c) => `&#${c.codePointAt(0)};`);
}
