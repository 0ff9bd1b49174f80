// Signing in and out. The sign-in form's CSRF value is bound to a random value in a short-lived cookie of its own
// (there is no session yet), so a page elsewhere cannot sign a browser in to an account of its choosing.
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isPapermailError } from '../../errors.js';
import { checkCsrfToken, issueCsrfToken } from '../../pages/csrf-token.js';
import type { Services } from '../../services.js';
import { csrfOf } from '../pages/page-forms.js';
import { loginBinding, type SendAdminPage } from './dashboard-reply.js';
import { SESSION_COOKIE } from './session-store.js';

const LOGIN_COOKIE = 'papermail_login';
const LOGIN_COOKIE_MAX_AGE_S = 3600;

/** Only a path inside the dashboard: `next` must never send a browser to another site. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/admin(?:[/?]|$)/.test(next) && !next.startsWith('//') ? next : '/admin';
}

export const loginPages: FastifyPluginAsyncTypebox<{
  services: Services;
  page: SendAdminPage;
  secure: boolean;
}> = async (app, { services, page, secure }) => {
  const cookieOptions = { path: '/admin/login', httpOnly: true, sameSite: 'lax' as const, secure };

  function showForm(
    request: FastifyRequest,
    reply: FastifyReply,
    state: { status?: number; error?: string; email?: string; next?: string } = {},
  ) {
    let nonce = request.cookies[LOGIN_COOKIE];
    if (!nonce || !/^[A-Za-z0-9_-]{22}$/.test(nonce)) {
      nonce = randomBytes(16).toString('base64url');
      reply.setCookie(LOGIN_COOKIE, nonce, { ...cookieOptions, maxAge: LOGIN_COOKIE_MAX_AGE_S });
    }
    return page(request, reply, {
      status: state.status,
      name: 'login',
      title: 'Sign in',
      data: {
        loginCsrf: issueCsrfToken(services.secret, loginBinding(nonce)),
        error: state.error,
        email: state.email,
        next: safeNext(state.next),
      },
    });
  }

  app.get(
    '/admin/login',
    { schema: { hide: true, querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }) } },
    async (request, reply) => {
      if (request.session.admin) return reply.redirect(safeNext(request.query.next), 303);
      return showForm(request, reply, { next: request.query.next });
    },
  );

  app.post('/admin/login', { schema: { hide: true } }, async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, unknown>;
    const nonce = request.cookies[LOGIN_COOKIE] ?? '';
    checkCsrfToken(services.secret, loginBinding(nonce), csrfOf(request.body));
    const email = typeof form.email === 'string' ? form.email : '';
    const password = typeof form.password === 'string' ? form.password : '';
    try {
      const admin = await services.admin.accounts.signIn(email, password, request.ip);
      // A new session id at sign-in: an id planted before (session fixation) is worth nothing after.
      await request.session.regenerate();
      request.session.set('adminId', admin.id);
      request.session.set('admin', admin);
      reply.clearCookie(LOGIN_COOKIE, cookieOptions);
      return reply.redirect(safeNext(form.next), 303);
    } catch (err) {
      if (!isPapermailError(err) || (err.statusCode !== 401 && err.statusCode !== 429)) throw err;
      const retry = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
      if (retry) reply.header('retry-after', String(retry));
      return showForm(request, reply, {
        status: err.statusCode,
        error: err.message,
        email,
        next: String(form.next ?? ''),
      });
    }
  });

  app.post('/admin/logout', { schema: { hide: true } }, async (request, reply) => {
    await request.session.destroy();
    reply.clearCookie(SESSION_COOKIE, { path: '/admin' });
    return reply.redirect('/admin/login', 303);
  });
};
