// Local emulator of the Cryptopay merchant API (invoices, rates, signed callbacks) for tests and demos.
// Independent from lib/: request signing and callback signing are re-implemented here from the reference.
import { apiRoutes, handleApi } from './api';
import type { CallbackDelivery } from './callbacks';
import { CallbackDispatcher } from './callbacks';
import type { EmulatorContext } from './context';
import { controlRoutes } from './controls';
import { verifyRequest } from './auth';
import { ApiError, errors } from './errors';
import { hostedRoutes } from './hosted';
import type { InvoiceEvent, PaymentScenario } from './invoices';
import { InvoiceService } from './invoices';
import { SlidingWindowLimiter } from './ratelimit';
import type { EmuRequest, EmuResponse, Route } from './server';
import { EmulatorServer, dispatch } from './server';
import { Store } from './store';
import { TimerRegistry } from './timers';

export type { CallbackAttempt, CallbackDelivery, DeliveryState } from './callbacks';
export { callbackSignature, retryDelaySeconds, MAX_RETRIES } from './callbacks';
export { expectedSignature, parseDateHeader, stringToSign, bodyMd5 } from './auth';
export { ApiError } from './errors';
export { PAYMENT_SCENARIOS } from './invoices';
export type { PaymentScenario } from './invoices';

export interface CryptopayEmulatorOptions {
  /** apiKey -> apiSecret; default { 'emu-key': 'emu-secret' } */
  credentials?: Record<string, string>;
  /** Where signed callbacks are POSTed; can be changed later with setCallback(). */
  callbackUrl?: string;
  /** Default 'emu-callback-secret'. */
  callbackSecret?: string;
  /** Multiplies every real-world delay (retry schedule, event spacing, callback timeout). 1 = real time. */
  timeScale?: number;
  /** Default 200 per api key (sliding 60 s window on the emulator clock). */
  rateLimitPerMinute?: number;
  /** Default 900 (15 min), applied symmetrically around the emulator clock. */
  dateWindowSeconds?: number;
  /** ms clock; default Date.now. advanceClock() offsets are added on top of it. */
  now?: () => number;
  /** Real-world delay between the events of one simulated payment, before timeScale; default 2000. */
  eventSpacingMs?: number;
  /** Default 10000 (real-world; scaled by timeScale but never below 200 ms). */
  callbackTimeoutMs?: number;
}

export interface EmulatorHandles {
  listening: boolean;
  openSockets: number;
  timers: number;
  inFlightCallbacks: number;
}

export const DEFAULT_CREDENTIALS: Readonly<Record<string, string>> = { 'emu-key': 'emu-secret' };
export const DEFAULT_CALLBACK_SECRET = 'emu-callback-secret';

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0`);
  return value;
}

export class CryptopayEmulator {
  private readonly credentials: Map<string, string>;
  private callbackUrl: string | undefined;
  private callbackSecret: string;
  private readonly timeScale: number;
  private readonly dateWindowSeconds: number;
  private readonly eventSpacingMs: number;
  private readonly baseNow: () => number;
  private clockOffsetMs = 0;
  private readonly timers = new TimerRegistry();
  private readonly store = new Store();
  private readonly limiter: SlidingWindowLimiter;
  private readonly counts = new Map<string, number>();
  private readonly dispatcher: CallbackDispatcher;
  private readonly invoices: InvoiceService;
  private readonly server: EmulatorServer;
  private readonly apiRouteTable: Route[];
  private readonly otherRoutes: Route[];
  private baseUrl = '';
  private readonly eventQueues = new Map<string, { items: Array<{ event: InvoiceEvent; data: Record<string, unknown>; gapMs: number }>; running: boolean }>();

  constructor(options: CryptopayEmulatorOptions = {}) {
    this.credentials = new Map(Object.entries(options.credentials ?? DEFAULT_CREDENTIALS));
    this.callbackUrl = options.callbackUrl;
    this.callbackSecret = options.callbackSecret ?? DEFAULT_CALLBACK_SECRET;
    this.timeScale = positive(options.timeScale, 1, 'timeScale');
    this.dateWindowSeconds = positive(options.dateWindowSeconds, 900, 'dateWindowSeconds');
    this.eventSpacingMs = positive(options.eventSpacingMs, 2000, 'eventSpacingMs');
    this.baseNow = options.now ?? Date.now;
    this.limiter = new SlidingWindowLimiter(Math.floor(positive(options.rateLimitPerMinute, 200, 'rateLimitPerMinute')));
    const timeoutMs = Math.max(200, positive(options.callbackTimeoutMs, 10_000, 'callbackTimeoutMs') * this.timeScale);
    this.dispatcher = new CallbackDispatcher({
      timers: this.timers,
      now: () => this.now(),
      target: () => ({ url: this.callbackUrl, secret: this.callbackSecret }),
      timeScale: this.timeScale,
      timeoutMs,
    });
    this.invoices = new InvoiceService(this.store, {
      now: () => this.now(),
      hostedBase: () => this.baseUrl,
      emit: (invoiceId, events) => this.emitInvoiceEvents(invoiceId, events),
      schedule: (fn, ms) => {
        this.timers.set(fn, ms * this.timeScale);
      },
    });
    const ctx = this.context();
    this.apiRouteTable = apiRoutes(ctx);
    this.otherRoutes = [...controlRoutes(ctx), ...hostedRoutes(ctx)];
    this.server = new EmulatorServer((req) => this.handle(req, ctx));
  }

  /** Base URL, e.g. http://127.0.0.1:4010 ('' before start()). */
  get url(): string {
    return this.baseUrl;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<{ url: string; port: number }> {
    const actual = await this.server.listen(port, host);
    const hostPart = host.includes(':') ? `[${host}]` : host;
    this.baseUrl = `http://${hostPart}:${actual}`;
    return { url: this.baseUrl, port: actual };
  }

  /** Closes the server and its sockets, aborts callbacks in flight and cancels every timer. State (invoices, delivery log) stays readable. */
  async stop(): Promise<void> {
    this.dispatcher.stop();
    this.timers.clearAll();
    this.eventQueues.clear();
    await this.server.close();
    this.timers.clearAll();
  }

  setCallback(url: string | undefined, secret?: string): void {
    this.callbackUrl = url;
    if (secret !== undefined) this.callbackSecret = secret;
  }

  /** Simulates a payment; resolves with the invoice (final state). Callbacks follow asynchronously. */
  pay(invoiceId: string, scenario: PaymentScenario): Promise<unknown> {
    try {
      return Promise.resolve(this.payJson(invoiceId, scenario));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Moves the emulator clock forward (invoice expiry, 14-day cancellation, 30 s commits, Date window). */
  advanceClock(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('advanceClock: seconds must be a finite number >= 0');
    this.clockOffsetMs += Math.round(seconds * 1000);
    this.invoices.sweep();
  }

  /** Current emulator time in ms. */
  now(): number {
    return this.baseNow() + this.clockOffsetMs;
  }

  deliveries(): CallbackDelivery[] {
    return this.dispatcher.list();
  }

  /** Resolves when at least `count` deliveries were delivered (HTTP 200); rejects after timeoutMs (default 10 s). */
  waitForDeliveries(count: number, timeoutMs = 10_000): Promise<CallbackDelivery[]> {
    return this.dispatcher.waitFor(count, timeoutMs);
  }

  /** Sends a logged delivery's body again as a new delivery; resolves after that first attempt. */
  redeliver(deliveryId: string): Promise<void> {
    return this.dispatcher.redeliver(deliveryId) ?? Promise.reject(errors.notFound());
  }

  /** Forgets invoices, deliveries, counters, timers and the clock offset; keeps options and the callback settings. */
  reset(): void {
    this.dispatcher.reset();
    this.timers.clearAll();
    this.eventQueues.clear();
    this.store.clear();
    this.limiter.reset();
    this.counts.clear();
    this.clockOffsetMs = 0;
  }

  /** Authenticated API requests seen (for one key, or all). */
  requestCount(apiKey?: string): number {
    if (apiKey !== undefined) return this.counts.get(apiKey) ?? 0;
    let total = 0;
    for (const n of this.counts.values()) total += n;
    return total;
  }

  /** What is still open: for tests asserting that stop() leaves nothing behind. */
  handles(): EmulatorHandles {
    return {
      listening: this.server.listening,
      openSockets: this.server.openSockets,
      timers: this.timers.size,
      inFlightCallbacks: this.dispatcher.inFlightCount,
    };
  }

  private payJson(invoiceId: string, scenario: unknown): Record<string, unknown> {
    return this.invoices.json(this.invoices.pay(invoiceId, scenario));
  }

  /**
   * Events of one invoice are handed to the dispatcher strictly in order: a batch (e.g. the three
   * events of a payment) is spaced by eventSpacingMs × timeScale, and a later batch (refund,
   * recalculation, cancellation) waits until the earlier batch has been handed over.
   */
  private emitInvoiceEvents(invoiceId: string, events: ReadonlyArray<{ event: InvoiceEvent; data: Record<string, unknown> }>): void {
    const spacing = this.eventSpacingMs * this.timeScale;
    let queue = this.eventQueues.get(invoiceId);
    if (!queue) {
      queue = { items: [], running: false };
      this.eventQueues.set(invoiceId, queue);
    }
    events.forEach(({ event, data }, i) => queue.items.push({ event, data, gapMs: i === 0 ? 0 : spacing }));
    if (!queue.running) this.drainEvents(invoiceId);
  }

  private drainEvents(invoiceId: string): void {
    const queue = this.eventQueues.get(invoiceId);
    const item = queue?.items.shift();
    if (!queue || !item) {
      this.eventQueues.delete(invoiceId);
      return;
    }
    queue.running = true;
    const fire = (): void => {
      this.dispatcher.enqueue('Invoice', item.event, invoiceId, item.data);
      this.drainEvents(invoiceId);
    };
    if (item.gapMs > 0) this.timers.set(fire, item.gapMs);
    else fire();
  }

  private authenticate(req: EmuRequest): string {
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(', ') : v;
    };
    const result = verifyRequest({
      method: req.method,
      target: req.target,
      body: req.body,
      contentType: header('content-type'),
      date: header('date'),
      authorization: header('authorization'),
      credentials: this.credentials,
      nowMs: this.now(),
      dateWindowSeconds: this.dateWindowSeconds,
    });
    if (!result.ok) throw errors.unauthenticated();
    this.counts.set(result.apiKey, (this.counts.get(result.apiKey) ?? 0) + 1);
    if (!this.limiter.tryHit(result.apiKey, this.now())) throw errors.rateLimited();
    return result.apiKey;
  }

  private handle(req: EmuRequest, ctx: EmulatorContext): EmuResponse | Promise<EmuResponse> {
    if (req.segments[0] === 'api') return handleApi(ctx, this.apiRouteTable, req);
    if (req.segments[0] === '_emulator') this.invoices.sweep();
    return dispatch(this.otherRoutes, req);
  }

  private context(): EmulatorContext {
    return {
      now: () => this.now(),
      invoices: this.invoices,
      authenticate: (req) => this.authenticate(req),
      pay: (id, scenario) => this.payJson(id, scenario),
      setCallback: (url, secret) => this.setCallback(url, secret),
      deliveries: () => this.deliveries(),
      redeliverOrNull: (id) => this.dispatcher.redeliver(id),
      advanceClock: (s) => this.advanceClock(s),
      reset: () => this.reset(),
    };
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}
