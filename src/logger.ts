// The process logger. Request lines carry URLs, and some URLs carry secrets: a reader's token is the only credential
// of their preferences and unsubscribe links, and admin lookups put an address in `?email=`. Logs get shipped and
// kept where erasing a reader cannot reach, so neither is ever written: the `req` serializer redacts the URL it
// logs, and a last pass over every line (any level, any message, error messages and stacks too) redacts the same.
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/** The path segment after a token route's name: /confirm/<token>, /preferences/<token>, /unsubscribe/<token>. */
const TOKEN_SEGMENT = /(\/(?:confirm|preferences|unsubscribe)\/)[^/?#&\s"\\]+/g;
/** The value of an `email` query parameter. */
const EMAIL_QUERY = /([?&]email=)[^&#\s"\\]*/gi;
const MIGHT_HOLD_SECRETS = /\/(?:confirm|preferences|unsubscribe)\/|email=/i;

/** `text` with every token path segment and `email=` query value replaced by a placeholder. */
export function redactSecrets(text: string): string {
  if (!MIGHT_HOLD_SECRETS.test(text)) return text;
  return text.replace(TOKEN_SEGMENT, '$1<token>').replace(EMAIL_QUERY, '$1<redacted>');
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Fastify's request serializer, with the URL redacted. */
function serializeRequest(req: LoggedRequest) {
  return {
    method: req.method,
    url: req.url === undefined ? undefined : redactSecrets(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * The process logger. Fastify gets the same instance so request logs and job logs share one stream; `destination`
 * (stdout when absent) lets tests read what would have been written.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { app: 'papermail' },
    serializers: { req: serializeRequest },
    hooks: { streamWrite: redactSecrets },
  };
  return destination ? pino(options, destination) : pino(options);
}
