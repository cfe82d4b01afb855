// Local emulator of the whole Cryptopay merchant API (invoices, accounts and ledger, coin withdrawals,
// exchange transfers, channels, customers, subscriptions, coins, rates, signed callbacks) for tests
// and demos. Independent from lib/: request and callback signing are re-implemented from the reference.
import { apiRoutes, handleApi } from './api';
import type { CallbackDelivery } from './callbacks';
import { CallbackDispatcher } from './callbacks';
import type { ChannelPaymentScenario } from './channels';
import { ChannelService, channelPaymentJson } from './channels';
import type { EmulatorContext } from './context';
import { controlRoutes } from './controls';
import { CustomerService } from './customers';
import { verifyRequest } from './auth';
import { ApiError, errors } from './errors';
import { EventSequencer } from './events';
import { ExchangeTransferService } from './exchange-transfers';
import { EmulatorClock, baseUrl } from '../shared/clock';
import { FaultGate } from '../shared/faults';
import type { FaultPlan, FaultPlanOptions, FaultPlanStats } from '../shared/faults';
import type { Fault, FaultJson } from './faults';
import { FaultInjector } from './faults';
import { hostedRoutes } from './hosted';
import type { PaymentScenario } from './invoices';
import { InvoiceService } from './invoices';
import type { MovementInput, SeedResult } from './ledger';
import { DEFAULT_INITIAL_BALANCES, Ledger } from './ledger';
import { uuid } from './ids';
import { SlidingWindowLimiter } from './ratelimit';
import type { EmuRequest, EmuResponse, Route } from './server';
import { CRYPTOPAY_SERVER, dispatch } from './server';
import { EmulatorHttpServer } from '../shared/http';
import { Store } from './store';
import { SubscriptionService, subscriptionJson } from './subscriptions';
import { TimerRegistry } from '../shared/timers';
import type { ControlWithdrawalStatus } from './withdrawals';
import { WithdrawalService } from './withdrawals';

export type { CallbackAttempt, CallbackDelivery, DeliveryState } from './callbacks';
export { callbackSignature, retryDelaySeconds, MAX_RETRIES } from './callbacks';
export { expectedSignature, parseDateHeader, stringToSign, bodyMd5 } from './auth';
export { ApiError } from './errors';
export { PAYMENT_SCENARIOS } from './invoices';
export type { PaymentScenario } from './invoices';
export { CHANNEL_PAYMENT_SCENARIOS } from './channels';
export type { ChannelPaymentScenario } from './channels';
export { CONTROL_STATUSES as WITHDRAWAL_CONTROL_STATUSES } from './withdrawals';
export type { ControlWithdrawalStatus } from './withdrawals';
export { DEFAULT_INITIAL_BALANCES, MOVEMENT_TYPES } from './ledger';
export type { MovementInput, MovementType, SeedResult } from './ledger';
export { FAULT_MODES } from './faults';
export type { Fault, FaultJson, FaultMode } from './faults';
export { ADDRESS_PATTERNS, HIGH_RISK_MARKER } from './addresses';

export interface CryptopayEmulatorOptions {
  /** A seeded fault plan on from the start (see setFaultPlan()). */
  faultPlan?: FaultPlanOptions;
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
  /** Length of that window in ms, default 60000; a short one lets rate-limit tests run in seconds. */
  rateLimitWindowMs?: number;
  /** Default 900 (15 min), applied symmetrically around the emulator clock. */
  dateWindowSeconds?: number;
  /** ms clock; default Date.now. advanceClock() offsets are added on top of it. */
  now?: () => number;
  /** Real-world delay between the events of one simulated payment, before timeScale; default 2000. */
  eventSpacingMs?: number;
  /** Default 10000 (real-world; scaled by timeScale but never below 200 ms). */
  callbackTimeoutMs?: number;
  /**
   * Opening account balances (decimal strings), default DEFAULT_INITIAL_BALANCES
   * (EUR/USD 10000, BTC 1, ETH 10, USDT 10000, LTC 10); every other account opens at "0.0".
   */
  initialBalances?: Record<string, string>;
  /** Payout destinations refused with 422 high_risk_address (case-insensitive), in addition to any address containing "deadbeef". */
  highRiskAddresses?: string[];
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
  private readonly clock: EmulatorClock;
  private readonly timers = new TimerRegistry();
  private readonly store = new Store();
  private readonly limiter: SlidingWindowLimiter;
  private readonly counts = new Map<string, number>();
  private rateLimitedCount = 0;
  private readonly dispatcher: CallbackDispatcher;
  private readonly events: EventSequencer;
  private readonly invoices: InvoiceService;
  private readonly ledger: Ledger;
  private readonly withdrawals: WithdrawalService;
  private readonly exchangeTransfers: ExchangeTransferService;
  private readonly channels: ChannelService;
  private readonly customers = new CustomerService();
  private readonly subscriptions: SubscriptionService;
  private readonly faultInjector = new FaultInjector();
  private readonly faultGate = new FaultGate(/^\/api\//, (status, retryAfter) => ({
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Retry-After': String(retryAfter) },
    body: JSON.stringify((status === 429 ? errors.rateLimited() : errors.status(status)).envelope()),
  }));
  private readonly server: EmulatorHttpServer;
  private readonly apiRouteTable: Route[];
  private readonly otherRoutes: Route[];
  private listeningUrl = '';

  constructor(options: CryptopayEmulatorOptions = {}) {
    this.credentials = new Map(Object.entries(options.credentials ?? DEFAULT_CREDENTIALS));
    this.callbackUrl = options.callbackUrl;
    this.callbackSecret = options.callbackSecret ?? DEFAULT_CALLBACK_SECRET;
    this.timeScale = positive(options.timeScale, 1, 'timeScale');
    this.dateWindowSeconds = positive(options.dateWindowSeconds, 900, 'dateWindowSeconds');
    this.eventSpacingMs = positive(options.eventSpacingMs, 2000, 'eventSpacingMs');
    this.clock = new EmulatorClock(options.now);
    const windowMs = positive(options.rateLimitWindowMs, 60_000, 'rateLimitWindowMs');
    if (windowMs === 0) throw new RangeError('rateLimitWindowMs must be > 0');
    this.limiter = new SlidingWindowLimiter(Math.floor(positive(options.rateLimitPerMinute, 200, 'rateLimitPerMinute')), windowMs);
    const timeoutMs = Math.max(200, positive(options.callbackTimeoutMs, 10_000, 'callbackTimeoutMs') * this.timeScale);
    this.dispatcher = new CallbackDispatcher({
      timers: this.timers,
      now: () => this.now(),
      target: () => ({ url: this.callbackUrl, secret: this.callbackSecret }),
      timeScale: this.timeScale,
      timeoutMs,
    });
    this.events = new EventSequencer(this.dispatcher, this.timers, () => this.eventSpacingMs * this.timeScale);
    const now = (): number => this.now();
    const emit = this.events.emit.bind(this.events);
    const projectId = uuid();
    this.ledger = new Ledger({ now, projectId, initialBalances: options.initialBalances ?? DEFAULT_INITIAL_BALANCES });
    this.invoices = new InvoiceService(this.store, {
      now,
      hostedBase: () => this.listeningUrl,
      emit: (invoiceId, events) => emit('Invoice', invoiceId, events),
      schedule: (fn, ms) => {
        this.timers.set(fn, ms * this.timeScale);
      },
      ledger: this.ledger,
    });
    const highRiskAddresses = new Set((options.highRiskAddresses ?? []).map((a) => a.toLowerCase()));
    this.withdrawals = new WithdrawalService({ now, ledger: this.ledger, emit, highRiskAddresses });
    this.exchangeTransfers = new ExchangeTransferService({ now, ledger: this.ledger });
    this.channels = new ChannelService({ now, hostedBase: () => this.listeningUrl, projectId, ledger: this.ledger, emit });
    this.subscriptions = new SubscriptionService({ now, emit });
    const ctx = this.context();
    this.apiRouteTable = apiRoutes(ctx);
    this.otherRoutes = [...controlRoutes(ctx), ...hostedRoutes(ctx)];
    this.server = new EmulatorHttpServer((req) => this.handle(req, ctx), { ...CRYPTOPAY_SERVER, faults: this.faultGate });
    if (options.faultPlan) this.faultGate.set(options.faultPlan);
  }

  /** Base URL, e.g. http://127.0.0.1:4010 ('' before start()). */
  get url(): string {
    return this.listeningUrl;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<{ url: string; port: number }> {
    const actual = await this.server.listen(port, host);
    this.listeningUrl = baseUrl(host, actual);
    return { url: this.listeningUrl, port: actual };
  }

  /** Closes the server and its sockets, aborts callbacks in flight and cancels every timer. State (invoices, delivery log) stays readable. */
  async stop(): Promise<void> {
    this.dispatcher.stop();
    this.timers.clearAll();
    this.events.clear();
    this.faultGate.clearTimers();
    await this.server.close();
    this.timers.clearAll();
  }

  setCallback(url: string | undefined, secret?: string): void {
    this.callbackUrl = url;
    if (secret !== undefined) this.callbackSecret = secret;
  }

  /**
   * Simulates a payment; resolves with the invoice (final state). Callbacks follow asynchronously.
   * With `confirmAfterSeconds` the invoice first shows the transaction while still `new`, and
   * settles that many real-world seconds later (times timeScale).
   */
  pay(invoiceId: string, scenario: PaymentScenario, options: { confirmAfterSeconds?: number } = {}): Promise<unknown> {
    return settle(() => this.payJson(invoiceId, scenario, options.confirmAfterSeconds));
  }

  /**
   * Simulates coins arriving at a channel address (`amount` in the channel's pay currency,
   * scenario `normal` or `high_risk`); resolves with the ChannelPayment in its final state
   * (completed, or on_hold for high_risk / a disabled channel). Callbacks follow asynchronously.
   */
  payChannel(channelId: string, amount: string | number, scenario: ChannelPaymentScenario = 'normal'): Promise<unknown> {
    return settle(() => this.payChannelJson(channelId, amount, scenario));
  }

  /** Marks the current period of a subscription as paid (callback Subscription `paid`); resolves with the subscription. */
  paySubscription(subscriptionId: string): Promise<unknown> {
    return settle(() => this.paySubscriptionJson(subscriptionId));
  }

  /**
   * Moves a committed coin withdrawal along its lifecycle, synchronously (pending → processing →
   * sent → completed; on_hold, failed, cancelled). `cancelled` credits the charged amount back.
   * Returns the withdrawal as the API shows it; throws ApiError (404, 422) otherwise.
   */
  setWithdrawalStatus(withdrawalId: string, status: ControlWithdrawalStatus): Record<string, unknown> {
    return this.setWithdrawalStatusJson(withdrawalId, status);
  }

  /**
   * Appends `count` consistent ManualBalanceTransaction rows to one account (default EUR),
   * synchronously; 100,000 rows take well under a second.
   */
  seedTransactions(count: number, options: { currency?: string } = {}): SeedResult {
    return this.seedJson(count, options.currency);
  }

  /**
   * **Synchronous**: posts one bank transfer or manual correction to the ledger, with the status
   * given (any text, e.g. `on_hold`, or one no documentation lists). Returns the row as
   * GET /api/transactions shows it; throws ApiError 422 on bad input.
   */
  postMovement(input: MovementInput): Record<string, unknown> {
    return this.ledger.postMovement(input);
  }

  /** Arms a fault for matching /api requests (see README "Fault injection"). Throws ApiError 422 on bad input. */
  injectFault(fault: Fault): FaultJson {
    return this.faultInjector.add(fault);
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

  /** Disarms every fault. */
  clearFaults(): void {
    this.faultInjector.clear();
  }

  /** Currency → balance (decimal string) of every account. */
  balances(): Record<string, string> {
    return this.ledger.balances();
  }

  /** Moves the emulator clock forward (invoice expiry, 14-day cancellation, 30 s commits, Date window, subscription starts). */
  advanceClock(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('advanceClock: seconds must be a finite number >= 0');
    this.clock.advance(seconds);
    this.sweep();
  }

  /** Current emulator time in ms. */
  now(): number {
    return this.clock.now();
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

  /**
   * Forgets invoices, withdrawals, transfers, channels, customers, subscriptions, ledger rows,
   * deliveries, faults, counters, timers and the clock offset; restores the opening balances
   * (account ids and project id stay); keeps options and the callback settings.
   */
  reset(): void {
    this.dispatcher.reset();
    this.timers.clearAll();
    this.events.clear();
    this.store.clear();
    this.invoices.clear();
    this.ledger.reset();
    this.withdrawals.clear();
    this.exchangeTransfers.clear();
    this.channels.clear();
    this.customers.clear();
    this.subscriptions.clear();
    this.faultInjector.clear();
    this.faultGate.set(null);
    this.limiter.reset();
    this.counts.clear();
    this.rateLimitedCount = 0;
    this.clock.reset();
  }

  /** Authenticated API requests seen (for one key, or all). */
  requestCount(apiKey?: string): number {
    if (apiKey !== undefined) return this.counts.get(apiKey) ?? 0;
    let total = 0;
    for (const n of this.counts.values()) total += n;
    return total;
  }

  /** Requests answered 429 by the rate limit (fault-injected 429s not included). */
  rateLimited(): number {
    return this.rateLimitedCount;
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

  private payJson(invoiceId: string, scenario: unknown, confirmAfterSeconds?: unknown): Record<string, unknown> {
    const seconds = confirmAfterSeconds === undefined || confirmAfterSeconds === null ? 0 : Number(confirmAfterSeconds);
    if (!Number.isFinite(seconds) || seconds < 0) throw errors.invalid([{ code: 'must_be_positive', target: 'confirm_after_seconds', message: 'must be a number of seconds >= 0' }]);
    return this.invoices.json(this.invoices.pay(invoiceId, scenario, seconds * 1000));
  }

  private payChannelJson(channelId: string, amount: unknown, scenario: unknown): Record<string, unknown> {
    return channelPaymentJson(this.channels.pay(channelId, amount, scenario));
  }

  private paySubscriptionJson(subscriptionId: string): Record<string, unknown> {
    this.sweep();
    return subscriptionJson(this.subscriptions.pay(subscriptionId));
  }

  private setWithdrawalStatusJson(withdrawalId: string, status: unknown): Record<string, unknown> {
    return this.withdrawals.json(this.withdrawals.setStatus(withdrawalId, status));
  }

  private seedJson(count: unknown, currency: unknown): SeedResult {
    if (currency !== undefined && currency !== null && (typeof currency !== 'string' || currency === '')) {
      throw errors.invalid([{ code: 'must_be_string', target: 'currency', message: 'must be a currency code' }]);
    }
    return this.ledger.seed(typeof count === 'number' ? count : Number.NaN, typeof currency === 'string' ? currency : 'EUR');
  }

  private sweep(): void {
    this.invoices.sweep();
    this.subscriptions.sweep();
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
    if (!this.limiter.tryHit(result.apiKey, this.now())) {
      this.rateLimitedCount += 1;
      throw errors.rateLimited();
    }
    return result.apiKey;
  }

  private handle(req: EmuRequest, ctx: EmulatorContext): EmuResponse | Promise<EmuResponse> {
    if (req.tooLarge) throw errors.payloadTooLarge(this.server.bodyLimit);
    if (req.segments[0] === 'api') {
      const fault = this.faultInjector.take(req.method, req.path);
      if (!fault) return handleApi(ctx, this.apiRouteTable, req);
      if (fault.mode === 'drop_before') return { status: 0, drop: true };
      if (fault.mode === 'status') throw errors.status(fault.status);
      // drop_after_commit: process completely (whatever the outcome), then lose the response
      const dropped = (): EmuResponse => ({ status: 0, drop: true });
      try {
        return Promise.resolve(handleApi(ctx, this.apiRouteTable, req)).then(dropped, dropped);
      } catch {
        return dropped();
      }
    }
    if (req.segments[0] === '_emulator') this.sweep();
    return dispatch(this.otherRoutes, req);
  }

  private context(): EmulatorContext {
    return {
      now: () => this.now(),
      invoices: this.invoices,
      ledger: this.ledger,
      withdrawals: this.withdrawals,
      exchangeTransfers: this.exchangeTransfers,
      channels: this.channels,
      customers: this.customers,
      subscriptions: this.subscriptions,
      authenticate: (req) => this.authenticate(req),
      sweep: () => this.sweep(),
      pay: (id, scenario, confirmAfterSeconds) => this.payJson(id, scenario, confirmAfterSeconds),
      payChannel: (id, amount, scenario) => this.payChannelJson(id, amount, scenario),
      paySubscription: (id) => this.paySubscriptionJson(id),
      setWithdrawalStatus: (id, status) => this.setWithdrawalStatusJson(id, status),
      seedTransactions: (count, currency) => this.seedJson(count, currency),
      injectFault: (fault) => this.faultInjector.add(fault),
      faults: () => this.faultInjector.list(),
      clearFaults: () => this.faultInjector.clear(),
      setFaultPlan: (options) => this.faultGate.set(options),
      faultPlanStats: () => this.faultPlanStats(),
      setCallback: (url, secret) => this.setCallback(url, secret),
      deliveries: () => this.deliveries(),
      redeliverOrNull: (id) => this.dispatcher.redeliver(id),
      advanceClock: (s) => this.advanceClock(s),
      reset: () => this.reset(),
    };
  }
}

/** Runs a synchronous hook and reports its result or ApiError as a promise. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}
