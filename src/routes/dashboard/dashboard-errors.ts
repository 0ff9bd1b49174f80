// Errors on dashboard pages become a page in the dashboard's layout that says what went wrong; 5xx details stay
// in the log.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPapermailError } from '../../errors.js';
import type { SendAdminPage } from './dashboard-reply.js';

const HEADINGS: Record<number, string> = {
  400: 'Something in the form is not right',
  403: 'Not allowed',
  404: 'Not found',
  409: 'That cannot be done now',
  413: 'That was too much',
  422: 'That request was already used',
  429: 'Too many tries',
};

export function dashboardErrorHandler(page: SendAdminPage) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    let status = 500;
    let message = 'Something went wrong on our side; the server log has the details.';
    if (isPapermailError(err) && err.statusCode < 500) {
      status = err.statusCode;
      message = err.message;
    } else if (err.validation) {
      status = 400;
      message = err.message;
    } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
      message = err.message;
    }
    if (status >= 500) request.log.error({ err }, 'dashboard request failed');
    const heading = HEADINGS[status] ?? (status >= 500 ? 'Sorry, that did not work' : 'That did not work');
    return page(request, reply, { status, name: 'error', title: heading, data: { heading, message } });
  };
}
