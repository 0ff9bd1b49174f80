// The overview at /admin: today's run and its progress, the last 30 days as charts, and the topics by readers.
import type { FastifyPluginAsync } from 'fastify';
import { shortDay, today } from '../../dates.js';
import { isPapermailError } from '../../errors.js';
import { barChart, lineChart } from '../../pages/svg-chart.js';
import type { DashboardOptions } from './dashboard-reply.js';
import { describeDay } from './day-view.js';

const COLORS = { sent: '#1e6b35', failed: '#b3261e', bounced: '#8a5a00', blue: '#1a56a8' };

export const overviewPage: FastifyPluginAsync<DashboardOptions> = async (app, { services, page }) => {
  const { admin } = services;

  app.get('/admin', { schema: { hide: true } }, async (request, reply) => {
    const day = today(services.config.scheduler.timezone);
    const [detail, stats, readers, topics] = await Promise.all([
      admin.digests.day(day).catch((err) => {
        if (isPapermailError(err) && err.statusCode === 404) return undefined;
        throw err;
      }),
      admin.stats.daily(day, 30),
      admin.stats.readersByStatus(),
      admin.topics.list(),
    ]);
    const labels = stats.map((s) => shortDay(s.day));
    const offered = topics.filter((t) => t.retiredAt === null).sort((a, b) => b.readers - a.readers);
    const charts = {
      deliveries: lineChart('chart-deliveries', 'Deliveries per day: sent, failed, bounced', labels, [
        { label: 'Sent', color: COLORS.sent, values: stats.map((s) => s.sent) },
        { label: 'Failed', color: COLORS.failed, values: stats.map((s) => s.failed) },
        { label: 'Bounced', color: COLORS.bounced, values: stats.map((s) => s.bounced) },
      ]),
      active: lineChart('chart-active', 'Active readers at the end of each day', labels, [
        { label: 'Active readers', color: COLORS.blue, values: stats.map((s) => s.active) },
      ]),
      readers: lineChart('chart-readers', 'Sign-ups, confirmations and unsubscribes per day', labels, [
        { label: 'Sign-ups', color: COLORS.blue, values: stats.map((s) => s.signups) },
        { label: 'Confirmations', color: COLORS.sent, values: stats.map((s) => s.confirmations) },
        { label: 'Unsubscribes', color: COLORS.failed, values: stats.map((s) => s.unsubscribes) },
      ]),
      topics: barChart(
        'chart-topics',
        'Topics by readers',
        offered.map((t) => ({ label: t.name, value: t.readers })),
        COLORS.blue,
      ),
    };
    return page(request, reply, {
      name: 'overview',
      title: 'Overview',
      section: '/admin',
      data: {
        day,
        today: detail ? describeDay(detail) : undefined,
        charts,
        colors: COLORS,
        stats: stats.map((s, i) => ({ ...s, label: labels[i] })).reverse(),
        readers: Object.entries(readers).map(([status, n]) => ({ status, n })),
        topics: offered,
      },
    });
  });
};
