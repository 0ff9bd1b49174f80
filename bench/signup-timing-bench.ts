// Does POST /api/subscriptions take the same time whatever the address's state? Real HTTP against the real app,
// a real database and a real SMTP sink (in this process). Each round sends one request per state in a random
// order, and works through the sign-up queue (and waits a little more) before the next request, so neither drift
// nor the previous request's email lands on one state's clock more than another's.
//   npx tsx bench/signup-timing-bench.ts [rounds]      (TEST_DATABASE_URL or DATABASE_URL, else embedded Postgres)
import { randomBytes } from 'node:crypto';
import { buildServer } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createPrismaClient } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { createServices } from '../src/services.js';
import { seedTopics } from '../src/topics/seed-topics.js';
import { startSmtpSink } from '../test/helpers/smtp-sink.js';
import { adminQuery, ensureTemplate, resolveTestServer, withDatabase } from '../test/helpers/test-server.js';

const rounds = Number(process.argv[2] ?? 200);
const server = await resolveTestServer();
const template = await ensureTemplate(server.url);
const name = `papermail_bench_${randomBytes(4).toString('hex')}`;
await adminQuery(server.url, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
const prisma = createPrismaClient(withDatabase(server.url, name));
const sink = await startSmtpSink({ closeAfter: false });
const config = loadConfig({
  LOG_LEVEL: 'silent',
  SCHEDULER: 'off',
  SECRET: 'bench-secret-bench-secret-bench-secret-0',
  DATA_DIR: '.data/bench-runtime',
  SMTP_URL: sink.url,
  SIGNUP_RATE_LIMIT: '100000',
});
const services = createServices({ config, log: createLogger('silent'), prisma });
const app = await buildServer(services);
await seedTopics(prisma);
const base = await app.listen({ host: '127.0.0.1', port: 0 });
const { subscriptions } = services;

// One address in each state but "new" (which gets a fresh address every time).
const signup = (email: string) => subscriptions.prepareSignup({ email, topics: ['agents'] });
for (const email of ['pending@example.org', 'active@example.org', 'leaver@example.org']) {
  await subscriptions.acceptSignup(await signup(email));
}
await subscriptions.processSignups();
const confirmTokenOf = async (email: string) =>
  (await prisma.subscriber.findUniqueOrThrow({ where: { emailKey: email } })).confirmToken;
await subscriptions.confirm(await confirmTokenOf('active@example.org'));
await subscriptions.confirm(await confirmTokenOf('leaver@example.org'));
const leaver = await prisma.subscriber.findUniqueOrThrow({ where: { emailKey: 'leaver@example.org' } });
await subscriptions.unsubscribe(leaver.token);
// Give every state a fresh daily mail share, so each request does its full work (the share is 3 a day).
await prisma.subscriber.updateMany({ data: { confirmSentCount: 0, confirmSentOn: null } });

const states = ['new', 'pending', 'active', 'unsubscribed'] as const;
const addressOf = (state: (typeof states)[number], i: number) =>
  state === 'new' ? `new${i}@example.org` : state === 'unsubscribed' ? 'leaver@example.org' : `${state}@example.org`;

async function post(email: string): Promise<number> {
  const started = process.hrtime.bigint();
  const response = await fetch(`${base}/api/subscriptions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, topics: ['agents'] }),
  });
  await response.text();
  if (response.status !== 202) throw new Error(`got ${response.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

// Warm up (JIT, connection pools, template compile).
for (let i = 0; i < 20; i++) await post(`warm${i}@example.org`);
await subscriptions.processSignups();

const times: Record<string, number[]> = Object.fromEntries(states.map((s) => [s, []]));
const started = Date.now();
for (let i = 0; i < rounds; i++) {
  const order = [...states].sort(() => Math.random() - 0.5);
  for (const state of order) {
    times[state]!.push(await post(addressOf(state, i)));
    await subscriptions.processSignups();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
const elapsed = Date.now() - started;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
console.log(`POST /api/subscriptions, ${rounds} requests per state, random order, real HTTP (${elapsed} ms)`);
console.log('state          median ms   p90 ms   mean ms');
for (const state of states) {
  const sorted = [...times[state]!].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  console.log(
    `${state.padEnd(14)} ${pct(sorted, 0.5).toFixed(3).padStart(9)} ${pct(sorted, 0.9).toFixed(3).padStart(8)} ${mean.toFixed(3).padStart(9)}`,
  );
}
console.log(`emails received by the sink: ${sink.messages.length}`);

await app.close();
await services.close();
await sink.close();
await prisma.$disconnect();
await adminQuery(server.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
await server.embedded?.stop();
