// Webhook deliveries (reference §7–9). Each event makes one delivery per subscribed webhook:
// body {id, event, created_at, api_version, data} fixed at creation; each attempt POSTs the same
// bytes with the same X-CPG-Delivery and a fresh X-CPG-Timestamp and
// X-CPG-Signature = hex(HMAC-SHA256(secret, timestamp + "\n" + body)). Success is a 2xx within the
// timeout; otherwise retries after 1 min, 5 min, 30 min, 2 h, 12 h and 24 h (× timeScale), then failed.
import { createHmac, randomBytes } from 'node:crypto';
import type { TimerRegistry } from '../shared/timers';
import { ConditionWaiters } from '../shared/waiters';
import { WebhookCourier, freshProgress, isSuccess2xx } from '../shared/webhooks';
import type { RetryProgress, RetrySchedule } from '../shared/webhooks';
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
const RETRY_SCHEDULE: RetrySchedule = { delaysSeconds: RETRY_DELAYS_SECONDS, from: 'previous-attempt' };
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
  /** Retries used by the schedule (a manual redelivery does not count). */
  retries: RetryProgress;
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
  private readonly courier: WebhookCourier;
  private readonly waiters: ConditionWaiters<WebhookDelivery[]>;
  // First attempts to one webhook go out in event order (retries are not ordered).
  private readonly queues = new Map<number, Promise<void>>();
  private nextEndpointId = 1;

  constructor(private readonly opts: DispatcherOptions) {
    this.courier = new WebhookCourier({ timers: opts.timers, timeScale: opts.timeScale, timeoutMs: opts.timeoutMs, userAgent: USER_AGENT });
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
      const item: Item = { rec, endpoint: { ...endpoint }, retries: freshProgress() };
      this.items.set(id, item);
      const epoch = this.courier.epoch;
      const previous = this.queues.get(endpoint.id) ?? Promise.resolve();
      const next = previous.then(() => (epoch === this.courier.epoch ? this.attempt(item, true) : undefined));
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
    return this.courier.inFlightCount;
  }

  /** Forgets deliveries (webhooks stay registered); aborts what is in flight. */
  reset(): void {
    this.cancel('emulator reset');
    this.items.clear();
  }

  stop(): void {
    this.cancel('emulator stopped');
    this.courier.stop();
  }

  private cancel(reason: string): void {
    this.courier.abort();
    this.queues.clear();
    this.waiters.rejectAll(reason);
    for (const i of this.items.values()) i.rec.nextRetryAt = null;
  }

  /** One attempt; `scheduled` attempts follow the retry schedule, a manual redelivery does not. */
  private async attempt(item: Item, scheduled: boolean): Promise<void> {
    const epoch = this.courier.epoch;
    const rec = item.rec;
    const nowMs = this.opts.now();
    const timestamp = String(Math.floor(nowMs / 1000));
    const signature = webhookSignature(item.endpoint.secret, timestamp, rec.body);
    const attempt: DeliveryAttempt = { at: new Date(nowMs).toISOString(), timestamp, signature };
    rec.attempts.push(attempt);
    if (scheduled) rec.nextRetryAt = null;
    const result = await this.courier.post(rec.url, rec.body, {
      'X-CPG-Event': rec.event,
      'X-CPG-Delivery': String(rec.id),
      'X-CPG-Timestamp': timestamp,
      'X-CPG-Signature': signature,
    });
    if (epoch !== this.courier.epoch) return;
    if (result.status !== undefined) attempt.status = result.status;
    if (result.error !== undefined) attempt.error = result.error;
    if (isSuccess2xx(result.status)) rec.state = 'delivered';
    else if (scheduled && rec.state === 'pending') {
      // A failed manual redelivery leaves the state (and any scheduled retry) as it was.
      const delayMs = this.courier.nextRetryDelayMs(RETRY_SCHEDULE, item.retries);
      if (delayMs === null) rec.state = 'failed';
      else {
        rec.nextRetryAt = new Date(this.opts.now() + delayMs).toISOString();
        // A manual redelivery may have succeeded meanwhile.
        this.courier.later(() => {
          if (rec.state === 'pending') void this.attempt(item, true);
        }, delayMs);
      }
    }
    this.waiters.notify();
  }
}
