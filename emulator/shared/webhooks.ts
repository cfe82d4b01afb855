// Webhook delivery, the part every gateway shares: one signed POST with a deadline, requests in
// flight that stop() can abort, and retries on a documented schedule. What differs per gateway
// (body, signature headers, what counts as delivered, ordering) stays in each emulator.
import http from 'node:http';
import https from 'node:https';
import type { TimerRegistry } from './timers';

/** What one attempt got: the receiver's status, or why there was none. */
export interface PostResult {
  status?: number;
  error?: string;
}

/** When the retries of a failed delivery are due. */
export interface RetrySchedule {
  /** Delay of retry n (0-based), in seconds before timeScale; the schedule ends after the last. */
  delaysSeconds: readonly number[];
  /**
   * previous-attempt: each delay counts from the attempt that just failed.
   * first-failure: each delay is an offset from the first failed attempt; a retry whose time has
   * passed already (slow receiver) goes out as soon as the previous attempt finished.
   */
  from: 'previous-attempt' | 'first-failure';
}

/** Per-delivery progress through a schedule, kept by the emulator next to its record. */
export interface RetryProgress {
  retriesUsed: number;
  firstFailureRealMs: number | null;
}

export const freshProgress = (): RetryProgress => ({ retriesUsed: 0, firstFailureRealMs: null });

export const isSuccess2xx = (status: number | undefined): boolean => status !== undefined && status >= 200 && status < 300;

export interface CourierOptions {
  timers: TimerRegistry;
  timeScale: number;
  /** Per attempt, real ms (already scaled). */
  timeoutMs: number;
  userAgent: string;
}

export class WebhookCourier {
  private readonly inFlight = new Set<http.ClientRequest>();
  private readonly agent = new http.Agent({ keepAlive: false });
  private readonly tlsAgent = new https.Agent({ keepAlive: false });
  private generation = 0;

  constructor(private readonly opts: CourierOptions) {}

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Changes on every abort(): work begun before it must not record or schedule anything. */
  get epoch(): number {
    return this.generation;
  }

  /**
   * Real ms until the next retry is due, counting it as used; null when the schedule is spent.
   * Call right after a failed scheduled attempt.
   */
  nextRetryDelayMs(schedule: RetrySchedule, progress: RetryProgress): number | null {
    const n = progress.retriesUsed;
    const delaySeconds = schedule.delaysSeconds[n];
    if (delaySeconds === undefined) return null;
    progress.retriesUsed += 1;
    const delayMs = delaySeconds * 1000 * this.opts.timeScale;
    if (schedule.from === 'previous-attempt') return delayMs;
    const realNow = Date.now();
    progress.firstFailureRealMs ??= realNow;
    return Math.max(0, progress.firstFailureRealMs + delayMs - realNow);
  }

  /** Runs `fn` after `delayMs` on the emulator's timers, unless abort() came in between. */
  later(fn: () => void, delayMs: number): void {
    const epoch = this.generation;
    this.opts.timers.set(() => {
      if (epoch === this.generation) fn();
    }, delayMs);
  }

  /** One POST of `body`; resolves (never rejects) with the status once the answer was read in full. */
  post(url: string, body: string, headers: Record<string, string>): Promise<PostResult> {
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve({ error: `invalid url: ${url}` });
        return;
      }
      const secure = target.protocol === 'https:';
      if (!secure && target.protocol !== 'http:') {
        resolve({ error: `unsupported url scheme: ${target.protocol}` });
        return;
      }
      const payload = Buffer.from(body, 'utf8');
      let settled = false;
      const finish = (r: PostResult): void => {
        if (settled) return;
        settled = true;
        this.opts.timers.clear(timer);
        resolve(r);
      };
      const req = (secure ? https : http).request(target, {
        method: 'POST',
        agent: secure ? this.tlsAgent : this.agent,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': String(payload.length),
          'User-Agent': this.opts.userAgent,
          ...headers,
        },
      });
      this.inFlight.add(req);
      const timer = this.opts.timers.set(() => {
        finish({ error: `timeout: no answer within ${this.opts.timeoutMs} ms` });
        req.destroy();
      }, this.opts.timeoutMs);
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => finish({ status: res.statusCode ?? 0 }));
        res.on('error', () => finish({ status: res.statusCode ?? 0 }));
      });
      req.on('error', (err) => finish({ error: err.message }));
      req.on('close', () => {
        this.inFlight.delete(req);
        finish({ error: 'connection closed without an answer' });
      });
      req.end(payload);
    });
  }

  /** Aborts every request in flight; scheduled retries and pending attempts become no-ops. */
  abort(): void {
    this.generation += 1;
    for (const req of this.inFlight) req.destroy();
    this.inFlight.clear();
  }

  /** abort() and release the HTTP agents. */
  stop(): void {
    this.abort();
    this.agent.destroy();
    this.tlsAgent.destroy();
  }
}
