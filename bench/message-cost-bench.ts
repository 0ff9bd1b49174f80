// `npm run bench:message`: what one digest message costs in CPU, apart from the database. A benchmark, not a test.
//   1. composing: readers' digests (5, 10 or 20 of the bench's 60-paper day, a "why" each, feedback links signed)
//      rendered and built into MIME on one thread, as the main thread does for the sender threads;
//   2. handing them to the relay: one typical message sent again and again through a pooled Nodemailer transport
//      (as the bench's ceiling) into bench/smtp-count-sink.ts, with Nodemailer's own SMTP escaping and with
//      papermail's (src/mail/fast-data-stream.ts), alternately, with the CPU of this process and of the relay.
// Options: --readers 4000 (composed per round)  --messages 20000 (sent per round)  --rounds 2
import { parseArgs } from 'node:util';
import DataStream from 'nodemailer/lib/smtp-connection/data-stream';
import { type ComposedMessage, createComposeOne, type DigestJob } from '../src/digest/compose-digest.js';
import type { PaperView } from '../src/digest/paper-view.js';
import { compileDigestHtml } from '../src/digest/render-digest.js';
import { installFastDataStream, nodemailerTransform } from '../src/mail/fast-data-stream.js';
import { fixtureViews } from '../test/digest/fixture-papers.js';
import { rawBlaster, startSink } from './count-sink.js';

const { values: args } = parseArgs({
  options: {
    readers: { type: 'string', default: '4000' },
    messages: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '2' },
  },
});
const ROUNDS = Number(args.rounds);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

/** The bench's day: the real lists of 2026-07-31, 07-30 and the top of 07-29, 60 papers. */
function dayPapers(): PaperView[] {
  return fixtureViews(['2026-07-31', '2026-07-30', '2026-07-29'], 60);
}

/** Readers' deliveries: 5, 10 or 20 papers drawn from the day, each with one of five interests as its "why". */
function readersJobs(papers: PaperView[], count: number): DigestJob[] {
  const labels = ['Speculative decoding', 'LLM agents', 'video generation', 'kv cache', 'Vision-language models'];
  let seed = 3;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  return Array.from({ length: count }, (_, i) => {
    const wanted = [5, 10, 20][i % 3]!;
    const ids = [...new Set(Array.from({ length: wanted }, () => papers[Math.floor(random() * papers.length)]!.id))];
    return {
      id: 1000 + i,
      digestId: 1,
      email: `reader${i}@bench.example.org`,
      token: `${'t'.repeat(40)}${i}`,
      messageId: `<digest.${1000 + i}.bench@bench.example.org>`,
      paperIds: ids,
      matches: {
        interests: labels.slice(0, 2),
        why: Object.fromEntries(ids.map((id) => [id, [labels[Math.floor(random() * labels.length)]!]])),
        keys: Object.fromEntries(ids.map((id) => [id, ['topic:bench']])),
      },
    };
  });
}

async function measureComposing(): Promise<ComposedMessage> {
  const papers = dayPapers();
  const digest = { day: '2026-07-31', papers: new Map(papers.map((p) => [p.id, p])) };
  const jobs = readersJobs(papers, Number(args.readers));
  const composeOne = await createComposeOne({
    publicUrl: 'https://papers.bench.example.org',
    listId: 'papermail.bench.example.org',
    mailFrom: 'papermail <digest@bench.example.org>',
    secret: 'bench-secret-bench-secret-bench-secret-00',
    digestHtml: await compileDigestHtml(),
  });
  for (const job of jobs.slice(0, 500)) composeOne(job, digest); // warm-up
  let typical = composeOne(jobs[0]!, digest);
  for (let round = 1; round <= ROUNDS + 1; round++) {
    let bytes = 0;
    const started = performance.now();
    for (const job of jobs) bytes += composeOne(job, digest).raw.length;
    const ms = performance.now() - started;
    const average = bytes / jobs.length;
    process.stdout.write(
      `composing, round ${round}: ${fmt((ms * 1000) / jobs.length, 1)} µs a message on one thread (${fmt(jobs.length / (ms / 1000))} messages/s), ${fmt(average / 1024, 1)} KB on average\n`,
    );
    // The message sent in part 2: the one nearest the average size.
    for (const job of jobs.slice(0, 300)) {
      const m = composeOne(job, digest);
      if (Math.abs(m.raw.length - average) < Math.abs(typical.raw.length - average)) typical = m;
    }
  }
  return typical;
}

async function measureSending(message: ComposedMessage) {
  const sink = await startSink();
  const count = Number(args.messages);
  // A transport per round: its connections run the escaping installed for that round.
  const blast = async (n: number) => {
    const blaster = rawBlaster(sink.url, message.raw, 10);
    await blaster.blast(n);
    blaster.close();
  };
  process.stdout.write(`\nsending one ${fmt(message.raw.length / 1024, 1)} KB message ${fmt(count)} times a round:\n`);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const escaping of ['Nodemailer', 'papermail'] as const) {
      if (escaping === 'Nodemailer') DataStream.prototype._transform = nodemailerTransform;
      else installFastDataStream();
      await blast(1000); // warm-up: connections open, code optimised
      const relayBefore = await sink.stats();
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      await blast(count);
      const ms = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      const relay = (await sink.stats()).cpuMs - relayBefore.cpuMs;
      process.stdout.write(
        `  ${escaping.padEnd(10)} escaping: ${fmt(count / (ms / 1000))} messages/s; sender ${fmt((cpu.user + cpu.system) / 1000 / count, 3)} ms of CPU a message, relay ${fmt(relay / count, 3)} ms\n`,
      );
    }
  }
  sink.stop();
}

const typical = await measureComposing();
await measureSending(typical);
