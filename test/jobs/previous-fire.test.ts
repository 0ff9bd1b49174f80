import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import cron from 'node-cron';
import { findPreviousFire } from '../../src/jobs/previous-fire.js';

/** The previous fire by our walk, with node-cron's own matcher deciding what a fire is. */
function previous(expression: string, timezone: string, at: string | Date): string | undefined {
  const task = cron.createTask(expression, () => {}, { timezone });
  try {
    return findPreviousFire({ expression, timezone, at: new Date(at), match: (d) => task.match(d) })?.toISOString();
  } finally {
    task.destroy();
  }
}

describe('the previous fire of a cron expression', () => {
  it('for the default "0 7 * * *" in UTC: today 07:00 from 07:00 on, else yesterday 07:00', () => {
    assert.equal(previous('0 7 * * *', 'UTC', '2026-07-31T06:59:59.999Z'), '2026-07-30T07:00:00.000Z');
    assert.equal(previous('0 7 * * *', 'UTC', '2026-07-31T07:00:00.000Z'), '2026-07-31T07:00:00.000Z');
    assert.equal(previous('0 7 * * *', 'UTC', '2026-07-31T23:30:00.000Z'), '2026-07-31T07:00:00.000Z');
  });

  it('keeps 07:00 local across a time zone’s daylight-saving changes', () => {
    // Berlin: CET (UTC+1) until 29 March 2026, CEST (UTC+2) until 25 October.
    assert.equal(previous('0 7 * * *', 'Europe/Berlin', '2026-03-29T12:00:00Z'), '2026-03-29T05:00:00.000Z');
    assert.equal(previous('0 7 * * *', 'Europe/Berlin', '2026-03-29T04:59:59Z'), '2026-03-28T06:00:00.000Z');
    assert.equal(previous('0 7 * * *', 'Europe/Berlin', '2026-10-25T05:59:59Z'), '2026-10-24T05:00:00.000Z');
    // 02:30 does not exist in New York on 8 March 2026; node-cron skips that day, and so do we.
    assert.equal(previous('30 2 * * *', 'America/New_York', '2026-03-08T12:00:00Z'), '2026-03-07T07:30:00.000Z');
    // In a fold (clocks go back) node-cron fires a wall-clock time once, at one of its two instants: the same one.
    assert.equal(previous('*/7 * * * *', 'Europe/Berlin', '2026-10-25T00:30:00Z'), '2026-10-24T23:56:00.000Z');
    assert.equal(previous('*/20 * * * *', 'America/New_York', '2026-11-01T06:30:00Z'), '2026-11-01T05:40:00.000Z');
    assert.equal(previous('0 * * * *', 'Australia/Lord_Howe', '2026-04-04T14:20:00Z'), '2026-04-04T14:00:00.000Z');
  });

  it('handles weekdays, month ends, steps and six-field expressions', () => {
    assert.equal(previous('0 7 * * MON', 'UTC', '2026-07-31T12:00:00Z'), '2026-07-27T07:00:00.000Z'); // a Friday
    assert.equal(previous('0 0 L * *', 'UTC', '2026-03-15T00:00:00Z'), '2026-02-28T00:00:00.000Z');
    assert.equal(previous('*/15 9-17 * * 1-5', 'UTC', '2026-08-01T10:00:00Z'), '2026-07-31T17:45:00.000Z');
    assert.equal(previous('*/10 * * * * *', 'UTC', '2026-07-31T07:00:29.500Z'), '2026-07-31T07:00:20.000Z');
    assert.equal(previous('0 0 29 2 *', 'UTC', '2026-07-31T00:00:00Z'), '2024-02-29T00:00:00.000Z');
  });

  it('agrees with node-cron’s own next fires for many expressions and time zones', () => {
    const expressions = [
      '0 7 * * *',
      '* * * * * *',
      '*/15 9-17 * * 1-5',
      '@daily',
      '0 0 L * *',
      '30 2 * * *',
      '15 10 * * MON#2',
      '0 */6 * * *',
      '0 7 * * 1',
      '0 0 1 1 *',
    ];
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
    for (const expression of expressions) {
      for (const timezone of zones) {
        const task = cron.createTask(expression, () => {}, { timezone });
        const fires = task.getNextRuns(3);
        task.destroy();
        for (let i = 1; i < fires.length; i++) {
          const fire = fires[i]!;
          const before = fires[i - 1]!.toISOString();
          const what = `${expression} in ${timezone}`;
          assert.equal(previous(expression, timezone, new Date(fire.getTime() - 1)), before, what);
          assert.equal(previous(expression, timezone, fire), fire.toISOString(), what);
        }
      }
    }
  });
});
