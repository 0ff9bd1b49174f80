// npm run eval:relevance [-- --days held-out|tuning|all|DATE,…]: precision and recall of the matcher against the
// hand labels in test/fixtures/relevance/, per topic and per interest, macro and micro. The default, and the numbers
// to quote, are the held-out days (split.json), which no term, weight or threshold was tuned on.
// --days takes one or more of those, separated by commas.
import { parseArgs } from 'node:util';
import { fmt, type InterestScore, scoreDays, summarise } from './relevance/evaluate.js';
import { loadEvaluationSet } from './relevance/labelled-days.js';

const { values } = parseArgs({
  options: { days: { type: 'string', default: 'held-out' }, dir: { type: 'string' } },
});
const which = values.days;
const set = loadEvaluationSet(values.dir);
const named = new Set(which.split(','));
const unknown = [...named].filter(
  (d) => !['held-out', 'tuning', 'all'].includes(d) && !set.days.some((s) => s.date === d),
);
if (unknown.length > 0) {
  process.stderr.write(
    `eval:relevance: --days takes held-out, tuning, all or labelled dates separated by commas (no labelled day ${unknown.join(', ')})\n`,
  );
  process.exit(2);
}
const days = set.days.filter(
  (d) =>
    named.has('all') ||
    named.has(d.date) ||
    (named.has('held-out') && set.heldOut.has(d.date)) ||
    (named.has('tuning') && !set.heldOut.has(d.date)),
);
if (days.length === 0) {
  process.stderr.write('eval:relevance: no labelled days in that set\n');
  process.exit(1);
}
const papers = days.reduce((a, d) => a + d.papers.length, 0);
const scores = scoreDays(set, days);
const f = fmt;

function table(title: string, rows: InterestScore[]) {
  process.stdout.write(`\n${title}\n${'name'.padEnd(34)}    P     R   sent  right relevant\n`);
  for (const s of rows) {
    process.stdout.write(
      `${s.name.padEnd(34)} ${f(s.precision).padStart(5)} ${f(s.recall).padStart(5)} ${String(s.tp + s.fp).padStart(6)} ${String(s.tp).padStart(6)} ${String(s.tp + s.fn).padStart(8)}\n`,
    );
  }
  const m = summarise(rows);
  process.stdout.write(
    `${'macro'.padEnd(34)} ${f(m.macroP).padStart(5)} ${f(m.macroR).padStart(5)}\n${'micro'.padEnd(34)} ${f(m.microP).padStart(5)} ${f(m.microR).padStart(5)}\n`,
  );
  return m;
}

process.stdout.write(`${which} days (${days.length}, ${papers} papers): ${days.map((d) => d.date).join(' ')}\n`);
const topics = table(
  'catalog topics',
  scores.filter((s) => s.kind === 'topic'),
);
const keywords = table(
  'free-text interests',
  scores.filter((s) => s.kind === 'keyword'),
);
const first = summarise(scores.filter((s) => s.kind === 'keyword' && set.firstKeywords.has(s.name)));
process.stdout.write(
  `the first ${set.firstKeywords.size} interests alone (as reported until the seventh session): macro P=${f(first.macroP)} R=${f(first.macroR)}\n`,
);
process.stdout.write(
  `\nrelevance: catalog macro P=${f(topics.macroP)} R=${f(topics.macroR)}; interests macro P=${f(keywords.macroP)} R=${f(keywords.macroR)} (${which} days)\n`,
);
