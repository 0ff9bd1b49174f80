// What happens to a request before a route has it: the answers Fastify and Node write themselves (a URL that does
// not decode, a request that timed out, headers too large) would otherwise skip helmet's headers, quote the URL
// (and the token in it) back, and carry framework error codes. Here they get the same headers and error shape as
// every other answer, and a token link with a bad escape reaches its route, whose 404 page it then gets.
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors, type PapermailError, toErrorReply } from '../errors.js';
import { securityHeaders } from './security-headers.js';

/**
 * Fastify's rewriteUrl: a path whose percent-escapes do not decode (`%zz`, a cut `%C3`) is read literally, each `%`
 * as `%25`. Nothing can then match it by accident (no token or slug holds a `%`), and it is answered by the route
 * it names: `/unsubscribe/%zz` gets the token routes' 404 page, as any malformed token does.
 */
export function readBadEscapesLiterally(req: IncomingMessage): string {
  const url = req.url ?? '/';
  if (!url.includes('%')) return url;
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  try {
    decodeURI(path);
    return url;
  } catch {
    return `${path.replaceAll('%', '%25')}${end === -1 ? '' : url.slice(end)}`;
  }
}

/** Reasons for the router's own errors, whose messages would quote the URL. */
const ROUTER_REASONS: Record<string, string> = {
  FST_ERR_BAD_URL: 'This address is not a valid URL.',
  FST_ERR_MAX_PARAM_LENGTH: 'This address is too long.',
};

/** Fastify's frameworkErrors: errors raised while routing, before any hook (helmet's among them) has run. */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const answer = toErrorReply(error);
  if (answer.serverError) request.log.error({ err: error }, 'request failed before routing');
  const message = ROUTER_REASONS[error.code] ?? answer.body.message;
  return reply
    .code(answer.statusCode)
    .headers(securityHeaders())
    .send({ ...answer.body, message });
}

function clientErrorOf(code: string | undefined): PapermailError {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return errors.requestTimeout('The request took too long to arrive.');
  if (code === 'HPE_HEADER_OVERFLOW') return errors.headersTooLarge('The request headers are too large.');
  return errors.badRequest('This is not a valid HTTP request.');
}

/**
 * Fastify's clientErrorHandler: Node's parser or its request timeout gave up on the connection (REQUEST_TIMEOUT_MS
 * passed before the whole request arrived, headers over 16 KiB, bytes that are not HTTP). Answer once, then close.
 */
export function answerClientError(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error = clientErrorOf(err.code);
  this.log.info({ code: err.code, statusCode: error.statusCode }, 'client error: connection closed');
  if (socket.writable) {
    const body = JSON.stringify({ error: error.code, message: error.message });
    const head = [
      `HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode]}`,
      'connection: close',
      'content-type: application/json; charset=utf-8',
      `content-length: ${Buffer.byteLength(body)}`,
      ...Object.entries(securityHeaders()).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.write(`${head.join('\r\n')}\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
