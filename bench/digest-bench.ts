// `npm run bench`: the daily digest at 10,000 and 100,000 readers, end to end over SMTP, beside its ceiling and the
// naive path. A benchmark, not a test: it prints numbers.
//
//   - a 60-paper day: the real lists of 2026-07-31 (34), 2026-07-30 (16) and the top of 2026-07-29 (10) from
//     test/fixtures/hf-daily-papers, all listed on 2026-07-31 (no fixture day has 60 papers on its own);
//   - readers with a realistic mix: 0-5 catalog topics (popular ones more often, Zipf), a third with 1-3 keywords
//     drawn (Zipf) from the 2,000+ AI keywords of the fixtures, 5/10/20 papers, a fifth wanting the top three;
//   - the relay: smtp-server in a process of its own that counts and discards (bench/smtp-count-sink.ts);
//   - papermail: bench/digest-run.ts, one process running runDay (prepare -> send until done), as the scheduler does.
// Beside it, in the same run and against the same relay: (a) the ceiling, identical pre-built messages from a pooled
// Nodemailer transport with the same concurrency; (b) the naive path, MJML compiled per message (on a sample).
//
// Readers' clocks, `--zones 1,24` (default 1; each count is a run of its own, on the same readers):
//   - 1: today's run, everyone in the operator's zone and hour, daily; the past day sent as `papermail digest --date`
//     sends it, everything due at once;
//   - N > 1: the same readers spread over N real time zones (one per UTC offset band, bench/reader-rhythms.ts), a
//     random local hour each, 10% weekly on a random weekday (about 1/7 of them on Friday 2026-07-31: they get the
//     week issue, over a week of listings; the others nothing, and are counted). The day is replayed as the
//     schedule's 07:00 UTC fire prepared it (bench/digest-run.ts --as-scheduled): every delivery due at its reader's
//     own hour, computed in their zone, spread over 24 hours; those hours have all gone by, so the run sends every
//     one in one go, in the order they fell due. What it measures: the whole day's work (due times, the week issue,
//     claims across due times) per message, not the 24 hourly bursts the sender loop would send them in.
//
// Options: --readers 10000,100000  --zones 1  --concurrency 10  --ceiling 20000  --naive 200. Env: BENCH_PROFILE=DIR
// writes a CPU profile of the papermail process. `--workers N` (default: the cores) is SEND_WORKERS: sender threads,
// each with its own SMTP pool of --concurrency connections (the ceiling has one pool).
// Database: TEST_DATABASE_URL or DATABASE_URL (a server; a database is created and dropped), else embedded Postgres.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import { createPrismaClient, type PrismaClient } from '../src/db/client.js';
import { projectRoot } from '../src/db/migrate.js';
import { loadDayPapers } from '../src/digest/day-papers.js';
import { buildDigestEmail, type DigestEmailData } from '../src/digest/digest-email.js';
import { toPaperView } from '../src/digest/paper-view.js';
import { createDigestRenderer } from '../src/digest/render-digest.js';
import type { DeliveryMatches } from '../src/digest/select-papers.js';
import { createLinks } from '../src/links.js';
import { buildMimeMessage } from '../src/mail/mime-message.js';
import { collapseWhitespace, templatesDir } from '../src/mail/templates.js';
import { topicCatalog } from '../src/topics/catalog.js';
import { seedTopics } from '../src/topics/seed-topics.js';
import { loadFixturePapers, readFixtureDay } from '../test/digest/fixture-papers.js';
import { adminQuery, ensureTemplate, resolveTestServer, withDatabase } from '../test/helpers/test-server.js';
import { rawBlaster, startSink } from './count-sink.js';
import { BENCH_ZONES, describeClock, describeDue, listWeekBefore, spreadReaders, zoneLabel } from './reader-rhythms.js';

const DAY = '2026-07-31';
const { values: args } = parseArgs({
  options: {
    readers: { type: 'string', default: '10000,100000' },
    zones: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '10' },
    ceiling: { type: 'string', default: '20000' },
    naive: { type: 'string', default: '200' },
    workers: { type: 'string', default: String(availableParallelism()) },
  },
});
const readerCounts = args.readers.split(',').map(Number);
const zoneCounts = args.zones.split(',').map(Number);
if (!zoneCounts.every((z) => Number.isInteger(z) && z >= 1 && z <= BENCH_ZONES.length)) {
  process.stderr.write(`--zones must be whole numbers from 1 to ${BENCH_ZONES.length} (got "${args.zones}")\n`);
  process.exit(1);
}
const concurrency = Number(args.concurrency);
const workers = Number(args.workers);
const links = createLinks('https://papers.example.org');
const log = (line = '') => process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

// ---------------------------------------------------------------------------------------------------------------
// The data

/** A deterministic random number generator (mulberry32), so every run has the same readers. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf-distributed index into a list of `n` (item 0 most popular). */
function zipf(random: () => number, n: number, s = 1.1): () => number {
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of weights) {
    acc += w / total;
    cumulative.push(acc);
  }
  return () => {
    const r = random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function keywordPool(): string[] {
  const seen = new Set<string>();
  const files = [
    '2026-07-01',
    '2026-07-02',
    '2026-07-03',
    '2026-07-06',
    '2026-07-07',
    '2026-07-08',
    '2026-07-09',
    '2026-07-10',
  ];
  for (const file of files) {
    for (const item of readFixtureDay(file)) for (const k of item.paper.ai_keywords ?? []) seen.add(k.toLowerCase());
  }
  return ['world model', 'memory', 'agents', 'diffusion', 'benchmark', 'kv cache', 'reinforcement learning', ...seen];
}

async function seedReaders(prisma: PrismaClient, count: number): Promise<{ keywords: number }> {
  const random = rng(42);
  const topics = await prisma.topic.findMany({ orderBy: { id: 'asc' } });
  // Popularity of topics: the catalog order, shuffled once, Zipf over it.
  const order = topics.map((t) => t.id).sort(() => random() - 0.5);
  const pickTopic = zipf(random, order.length, 0.9);
  const pool = keywordPool();
  const pickKeyword = zipf(random, pool.length, 1.0);
  const distinct = new Set<string>();
  const chunk = 10_000;
  for (let start = 0; start < count; start += chunk) {
    const rows: object[] = [];
    for (let i = start; i < Math.min(count, start + chunk); i++) {
      const r = random();
      const topicCount = r < 0.08 ? 0 : r < 0.43 ? 1 : r < 0.78 ? 2 : r < 0.93 ? 3 : 4 + Math.floor(random() * 2);
      const own = new Set<number>();
      while (own.size < topicCount) own.add(order[pickTopic()]!);
      const keywords: string[] = [];
      if (random() < 0.33 || topicCount === 0) {
        const n = 1 + Math.floor(random() * 3);
        for (let k = 0; k < n; k++) keywords.push(pool[pickKeyword()]!);
      }
      if (topicCount === 0 && random() < 0.5) keywords.length = 0; // some readers choose nothing at all
      for (const k of keywords) distinct.add(k);
      const m = random();
      rows.push({
        email: `reader-${i + 1}@bench.example.org`,
        token: randomBytes(24).toString('base64url'),
        keywords: [...new Set(keywords)],
        max_papers: m < 0.3 ? 5 : m < 0.9 ? 10 : 20,
        top_when_no_match: random() < 0.2,
        topic_ids: [...own],
      });
    }
    const payload = JSON.stringify(rows);
    await prisma.$executeRaw`
      WITH r AS (
        SELECT * FROM jsonb_to_recordset(${payload}::jsonb)
          AS r(email text, token text, keywords text[], max_papers int, top_when_no_match bool, topic_ids int[])
      ), s AS (
        INSERT INTO subscribers (email, email_key, status, token, keywords, max_papers, top_when_no_match,
                                 confirmed_at, updated_at)
        SELECT email, email, 'active', token, keywords, max_papers, top_when_no_match, now(), now() FROM r
        RETURNING id, email
      )
      INSERT INTO subscriber_topics (subscriber_id, topic_id)
      SELECT s.id, t.topic_id FROM s JOIN r USING (email), unnest(r.topic_ids) AS t(topic_id)`;
  }
  return { keywords: distinct.size };
}

async function createBenchDatabase(serverUrl: string, template: string) {
  const name = `papermail_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  const url = withDatabase(serverUrl, name);
  const prisma = createPrismaClient(url, 4);
  await seedTopics(prisma);
  const papers = await loadFixturePapers(prisma, DAY, ['2026-07-31', '2026-07-30', '2026-07-29'], { limit: 60 });
  await listWeekBefore(prisma);
  return {
    url,
    prisma,
    papers: papers.length,
    async drop() {
      await prisma.$disconnect();
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Measurements

function runChild(script: string, argv: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    // BENCH_PROFILE=DIR writes a CPU profile of the papermail process there (open it in Chrome DevTools).
    const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    // Started as papermail starts (bin/papermail-node: tsx and the heap bounds), so its peak RSS is what operators get.
    const child: ChildProcess = spawn(
      path.join(projectRoot, 'bin/papermail-node'),
      [...profile, path.join(projectRoot, script), ...argv],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
    });
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} exited ${code}`))));
  });
}

/** Renders `limit` of the day's prepared deliveries with the compiled templates: the per-message render cost. */
async function measureRender(prisma: PrismaClient, limit: number) {
  const render = await createDigestRenderer(links);
  const papers = new Map((await loadDayPapers(prisma, DAY)).map((p) => [p.id, toPaperView(p)]));
  const rows = await prisma.$queryRaw<{ paperIds: string[]; matches: DeliveryMatches; token: string }[]>`
    SELECT x.paper_ids AS "paperIds", x.matches, s.token
    FROM deliveries d JOIN selections x ON x.id = d.selection_id JOIN subscribers s ON s.id = d.subscriber_id
    WHERE d.digest_id = (SELECT id FROM digests WHERE kind = 'day' AND date = ${DAY}::date)
    ORDER BY d.id LIMIT ${limit}`;
  let bytes = 0;
  let maxBytes = 0;
  const started = performance.now();
  for (const row of rows) {
    const m = render({ day: DAY, papers, paperIds: row.paperIds, matches: row.matches, token: row.token });
    const size = Buffer.byteLength(m.html);
    bytes += size;
    if (size > maxBytes) maxBytes = size;
  }
  const ms = performance.now() - started;
  // A typical message for the ceiling: the delivery whose HTML size is nearest the average.
  const average = bytes / rows.length;
  let typical = rows[0]!;
  let best = Number.POSITIVE_INFINITY;
  for (const row of rows.slice(0, 2000)) {
    const size = Buffer.byteLength(render({ day: DAY, papers, ...row }).html);
    if (Math.abs(size - average) < best) {
      best = Math.abs(size - average);
      typical = row;
    }
  }
  return {
    count: rows.length,
    perSecond: rows.length / (ms / 1000),
    avgKb: average / 1024,
    maxKb: maxBytes / 1024,
    typical,
    naiveSample: rows.slice(0, Number(args.naive)),
    papers,
    render,
  };
}

/**
 * The naive path, on a sample of real deliveries: each reader's MJML (the same templates, partials inlined, filled
 * with Handlebars) compiled by MJML for that one message, as code that does not precompile would do.
 */
async function measureNaive(
  rows: { paperIds: string[]; matches: DeliveryMatches; token: string }[],
  papers: Map<string, ReturnType<typeof toPaperView>>,
) {
  const inline = (file: string): string =>
    readFileSync(path.join(templatesDir, file), 'utf8').replace(/<mj-include path="\.\/([^"]+)"\s*\/>/g, (_, p) =>
      inline(p),
    );
  const source = Handlebars.create().compile(inline('digest.mjml'));
  const started = performance.now();
  for (const row of rows) {
    const data: DigestEmailData = buildDigestEmail(links, { day: DAY, papers, ...row });
    // MJML's defaults (soft validation), as code that never thought about it would call it; no web fonts, as ours.
    const result = await mjml2html(source(data), { fonts: {} });
    if (collapseWhitespace(result.html).length === 0) throw new Error('empty');
  }
  const ms = performance.now() - started;
  return { perSecond: rows.length / (ms / 1000), msPerMessage: ms / rows.length };
}

/**
 * The ceiling: one typical digest, built once in papermail's own wire format, sent again and again through a pooled
 * Nodemailer transport with the same concurrency (after a warm-up, so connection set-up is not counted).
 */
async function measureCeiling(
  sinkUrl: string,
  message: { subject: string; html: string; text: string },
  count: number,
) {
  const raw = buildMimeMessage(
    { to: 'reader@bench.example.org', messageId: '<ceiling@bench.example.org>', ...message },
    { from: 'papermail <digest@bench.example.org>' },
  );
  const { blast, close } = rawBlaster(sinkUrl, raw, concurrency);
  await blast(Math.min(1000, count));
  const started = performance.now();
  await blast(count);
  const ms = performance.now() - started;
  close();
  return { perSecond: count / (ms / 1000), kb: raw.length / 1024 };
}

/** The ceiling before any run: a typical digest is made from a small database of its own. */
async function measureCeilingFromFixtures(sinkUrl: string) {
  const db = await createBenchDatabase(server.url, template);
  await seedReaders(db.prisma, 2000);
  await runChild('bench/digest-run.ts', [DAY], {
    DATABASE_URL: db.url,
    SMTP_URL: sinkUrl,
    LOG_LEVEL: 'warn',
    PUBLIC_URL: 'https://papers.example.org',
    MAIL_FROM: 'papermail <digest@bench.example.org>',
  });
  const sample = await measureRender(db.prisma, 2000);
  await db.drop();
  return measureCeiling(
    sinkUrl,
    sample.render({ day: DAY, papers: sample.papers, ...sample.typical }),
    Number(args.ceiling),
  );
}

// ---------------------------------------------------------------------------------------------------------------

const server = await resolveTestServer();
const template = await ensureTemplate(server.url);
const sink = await startSink();
log(
  `papermail digest benchmark · ${cpus().length} cores (${cpus()[0]?.model.trim()}) · load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
log(
  `relay: smtp-server in its own process · SEND_WORKERS=${workers} × SEND_CONCURRENCY=${concurrency} (pooled connections; twice as many in flight)`,
);
log(
  `templates: ${path.relative(projectRoot, templatesDir)}/digest.mjml compiled once · topics: ${topicCatalog.length}`,
);
log();

const results: {
  readers: number;
  zones: number;
  e2e: number;
  send: number;
  rssMb: number;
  /** Prepare + send, wall clock. */
  wallS: number;
  matchS: number;
  prepareS: number;
}[] = [];
let renderSample: Awaited<ReturnType<typeof measureRender>> | undefined;
const ceilingBefore = await measureCeilingFromFixtures(sink.url);
for (const [readers, zones] of readerCounts.flatMap((r) => zoneCounts.map((z) => [r, z] as const))) {
  const db = await createBenchDatabase(server.url, template);
  const seedStart = performance.now();
  const { keywords } = await seedReaders(db.prisma, readers);
  const rhythms = await spreadReaders(db.prisma, zones, DAY);
  log(
    `${fmt(readers)} readers (${fmt(keywords)} distinct keywords), ${db.papers} papers on ${DAY} · seeded in ${fmt((performance.now() - seedStart) / 1000, 1)} s`,
  );
  log(`  ${describeClock(rhythms)}`);
  const runArgs = zones > 1 ? [DAY, '--as-scheduled'] : [DAY];
  await sink.reset();
  const out = await runChild('bench/digest-run.ts', runArgs, {
    DATABASE_URL: db.url,
    SMTP_URL: sink.url,
    SEND_CONCURRENCY: String(concurrency),
    SEND_WORKERS: String(workers),
    SEND_BATCH_SIZE: '500',
    LOG_LEVEL: 'warn',
    PUBLIC_URL: 'https://papers.example.org',
    MAIL_FROM: 'papermail <digest@bench.example.org>',
  });
  const run = JSON.parse(out.trim().split('\n').at(-1)!);
  const relay = await sink.stats();
  const sent = run.counts.sent as number;
  const matchS = run.prepare.matchMs / 1000;
  const prepareS = run.prepare.prepareMs / 1000;
  const sendS = run.timings.sendMs / 1000;
  const e2e = sent / (run.wallMs / 1000);
  log(
    `  matching: ${fmt(matchS, 2)} s, whole preparation ${fmt(prepareS, 2)} s for ${fmt(run.prepare.readers)} readers (${run.prepare.interests.topics} topics + ${fmt(run.prepare.interests.keywords)} keywords matched once each; ${fmt(run.prepare.created)} deliveries, ${fmt(run.prepare.noMatch)} readers with no match${run.prepare.notTheirDay ? `, ${fmt(run.prepare.notTheirDay)} weekly readers not due today` : ''})`,
  );
  log(`  due: ${await describeDue(db.prisma)}`);
  log(
    `  sending:  ${fmt(sent)} sent, ${run.counts.failed} failed, in ${fmt(sendS, 1)} s = ${fmt(sent / sendS)} messages/s (relay took ${fmt(relay.messages)} messages, ${fmt(relay.bytes / 1024 / 1024)} MB)`,
  );
  log(
    `  end to end (prepare + send, wall): ${fmt(run.wallMs / 1000, 1)} s = ${fmt(e2e)} messages/s · peak RSS of the papermail process ${run.maxRssMb} MB (relay ${relay.maxRssMb} MB)`,
  );
  results.push({
    readers,
    zones,
    e2e,
    send: sent / sendS,
    rssMb: run.maxRssMb,
    matchS,
    prepareS,
    wallS: run.wallMs / 1000,
  });
  if (!renderSample) {
    renderSample = await measureRender(db.prisma, Math.min(readers, 20_000));
    log(
      `  rendering (compiled templates, html + text): ${fmt(renderSample.perSecond)} digests/s on one core · HTML ${fmt(renderSample.avgKb, 1)} KB on average, ${fmt(renderSample.maxKb, 1)} KB at most`,
    );
  }
  await db.drop();
  log();
}

const sample = renderSample!;
const typical = sample.render({ day: DAY, papers: sample.papers, ...sample.typical });
await sink.reset();
const ceilingAfter = await measureCeiling(sink.url, typical, Number(args.ceiling));
// This machine's load varies: the ceiling is measured before and after the runs, and the mean is the reference.
const ceiling = { ...ceilingAfter, perSecond: (ceilingBefore.perSecond + ceilingAfter.perSecond) / 2 };
log(
  `(a) ceiling: ${fmt(ceiling.perSecond)} messages/s (${fmt(ceilingBefore.perSecond)} before the runs, ${fmt(ceilingAfter.perSecond)} after) — ` +
    `${fmt(Number(args.ceiling))} identical pre-built ${fmt(ceiling.kb, 1)} KB messages (a typical digest), pooled Nodemailer, ${concurrency} connections, same relay`,
);
const naive = await measureNaive(sample.naiveSample, sample.papers);
log(
  `(b) naive path: ${fmt(naive.perSecond, 1)} messages/s at most — each reader's MJML compiled for its message, ${fmt(naive.msPerMessage, 1)} ms each (${sample.naiveSample.length} real deliveries; sending not even counted)`,
);
log();
log('targets (2 cores): end to end >= 60% of the ceiling, >= 20x the naive path, peak RSS < 1 GiB');
log(`  (the ceiling itself is ${fmt(ceiling.perSecond / naive.perSecond, 1)}x the naive path here)`);
for (const r of results) {
  const ofCeiling = (r.e2e / ceiling.perSecond) * 100;
  const vsNaive = r.e2e / naive.perSecond;
  log(
    `  ${fmt(r.readers).padStart(7)} readers, ${zoneLabel(r.zones)}: ${fmt(r.e2e)} messages/s = ${fmt(ofCeiling)}% of the ceiling ${ofCeiling >= 60 ? '✓' : '✗'}, ` +
      `${fmt(vsNaive)}x the naive path ${vsNaive >= 20 ? '✓' : '✗'}, peak RSS ${r.rssMb} MB ${r.rssMb < 1024 ? '✓' : '✗'}` +
      ` (send phase alone ${fmt(r.send)} messages/s = ${fmt((r.send / ceiling.perSecond) * 100)}%),` +
      ` matching ${fmt(r.matchS, 1)} s, preparing ${fmt(r.prepareS, 1)} s`,
  );
}
const million = results.filter((r) => r.readers >= 1_000_000);
if (million.length > 0) {
  log(
    'scale targets (a million readers, 2 cores): end to end >= 100% of the ceiling, peak RSS <= 400 MB, <= 10 minutes, matching <= 15 s',
  );
  for (const r of million) {
    const ofCeiling = (r.e2e / ceiling.perSecond) * 100;
    log(
      `  ${fmt(r.readers).padStart(9)} readers, ${zoneLabel(r.zones)}: ${fmt(ofCeiling)}% of the ceiling ${ofCeiling >= 100 ? '✓' : '✗'}, ` +
        `peak RSS ${r.rssMb} MB ${r.rssMb <= 400 ? '✓' : '✗'}, ${fmt(r.wallS / 60, 1)} minutes ${r.wallS <= 600 ? '✓' : '✗'}, ` +
        `matching ${fmt(r.matchS, 1)} s ${r.matchS <= 15 ? '✓' : '✗'}`,
    );
  }
}
if (results.some((r) => r.zones > 1)) log('time zones: the spread day per message within 10% of the single-hour run');
for (const r of results.filter((r) => r.zones > 1)) {
  const single = results.find((s) => s.readers === r.readers && s.zones === 1);
  if (!single) continue;
  const ratio = (r.e2e / single.e2e) * 100;
  log(
    `  ${fmt(r.readers).padStart(7)} readers, ${zoneLabel(r.zones)}: ${fmt(r.e2e)} messages/s end to end = ${fmt(ratio)}% of the single-hour run's ${fmt(single.e2e)} ${ratio >= 90 ? '✓' : '✗'} (target ≥ 90%)`,
  );
}
sink.stop();
await server.embedded?.stop();
process.exit(0);
