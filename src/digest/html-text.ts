// Text from sources, made safe for HTML once per digest rather than once per message.
import Handlebars from 'handlebars';

/**
 * Escapes text for HTML exactly as Handlebars' {{value}} does, then makes it ASCII (see asciiHtml). The result is
 * also stored as a one-byte string: templates filled with one-byte strings stay one-byte, which V8 scans and
 * encodes several times faster than two-byte strings (a single "é" anywhere makes a whole message two-byte).
 */
export function toHtmlText(text: string): string {
  return Buffer.from(asciiHtml(Handlebars.Utils.escapeExpression(text)), 'latin1').toString('latin1');
}

/**
 * Writes every non-ASCII character as a numeric character reference: the same page to any HTML reader, and a body
 * that can go as 7bit, with no transfer encoding to pay for or inflate the bytes (see src/mail/mime-message.ts).
 */
export function asciiHtml(html: string): string {
  // All ASCII exactly when UTF-8 needs one byte per UTF-16 unit: a native scan, much faster than a regex.
  if (Buffer.byteLength(html, 'utf8') === html.length) return html;
  // Not a /u regex: those are several times slower; a surrogate pair is matched as one character instead.
  return html.replace(/[\ud800-\udbff][\udc00-\udfff]|[\u0080-\uffff]/g, (c) => `&#${c.codePointAt(0)};`);
}
