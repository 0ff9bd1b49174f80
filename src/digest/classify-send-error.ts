// What a failed send means for the delivery. SMTP 4xx replies and dropped connections are temporary: try again
// later. 5xx replies are final. A few 5xx say the mailbox does not exist (550 5.1.1, 5.1.0, 553): the reader's
// address is dead, so the reader is marked bounced and gets nothing more.

export interface SendErrorVerdict {
  permanent: boolean;
  /** The address does not exist: stop mailing the reader. */
  bounce: boolean;
  /** The receiving side asks us to slow down (421, 451, or a 4.7.x status): pause that domain. */
  throttled: boolean;
  /** One line for deliveries.last_error. */
  reason: string;
}

// Nodemailer's error codes for trouble on the way to the relay (no SMTP reply to judge by).
const TRANSIENT_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EPROTOCOL',
  'ETLS',
  'EAUTH',
]);
// Nodemailer refusing to build or address the message: sending it again cannot help.
const PERMANENT_CODES = new Set(['EMESSAGE', 'EENVELOPE']);

const NO_SUCH_MAILBOX = /\b5\.1\.(0|1|10)\b/;
/** Gmail's 4.7.28, Yahoo's 4.7.0 and their kin: rate limiting by the receiving side. */
const SLOW_DOWN_STATUS = /\b4\.7\.\d{1,3}\b/;

export function classifySendError(err: unknown): SendErrorVerdict {
  const e = (err ?? {}) as { responseCode?: unknown; code?: unknown; response?: unknown; message?: unknown };
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const text = String(e.response ?? e.message ?? err)
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
  if (responseCode !== undefined && responseCode >= 500) {
    const bounce = responseCode === 553 || (responseCode === 550 && NO_SUCH_MAILBOX.test(text));
    return { permanent: true, bounce, throttled: false, reason: withCode(responseCode, text) };
  }
  if (responseCode !== undefined && responseCode >= 400) {
    const throttled = responseCode === 421 || responseCode === 451 || SLOW_DOWN_STATUS.test(text);
    return { permanent: false, bounce: false, throttled, reason: withCode(responseCode, text) };
  }
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code && PERMANENT_CODES.has(code)) {
    return { permanent: true, bounce: false, throttled: false, reason: `${code}: ${text}` };
  }
  // Connection trouble, or anything unexpected: retried, and the attempt limit ends it if it keeps happening.
  const reason = code && TRANSIENT_CODES.has(code) ? `${code}: ${text}` : text;
  return { permanent: false, bounce: false, throttled: false, reason };
}

function withCode(code: number, text: string): string {
  return text.startsWith(String(code)) ? text : `${code} ${text}`;
}
