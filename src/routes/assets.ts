import type { FastifyPluginAsync } from 'fastify';
import { adminStylesheet, stylesheet } from '../pages/render-page.js';

/** The stylesheets of the pages (files, not inline, so the CSP can forbid inline code). */
export const assetRoutes: FastifyPluginAsync = async (app) => {
  app.get('/assets/style.css', { schema: { hide: true }, logLevel: 'warn' }, async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet),
  );
  app.get('/assets/admin.css', { schema: { hide: true }, logLevel: 'warn' }, async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(adminStylesheet),
  );
};
