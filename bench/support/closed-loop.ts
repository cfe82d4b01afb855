/**
 * A closed loop: keep `concurrency` operations in flight for `durationMs`, starting a new one
 * as each ends, and time every one. Shared by the raw undici loop and the library loop
 * (operations are requests) and by the load driver inside Node-RED (messages through a flow).
 *
 * Completion accounting: every operation started is counted as sent and must end exactly once,
 * as a completion or an error. One that has not ended `graceMs` after the run fails the run,
 * with the in-flight state (each missing operation, how long it has been out, and what
 * `describe` knows of it: which node holds it, which request).
 */
import { LatencyRecorder } from './stats';
import type { LoadRun } from './stats';

export interface ClosedLoopOptions {
  concurrency: number;
  durationMs: number;
  /** Give up this long after the end if operations are still missing (a lost message). */
  graceMs?: number;
  /** What is known of in-flight operation `seq` (where it is), for the failure's dump. */
  describe?: (seq: number) => Promise<Record<string, unknown>> | Record<string, unknown>;
}

/** Starts operation number `seq`; it must call `finish` exactly once, with false for a failure. */
export type Launch = (finish: (ok: boolean) => void, seq: number) => void;

/** A run that lost operations: neither completed nor failed within the grace period. */
export class LostCompletionError extends Error {
  constructor(
    readonly accounting: { sent: number; completed: number; errors: number },
    readonly inFlight: Array<Record<string, unknown>>,
  ) {
    super(
      `${inFlight.length} of ${accounting.sent} operations neither completed nor failed (${accounting.completed} completed, ${accounting.errors} failed); in flight:\n` +
        inFlight.map((op) => `  ${JSON.stringify(op)}`).join('\n'),
    );
    this.name = 'LostCompletionError';
  }
}

export function closedLoop(options: ClosedLoopOptions, launch: Launch): Promise<LoadRun> {
  const latency = new LatencyRecorder();
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(options.durationMs * 1e6));
  const graceMs = options.graceMs ?? 30_000;
  // Start time of each operation still out, by sequence number.
  const out = new Map<number, bigint>();
  let sent = 0;
  let completed = 0;
  let errors = 0;
  let lastEnd = started;

  return new Promise<LoadRun>((resolve, reject) => {
    let settled = false;
    const grace = setTimeout(() => {
      settled = true;
      const now = process.hrtime.bigint();
      const missing = [...out].map(async ([seq, t0]) => ({ seq, outMs: Math.round(Number(now - t0) / 1e6), ...(await options.describe?.(seq)) }));
      void Promise.all(missing).then(
        (inFlight) => reject(new LostCompletionError({ sent, completed, errors }, inFlight)),
        (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))),
      );
    }, options.durationMs + graceMs);

    const end = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(grace);
      const seconds = Number(lastEnd - started) / 1e9;
      resolve({ concurrency: options.concurrency, sent, completed, errors, seconds, perSecond: completed / seconds, latency: latency.summary() });
    };

    const startOne = (): void => {
      const seq = ++sent;
      const t0 = process.hrtime.bigint();
      out.set(seq, t0);
      launch((ok) => {
        if (!out.delete(seq)) return;
        const t1 = process.hrtime.bigint();
        lastEnd = t1;
        if (ok) {
          completed += 1;
          latency.recordNs(Number(t1 - t0));
        } else {
          errors += 1;
        }
        if (t1 < deadline && !settled) startOne();
        else if (out.size === 0) end();
      }, seq);
    };
    for (let i = 0; i < options.concurrency; i++) startOne();
  });
}
