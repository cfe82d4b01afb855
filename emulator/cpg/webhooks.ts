// Webhook deliveries (reference §7–9). Each event makes one delivery per subscribed webhook:
// body {id, event, created_at, api_version, data} fixed at creation; each attempt POSTs the same
// bytes with the same X-CPG-Delivery and a fresh X-CPG-Timestamp and
// X-CPG-Signature = hex(HMAC-SHA256(secret, timestamp + "\n" + body)). Success is a 2xx within the
// timeout; otherwise retries after 1 min, 5 min, 30 min, 2 h, 12 h and 24 h (× timeScale), then failed.
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { TimerRegistry } from '../shared/timers';
import { ConditionWaiters } from '../shared/waiters';
import { webhookTime } from './envelope';

export const WEBHOOK_EVENTS = [
  'deposit.detected',
  'deposit.confirmed',
  'deposit.swept',
  'withdrawal.broadcasted',
  'withdrawal.confirmed',
  'withdrawal.failed',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Delay before attempts 2…7, in seconds since the previous attempt (reference §7). */
export const RETRY_DELAYS_SECONDS: readonly number[] = [60, 300, 1800, 7200, 43_200, 86_400];
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;
export const API_VERSION = '1';

export function webhookSignature(secret: string, timestamp: string, body: string | Buffer): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${timestamp}\n`, 'utf8').update(body).digest('hex');
}

export interface WebhookEndpoint {
  id: number;
  url: string;
  /** Shown once at creation on the real dashboard. */
  secret: string;
  events: WebhookEvent[];
  createdAt: string;
}

export interface WebhookSpec {
  url: string;
  secret?: string | undefined;
  /** Default: all six. */
  events?: readonly string[] | undefined;
}

export interface DeliveryAttempt {
  /** Emulator-clock time the attempt started (ISO, ms). */
  at: string;
  timestamp: string;
  signature: string;
  status?: number;
  error?: string;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  /** Envelope id and X-CPG-Delivery: stable across retries. */
  id: number;
  webhookId: number;
  event: WebhookEvent;
  url: string;
  /** The exact body bytes sent on every attempt. */
  body: string;
  createdAt: string;
  attempts: DeliveryAttempt[];
  state: DeliveryState;
  nextRetryAt: string | null;
}

export interface DispatcherOptions {
  timers: TimerRegistry;
  now(): number;
  timeScale: number;
  /** Per attempt, real ms. */
  timeoutMs: number;
}

interface Item {
  rec: WebhookDelivery;
  endpoint: WebhookEndpoint;
  /** Attempts made by the schedule (a manual redelivery does not count). */
  scheduled: number;
}

const USER_AGENT = 'CPG-Webhooks/1 (Paywire emulator)';

// Delivery ids are unique per account on the real gateway, and receivers dedupe on them for a
// day: ids that restarted at the same number after an emulator restart (or in the next test)
// would be dropped as duplicates. So one sequence per process, started from the clock (ms since
// 2026-01-01), never reset.
let lastDeliveryId = Date.now() - Date.UTC(2026, 0, 1);
function nextDeliveryId(): number {
  lastDeliveryId += 1;
  return lastDeliveryId;
}

function copy(rec: WebhookDelivery): WebhookDelivery {
  return { ...rec, attempts: rec.attempts.map((a) => ({ ...a })) };
}

export class WebhookDispatcher {
  private readonly endpointList: WebhookEndpoint[] = [];
  private readonly items = new Map<number, Item>();
  private readonly inFlight = new Set<http.ClientRequest>();
  private readonly waiters: ConditionWaiters<WebhookDelivery[]>;
  // First attempts to one webhook go out in event order (retries are not ordered).
  private readonly queues = new Map<number, Promise<void>>();
  private readonly agent = new http.Agent({ keepAlive: false });
  private readonly tlsAgent = new https.Agent({ keepAlive: false });
  private generation = 0;
  private nextEndpointId = 1;

  constructor(private readonly opts: DispatcherOptions) {
    this.waiters = new ConditionWaiters(opts.timers, () => this.list());
  }

  /** Registers a webhook (the dashboard's Webhooks page); throws RangeError for a bad URL or event. */
  register(spec: WebhookSpec): WebhookEndpoint {
    let url: URL;
    try {
      url = new URL(spec.url);
    } catch {
      throw new RangeError(`url: not a URL: ${String(spec.url)}`);
    }
    // The real dashboard takes HTTPS only; a local emulator must reach http://127.0.0.1 too.
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError('url: must be http(s)');
    const events = spec.events ?? WEBHOOK_EVENTS;
    const unknown = events.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
    if (unknown.length > 0 || events.length === 0) throw new RangeError(`events: choose from ${WEBHOOK_EVENTS.join(', ')}`);
    if (spec.secret !== undefined && (typeof spec.secret !== 'string' || spec.secret.length === 0)) throw new RangeError('secret: must be a non-empty string');
    const endpoint: WebhookEndpoint = {
      id: this.nextEndpointId++,
      url: url.toString(),
      secret: spec.secret ?? `whsec_${randomBytes(24).toString('hex')}`,
      events: [...new Set(events as readonly WebhookEvent[])],
      createdAt: new Date(this.opts.now()).toISOString(),
    };
    this.endpointList.push(endpoint);
    return { ...endpoint, events: [...endpoint.events] };
  }

  /** false for an unknown id. Deliveries already made keep going to the old URL. */
  unregister(id: number): boolean {
    const i = this.endpointList.findIndex((e) => e.id === id);
    if (i < 0) return false;
    this.endpointList.splice(i, 1);
    return true;
  }

  /** Registered webhooks without their secrets (the dashboard never shows them again). */
  endpoints(): Array<Omit<WebhookEndpoint, 'secret'>> {
    return this.endpointList.map(({ secret: _secret, ...rest }) => ({ ...rest, events: [...rest.events] }));
  }

  /** One delivery per webhook subscribed to the event, each with its own id; first attempts at once. */
  emit(event: WebhookEvent, data: Record<string, unknown>): WebhookDelivery[] {
    const created: WebhookDelivery[] = [];
    for (const endpoint of this.endpointList) {
      if (!endpoint.events.includes(event)) continue;
      const id = nextDeliveryId();
      const createdAt = this.opts.now();
      const body = JSON.stringify({ id, event, created_at: webhookTime(createdAt), api_version: API_VERSION, data });
      const rec: WebhookDelivery = { id, webhookId: endpoint.id, event, url: endpoint.url, body, createdAt: new Date(createdAt).toISOString(), attempts: [], state: 'pending', nextRetryAt: null };
      const item: Item = { rec, endpoint: { ...endpoint }, scheduled: 0 };
      this.items.set(id, item);
      const gen = this.generation;
      const previous = this.queues.get(endpoint.id) ?? Promise.resolve();
      const next = previous.then(() => (gen === this.generation ? this.attempt(item, true) : undefined));
      this.queues.set(endpoint.id, next);
      created.push(copy(rec));
    }
    return created;
  }

  list(): WebhookDelivery[] {
    return [...this.items.values()].map((i) => copy(i.rec));
  }

  /**
   * Sends a delivery again now, as the dashboard's manual requeue does: same id and body, fresh
   * timestamp and signature. Resolves after that attempt; null for an unknown id.
   */
  redeliver(id: number): Promise<WebhookDelivery> | null {
    const item = this.items.get(id);
    if (!item) return null;
    return this.attempt(item, false).then(() => copy(item.rec));
  }

  /** Resolves once `test(deliveries)` holds (checked after every attempt); rejects after timeoutMs. */
  waitFor(test: (list: WebhookDelivery[]) => boolean, timeoutMs: number, what: string): Promise<WebhookDelivery[]> {
    return this.waiters.wait(test, timeoutMs, () => {
      const states = [...this.items.values()].map((i) => `${i.rec.id} ${i.rec.event}:${i.rec.state}(${i.rec.attempts.length})`).join(', ');
      return new Error(`timed out after ${timeoutMs} ms waiting for ${what}; deliveries [${states}]`);
    });
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Forgets deliveries (webhooks stay registered); aborts what is in flight. */
  reset(): void {
    this.cancel('emulator reset');
    this.items.clear();
  }

  stop(): void {
    this.cancel('emulator stopped');
    this.agent.destroy();
    this.tlsAgent.destroy();
  }

  private cancel(reason: string): void {
    this.generation += 1;
    for (const req of this.inFlight) req.destroy();
    this.inFlight.clear();
    this.queues.clear();
    this.waiters.rejectAll(reason);
    for (const i of this.items.values()) i.rec.nextRetryAt = null;
  }

  /** One attempt; `scheduled` attempts follow the retry schedule, a manual redelivery does not. */
  private async attempt(item: Item, scheduled: boolean): Promise<void> {
    const gen = this.generation;
    const rec = item.rec;
    const nowMs = this.opts.now();
    const timestamp = String(Math.floor(nowMs / 1000));
    const signature = webhookSignature(item.endpoint.secret, timestamp, rec.body);
    const attempt: DeliveryAttempt = { at: new Date(nowMs).toISOString(), timestamp, signature };
    rec.attempts.push(attempt);
    if (scheduled) {
      item.scheduled += 1;
      rec.nextRetryAt = null;
    }
    const result = await this.post(rec, timestamp, signature);
    if (gen !== this.generation) return;
    if (result.status !== undefined) attempt.status = result.status;
    if (result.error !== undefined) attempt.error = result.error;
    const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
    if (ok) rec.state = 'delivered';
    else if (scheduled && rec.state === 'pending') {
      // A failed manual redelivery leaves the state (and any scheduled retry) as it was.
      const delay = RETRY_DELAYS_SECONDS[item.scheduled - 1];
      if (delay === undefined) rec.state = 'failed';
      else {
        const delayMs = delay * 1000 * this.opts.timeScale;
        rec.nextRetryAt = new Date(this.opts.now() + delayMs).toISOString();
        this.opts.timers.set(() => {
          // A manual redelivery may have succeeded meanwhile.
          if (gen === this.generation && rec.state === 'pending') void this.attempt(item, true);
        }, delayMs);
      }
    }
    this.waiters.notify();
  }

  private post(rec: WebhookDelivery, timestamp: string, signature: string): Promise<{ status?: number; error?: string }> {
    return new Promise((resolve) => {
      const target = new URL(rec.url);
      const secure = target.protocol === 'https:';
      const payload = Buffer.from(rec.body, 'utf8');
      let settled = false;
      const finish = (r: { status?: number; error?: string }): void => {
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
          'User-Agent': USER_AGENT,
          'X-CPG-Event': rec.event,
          'X-CPG-Delivery': String(rec.id),
          'X-CPG-Timestamp': timestamp,
          'X-CPG-Signature': signature,
        },
      });
      this.inFlight.add(req);
      const timer = this.opts.timers.set(() => {
        finish({ error: `no answer within ${this.opts.timeoutMs} ms` });
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
}
