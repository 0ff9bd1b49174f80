// Every error papermail reports on purpose, with a stable code and the HTTP status it maps to, and the one rule for
// turning any error into an answer: 4xx answers say what is wrong; a 5xx says only that it failed, and its details
// stay in the log.

export class PapermailError extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'PapermailError';
  }
}

type Factory = (message: string, details?: unknown) => PapermailError;

function define(code: string, statusCode: number): Factory {
  return (message, details) => new PapermailError(code, statusCode, message, details);
}

export const errors = {
  badRequest: define('PAPERMAIL_ERR_BAD_REQUEST', 400),
  invalidEmail: define('PAPERMAIL_ERR_INVALID_EMAIL', 400),
  unknownTopic: define('PAPERMAIL_ERR_UNKNOWN_TOPIC', 400),
  invalidDate: define('PAPERMAIL_ERR_INVALID_DATE', 400),
  unauthorized: define('PAPERMAIL_ERR_UNAUTHORIZED', 401),
  forbidden: define('PAPERMAIL_ERR_FORBIDDEN', 403),
  notFound: define('PAPERMAIL_ERR_NOT_FOUND', 404),
  /** The request did not arrive in time (REQUEST_TIMEOUT_MS). */
  requestTimeout: define('PAPERMAIL_ERR_REQUEST_TIMEOUT', 408),
  conflict: define('PAPERMAIL_ERR_CONFLICT', 409),
  payloadTooLarge: define('PAPERMAIL_ERR_PAYLOAD_TOO_LARGE', 413),
  unsupportedMediaType: define('PAPERMAIL_ERR_UNSUPPORTED_MEDIA_TYPE', 415),
  /** An Idempotency-Key sent again with a different request. */
  idempotencyKeyReused: define('PAPERMAIL_ERR_IDEMPOTENCY_KEY_REUSED', 422),
  tooManyRequests: define('PAPERMAIL_ERR_TOO_MANY_REQUESTS', 429),
  headersTooLarge: define('PAPERMAIL_ERR_HEADERS_TOO_LARGE', 431),
  /** Anything papermail did not expect: the answer says only that, the log has the cause. */
  internal: define('PAPERMAIL_ERR_INTERNAL', 500),
  /** A source answered with something other than what its API promises. */
  sourceResponse: define('PAPERMAIL_ERR_SOURCE_RESPONSE', 502),
  /** A source could not be reached or kept failing after retries. */
  sourceUnavailable: define('PAPERMAIL_ERR_SOURCE_UNAVAILABLE', 503),
};

export function isPapermailError(err: unknown): err is PapermailError {
  return err instanceof PapermailError;
}

/** The stable codes of client errors raised by the framework (bad JSON, a body too large …), by HTTP status. */
const CLIENT_ERROR_CODES: Record<number, string> = {
  401: 'PAPERMAIL_ERR_UNAUTHORIZED',
  403: 'PAPERMAIL_ERR_FORBIDDEN',
  404: 'PAPERMAIL_ERR_NOT_FOUND',
  408: 'PAPERMAIL_ERR_REQUEST_TIMEOUT',
  409: 'PAPERMAIL_ERR_CONFLICT',
  413: 'PAPERMAIL_ERR_PAYLOAD_TOO_LARGE',
  415: 'PAPERMAIL_ERR_UNSUPPORTED_MEDIA_TYPE',
  429: 'PAPERMAIL_ERR_TOO_MANY_REQUESTS',
  431: 'PAPERMAIL_ERR_HEADERS_TOO_LARGE',
};

export const INTERNAL_MESSAGE = 'Something went wrong on our side.';

export interface ErrorReply {
  statusCode: number;
  body: { error: string; message: string; details?: unknown };
  /** A 5xx: log it, with the cause; the body says nothing about it. */
  serverError: boolean;
}

/**
 * The answer to any error a request ran into. PapermailErrors under 500, schema violations and the framework's own
 * client errors keep their message; anything else is a 500 that says only that it failed. A 5xx PapermailError keeps
 * its code and, where the caller is the operator (`showServerErrors`: the admin ingest, whose source failures are
 * the answer), its message; its details never leave the process.
 */
export function toErrorReply(err: unknown, options: { showServerErrors?: boolean } = {}): ErrorReply {
  if (isPapermailError(err)) {
    if (err.statusCode < 500) {
      const body = { error: err.code, message: err.message, details: err.details };
      return { statusCode: err.statusCode, body, serverError: false };
    }
    const message = options.showServerErrors ? err.message : INTERNAL_MESSAGE;
    return { statusCode: err.statusCode, body: { error: err.code, message }, serverError: true };
  }
  const e = err as { validation?: unknown; statusCode?: unknown; message?: unknown };
  if (e.validation) {
    return {
      statusCode: 400,
      body: { error: 'PAPERMAIL_ERR_BAD_REQUEST', message: String(e.message) },
      serverError: false,
    };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const error = CLIENT_ERROR_CODES[e.statusCode] ?? 'PAPERMAIL_ERR_BAD_REQUEST';
    return { statusCode: e.statusCode, body: { error, message: String(e.message) }, serverError: false };
  }
  return { statusCode: 500, body: { error: 'PAPERMAIL_ERR_INTERNAL', message: INTERNAL_MESSAGE }, serverError: true };
}
