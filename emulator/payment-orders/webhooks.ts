// Signed webhook delivery (reference §8).
//
// * Body: {"event","data","timestamp","webhook_id"} as one exact JSON string; the same bytes go to
//   every destination of the event and are re-sent unchanged on every retry.
// * Headers: Content-Type: application/json, X-Webhook-Signature = lower-case hex
//   HMAC-SHA256(secret, raw body); User-Agent. No timestamp or other signed header.
// * Success = any 2xx within the timeout. Otherwise the delivery is retried after each delay of
//   `retryDelaysSeconds` (measured from the previous failed attempt, × timeScale), then gives up.
// * Destinations are independent; there is no ordering between deliveries (README assumption 21).
import { createHmac } from 'node:crypto';
import type { TimerRegistry } from '../shared/timers';
import { ConditionWaiters } from '../shared/waiters';
import { WebhookCourier, freshProgress, isSuccess2xx } from '../shared/webhooks';
import type { RetryProgress, RetrySchedule } from '../shared/webhooks';
import { logTimestamp } from '../shared/clock';
import { randomAlnum } from './util';

export const WEBHOOK_EVENTS = ['payment.pending', 'payment.confirmed', 'payment.failed', 'order.expired'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Default retry delays in seconds (before timeScale): 1 min, 5 min, 30 min, 2 h, 6 h. */
export const DEFAULT_RETRY_DELAYS_SECONDS: readonly number[] = [60, 300, 1800, 7200, 21600];

export function webhookSignature(secret: string, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export interface WebhookAttempt {
  /** Emulator-clock time the attempt started (ISO, ms). */
  at: string;
  status?: number;
  error?: string;
}

export type WebhookDeliveryState = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  /** Emulator id of this delivery (one per destination). */
  id: string;
  /** `webhook_id` in the body: one per event, shared by its destinations. */
  webhookId: string;
  event: WebhookEvent;
  /** `order_id` of the order concerned. */
  orderId: string;
  url: string;
  /** A registered webhook endpoint, or the order's own webhook_url. */
  target: 'endpoint' | 'order';
  endpointId: number | null;
  /** Exact body sent. */
  body: string;
  /** X-Webhook-Signature sent. */
  signature: string;
  createdAt: string;
  attempts: WebhookAttempt[];
  delivered: boolean;
  state: WebhookDeliveryState;
  nextAttemptAt: string | null;
}

export interface Destination {
  url: string;
  secret: string;
  target: 'endpoint' | 'order';
  endpointId: number | null;
}

export interface WebhookSenderOptions {
  timers: TimerRegistry;
  now(): number;
  timeScale: number;
  retryDelaysSeconds: readonly number[];
  /** Per attempt, real ms (already scaled). */
  timeoutMs: number;
}

interface Item {
  rec: WebhookDelivery;
  retries: RetryProgress;
}

function clone(rec: WebhookDelivery): WebhookDelivery {
  return { ...rec, attempts: rec.attempts.map((a) => ({ ...a })) };
}

export class WebhookSender {
  private readonly items: Item[] = [];
  private readonly courier: WebhookCourier;
  private readonly waiters: ConditionWaiters<WebhookDelivery[]>;
  private readonly schedule: RetrySchedule;
  private seq = 0;

  constructor(private readonly opts: WebhookSenderOptions) {
    this.courier = new WebhookCourier({ timers: opts.timers, timeScale: opts.timeScale, timeoutMs: opts.timeoutMs, userAgent: 'CryptoPay-Webhooks-Emulator/1.0' });
    this.waiters = new ConditionWaiters(opts.timers, () => this.list());
    this.schedule = { delaysSeconds: opts.retryDelaysSeconds, from: 'previous-attempt' };
  }

  /** Builds one body for the event and starts one delivery per destination. */
  emit(event: WebhookEvent, orderId: string, data: Record<string, unknown>, destinations: readonly Destination[]): WebhookDelivery[] {
    const nowMs = this.opts.now();
    const webhookId = `wh_${randomAlnum(12)}`;
    const body = JSON.stringify({ event, data, timestamp: `${new Date(nowMs).toISOString().slice(0, 19)}Z`, webhook_id: webhookId });
    const out: WebhookDelivery[] = [];
    for (const d of destinations) {
      this.seq += 1;
      const rec: WebhookDelivery = {
        id: `dlv_${this.seq}`,
        webhookId,
        event,
        orderId,
        url: d.url,
        target: d.target,
        endpointId: d.endpointId,
        body,
        signature: webhookSignature(d.secret, body),
        createdAt: logTimestamp(nowMs),
        attempts: [],
        delivered: false,
        state: 'pending',
        nextAttemptAt: null,
      };
      const item: Item = { rec, retries: freshProgress() };
      this.items.push(item);
      this.attempt(item);
      out.push(clone(rec));
    }
    return out;
  }

  list(): WebhookDelivery[] {
    return this.items.map((i) => clone(i.rec));
  }

  /** Resolves once `test(deliveries)` holds (checked after every attempt); rejects after timeoutMs. */
  waitFor(test: (list: WebhookDelivery[]) => boolean, timeoutMs: number, what: string): Promise<WebhookDelivery[]> {
    return this.waiters.wait(test, timeoutMs, () => {
      const states = this.items.map((i) => `${i.rec.event}->${i.rec.target}:${i.rec.state}(${i.rec.attempts.length})`).join(', ');
      return new Error(`timed out after ${timeoutMs} ms waiting for ${what}; deliveries [${states}]`);
    });
  }

  get inFlightCount(): number {
    return this.courier.inFlightCount;
  }

  /** Aborts requests in flight, forgets scheduled retries (the owner clears timers), rejects waiters. */
  cancel(reason: string): void {
    this.courier.abort();
    this.waiters.rejectAll(reason);
    for (const i of this.items) i.rec.nextAttemptAt = null;
  }

  reset(): void {
    this.cancel('emulator reset');
    this.items.length = 0;
  }

  stop(): void {
    this.cancel('emulator stopped');
    this.courier.stop();
  }

  private attempt(item: Item): void {
    const epoch = this.courier.epoch;
    const rec = item.rec;
    const attempt: WebhookAttempt = { at: logTimestamp(this.opts.now()) };
    rec.attempts.push(attempt);
    rec.nextAttemptAt = null;
    void this.courier.post(rec.url, rec.body, { 'X-Webhook-Signature': rec.signature }).then((result) => {
      if (epoch !== this.courier.epoch) return;
      if (result.status !== undefined) attempt.status = result.status;
      if (result.error !== undefined) attempt.error = result.error;
      const retryInMs = isSuccess2xx(result.status) ? null : this.courier.nextRetryDelayMs(this.schedule, item.retries);
      if (isSuccess2xx(result.status)) {
        rec.delivered = true;
        rec.state = 'delivered';
      } else if (retryInMs === null) {
        rec.state = 'failed';
      } else {
        rec.nextAttemptAt = logTimestamp(this.opts.now() + retryInMs);
        this.courier.later(() => this.attempt(item), retryInMs);
      }
      this.waiters.notify();
    });
  }
}
