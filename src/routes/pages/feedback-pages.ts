// "More like this" / "Not for me" from the links under each paper of a digest. GET shows a one-button page and
// changes nothing (mail scanners follow every link); the button POSTs the vote. A link that does not verify gets the
// same 404 page as any unknown token. Undo lives on the preferences page, next to the list of votes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Vote } from '../../feedback/feedback-value.js';
import { checkCsrfToken, issueCsrfToken } from '../../pages/csrf-token.js';
import type { Services } from '../../services.js';
import { asList, csrfOf, readerBinding } from './page-forms.js';
import { sendPage } from './page-reply.js';
import { sendPreferencesPage } from './preferences-pages.js';

const ValueParams = Type.Object({ value: Type.String() });
const TokenParams = Type.Object({ token: Type.String() });

const feedbackBinding = (value: string) => `feedback:${value}`;
const ASK: Record<Vote, string> = { more: 'More papers like this one?', less: 'Fewer papers like this one?' };
const DONE: Record<Vote, string> = {
  more: 'Noted: your next digests rank papers like this one higher.',
  less: 'Noted: your next digests rank papers like this one lower, and may leave them out.',
};

export const feedbackPages: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { feedback, subscriptions, secret } = services;

  app.get('/feedback/:value', { schema: { hide: true, params: ValueParams } }, async (request, reply) => {
    const { value } = request.params;
    const link = await feedback.openLink(value);
    return sendPage(reply, 200, 'feedback', ASK[link.vote], {
      heading: ASK[link.vote],
      title: link.paperTitle,
      button: link.vote === 'more' ? 'More like this' : 'Not for me',
      already: link.current === link.vote,
      csrf: issueCsrfToken(secret, feedbackBinding(value)),
      action: `/feedback/${encodeURIComponent(value)}`,
    });
  });

  app.post('/feedback/:value', { schema: { hide: true, params: ValueParams } }, async (request, reply) => {
    const { value } = request.params;
    await feedback.openLink(value); // 404 before 403
    checkCsrfToken(secret, feedbackBinding(value), csrfOf(request.body));
    const link = await feedback.record(value);
    return sendPage(reply, 200, 'feedback', 'Thank you', {
      heading: 'Thank you',
      title: link.paperTitle,
      done: DONE[link.vote],
    });
  });

  app.post(
    '/preferences/:token/feedback/undo',
    { schema: { hide: true, params: TokenParams } },
    async (request, reply) => {
      const { token } = request.params;
      const preferences = await subscriptions.getPreferences(token);
      checkCsrfToken(secret, readerBinding(token), csrfOf(request.body));
      const paperId = asList((request.body as Record<string, unknown> | undefined)?.paperId)[0] ?? '';
      const undone = await feedback.undo(token, paperId);
      return sendPreferencesPage(services, reply, token, preferences, {
        notice: undone
          ? 'Undone: your digests rank as if you had never voted on that paper.'
          : 'That vote was undone already.',
      });
    },
  );
};
