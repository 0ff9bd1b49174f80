// The operator's web dashboard under /admin: server-rendered pages on the same admin services as the bearer-token
// API. A signed-in session (a cookie naming a row in admin_sessions) is needed for every page but the sign-in; every
// POST carries the session's CSRF value; viewers see everything and change nothing.

import { createHmac } from 'node:crypto';
import cookie from '@fastify/cookie';
import session from '@fastify/session';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { errors } from '../../errors.js';
import { checkCsrfToken } from '../../pages/csrf-token.js';
import type { Services } from '../../services.js';
import { csrfOf } from '../pages/page-forms.js';
import { auditPage } from './audit-page.js';
import { csvPages } from './csv-pages.js';
import { dashboardErrorHandler } from './dashboard-errors.js';
import { createPageSender, sessionBinding } from './dashboard-reply.js';
import { dayPages } from './day-pages.js';
import { loginPages } from './login-pages.js';
import { overviewPage } from './overview-page.js';
import { readerPages } from './reader-pages.js';
import { runPages } from './run-pages.js';
import { createSessionStore, SESSION_COOKIE } from './session-store.js';
import { topicPages } from './topic-pages.js';

/** A session lasts this long from sign-in, however busy: then sign in again. */
export const SESSION_MAX_AGE_MS = 12 * 3600_000;
/** Routes reachable without a session. */
const OPEN_ROUTES = new Set(['/admin/login']);
/** The one POST a viewer may make. */
const VIEWER_POSTS = new Set(['/admin/logout']);

export const dashboardRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const secure = services.config.publicUrl.startsWith('https:');
  // The cookie signature gets a key of its own, derived from SECRET, so no other signed value can pass for it.
  const cookieKey = createHmac('sha256', services.secret).update('papermail-admin-session-cookie-v1').digest('hex');
  await app.register(cookie);
  await app.register(session, {
    secret: cookieKey,
    cookieName: SESSION_COOKIE,
    store: createSessionStore(services.admin.accounts, SESSION_MAX_AGE_MS),
    saveUninitialized: false,
    // No write per request: the session ends SESSION_MAX_AGE_MS after sign-in.
    rolling: false,
    // Secure when PUBLIC_URL is https; behind a TLS proxy set TRUST_PROXY=on so the request counts as https.
    cookie: { path: '/admin', httpOnly: true, sameSite: 'lax', secure, maxAge: SESSION_MAX_AGE_MS },
  });

  const page = createPageSender(services.secret);
  app.setErrorHandler(dashboardErrorHandler(page));

  const routeOf = (request: FastifyRequest) => request.routeOptions.url ?? request.url;

  app.addHook('onRequest', async (request, reply) => {
    if (OPEN_ROUTES.has(routeOf(request)) || request.session?.admin) return;
    const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
    return reply.header('cache-control', 'no-store').redirect(`/admin/login${next}`, 303);
  });

  // Once the body is parsed and before it is validated: a POST without this session's CSRF value, or from a viewer,
  // is refused before anything else about it is looked at. A multipart route has its body only later: it calls
  // checkPost itself.
  const checkPost = (request: FastifyRequest) => {
    checkCsrfToken(services.secret, sessionBinding(request.session.sessionId), csrfOf(request.body));
    if (request.session.admin?.role !== 'admin' && !VIEWER_POSTS.has(routeOf(request))) {
      throw errors.forbidden('You are signed in as a viewer: viewers can look at everything but change nothing.');
    }
  };
  app.addHook('preValidation', async (request) => {
    if (request.method !== 'POST' || OPEN_ROUTES.has(routeOf(request))) return;
    if ((request.routeOptions.config as { multipart?: boolean }).multipart) return;
    checkPost(request);
  });

  const options = { services, page, checkPost };
  await app.register(loginPages, { ...options, secure });
  await app.register(overviewPage, options);
  await app.register(runPages, options);
  await app.register(dayPages, options);
  await app.register(readerPages, options);
  await app.register(topicPages, options);
  await app.register(csvPages, options);
  await app.register(auditPage, options);
};
