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
import { uuid } from './ids';
import { logTimestamp } from '../shared/clock';
import type { TimerRegistry } from '../shared/timers';
import { ConditionWaiters } from '../shared/waiters';
import { WebhookCourier, freshProgress } from '../shared/webhooks';
import type { PostResult, RetryProgress, RetrySchedule } from '../shared/webhooks';
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

const RETRY_SCHEDULE: RetrySchedule = {
  delaysSeconds: Array.from({ length: MAX_RETRIES }, (_, n) => retryDelaySeconds(n)),
  from: 'first-failure',
};

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
  retries: RetryProgress;
  onFirstAttempt: (() => void) | null;
}

function clone(rec: CallbackDelivery): CallbackDelivery {
  return { ...rec, attempts: rec.attempts.map((a) => ({ ...a })) };
}

export class CallbackDispatcher {
  private readonly log: Item[] = [];
  private readonly byId = new Map<string, Item>();
  private readonly queues = new Map<string, Item[]>();
  private readonly busy = new Set<string>();
  private readonly courier: WebhookCourier;
  private readonly waiters: ConditionWaiters<CallbackDelivery[]>;

  constructor(private readonly opts: DispatcherOptions) {
    this.courier = new WebhookCourier({ timers: opts.timers, timeScale: opts.timeScale, timeoutMs: opts.timeoutMs, userAgent: 'Cryptopay-Emulator' });
    this.waiters = new ConditionWaiters(opts.timers, () => this.list());
  }

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
    return this.waiters.wait(() => this.deliveredCount() >= count, timeoutMs, () => {
      const states = this.log.map((i) => `${i.rec.event}:${i.rec.state}(${i.rec.attempts.length})`).join(', ');
      return new Error(`timed out after ${timeoutMs} ms waiting for ${count} delivered callbacks; have ${this.deliveredCount()} [${states}]`);
    });
  }

  get inFlightCount(): number {
    return this.courier.inFlightCount;
  }

  /**
   * Abandons all pending work: aborts requests in flight, drops queues and scheduled retries (the
   * owner clears the timers) and rejects waiters. The delivery log is kept.
   */
  cancel(reason: string): void {
    this.courier.abort();
    this.waiters.rejectAll(reason);
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
    this.courier.stop();
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
      createdAt: logTimestamp(this.opts.now()),
      attempts: [],
      delivered: false,
      state: url === undefined ? 'no_url' : 'pending',
      nextAttemptAt: null,
      redeliveryOf,
    };
    const item: Item = { rec, queueKey: null, retries: freshProgress(), onFirstAttempt: null };
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
    const epoch = this.courier.epoch;
    const rec = item.rec;
    const attempt: CallbackAttempt = { at: logTimestamp(this.opts.now()) };
    rec.attempts.push(attempt);
    rec.nextAttemptAt = null;
    const url = this.opts.target().url;
    const done = (result: PostResult): void => {
      if (epoch !== this.courier.epoch) {
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
        this.waiters.notify();
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
    void this.courier.post(url, rec.body, { 'X-Cryptopay-Signature': rec.signature }).then(done);
  }

  private scheduleRetry(item: Item): void {
    const rec = item.rec;
    const wait = this.courier.nextRetryDelayMs(RETRY_SCHEDULE, item.retries);
    if (wait === null) {
      rec.state = 'failed';
      this.finish(item);
      return;
    }
    rec.nextAttemptAt = logTimestamp(this.opts.now() + wait);
    this.courier.later(() => this.attempt(item), wait);
  }
}
