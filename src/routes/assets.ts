import type { FastifyPluginAsync } from 'fastify';
import { stylesheet } from '../pages/render-page.js';

/** The stylesheet of the pages (a file, not inline, so the CSP can forbid inline code). */
export const assetRoutes: FastifyPluginAsync = async (app) => {
  app.get('/assets/style.css', { schema: { hide: true }, logLevel: 'warn' }, async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet),
  );
};
