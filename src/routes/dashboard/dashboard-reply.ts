// How the dashboard's pages answer: rendered in the dashboard's layout with who is signed in, the navigation, and
// the CSRF value every form of the page carries (bound to the session). Never cached, never indexed.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { dashboardActor, type SignedInAdmin } from '../../admin/accounts/admin-accounts.js';
import type { Actor } from '../../admin/audit.js';
import { errors } from '../../errors.js';
import { CSRF_FIELD, issueCsrfToken } from '../../pages/csrf-token.js';
import { renderAdminPage } from '../../pages/render-page.js';
import type { Services } from '../../services.js';

const NAV = [
  { href: '/admin', label: 'Overview' },
  { href: '/admin/runs', label: 'Runs' },
  { href: '/admin/readers', label: 'Readers' },
  { href: '/admin/topics', label: 'Topics' },
  { href: '/admin/csv', label: 'Import and export' },
  { href: '/admin/audit', label: 'Audit log' },
];

/** The CSRF binding of a signed-in session's forms: a value from another session (or none) is refused. */
export const sessionBinding = (sessionId: string) => `admin-session:${sessionId}`;

/** The CSRF binding of the sign-in form: the random value of its own short-lived cookie. */
export const loginBinding = (nonce: string) => `admin-login:${nonce}`;

/** The signed-in admin (the auth hook let the request through, so there is one). */
export function adminOf(request: FastifyRequest): SignedInAdmin {
  const admin = request.session?.admin;
  if (!admin) throw errors.unauthorized('Sign in first.');
  return admin;
}

/** Who the audit log says did it. */
export function actorOfSession(request: FastifyRequest): Actor {
  return dashboardActor(adminOf(request));
}

export function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-robots-tag', 'noindex, nofollow');
}

export interface PageOptions {
  status?: number;
  name: string;
  title: string;
  /** The navigation entry the page belongs to (its href). */
  section?: string;
  data?: object;
}

/** Renders templates/admin/NAME.hbs for whoever is signed in, with the session's CSRF value in `csrf`. */
export type SendAdminPage = (request: FastifyRequest, reply: FastifyReply, options: PageOptions) => FastifyReply;

export function createPageSender(secret: string): SendAdminPage {
  return (request, reply, options) => {
    const admin = request.session?.admin;
    const csrf = admin ? issueCsrfToken(secret, sessionBinding(request.session.sessionId)) : undefined;
    const frame = {
      admin,
      isViewer: admin?.role === 'viewer',
      csrf,
      csrfField: CSRF_FIELD,
      nav: admin ? NAV.map((n) => ({ ...n, current: n.href === options.section })) : [],
    };
    const canChange = admin?.role === 'admin';
    return pageHeaders(reply)
      .code(options.status ?? 200)
      .send(renderAdminPage(options.name, options.title, { ...options.data, csrf, canChange }, frame));
  };
}

/** What every dashboard page plugin gets. */
export interface DashboardOptions {
  services: Services;
  page: SendAdminPage;
  /** The CSRF and role check of a POST, for routes whose body is parsed after the plugin's own hook. */
  checkPost: (request: FastifyRequest) => void;
}
