/**
 * Refused callbacks (forged, malformed, too large, too slow …) are what an endpoint on the
 * internet gets all day: they are counted, not logged one by one. The node's status shows the
 * running count at most once a second, and one warning per minute at most sums them up by
 * reason, so 5,000 forged requests cost a few log lines, not 5,000.
 */
import type { NodeStatus } from './red';

export const REPORT_INTERVAL_MS = 60_000;
const STATUS_INTERVAL_MS = 1_000;
const MAX_DETAIL = 160;

export interface RefusalSink {
  warn(text: string): void;
  status(status: NodeStatus): void;
}

export interface RefusalReport {
  /** One refused request: `code` as answered, `status` its HTTP status, `detail` our own words. */
  count(code: string, status: number, detail: string): void;
  close(): void;
}

function clip(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}

export function refusalReport(label: string, sink: RefusalSink, intervalMs = REPORT_INTERVAL_MS): RefusalReport {
  // By "code (status)", in the order first seen.
  let window = new Map<string, number>();
  let latest = '';
  let total = 0;
  let lastReport = -Infinity;
  let reportTimer: NodeJS.Timeout | undefined;
  let lastStatus = -Infinity;
  let statusTimer: NodeJS.Timeout | undefined;
  let lastCode = '';

  const report = (): void => {
    reportTimer = undefined;
    if (window.size === 0) return;
    lastReport = Date.now();
    const counts = [...window].map(([reason, n]) => `${n} ${reason}`).join(', ');
    const sum = [...window.values()].reduce((a, b) => a + b, 0);
    window = new Map();
    sink.warn(`${label}: refused ${sum} request${sum === 1 ? '' : 's'} since the last report: ${counts}; latest: ${latest}`);
  };
  const showStatus = (): void => {
    statusTimer = undefined;
    lastStatus = Date.now();
    sink.status({ fill: 'red', shape: 'ring', text: `refused ${total}: ${lastCode.replace(/_/g, ' ')}`.slice(0, 32) });
  };

  return {
    count(code, status, detail) {
      total++;
      lastCode = code;
      latest = clip(detail);
      const key = `${code} (${status})`;
      window.set(key, (window.get(key) ?? 0) + 1);
      const now = Date.now();
      if (now - lastReport >= intervalMs && !reportTimer) report();
      else reportTimer ??= setTimeout(report, lastReport + intervalMs - now).unref();
      if (now - lastStatus >= STATUS_INTERVAL_MS && !statusTimer) showStatus();
      else statusTimer ??= setTimeout(showStatus, Math.max(0, lastStatus + STATUS_INTERVAL_MS - now)).unref();
    },
    close() {
      clearTimeout(reportTimer);
      clearTimeout(statusTimer);
      reportTimer = statusTimer = undefined;
    },
  };
}
