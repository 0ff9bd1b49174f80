// Prometheus metrics (prom-client), one registry per app so tests and several apps in one process never share one.
// Two kinds: what this process did (SMTP replies, send latency, process metrics), counted here; and what the
// database says (deliveries by status, waiting deliveries, readers, runs), read at scrape time by collect()
// callbacks, so every instance of a fleet reports the same numbers.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PrismaClient } from '../db/client.js';
import { loadMetricSnapshot, type MetricSnapshot } from './metric-snapshot.js';

const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed', 'skipped'];
const READER_STATUSES = ['pending', 'active', 'paused', 'unsubscribed', 'bounced', 'complained'];

/** How one message fared at the relay: its reply's class (2xx, 4xx, 5xx) or `none` when no reply came. */
export type ReplyClass = '2xx' | '4xx' | '5xx' | 'none';

export interface Metrics {
  /** Records one message handed to the relay: how long it took and the class of the reply. */
  observeSend(seconds: number, reply: ReplyClass): void;
  /** The text exposition of every metric. */
  render(): Promise<string>;
  readonly contentType: string;
}

export function createMetrics(prisma: PrismaClient): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  // Every collect() of one scrape shares one snapshot: one round of queries, and numbers from the same moment.
  let scrape: Promise<MetricSnapshot> | undefined;
  const snapshot = () => {
    scrape ??= loadMetricSnapshot(prisma);
    return scrape;
  };

  const replies = new Counter({
    name: 'papermail_smtp_replies_total',
    help: "Messages handed to the mail relay by this process, by the class of the relay's reply (none: no reply, e.g. a dropped connection).",
    labelNames: ['class'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'papermail_send_duration_seconds',
    help: 'Time from handing a message to the relay to its reply (any reply: see papermail_smtp_replies_total), in this process.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  new Gauge({
    name: 'papermail_deliveries',
    help: 'Deliveries by status, as the database has them now (originals and resends).',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const { deliveries } = await snapshot();
      for (const status of DELIVERY_STATUSES) this.set({ status }, deliveries[status] ?? 0);
    },
  });
  new Gauge({
    name: 'papermail_deliveries_waiting',
    help: 'Deliveries due now that no sender holds: what the next sender pass would claim.',
    registers: [registry],
    async collect() {
      this.set((await snapshot()).waiting);
    },
  });
  new Gauge({
    name: 'papermail_deliveries_oldest_waiting_seconds',
    help: 'How long the longest-waiting due delivery has been due (0 when none waits).',
    registers: [registry],
    async collect() {
      this.set((await snapshot()).oldestWaitingSeconds);
    },
  });
  new Gauge({
    name: 'papermail_readers',
    help: 'Readers by status, as the database has them now.',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const { readers } = await snapshot();
      for (const status of READER_STATUSES) this.set({ status }, readers[status] ?? 0);
    },
  });
  new Gauge({
    name: 'papermail_reader_events_last_24h',
    help: 'Sign-ups, confirmations and unsubscribes in the last 24 hours, from the readers table.',
    labelNames: ['event'],
    registers: [registry],
    async collect() {
      const { readerEvents } = await snapshot();
      for (const [event, n] of Object.entries(readerEvents)) this.set({ event }, n);
    },
  });
  new Gauge({
    name: 'papermail_runs',
    help: 'Runs (ingest, match, send of a day) by status and trigger, as the runs table has them.',
    labelNames: ['status', 'trigger'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await snapshot()).runs) this.set({ status: r.status, trigger: r.trigger }, r.n);
    },
  });
  new Histogram({
    name: 'papermail_run_duration_seconds',
    help: 'Durations of the finished runs in the runs table, rebuilt from the table at each scrape (outcomes: papermail_runs).',
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await snapshot()).runDurations) this.observe(r.seconds);
    },
  });

  return {
    observeSend(seconds, reply) {
      replies.inc({ class: reply });
      latency.observe(seconds);
    },
    async render() {
      try {
        return await registry.metrics();
      } finally {
        scrape = undefined;
      }
    },
    contentType: registry.contentType,
  };
}
