// Shared by the dashboard tests: accounts, signing in through the real form with app.inject, and reading the CSRF
// value and cookies the pages hand out.
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { AdminRole } from '../../src/admin/accounts/admin-accounts.js';
import type { Services } from '../../src/services.js';

export const PASSWORD = 'correct horse battery staple';

export async function addAccount(services: Services, email: string, role: AdminRole = 'admin', password = PASSWORD) {
  return services.admin.accounts.add('test', email, role, password);
}

/** name=value pairs of the Set-Cookie headers of a response. */
export function cookiesOf(res: LightMyRequestResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of res.cookies as { name: string; value: string }[]) if (c.value !== '') out[c.name] = c.value;
  return out;
}

export function cookieHeader(cookies: Record<string, string>): string {
  return Object.entries(cookies)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
}

/** The first CSRF value in a page's forms. */
export function csrfOf(html: string): string {
  const value = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(value, 'the page has a form with a CSRF value');
  return value;
}

/** GET the sign-in form, then POST it: the response of the POST, and the cookies to send from then on. */
export async function postSignIn(
  app: FastifyInstance,
  email: string,
  password: string,
  options: { headers?: Record<string, string>; remoteAddress?: string } = {},
): Promise<{ res: LightMyRequestResponse; cookie: string }> {
  const { headers = {}, remoteAddress } = options;
  const form = await app.inject({ method: 'GET', url: '/admin/login', headers, remoteAddress });
  const login = cookiesOf(form);
  const res = await app.inject({
    method: 'POST',
    url: '/admin/login',
    remoteAddress,
    headers: { ...headers, cookie: cookieHeader(login) },
    payload: { email, password, csrf: csrfOf(form.body), next: '/admin' },
  });
  return { res, cookie: cookieHeader(cookiesOf(res)) };
}

/** Signs in and returns the Cookie header of the session. */
export async function signIn(app: FastifyInstance, email: string, password = PASSWORD): Promise<string> {
  const { res, cookie } = await postSignIn(app, email, password);
  assert.equal(res.statusCode, 303, res.body);
  assert.match(cookie, /papermail_admin=/);
  return cookie;
}

/** A page's CSRF value for the signed-in session. */
export async function sessionCsrf(app: FastifyInstance, cookie: string, url = '/admin'): Promise<string> {
  const res = await app.inject({ method: 'GET', url, headers: { cookie } });
  assert.equal(res.statusCode, 200, res.body);
  return csrfOf(res.body);
}
