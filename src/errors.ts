// Every error papermail reports on purpose, with a stable code and the HTTP status it maps to.
// Routes turn these into 4xx answers with the message; anything else is a 5xx whose details stay in the log.

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
  conflict: define('PAPERMAIL_ERR_CONFLICT', 409),
  /** An Idempotency-Key sent again with a different request. */
  idempotencyKeyReused: define('PAPERMAIL_ERR_IDEMPOTENCY_KEY_REUSED', 422),
  tooManyRequests: define('PAPERMAIL_ERR_TOO_MANY_REQUESTS', 429),
  /** A source answered with something other than what its API promises. */
  sourceResponse: define('PAPERMAIL_ERR_SOURCE_RESPONSE', 502),
  /** A source could not be reached or kept failing after retries. */
  sourceUnavailable: define('PAPERMAIL_ERR_SOURCE_UNAVAILABLE', 503),
  database: define('PAPERMAIL_ERR_DATABASE', 503),
};

export function isPapermailError(err: unknown): err is PapermailError {
  return err instanceof PapermailError;
}
