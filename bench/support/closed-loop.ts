/**
 * A closed loop: keep `concurrency` operations in flight for `durationMs`, starting a new one
 * as each ends, and time every one. Shared by the raw undici loop (operations are requests)
 * and by the load driver inside Node-RED (operations are messages through a flow).
 */
import { LatencyRecorder } from './stats';
import type { LoadRun } from './stats';

export interface ClosedLoopOptions {
  concurrency: number;
  durationMs: number;
  /** Give up this long after the end if operations are still missing (a lost message). */
  graceMs?: number;
}

/** Starts one operation; it must call `finish` exactly once, with false for a failure. */
export type Launch = (finish: (ok: boolean) => void) => void;

export function closedLoop(options: ClosedLoopOptions, launch: Launch): Promise<LoadRun> {
  const latency = new LatencyRecorder();
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(options.durationMs * 1e6));
  let inFlight = 0;
  let completed = 0;
  let errors = 0;
  let lastEnd = started;

  return new Promise<LoadRun>((resolve, reject) => {
    let settled = false;
    const grace = setTimeout(() => {
      settled = true;
      reject(new Error(`${inFlight} operations still unfinished ${options.graceMs ?? 30_000} ms after the run ended`));
    }, options.durationMs + (options.graceMs ?? 30_000));

    const end = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(grace);
      const seconds = Number(lastEnd - started) / 1e9;
      resolve({ concurrency: options.concurrency, completed, errors, seconds, perSecond: completed / seconds, latency: latency.summary() });
    };

    const startOne = (): void => {
      inFlight += 1;
      const t0 = process.hrtime.bigint();
      let finished = false;
      launch((ok) => {
        if (finished) return;
        finished = true;
        inFlight -= 1;
        const t1 = process.hrtime.bigint();
        lastEnd = t1;
        if (ok) {
          completed += 1;
          latency.recordNs(Number(t1 - t0));
        } else {
          errors += 1;
        }
        if (t1 < deadline && !settled) startOne();
        else if (inFlight === 0) end();
      });
    };
    for (let i = 0; i < options.concurrency; i++) startOne();
  });
}
