// Text from sources, made safe for HTML once per digest rather than once per message.
import Handlebars from 'handlebars';

/** Escapes text for HTML exactly as Handlebars' {{value}} does, then makes it ASCII (see asciiHtml). */
export function toHtmlText(text: string): string {
  return asciiHtml(Handlebars.Utils.escapeExpression(text));
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
