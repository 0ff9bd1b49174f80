import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { sleep } from '../../src/sleep.js';

describe('sleep', () => {
  it('leaves no abort listener behind when the time runs out, so a long-lived signal can be polled for ever', async () => {
    const stop = new AbortController();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    for (let i = 0; i < 20; i++) await sleep(1, stop.signal);
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    assert.equal(getEventListeners(stop.signal, 'abort').length, 0);
    assert.deepEqual(warnings, [], 'no MaxListenersExceededWarning');
  });

  it('ends early when the signal aborts, and at once when it is aborted already', async () => {
    const stop = new AbortController();
    const started = Date.now();
    setTimeout(() => stop.abort(), 20);
    await sleep(10_000, stop.signal);
    await sleep(10_000, stop.signal);
    assert.ok(Date.now() - started < 5_000);
  });
});
