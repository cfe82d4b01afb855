// Signed callback delivery with the documented retry schedule (reference §7).
//
// * Body: exact JSON string {"type","event","data"}; headers Content-Type: application/json and
//   X-Cryptopay-Signature: lower-hex HMAC-SHA256(callback secret, body bytes).
// * Success = HTTP 200 (exactly) received within the timeout. Anything else is a failure.
// * Retries: retry n (n = 0..19) is due (30 + n^4 + n) s × timeScale after the FIRST failed
//   attempt, i.e. the documented table values are offsets (30 s, 32 s, 48 s, 1:54, … 1d 12:12:50),
//   which is the reading that matches "20 retries over about one and a half days". If a due time has
//   passed already (slow receiver), the retry goes out as soon as the previous attempt has finished.
// * Per invoice, deliveries are strictly ordered: the next delivery is not attempted before the
//   previous one was delivered or gave up (21 attempts). Redeliveries bypass that queue.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { uuid } from './ids';
import { preciseTimestamp } from './time';
import type { TimerRegistry } from '../shared/timers';

export interface CallbackAttempt {
  /** Emulator-clock time the attempt started (ISO 8601 with milliseconds). */
  at: string;
  /** HTTP status of the receiver's answer. */
  status?: number;
  /** Network error, timeout, or "no callback url configured". */
  error?: string;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'no_url';

export interface CallbackDelivery {
  id: string;
  type: string;
  event: string;
  /** Id of the object in `data` (the invoice id). */
  resourceId: string;
  /** Exact body string sent. */
  body: string;
  /** X-Cryptopay-Signature value sent. */
  signature: string;
  /** URL of the latest attempt (null when none was configured). */
  url: string | null;
  createdAt: string;
  attempts: CallbackAttempt[];
  delivered: boolean;
  /** pending = waiting in queue or for a retry; failed = all 21 attempts failed; no_url = nothing configured. */
  state: DeliveryState;
  /** Emulator-clock time of the next retry, when one is scheduled. */
  nextAttemptAt: string | null;
  /** Set on redeliveries: id of the delivery whose body was re-sent. */
  redeliveryOf: string | null;
}

export const MAX_RETRIES = 20;

/** Delay of retry n in seconds: 30 + n^4 + n (n = 0..19). */
export function retryDelaySeconds(n: number): number {
  return 30 + n ** 4 + n;
}

export function callbackSignature(secret: string, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export interface CallbackTarget {
  url: string | undefined;
  secret: string;
}

export interface DispatcherOptions {
  timers: TimerRegistry;
  /** Emulator clock (ms). */
  now(): number;
  target(): CallbackTarget;
  timeScale: number;
  /** Effective timeout per attempt in real ms (already scaled). */
  timeoutMs: number;
}

interface Item {
  rec: CallbackDelivery;
  queueKey: string | null;
  retriesUsed: number;
  firstFailureRealMs: number | null;
  onFirstAttempt: (() => void) | null;
}

interface Waiter {
  count: number;
  resolve: (value: CallbackDelivery[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

function clone(rec: CallbackDelivery): CallbackDelivery {
  return { ...rec, attempts: rec.attempts.map((a) => ({ ...a })) };
}

export class CallbackDispatcher {
  private readonly log: Item[] = [];
  private readonly byId = new Map<string, Item>();
  private readonly queues = new Map<string, Item[]>();
  private readonly busy = new Set<string>();
  private readonly inFlight = new Set<http.ClientRequest>();
  private readonly waiters = new Set<Waiter>();
  private readonly httpAgent = new http.Agent({ keepAlive: false });
  private readonly httpsAgent = new https.Agent({ keepAlive: false });
  private generation = 0;

  constructor(private readonly opts: DispatcherOptions) {}

  /** Creates, signs and queues one callback. Without a callback URL it is only logged (state no_url). */
  enqueue(type: string, event: string, resourceId: string, data: Record<string, unknown>): CallbackDelivery {
    const body = JSON.stringify({ type, event, data });
    const target = this.opts.target();
    const item = this.newItem(type, event, resourceId, body, callbackSignature(target.secret, body), null, target.url);
    if (target.url === undefined) return clone(item.rec);
    item.queueKey = `${type}:${resourceId}`;
    const queue = this.queues.get(item.queueKey) ?? [];
    queue.push(item);
    this.queues.set(item.queueKey, queue);
    this.pump(item.queueKey);
    return clone(item.rec);
  }

  /** Sends the same body and signature again as a new delivery; resolves after its first attempt. */
  redeliver(deliveryId: string): Promise<void> | null {
    const original = this.byId.get(deliveryId);
    if (!original) return null;
    const r = original.rec;
    const target = this.opts.target();
    const item = this.newItem(r.type, r.event, r.resourceId, r.body, r.signature, r.id, target.url);
    if (target.url === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      item.onFirstAttempt = resolve;
      this.attempt(item);
    });
  }

  list(): CallbackDelivery[] {
    return this.log.map((i) => clone(i.rec));
  }

  deliveredCount(): number {
    return this.log.filter((i) => i.rec.delivered).length;
  }

  waitFor(count: number, timeoutMs: number): Promise<CallbackDelivery[]> {
    if (this.deliveredCount() >= count) return Promise.resolve(this.list());
    return new Promise<CallbackDelivery[]>((resolve, reject) => {
      const waiter: Waiter = {
        count,
        resolve,
        reject,
        timer: this.opts.timers.set(() => {
          this.waiters.delete(waiter);
          const states = this.log.map((i) => `${i.rec.event}:${i.rec.state}(${i.rec.attempts.length})`).join(', ');
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${count} delivered callbacks; have ${this.deliveredCount()} [${states}]`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Abandons all pending work: aborts requests in flight, drops queues and scheduled retries (the
   * owner clears the timers) and rejects waiters. The delivery log is kept.
   */
  cancel(reason: string): void {
    this.generation += 1;
    for (const req of this.inFlight) req.destroy();
    this.inFlight.clear();
    for (const w of this.waiters) {
      this.opts.timers.clear(w.timer);
      w.reject(new Error(reason));
    }
    this.waiters.clear();
    this.queues.clear();
    this.busy.clear();
    for (const item of this.log) item.rec.nextAttemptAt = null;
  }

  /** cancel() and forget every delivery. */
  reset(reason = 'emulator reset'): void {
    this.cancel(reason);
    this.log.length = 0;
    this.byId.clear();
  }

  /** cancel() and release the HTTP agents; the log stays readable. */
  stop(): void {
    this.cancel('emulator stopped');
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private newItem(type: string, event: string, resourceId: string, body: string, signature: string, redeliveryOf: string | null, url: string | undefined): Item {
    const rec: CallbackDelivery = {
      id: uuid(),
      type,
      event,
      resourceId,
      body,
      signature,
      url: url ?? null,
      createdAt: preciseTimestamp(this.opts.now()),
      attempts: [],
      delivered: false,
      state: url === undefined ? 'no_url' : 'pending',
      nextAttemptAt: null,
      redeliveryOf,
    };
    const item: Item = { rec, queueKey: null, retriesUsed: 0, firstFailureRealMs: null, onFirstAttempt: null };
    this.log.push(item);
    this.byId.set(rec.id, item);
    return item;
  }

  private pump(queueKey: string): void {
    if (this.busy.has(queueKey)) return;
    const head = this.queues.get(queueKey)?.[0];
    if (!head) {
      this.queues.delete(queueKey);
      return;
    }
    this.busy.add(queueKey);
    this.attempt(head);
  }

  private finish(item: Item): void {
    const key = item.queueKey;
    if (key === null) return;
    const queue = this.queues.get(key);
    if (queue && queue[0] === item) queue.shift();
    this.busy.delete(key);
    this.pump(key);
  }

  private attempt(item: Item): void {
    const gen = this.generation;
    const rec = item.rec;
    const attempt: CallbackAttempt = { at: preciseTimestamp(this.opts.now()) };
    rec.attempts.push(attempt);
    rec.nextAttemptAt = null;
    const url = this.opts.target().url;
    const done = (result: { status?: number; error?: string }): void => {
      if (gen !== this.generation) {
        item.onFirstAttempt?.();
        item.onFirstAttempt = null;
        return;
      }
      if (result.status !== undefined) attempt.status = result.status;
      if (result.error !== undefined) attempt.error = result.error;
      const first = item.onFirstAttempt;
      item.onFirstAttempt = null;
      if (result.status === 200) {
        rec.delivered = true;
        rec.state = 'delivered';
        this.finish(item);
        this.notifyWaiters();
      } else {
        this.scheduleRetry(item);
      }
      first?.();
    };
    if (url === undefined) {
      done({ error: 'no callback url configured' });
      return;
    }
    rec.url = url;
    void this.send(url, rec.body, rec.signature).then(done);
  }

  private scheduleRetry(item: Item): void {
    const rec = item.rec;
    if (item.retriesUsed >= MAX_RETRIES) {
      rec.state = 'failed';
      this.finish(item);
      return;
    }
    const realNow = Date.now();
    item.firstFailureRealMs ??= realNow;
    const n = item.retriesUsed;
    item.retriesUsed += 1;
    const dueReal = item.firstFailureRealMs + retryDelaySeconds(n) * 1000 * this.opts.timeScale;
    const wait = Math.max(0, dueReal - realNow);
    rec.nextAttemptAt = preciseTimestamp(this.opts.now() + wait);
    this.opts.timers.set(() => this.attempt(item), wait);
  }

  private notifyWaiters(): void {
    const delivered = this.deliveredCount();
    for (const w of [...this.waiters]) {
      if (delivered >= w.count) {
        this.waiters.delete(w);
        this.opts.timers.clear(w.timer);
        w.resolve(this.list());
      }
    }
  }

  private send(url: string, body: string, signature: string): Promise<{ status?: number; error?: string }> {
    return new Promise((resolve) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        resolve({ error: `invalid callback url: ${url}` });
        return;
      }
      const isHttps = parsed.protocol === 'https:';
      if (!isHttps && parsed.protocol !== 'http:') {
        resolve({ error: `unsupported callback url scheme: ${parsed.protocol}` });
        return;
      }
      const payload = Buffer.from(body, 'utf8');
      const options: http.RequestOptions = {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': String(payload.length),
          'X-Cryptopay-Signature': signature,
          'User-Agent': 'Cryptopay-Emulator',
        },
        agent: isHttps ? this.httpsAgent : this.httpAgent,
      };
      let settled = false;
      const settle = (r: { status?: number; error?: string }): void => {
        if (settled) return;
        settled = true;
        this.opts.timers.clear(timer);
        resolve(r);
      };
      const req = (isHttps ? https : http).request(parsed, options);
      this.inFlight.add(req);
      const timer = this.opts.timers.set(() => {
        settle({ error: `timeout after ${this.opts.timeoutMs} ms` });
        req.destroy();
      }, this.opts.timeoutMs);
      req.on('response', (res) => {
        settle({ status: res.statusCode ?? 0 });
        res.resume();
      });
      req.on('error', (err) => settle({ error: err.message }));
      req.on('close', () => {
        this.inFlight.delete(req);
        settle({ error: 'connection closed without response' });
      });
      req.end(payload);
    });
  }
}
