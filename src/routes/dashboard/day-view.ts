// A day's digest as the dashboard words it: progress in numbers and a percentage, the latest run, what is left.
import type { DayDetail } from '../../admin/digest-days.js';

export function describeDay(detail: DayDetail) {
  const { counts } = detail;
  const finished = counts.sent + counts.failed + counts.skipped;
  return {
    ...detail,
    lastRun: detail.runs[0],
    finished,
    percent: counts.total === 0 ? 100 : Math.floor((finished / counts.total) * 100),
    statuses: (['pending', 'sending', 'sent', 'failed', 'skipped'] as const).map((status) => ({
      status,
      n: counts[status],
    })),
  };
}
