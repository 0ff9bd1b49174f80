// Builds a whole message (headers and a text + HTML multipart/alternative body) as one Buffer, ready for the wire.
// Nodemailer's MIME tree is general and streaming, and costs more per message than sending it does (FIELD-NOTES):
// for bulk mail papermail builds the bytes itself and hands them to the pooled transport as `raw` (which still
// DKIM-signs them). Bodies go as 7bit when they are ASCII with short lines (the digest HTML is made so), otherwise
// as quoted-printable, which stays close to the original size for mostly-ASCII text.
import { randomBytes } from 'node:crypto';
import type { OutgoingMessage } from './mailer.js';

export interface MimeOptions {
  /** The From header, e.g. `papermail <digest@example.org>`. */
  from: string;
  /** '\r\n' on the wire (default); '\n' for .eml files on disk. */
  newline?: '\r\n' | '\n';
  date?: Date;
}

const boundaryPrefix = `pm_${randomBytes(6).toString('hex')}_`;
let boundaryCount = 0;

export function buildMimeMessage(message: OutgoingMessage, options: MimeOptions): Buffer {
  const nl = options.newline ?? '\r\n';
  const boundary = `${boundaryPrefix}${(boundaryCount++).toString(36)}`;
  const headers = [
    `From: ${encodeAddress(options.from)}`,
    `To: ${message.to}`,
    `Subject: ${encodeHeaderText(message.subject, nl)}`,
    `Date: ${rfc5322Date(options.date ?? new Date())}`,
    `Message-ID: ${message.messageId}`,
  ];
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    headers.push(`${name}: ${encodeHeaderText(value, nl)}`);
  }
  headers.push('MIME-Version: 1.0', `Content-Type: multipart/alternative; boundary="${boundary}"`);
  const parts = [
    headers.join(nl),
    '',
    `--${boundary}`,
    ...bodyPart('text/plain', message.text, nl),
    `--${boundary}`,
    ...bodyPart('text/html', message.html, nl),
    `--${boundary}--`,
    '',
  ];
  return Buffer.from(parts.join(nl), 'utf8');
}

function bodyPart(type: string, content: string, nl: string): string[] {
  const lines = content.replace(/\r\n?|\n/g, '\n');
  if (isSevenBitSafe(lines)) {
    return [`Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: 7bit', '', lines.replaceAll('\n', nl)];
  }
  return [
    `Content-Type: ${type}; charset=utf-8`,
    'Content-Transfer-Encoding: quoted-printable',
    '',
    encodeQuotedPrintable(lines, nl),
  ];
}

/** ASCII only, no NUL, and no line over 998 octets (RFC 5322): may go as it is. */
function isSevenBitSafe(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL and non-ASCII are exactly what is looked for
  if (/[^\x01-\x7f]/.test(text)) return false;
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    if ((end === -1 ? text.length : end) - start > 998) return false;
    if (end === -1) return true;
    start = end + 1;
  }
}

const HEX = '0123456789ABCDEF';

/** RFC 2045 quoted-printable of UTF-8 text whose line breaks are '\n'; lines are soft-broken at 76 characters. */
export function encodeQuotedPrintable(text: string, nl = '\r\n'): string {
  const bytes = Buffer.from(text, 'utf8');
  const out: string[] = [];
  let line = '';
  const push = (token: string) => {
    if (line.length + token.length > 75) {
      out.push(`${line}=`);
      line = '';
    }
    line += token;
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x0a) {
      out.push(line);
      line = '';
      continue;
    }
    const atLineEnd = i + 1 === bytes.length || bytes[i + 1] === 0x0a;
    if ((b === 0x20 || b === 0x09) && !atLineEnd) push(String.fromCharCode(b));
    else if (b >= 33 && b <= 126 && b !== 61) push(String.fromCharCode(b));
    else push(`=${HEX[b >> 4]}${HEX[b & 15]}`);
  }
  out.push(line);
  return out.join(nl);
}

/** Header text: as it is when printable ASCII, else RFC 2047 encoded-words (UTF-8, base64) folded over lines. */
export function encodeHeaderText(value: string, nl = '\r\n'): string {
  const clean = value.replace(/[\r\n\t]+/g, ' ');
  if (/^[\x20-\x7e]*$/.test(clean)) return clean;
  const words: string[] = [];
  let chunk = '';
  let size = 0;
  for (const char of clean) {
    const bytes = Buffer.byteLength(char);
    // 45 bytes of UTF-8 are 60 characters of base64: each encoded-word stays under 75 characters.
    if (size + bytes > 45) {
      words.push(chunk);
      chunk = '';
      size = 0;
    }
    chunk += char;
    size += bytes;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(`${nl} `);
}

/** `Name <address>` with the name quoted or encoded as needed; a bare address stays bare. */
export function encodeAddress(value: string): string {
  const match = /^\s*(.*?)\s*<([^<>\s]+)>\s*$/.exec(value);
  if (!match) return value.trim();
  const [, name, address] = match;
  if (!name) return `<${address}>`;
  if (/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(name)) return `${name} <${address}>`;
  if (/^[\x20-\x7e]+$/.test(name)) return `"${name.replace(/(["\\])/g, '\\$1')}" <${address}>`;
  return `${encodeHeaderText(name)} <${address}>`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** "Sat, 28 Nov 2026 22:30:19 +0000" */
export function rfc5322Date(date: Date): string {
  return (
    `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}

/** The bare address of a From header value, for the SMTP envelope. */
export function envelopeAddress(value: string): string {
  return /<([^<>\s]+)>/.exec(value)?.[1] ?? value.trim();
}
