// What one sender pass did, as it goes: the totals its caller reports and the progress callback sees.

export interface SendReport {
  claimed: number;
  sent: number;
  /** Temporary failures put back for a later attempt. */
  retried: number;
  failed: number;
  /** Readers marked bounced (their address does not exist). */
  bounced: number;
  skipped: number;
  ms: number;
}

export interface SendProgress {
  readonly report: SendReport;
  /** Call after an outcome is written: updates the elapsed time and tells the listener. */
  changed(): void;
}

export function emptySendReport(): SendReport {
  return { claimed: 0, sent: 0, retried: 0, failed: 0, bounced: 0, skipped: 0, ms: 0 };
}

/** Adds one pass's counts to a running total. */
export function addSendReport(total: SendReport, pass: SendReport): void {
  total.claimed += pass.claimed;
  total.sent += pass.sent;
  total.retried += pass.retried;
  total.failed += pass.failed;
  total.bounced += pass.bounced;
  total.skipped += pass.skipped;
  total.ms += pass.ms;
}

export function createSendProgress(onProgress?: (report: SendReport) => void): SendProgress {
  const started = performance.now();
  const report = emptySendReport();
  return {
    report,
    changed() {
      report.ms = Math.round(performance.now() - started);
      onProgress?.({ ...report });
    },
  };
}
