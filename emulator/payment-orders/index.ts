// Local emulator of the "CryptoPay payment orders" gateway (shared/reference/payment-orders.md):
// bearer login tokens and API keys, the {success,data,message,timestamp} envelope with DRF-style
// validation errors, payment orders, transactions, merchant wallets, webhook endpoints, hourly
// rate-limit headers, signed webhooks with retries, and controls that simulate the chain.
// An independent second implementation of the protocol: nothing is imported from lib/ or nodes/.
import { TimerRegistry } from '../shared/timers';
import type { ApiContext, ListShape } from './api';
import { apiRoutes } from './api';
import type { PoUser } from './auth';
import { TokenAuthority } from './auth';
import type { ControlContext, ControlTarget, RequestLogEntry } from './controls';
import { controlRoutes } from './controls';
import { PoApiError, errorEnvelope, poErrors } from './errors';
import { EmulatorClock, baseUrl } from '../shared/clock';
import { FaultGate } from '../shared/faults';
import type { FaultPlan, FaultPlanOptions, FaultPlanStats } from '../shared/faults';
import type { PoFault, PoFaultJson } from './faults';
import { PoFaultInjector } from './faults';
import type { EmulatorRequest, EmulatorResponse, Route } from '../shared/http';
import { EmulatorHttpServer, resolveRoute } from '../shared/http';
import type { RateLimitConfig } from './ratelimit';
import { FixedWindowLimiter, rateLimitHeaders } from './ratelimit';
import type { ChainEventOptions, EmittedEvent, WalletSeed } from './store';
import { DEFAULT_PO_WALLETS, PoStore, endpointJson } from './store';
import type { Destination, WebhookDelivery } from './webhooks';
import { DEFAULT_RETRY_DELAYS_SECONDS, WEBHOOK_EVENTS, WebhookSender } from './webhooks';

export { CHAINS, BLOCKCHAIN_SLUGS, CURRENCIES } from './chains';
export type { ChainInfo } from './chains';
export { PoApiError } from './errors';
export type { ListShape } from './api';
export type { ErrorEnvelope, FieldErrors, SuccessEnvelope } from './errors';
export { PO_FAULT_MODES } from './faults';
export type { PoFault, PoFaultJson, PoFaultMode } from './faults';
export type { RequestLogEntry } from './controls';
export type { RateLimitConfig } from './ratelimit';
export type { PoUser } from './auth';
export { DEFAULT_PO_WALLETS, DEFAULT_ORDER_TTL_SECONDS, PAYMENT_PAGE_BASE } from './store';
export type { OrderStatus, TxStatus, WalletSeed } from './store';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination';
export { DEFAULT_RETRY_DELAYS_SECONDS, WEBHOOK_EVENTS, webhookSignature } from './webhooks';
export type { WebhookAttempt, WebhookDelivery, WebhookDeliveryState, WebhookEvent } from './webhooks';

export const DEFAULT_PO_USERNAME = 'merchant';
export const DEFAULT_PO_PASSWORD = 'merchant-pass';
export const DEFAULT_PO_API_KEY = 'po-api-key';
export const DEFAULT_PO_WEBHOOK_SECRET = 'po-webhook-secret';
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;
/** Standard plan (reference §3): 1000 requests per hour. */
export const DEFAULT_RATE_LIMIT: Readonly<RateLimitConfig> = { limit: 1000, windowSeconds: 3600 };
export const DEFAULT_WEBHOOK_TIMEOUT_SECONDS = 10;
/** On every answer, as Django REST framework sends them. */
const DJANGO_HEADERS = { 'Cache-Control': 'no-store', Vary: 'Accept, Authorization' };

export interface PaymentOrdersEmulatorOptions {
  /** A seeded fault plan on from the start (see setFaultPlan()). */
  faultPlan?: FaultPlanOptions;
  /** Login accounts; default [{ username: 'merchant', password: 'merchant-pass' }]. */
  users?: PoUser[];
  /** API keys accepted directly as bearer tokens (never expire); default ['po-api-key']. */
  apiKeys?: string[];
  /** Lifetime of login tokens on the emulator clock; default 3600. */
  tokenTtlSeconds?: number;
  /** Default 1000 requests per 3600 s (Standard plan). */
  rateLimit?: RateLimitConfig;
  /** HMAC key for deliveries to an order's own webhook_url; default 'po-webhook-secret'. */
  webhookSecret?: string;
  /** Multiplies real-world webhook delays (retry schedule, timeout). Default 1. */
  timeScale?: number;
  /** Base clock in ms; default Date.now. advanceClock() offsets are added on top. */
  now?: () => number;
  /** Merchant wallets present at start and after reset(); default one per chain (DEFAULT_PO_WALLETS). */
  wallets?: WalletSeed[];
  /** Retry delays in seconds before timeScale; default [60, 300, 1800, 7200, 21600]. */
  webhookRetryDelaysSeconds?: number[];
  /** Per delivery attempt, before timeScale (never below 0.5 s real time); default 10. */
  webhookTimeoutSeconds?: number;
  /** List answers: the page inside the envelope's `data` ('enveloped', default) or the bare page as the whole body. */
  listShape?: ListShape;
}

export interface PoEmulatorHandles {
  listening: boolean;
  openSockets: number;
  timers: number;
  inFlightWebhooks: number;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0`);
  return value;
}

export class PaymentOrdersEmulator implements ControlTarget {
  private readonly clock: EmulatorClock;
  private readonly timeScale: number;
  private readonly tokenTtlSeconds: number;
  private readonly webhookSecret: string;
  private readonly timers = new TimerRegistry();
  private readonly auth: TokenAuthority;
  private readonly limiter: FixedWindowLimiter;
  private readonly store: PoStore;
  private readonly sender: WebhookSender;
  private readonly faultInjector = new PoFaultInjector();
  private readonly faultGate: FaultGate;
  private readonly log: RequestLogEntry[] = [];
  private readonly apiRouteTable: Route<ApiContext>[] = apiRoutes();
  private readonly controlRouteTable: Route<ControlContext>[] = controlRoutes();
  private readonly server: EmulatorHttpServer;
  private readonly listShape: ListShape;
  private listeningUrl = '';

  constructor(options: PaymentOrdersEmulatorOptions = {}) {
    this.clock = new EmulatorClock(options.now);
    this.timeScale = nonNegative(options.timeScale, 1, 'timeScale');
    this.tokenTtlSeconds = nonNegative(options.tokenTtlSeconds, DEFAULT_TOKEN_TTL_SECONDS, 'tokenTtlSeconds');
    this.webhookSecret = options.webhookSecret ?? DEFAULT_PO_WEBHOOK_SECRET;
    this.listShape = options.listShape ?? 'enveloped';
    const rate = options.rateLimit ?? DEFAULT_RATE_LIMIT;
    if (!Number.isInteger(rate.limit) || rate.limit < 1) throw new RangeError('rateLimit.limit must be an integer >= 1');
    if (!Number.isFinite(rate.windowSeconds) || rate.windowSeconds <= 0) throw new RangeError('rateLimit.windowSeconds must be > 0');
    this.limiter = new FixedWindowLimiter({ limit: rate.limit, windowSeconds: rate.windowSeconds });
    this.auth = new TokenAuthority(
      options.users ?? [{ username: DEFAULT_PO_USERNAME, password: DEFAULT_PO_PASSWORD }],
      options.apiKeys ?? [DEFAULT_PO_API_KEY],
      this.tokenTtlSeconds,
    );
    this.store = new PoStore(() => this.now(), options.wallets ?? DEFAULT_PO_WALLETS);
    const delays = options.webhookRetryDelaysSeconds ?? DEFAULT_RETRY_DELAYS_SECONDS;
    for (const d of delays) nonNegative(d, 0, 'webhookRetryDelaysSeconds[]');
    this.sender = new WebhookSender({
      timers: this.timers,
      now: () => this.now(),
      timeScale: this.timeScale,
      retryDelaysSeconds: [...delays],
      timeoutMs: Math.max(500, nonNegative(options.webhookTimeoutSeconds, DEFAULT_WEBHOOK_TIMEOUT_SECONDS, 'webhookTimeoutSeconds') * 1000 * this.timeScale),
    });
    this.faultGate = new FaultGate(/^\/api\//, (status, retryAfter) => {
      const nowMs = this.now();
      const err = status === 429 ? poErrors.rateLimited(retryAfter) : poErrors.status(status);
      const extra: Record<string, string> =
        status === 429 ? { 'X-RateLimit-Limit': String(rate.limit), 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(Math.floor(nowMs / 1000) + Math.max(1, retryAfter)) } : { 'Retry-After': String(retryAfter) };
      return { headers: { 'Content-Type': 'application/json', ...extra, ...err.headers }, body: JSON.stringify(err.envelope(nowMs)) };
    });
    this.server = new EmulatorHttpServer((req) => this.handle(req), {
      fallback: (err) => this.errorResponse(err),
      baseHeaders: DJANGO_HEADERS,
      jsonContentType: 'application/json',
      faults: this.faultGate,
    });
    if (options.faultPlan) this.faultGate.set(options.faultPlan);
  }

  /** Base URL, e.g. http://127.0.0.1:4020 ('' before start()). */
  get url(): string {
    return this.listeningUrl;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<{ url: string; port: number }> {
    const actual = await this.server.listen(port, host);
    this.listeningUrl = baseUrl(host, actual);
    return { url: this.listeningUrl, port: actual };
  }

  /** Closes the server and its sockets, aborts webhooks in flight and cancels every timer; state stays readable. */
  async stop(): Promise<void> {
    this.sender.stop();
    this.timers.clearAll();
    this.faultGate.clearTimers();
    await this.server.close();
    this.timers.clearAll();
  }

  /** Current emulator time (ms). */
  now(): number {
    return this.clock.now();
  }

  /** Moves the emulator clock forward: token expiry, order expiry (order.expired is sent), rate-limit windows. */
  advanceClock(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('advanceClock: seconds must be a finite number >= 0');
    this.clock.advance(seconds);
    this.sweep();
  }

  // ---- chain simulation (each returns the order as GET /api/payment-orders/{id}/ shows it) ----

  /** A payment transaction for the order appears on-chain: transaction `pending`, webhook payment.pending. */
  detectPayment(orderId: string, options: ChainEventOptions = {}): Record<string, unknown> {
    this.sweep();
    return this.apply(this.store.detect(orderId, options));
  }

  /** The detected transaction reaches the required confirmations: order `confirmed`, webhook payment.confirmed. */
  confirmPayment(orderId: string): Record<string, unknown> {
    this.sweep();
    return this.apply(this.store.confirm(orderId));
  }

  /** The detected transaction failed / was rejected: order and transaction `failed`, webhook payment.failed. */
  failPayment(orderId: string, reason?: string): Record<string, unknown> {
    this.sweep();
    return this.apply(this.store.fail(orderId, reason));
  }

  /** Expires a pending order without payment now: order `expired`, webhook order.expired. */
  expireOrder(orderId: string): Record<string, unknown> {
    this.sweep();
    return this.apply(this.store.expireNow(orderId));
  }

  /** Every login token issued so far expires now (API keys keep working). Returns how many were still valid. */
  expireTokens(): number {
    return this.auth.expireAll(this.now());
  }

  /**
   * Registers a webhook endpoint as POST /api/webhook-endpoints/ would (all four events unless
   * `events` is given); returns it with its secret. Throws PoApiError 400 on bad input.
   */
  addWebhookEndpoint(input: { url: string; events?: string[]; secret?: string }): Record<string, unknown> {
    const body: Record<string, unknown> = { url: input.url, events: input.events ?? [...WEBHOOK_EVENTS] };
    if (input.secret !== undefined) body.secret = input.secret;
    return endpointJson(this.store.saveEndpoint(body), true);
  }

  /** Login tokens issued so far, for tests that check a client never lets one leak. */
  issuedTokens(): string[] {
    return this.auth.issued();
  }

  /** Webhook deliveries, one per destination and event, with their attempts. */
  deliveries(): WebhookDelivery[] {
    return this.sender.list();
  }

  /**
   * Resolves when at least `count` deliveries were delivered (2xx), or when `test` holds; rejects
   * after timeoutMs (default 10 s).
   */
  waitForDeliveries(countOrTest: number | ((list: WebhookDelivery[]) => boolean), timeoutMs = 10_000): Promise<WebhookDelivery[]> {
    const test = typeof countOrTest === 'number' ? (l: WebhookDelivery[]): boolean => l.filter((d) => d.delivered).length >= countOrTest : countOrTest;
    const what = typeof countOrTest === 'number' ? `${countOrTest} delivered webhooks` : 'the delivery condition';
    return this.sender.waitFor(test, timeoutMs, what);
  }

  /** /api requests seen, oldest first. */
  requests(): RequestLogEntry[] {
    return this.log.map((e) => ({ ...e }));
  }

  /** Arms a fault for matching /api requests; throws PoApiError 400 on bad input. */
  injectFault(fault: PoFault | Record<string, unknown>): PoFaultJson {
    return this.faultInjector.add(fault);
  }

  faults(): PoFaultJson[] {
    return this.faultInjector.list();
  }

  clearFaults(): void {
    this.faultInjector.clear();
  }

  /**
   * Turns the seeded fault plan on for every API request (emulator/shared/faults.ts), or off with
   * null; RangeError on bad options. Returns the plan (its stats() count what it injected).
   */
  setFaultPlan(options: FaultPlanOptions | null): FaultPlan | null {
    return this.faultGate.set(options);
  }

  /** What the current fault plan saw and injected; null when none is on. */
  faultPlanStats(): FaultPlanStats | null {
    return this.faultGate.plan?.stats() ?? null;
  }

  /**
   * Forgets orders, transactions, wallets (the seed wallets come back), webhook endpoints, tokens,
   * deliveries (pending retries are cancelled), the request log, rate-limit windows, faults and the
   * clock offset. Options are kept.
   */
  reset(): void {
    this.faultGate.set(null);
    this.sender.reset();
    this.timers.clearAll();
    this.clock.reset();
    this.store.clear();
    this.auth.clear();
    this.limiter.reset();
    this.faultInjector.clear();
    this.log.length = 0;
  }

  /** What is still open, for tests asserting that stop() leaves nothing behind. */
  handles(): PoEmulatorHandles {
    return { listening: this.server.listening, openSockets: this.server.openSockets, timers: this.timers.size, inFlightWebhooks: this.sender.inFlightCount };
  }

  // ---- internals -----------------------------------------------------------------------------

  private sweep(): void {
    for (const e of this.store.sweepExpired()) this.emit(e);
  }

  private apply(e: EmittedEvent): Record<string, unknown> {
    this.emit(e);
    return this.store.orderJson(e.order);
  }

  /** Every active endpoint subscribed to the event, then the order's own webhook_url. */
  private emit(e: EmittedEvent): void {
    const destinations: Destination[] = this.store.subscribers(e.event).map((ep) => ({ url: ep.url, secret: ep.secret, target: 'endpoint', endpointId: ep.id }));
    if (e.order.webhookUrl !== null) destinations.push({ url: e.order.webhookUrl, secret: this.webhookSecret, target: 'order', endpointId: null });
    if (destinations.length > 0) this.sender.emit(e.event, e.order.orderId, e.data, destinations);
  }

  private errorResponse(err: unknown): EmulatorResponse {
    if (err instanceof PoApiError) return { status: err.status, json: err.envelope(this.now()), headers: err.headers };
    const message = err instanceof Error ? err.message : String(err);
    return { status: 500, json: errorEnvelope('INTERNAL_ERROR', message, {}, this.now()) };
  }

  private async handle(req: EmulatorRequest): Promise<EmulatorResponse> {
    if (req.segments[0] === '_emulator') return this.handleControl(req);
    if (req.segments[0] === 'api') return this.handleApi(req);
    return this.errorResponse(poErrors.notFound());
  }

  private async handleControl(req: EmulatorRequest): Promise<EmulatorResponse> {
    try {
      if (req.tooLarge) throw poErrors.payloadTooLarge(1_048_576);
      const r = resolveRoute(this.controlRouteTable, req);
      if (r.kind === 'method') throw poErrors.methodNotAllowed(req.method, r.allowed);
      if (r.kind !== 'match') throw poErrors.notFound();
      return await r.match.route.handler({ req, emu: this }, r.match.params);
    } catch (err) {
      return this.errorResponse(err);
    }
  }

  private async handleApi(req: EmulatorRequest): Promise<EmulatorResponse> {
    const fault = this.faultInjector.take(req.method, req.path);
    const entry: RequestLogEntry = { method: req.method, path: req.path, status: 0, auth: 'none' };
    this.log.push(entry);
    if (fault?.mode === 'drop_before') return { status: 0, drop: true };
    this.sweep();
    const nowMs = this.now();
    const authorization = req.headers.authorization;
    const identity = this.auth.identify(Array.isArray(authorization) ? authorization.join(', ') : authorization, nowMs);
    entry.auth = identity.kind;
    // one bucket for the merchant (all its users and keys), one per client address otherwise
    const decision = this.limiter.hit(identity.principal !== null ? 'merchant' : `anon:${req.remoteAddress}`, nowMs);
    let out: EmulatorResponse;
    try {
      // an injected status is answered unprocessed, but like every answer it carries the quota headers
      if (fault?.mode === 'status') throw poErrors.status(fault.status);
      if (req.tooLarge) throw poErrors.payloadTooLarge(1_048_576);
      if (!decision.allowed) throw poErrors.rateLimited(decision.retryAfter);
      const r = resolveRoute(this.apiRouteTable, req);
      const requireAuth = (): void => {
        if (identity.principal === null) throw identity.error ?? poErrors.notAuthenticated();
      };
      if (r.kind === 'none') throw poErrors.notFound();
      if (r.kind === 'redirect') out = { status: 301, headers: { Location: r.location } };
      else if (r.kind === 'method') {
        if (r.auth) requireAuth();
        throw poErrors.methodNotAllowed(req.method, r.allowed);
      } else {
        if (r.match.route.auth) requireAuth();
        const ctx: ApiContext = {
          req,
          now: () => this.now(),
          store: this.store,
          auth: this.auth,
          tokenTtlSeconds: this.tokenTtlSeconds,
          emit: (e) => this.emit(e),
          listShape: this.listShape,
        };
        out = await r.match.route.handler(ctx, r.match.params);
      }
    } catch (err) {
      out = this.errorResponse(err);
    }
    out = { ...out, headers: { ...rateLimitHeaders(decision), ...(out.headers ?? {}) } };
    entry.status = out.status;
    if (fault?.mode === 'drop_after_commit') {
      entry.status = 0;
      return { status: 0, drop: true };
    }
    return out;
  }
}
