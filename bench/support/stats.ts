/** Numbers every bench reports: medians over repeats, latency percentiles from an HDR histogram. */
import { createHistogram } from 'node:perf_hooks';
import type { RecordableHistogram } from 'node:perf_hooks';

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Latencies in nanoseconds into perf_hooks' HDR histogram (3 significant figures). */
export class LatencyRecorder {
  private readonly histogram: RecordableHistogram = createHistogram();

  recordNs(ns: number): void {
    this.histogram.record(Math.max(1, Math.round(ns)));
  }

  summary(): LatencySummary {
    const h = this.histogram;
    const ms = (ns: number): number => ns / 1e6;
    return { count: h.count, p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) };
  }
}

/** One timed run of a closed loop: `concurrency` requests in flight, a new one as each ends. */
export interface LoadRun {
  concurrency: number;
  /** Operations started; every one ended as a completion or an error (closedLoop checks). */
  sent: number;
  completed: number;
  errors: number;
  seconds: number;
  perSecond: number;
  latency: LatencySummary;
}

/** Medians over repeats of the same run, metric by metric. */
export interface RunSummary {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  repeats: number;
}

export function summarize(runs: readonly LoadRun[]): RunSummary {
  return {
    perSecond: median(runs.map((r) => r.perSecond)),
    p50Ms: median(runs.map((r) => r.latency.p50Ms)),
    p99Ms: median(runs.map((r) => r.latency.p99Ms)),
    repeats: runs.length,
  };
}

/** Median over rounds of a / b, each round's two runs measured back to back. */
export function medianRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((x, i) => x / b[i]!));
}
