// npm run bench:matching — how long matching takes: every labelled day's papers against every catalog topic and
// labelled keyword (84 days, 63 interests), each paper object fresh so its tokens are computed as on a real day.
// The best of three runs, in milliseconds: compare before and after a change to the matcher on the same machine.
import { matchPapers } from '../src/relevance/interest-matcher.js';
import { evaluationInterests } from './relevance/evaluate.js';
import { loadEvaluationSet } from './relevance/labelled-days.js';

const set = loadEvaluationSet();
const interests = evaluationInterests(set).map((i) => i.interest);
const runs: number[] = [];
for (let run = 0; run < 3; run++) {
  const started = performance.now();
  for (const day of set.days)
    matchPapers(
      day.papers.map((p) => ({ ...p })),
      interests,
    );
  runs.push(performance.now() - started);
}
const papers = set.days.reduce((n, d) => n + d.papers.length, 0);
process.stdout.write(
  `matching: ${set.days.length} days (${papers} papers) x ${interests.length} interests, best of 3: ` +
    `${Math.min(...runs).toFixed(0)} ms\n`,
);
