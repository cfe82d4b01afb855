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
import http from 'node:http';
import https from 'node:https';
import type { TimerRegistry } from '../shared/timers';
import { isoMillis, randomAlnum } from './util';

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
  retriesUsed: number;
}

interface Waiter {
  test: (list: WebhookDelivery[]) => boolean;
  resolve: (list: WebhookDelivery[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

function clone(rec: WebhookDelivery): WebhookDelivery {
  return { ...rec, attempts: rec.attempts.map((a) => ({ ...a })) };
}

export class WebhookSender {
  private readonly items: Item[] = [];
  private readonly inFlight = new Set<http.ClientRequest>();
  private readonly waiters = new Set<Waiter>();
  private readonly httpAgent = new http.Agent({ keepAlive: false });
  private readonly httpsAgent = new https.Agent({ keepAlive: false });
  private generation = 0;
  private seq = 0;

  constructor(private readonly opts: WebhookSenderOptions) {}

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
        createdAt: isoMillis(nowMs),
        attempts: [],
        delivered: false,
        state: 'pending',
        nextAttemptAt: null,
      };
      const item: Item = { rec, retriesUsed: 0 };
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
    if (test(this.list())) return Promise.resolve(this.list());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        test,
        resolve,
        reject,
        timer: this.opts.timers.set(() => {
          this.waiters.delete(waiter);
          const states = this.items.map((i) => `${i.rec.event}->${i.rec.target}:${i.rec.state}(${i.rec.attempts.length})`).join(', ');
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; deliveries [${states}]`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Aborts requests in flight, forgets scheduled retries (the owner clears timers), rejects waiters. */
  cancel(reason: string): void {
    this.generation += 1;
    for (const req of this.inFlight) req.destroy();
    this.inFlight.clear();
    for (const w of this.waiters) {
      this.opts.timers.clear(w.timer);
      w.reject(new Error(reason));
    }
    this.waiters.clear();
    for (const i of this.items) i.rec.nextAttemptAt = null;
  }

  reset(): void {
    this.cancel('emulator reset');
    this.items.length = 0;
  }

  stop(): void {
    this.cancel('emulator stopped');
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private notify(): void {
    if (this.waiters.size === 0) return;
    const list = this.list();
    for (const w of [...this.waiters]) {
      if (w.test(list)) {
        this.waiters.delete(w);
        this.opts.timers.clear(w.timer);
        w.resolve(list);
      }
    }
  }

  private attempt(item: Item): void {
    const gen = this.generation;
    const rec = item.rec;
    const attempt: WebhookAttempt = { at: isoMillis(this.opts.now()) };
    rec.attempts.push(attempt);
    rec.nextAttemptAt = null;
    void this.send(rec.url, rec.body, rec.signature).then((result) => {
      if (gen !== this.generation) return;
      if (result.status !== undefined) attempt.status = result.status;
      if (result.error !== undefined) attempt.error = result.error;
      if (result.status !== undefined && result.status >= 200 && result.status < 300) {
        rec.delivered = true;
        rec.state = 'delivered';
      } else if (item.retriesUsed >= this.opts.retryDelaysSeconds.length) {
        rec.state = 'failed';
      } else {
        const delayMs = (this.opts.retryDelaysSeconds[item.retriesUsed] ?? 0) * 1000 * this.opts.timeScale;
        item.retriesUsed += 1;
        rec.nextAttemptAt = isoMillis(this.opts.now() + delayMs);
        this.opts.timers.set(() => {
          if (gen === this.generation) this.attempt(item);
        }, delayMs);
      }
      this.notify();
    });
  }

  private send(url: string, body: string, signature: string): Promise<{ status?: number; error?: string }> {
    return new Promise((resolve) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        resolve({ error: `invalid url: ${url}` });
        return;
      }
      const isHttps = parsed.protocol === 'https:';
      const payload = Buffer.from(body, 'utf8');
      let settled = false;
      const settle = (r: { status?: number; error?: string }): void => {
        if (settled) return;
        settled = true;
        this.opts.timers.clear(timer);
        resolve(r);
      };
      const req = (isHttps ? https : http).request(parsed, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': String(payload.length),
          'X-Webhook-Signature': signature,
          'User-Agent': 'CryptoPay-Webhooks-Emulator/1.0',
        },
        agent: isHttps ? this.httpsAgent : this.httpAgent,
      });
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
