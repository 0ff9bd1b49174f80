// GET /feed/:feedToken: a reader's personal Atom feed, with validators so feed readers poll cheaply.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Services } from '../services.js';

const Params = Type.Object({ feedToken: Type.String({ maxLength: 200 }) });

export const feedRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/feed/:feedToken',
    { schema: { tags: ['readers'], summary: "A reader's personal Atom feed (its own token)", params: Params } },
    async (request, reply) => {
      const feed = await services.feeds.readerFeed(request.params.feedToken);
      reply
        .header('etag', feed.etag)
        .header('last-modified', feed.lastModified.toUTCString())
        // Private: the URL stands for a reader; caches between may not keep it.
        .header('cache-control', 'private, no-cache')
        .header('x-robots-tag', 'noindex');
      const sinceEtag = request.headers['if-none-match'];
      const since = request.headers['if-modified-since'];
      const fresh =
        sinceEtag !== undefined
          ? sinceEtag.split(',').some((tag) => tag.trim().replace(/^W\//, '') === feed.etag)
          : since !== undefined && Math.floor(feed.lastModified.getTime() / 1000) <= Date.parse(since) / 1000;
      if (fresh) return reply.code(304).send();
      return reply.type('application/atom+xml; charset=utf-8').send(feed.xml);
    },
  );
};
