// The boundary to the mail relay. Senders hand over a finished message; the Mailer puts it on the wire (SMTP) or in
// the outbox (.eml files). Errors from SMTP are thrown as they come (nodemailer's, with `responseCode`, `code`):
// deciding what is temporary and what is permanent belongs to the sender.

export interface OutgoingMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** The Message-ID, with angle brackets: chosen by the caller so that it can be recorded before sending. */
  messageId: string;
  /** Extra headers such as List-Id, List-Unsubscribe and List-Unsubscribe-Post. */
  headers?: Record<string, string>;
}

/** A message built already (src/mail/mime-message.ts), e.g. on a render thread: sent byte for byte. */
export interface PrebuiltMessage {
  to: string;
  subject: string;
  messageId: string;
  /** The whole message, CRLF line ends. */
  raw: Buffer;
}

export function isPrebuilt(message: OutgoingMessage | PrebuiltMessage): message is PrebuiltMessage {
  return 'raw' in message;
}

export interface SendResult {
  messageId: string;
  /** The relay's answer (SMTP) or the file written (outbox). */
  response: string;
  /** The .eml file, for the outbox. */
  file?: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(message: OutgoingMessage | PrebuiltMessage): Promise<SendResult>;
  close(): Promise<void>;
}
