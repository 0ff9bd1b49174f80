// The readers' HTML pages: sign-up form, confirmation, preferences, unsubscribe. Errors here answer as pages.
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../services.js';
import { confirmPages } from './pages/confirm-pages.js';
import { feedbackPages } from './pages/feedback-pages.js';
import { pageErrorHandler } from './pages/page-reply.js';
import { preferencesPages } from './pages/preferences-pages.js';
import { subscribePages } from './pages/subscribe-pages.js';
import { unsubscribePages } from './pages/unsubscribe-pages.js';

export const readerPages: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.setErrorHandler(pageErrorHandler);
  await app.register(subscribePages, { services });
  await app.register(confirmPages, { services });
  await app.register(preferencesPages, { services });
  await app.register(unsubscribePages, { services });
  await app.register(feedbackPages, { services });
};
