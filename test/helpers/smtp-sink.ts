// A real SMTP server on a free port that records what arrives, parsed. Tests can make it refuse messages
// (421, 451, 550 …) to see how senders cope.
import { after } from 'node:test';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  raw: string;
  parsed: ParsedMail;
  /** Header value by lower-case name, as it appeared (first occurrence). */
  header(name: string): string | undefined;
}

/** Decides the answer to one message: undefined accepts; otherwise the SMTP code and text of a refusal. */
export type SinkPolicy = (to: string[], attempt: number) => { code: number; message: string } | undefined;

export interface SmtpSink {
  url: string;
  port: number;
  messages: ReceivedMail[];
  /** Messages for one address. */
  to(address: string): ReceivedMail[];
  setPolicy(policy: SinkPolicy | undefined): void;
  /** Makes the sink answer each message only after `ms` (a slow relay). */
  setDelay(ms: number): void;
  /** Resolves once at least `count` messages arrived, or rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpSink(options: { closeAfter?: boolean } = {}): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const attempts = new Map<string, number>();
  let policy: SinkPolicy | undefined;
  let delayMs = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        const to = session.envelope.rcptTo.map((r: SMTPServerAddress) => r.address);
        const key = to.join(',');
        const attempt = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, attempt);
        const refusal = policy?.(to, attempt);
        if (refusal) {
          const err = new Error(refusal.message) as Error & { responseCode: number };
          err.responseCode = refusal.code;
          return callback(err);
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const parsed = await simpleParser(raw);
        const from = session.envelope.mailFrom;
        messages.push({
          envelopeFrom: from ? from.address : '',
          envelopeTo: to,
          raw,
          parsed,
          header(name) {
            const v = parsed.headerLines.find((h) => h.key === name.toLowerCase());
            return v ? v.line.slice(v.line.indexOf(':') + 1).trim() : undefined;
          },
        });
        callback();
      });
    },
  });
  // A client that dies mid-session (a sender killed with SIGKILL) resets its socket: that is not the sink's failure.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  const sink: SmtpSink = {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    to: (address) => messages.filter((m) => m.envelopeTo.includes(address)),
    setPolicy(p) {
      policy = p;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`SMTP sink got ${messages.length} messages, expected ${count}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  if (options.closeAfter !== false) after(() => sink.close());
  return sink;
}
