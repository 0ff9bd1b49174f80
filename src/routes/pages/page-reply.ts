// How HTML pages answer: every page is rendered in the layout, never cached (token pages are personal), never
// indexed; errors become a page that says what went wrong, in the reader's words.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { toErrorReply } from '../../errors.js';
import { renderPage } from '../../pages/render-page.js';

export function sendPage(reply: FastifyReply, status: number, name: string, title: string, data: object = {}) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-robots-tag', 'noindex, nofollow')
    .send(renderPage(name, title, data));
}

const HEADINGS: Record<number, string> = {
  400: 'Something in the form is not right',
  403: 'This form could not be sent',
  404: 'This link does not work',
  409: 'That cannot be done',
  413: 'That was too much',
  415: 'This request is not a form',
  429: 'Too many tries',
};

/** The error handler of the page routes: the same errors as the API (errors.ts, toErrorReply), as pages. */
export function pageErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const answer = toErrorReply(err);
  if (answer.serverError) request.log.error({ err }, 'page request failed');
  const status = answer.statusCode;
  const message = answer.serverError
    ? 'Something went wrong on our side. Please try again later.'
    : answer.body.message;
  const heading = HEADINGS[status] ?? (status >= 500 ? 'Sorry, that did not work' : 'That did not work');
  return sendPage(reply, status, 'error', heading, { heading, message });
}
