// Readers: search by address, filter by status and topic, one reader's page (status, topics, keywords, deliveries),
// and pause / unsubscribe / erase, each behind a page that asks first.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ReaderStatus } from '../../subscriptions/reader-status.js';
import { SubscriberStatusSchema } from '../subscriber-status-schema.js';
import { actorOfSession, type DashboardOptions } from './dashboard-reply.js';
import { PageQuery, pageOf, pager } from './paging.js';

const STATUSES = ['pending', 'active', 'paused', 'unsubscribed', 'bounced', 'complained'];
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const ActionParams = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  action: Type.Union([Type.Literal('pause'), Type.Literal('unsubscribe'), Type.Literal('erase')]),
});
type Action = 'pause' | 'unsubscribe' | 'erase';

/** What a status means, in the operator's words (the reader's pages say it to the reader). */
const STATUS_TEXT: Record<ReaderStatus, string> = {
  pending: 'Signed up, not confirmed yet: gets no digest until they confirm.',
  active: 'Gets a digest every day there are papers for them.',
  paused: 'Paused: no digests until they resume.',
  unsubscribed: 'Unsubscribed: gets no email.',
  bounced: 'Their address bounced: gets no email.',
  complained: 'Marked our mail as spam: gets no email.',
};

const ACTIONS: Record<Action, { verb: string; question: string; consequence: string; done: string }> = {
  pause: {
    verb: 'Pause',
    question: 'Pause this reader?',
    consequence: 'They get no digests until they resume from their preferences page.',
    done: 'Paused.',
  },
  unsubscribe: {
    verb: 'Unsubscribe',
    question: 'Unsubscribe this reader?',
    consequence: 'They get no more email. Only they can subscribe again, from a link of theirs.',
    done: 'Unsubscribed.',
  },
  erase: {
    verb: 'Erase',
    question: "Erase this reader's personal data?",
    consequence:
      'The address, topics, keywords and every link of theirs are removed for good; delivery history stays, ' +
      'anonymised. This cannot be undone.',
    done: 'Erased.',
  },
};

export const readerPages: FastifyPluginAsyncTypebox<DashboardOptions> = async (app, { services, page }) => {
  const readers = services.admin.subscribers;

  app.get(
    '/admin/readers',
    {
      schema: {
        hide: true,
        querystring: Type.Composite([
          Type.Object({
            email: Type.Optional(Type.String({ maxLength: 254 })),
            status: Type.Optional(Type.Union([Type.Literal(''), SubscriberStatusSchema])),
            topic: Type.Optional(Type.String({ maxLength: 60 })),
          }),
          PageQuery,
        ]),
      },
    },
    async (request, reply) => {
      const { email, status, topic, page: n } = request.query;
      const filter = { email: email || undefined, status: status || undefined, topic: topic || undefined };
      const [list, topics] = await Promise.all([readers.list(filter, pageOf(n)), services.admin.topics.list()]);
      return page(request, reply, {
        name: 'readers',
        title: 'Readers',
        section: '/admin/readers',
        data: {
          ...list,
          filter,
          statuses: STATUSES.map((s) => ({ value: s, selected: s === status })),
          topics: topics.map((t) => ({ slug: t.slug, name: t.name, selected: t.slug === topic })),
          pager: pager(n, list.total, { email, status, topic }),
          exportQuery: new URLSearchParams(
            Object.entries(filter).filter(([, v]) => v) as [string, string][],
          ).toString(),
        },
      });
    },
  );

  async function showReader(request: FastifyRequest, reply: FastifyReply, id: number, notice?: string) {
    const detail = await readers.detail(id);
    const { status } = detail.reader;
    return page(request, reply, {
      name: 'reader',
      title: detail.reader.erasedAt ? `Reader ${id} (erased)` : detail.reader.email,
      section: '/admin/readers',
      data: {
        ...detail,
        notice,
        statusText: STATUS_TEXT[status],
        canPause: status === 'active',
        canUnsubscribe: ['pending', 'active', 'paused'].includes(status),
        canErase: !detail.reader.erasedAt,
      },
    });
  }

  app.get('/admin/readers/:id', { schema: { hide: true, params: IdParams } }, async (request, reply) =>
    showReader(request, reply, request.params.id),
  );

  // The confirmation step: a page that says what will happen, with the one button that does it.
  app.get('/admin/readers/:id/:action', { schema: { hide: true, params: ActionParams } }, async (request, reply) => {
    const { id, action } = request.params;
    const { reader } = await readers.detail(id);
    return page(request, reply, {
      name: 'reader-confirm',
      title: ACTIONS[action].question,
      section: '/admin/readers',
      data: { reader, action, ...ACTIONS[action] },
    });
  });

  app.post('/admin/readers/:id/:action', { schema: { hide: true, params: ActionParams } }, async (request, reply) => {
    const { id, action } = request.params;
    const actor = actorOfSession(request);
    if (action === 'erase') {
      const erased = await readers.erase(actor, id);
      return showReader(
        request,
        reply,
        id,
        erased.alreadyErased ? 'This reader was erased before.' : ACTIONS.erase.done,
      );
    }
    const result = await readers.changeStatus(actor, id, action);
    return showReader(
      request,
      reply,
      id,
      result.changed ? ACTIONS[action].done : `Nothing to do: the reader is ${result.status} already.`,
    );
  });
};
