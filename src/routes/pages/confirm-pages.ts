// The confirmation link. GET shows a page with a button and changes nothing (mail scanners open links); the
// button POSTs, with a CSRF value bound to the confirmation token, and only that activates.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { checkCsrfToken, issueCsrfToken } from '../../pages/csrf-token.js';
import type { Services } from '../../services.js';
import type { ConfirmationView } from '../../subscriptions/confirm-sign-up.js';
import { csrfOf } from './page-forms.js';
import { sendPage } from './page-reply.js';

const TokenParams = Type.Object({ token: Type.String() });

export const confirmPages: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { subscriptions, secret } = services;
  const binding = (token: string) => `confirm:${token}`;

  function pageData(token: string, view: ConfirmationView) {
    return {
      ...view,
      action: `/confirm/${encodeURIComponent(token)}`,
      csrf: issueCsrfToken(secret, binding(token)),
      preferencesPath: view.token ? `/preferences/${encodeURIComponent(view.token)}` : undefined,
    };
  }

  app.get('/confirm/:token', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const view = await subscriptions.findConfirmation(token);
    const title = view.confirmed ? 'You are subscribed' : 'Confirm your subscription';
    return sendPage(reply, 200, 'confirm', title, pageData(token, view));
  });

  app.post('/confirm/:token', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    // Unknown tokens first, so that every bad link gets the same 404 whatever the form carried.
    await subscriptions.findConfirmation(token);
    checkCsrfToken(secret, binding(token), csrfOf(request.body));
    const view = await subscriptions.confirm(token);
    return sendPage(reply, 200, 'confirm', 'You are subscribed', pageData(token, view));
  });
};
