// The relevance evaluation runs and answers in its documented form; the numbers themselves are the benchmark's
// business (npm run eval:relevance), not a test's.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { scoreDays, summarise } from '../../bench/relevance/evaluate.js';
import { loadEvaluationSet } from '../../bench/relevance/labelled-days.js';
import { projectRoot } from '../../src/db/migrate.js';

const run = promisify(execFile);

describe('npm run eval:relevance', () => {
  it('labels every paper of every labelled day against every interest, with held-out days apart', () => {
    const set = loadEvaluationSet();
    assert.ok(set.days.length >= 12, `${set.days.length} labelled days`);
    assert.equal(set.topics.length, 17);
    assert.ok(set.keywords.length >= 20);
    assert.ok(set.heldOut.size >= 4);
    // A paper on two days could sit on both sides of the split (more-days/ overlaps the fixture days' lists).
    const dayOf = new Map<string, string>();
    for (const day of set.days) {
      for (const paper of day.papers) {
        assert.ok(!dayOf.has(paper.id), `${paper.id} is on ${dayOf.get(paper.id)} and ${day.date}`);
        dayOf.set(paper.id, day.date);
      }
    }
    for (const day of set.days) {
      for (const [id, label] of day.labels) {
        for (const name of [...label.relevant, ...label.borderline]) {
          assert.ok(set.topics.includes(name) || set.keywords.includes(name), `${day.date} ${id}: unknown "${name}"`);
        }
        assert.ok(!label.relevant.some((n) => label.borderline.includes(n)), `${day.date} ${id}: both lists`);
      }
    }
  });

  it('scores a small set: borderline papers count neither way', () => {
    const set = loadEvaluationSet();
    const scores = scoreDays(set, set.days.slice(0, 2));
    for (const s of scores) {
      assert.ok(s.tp >= 0 && s.fp >= 0 && s.fn >= 0);
      if (s.precision !== undefined) assert.ok(s.precision >= 0 && s.precision <= 1);
    }
    const summary = summarise(scores);
    assert.ok(summary.microP >= 0 && summary.microP <= 1 && summary.microR >= 0 && summary.microR <= 1);
  });

  it('prints per-topic and per-interest tables and ends with the one-line summary', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/eval-relevance.ts'], {
      cwd: projectRoot,
    });
    assert.match(stdout, /catalog topics\n/);
    assert.match(stdout, /free-text interests\n/);
    assert.match(stdout, /speculative-decoding/);
    const last = stdout.trim().split('\n').at(-1)!;
    assert.match(
      last,
      /^relevance: catalog macro P=\d\.\d\d R=\d\.\d\d; interests macro P=\d\.\d\d R=\d\.\d\d \(held-out days\)$/,
    );
    const { stdout: oneDay } = await run(
      process.execPath,
      ['--import', 'tsx', 'bench/eval-relevance.ts', '--days', '2026-06-21,2026-07-02'],
      { cwd: projectRoot },
    );
    assert.match(oneDay, /^2026-06-21,2026-07-02 days \(2, \d+ papers\)/);
    await assert.rejects(
      run(process.execPath, ['--import', 'tsx', path.join('bench', 'eval-relevance.ts'), '--days', 'someday'], {
        cwd: projectRoot,
      }),
      (err: { code?: number; stderr?: string }) =>
        err.code === 2 &&
        /--days takes held-out, tuning, all or labelled dates.*no labelled day someday/.test(err.stderr ?? ''),
    );
  });
});

describe('npm run check:phrases', () => {
  it('says of each proposed phrase how the tuning days label the papers that say it; refuses an unknown keyword', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'bench/check-phrases.ts', '--keyword', 'KV cache compression', 'snapkv', 'attention heads'],
      { cwd: projectRoot },
    );
    assert.match(stdout, /^unseen +kind +snapkv +relevant 0 \(new 0\), borderline 0, not 0$/m);
    // Papers that mention attention heads are mostly about something else: the phrase would send them.
    assert.match(stdout, /^BAD +kind +attention heads +relevant \d+ \(new \d+\), borderline \d+, not \d+$/m);
    await assert.rejects(
      run(process.execPath, ['--import', 'tsx', 'bench/check-phrases.ts', '--keyword', 'nope', 'x'], {
        cwd: projectRoot,
      }),
      (err: { code?: number; stderr?: string }) =>
        err.code === 2 && /"nope" is not a labelled keyword/.test(err.stderr ?? ''),
    );
  });
});
