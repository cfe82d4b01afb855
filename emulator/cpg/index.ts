// Local emulator of CPG ("Crypto Payment Gateway", /v1; shared/reference/cpg.md): HMAC request
// auth with its checks in order, the {success, message, data} envelope, Pydantic-style validation
// messages, deposit addresses and requests, withdrawals, transactions in cursor pages, balances,
// currencies, hot wallets, signed webhooks with the documented retry schedule, and controls that
// play the chain and the dashboard. A second, independent implementation: nothing from lib/.
import { Decimal } from '../shared/decimal';
import { TimerRegistry } from '../shared/timers';
import type { EmulatorRequest, EmulatorResponse } from '../shared/http';
import { EmulatorHttpServer } from '../shared/http';
import { EmulatorClock, baseUrl } from '../shared/clock';
import { FaultGate } from '../shared/faults';
import type { FaultPlan, FaultPlanOptions, FaultPlanStats } from '../shared/faults';
import { nonNegative } from '../shared/options';
import type { WebhookEmulatorHandles } from '../shared/options';
import type { ApiRoute } from './api';
import { apiRoutes, findRoute } from './api';
import { Authenticator } from './auth';
import { Balances, DEFAULT_INITIAL_BALANCES } from './balances';
import { NETWORKS, findCurrency, hasHotWallet, isListed, newAddress } from './catalog';
import type { ControlTarget } from './controls';
import { handleControl } from './controls';
import type { SimulatedDeposit } from './deposits';
import { DEFAULT_DISPLAY_TTL_SECONDS, DepositService } from './deposits';
import { CpgError, cpgErrors, toErrorResponse } from './envelope';
import type { ApiKey, ApiKeySpec, PublicKey } from './keys';
import { DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, DEFAULT_RATE_LIMIT_PER_MIN, KeyStore, normalizeIp } from './keys';
import { EpochMinuteCounter } from './ratelimit';
import type { SeedSpec } from './seed';
import { seedTransactions } from './seed';
import { TransactionLog } from './transactions';
import type { WebhookDelivery, WebhookEndpoint, WebhookEvent, WebhookSpec } from './webhooks';
import { WebhookDispatcher } from './webhooks';
import { WithdrawalService } from './withdrawals';
import type { WithdrawalReplayShape } from './withdrawals';

export { PERMISSIONS, DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, DEFAULT_RATE_LIMIT_PER_MIN } from './keys';
export type { ApiKey, ApiKeySpec, Permission, PublicKey } from './keys';
export { canonicalRequest, signRequest, sha256Hex, TIMESTAMP_WINDOW_SECONDS } from './auth';
export { WEBHOOK_EVENTS, RETRY_DELAYS_SECONDS, MAX_ATTEMPTS, webhookSignature } from './webhooks';
export type { WebhookDelivery, WebhookEndpoint, WebhookEvent, WebhookSpec, DeliveryAttempt, DeliveryState } from './webhooks';
export { DEFAULT_INITIAL_BALANCES } from './balances';
export { CURRENCIES, NETWORKS } from './catalog';
export { CpgError } from './envelope';
export type { SimulatedDeposit } from './deposits';
export type { WithdrawalReplayShape } from './withdrawals';
export type { SeedSpec } from './seed';

export const DEFAULT_WEBHOOK_SECRET = 'cpg-emu-webhook-secret';
export const DEFAULT_PORT = 4020;

export interface CpgEmulatorOptions {
  /** A seeded fault plan on from the start (see setFaultPlan()). */
  faultPlan?: FaultPlanOptions;
  /** API keys; default one key (DEFAULT_KEY_ID / DEFAULT_KEY_SECRET) with every permission. */
  keys?: ApiKeySpec[];
  /** Webhooks registered at start (the real API has no endpoint for this; see registerWebhook()). */
  webhooks?: WebhookSpec[];
  /** Multiplies webhook retry delays and the delivery timeout. 1 = real time. */
  timeScale?: number;
  /** Per delivery attempt, real ms; default 10 s × timeScale, never below 1 s. */
  webhookTimeoutMs?: number;
  /** Base clock in ms; default Date.now. advanceClock() offsets are added on top. */
  now?: () => number;
  /** "CUR/NET" → decimal string; default DEFAULT_INITIAL_BALANCES. */
  initialBalances?: Record<string, string>;
  /** How long a deposit address is shown (display_expires_at); default 3 h. */
  displayTtlSeconds?: number;
  /** The global per-IP backstop in front of authentication, per epoch minute; 0 (default) = off. */
  ipRateLimitPerMin?: number;
  /**
   * How a replayed withdrawal client_reference is answered: 'first-answer' (default, the POST
   * answer unchanged) or 'stored-withdrawal' (the withdrawal in the GET shape, other field names).
   */
  withdrawalReplayShape?: WithdrawalReplayShape;
  /**
   * Default true: reusing idempotency_key or client_reference with another body is a 409. False:
   * the key alone decides and the first result is replayed (a gateway that does not compare).
   */
  replayChecksBody?: boolean;
}

export type CpgEmulatorHandles = WebhookEmulatorHandles;

export class CpgEmulator implements ControlTarget {
  private readonly clock: EmulatorClock;
  private readonly timers = new TimerRegistry();
  private readonly keyStore: KeyStore;
  private readonly auth: Authenticator;
  private readonly perIp = new EpochMinuteCounter();
  private readonly ipRateLimitPerMin: number;
  private authDown = false;
  private readonly log = new TransactionLog();
  private readonly balanceBook: Balances;
  private readonly hotWallets = new Map<string, string>();
  private readonly deposits: DepositService;
  private readonly withdrawals: WithdrawalService;
  private readonly dispatcher: WebhookDispatcher;
  private readonly routes: ApiRoute[];
  private readonly server: EmulatorHttpServer;
  private readonly faultGate = new FaultGate(/^\/v1\//, (status, retryAfter) => {
    const nowS = Math.floor(this.now() / 1000);
    const err = status === 429 ? cpgErrors.rateLimited() : new CpgError(503, 'Service temporarily unavailable');
    const rate: Record<string, string> = status === 429 ? { 'X-RateLimit-Limit': String(DEFAULT_RATE_LIMIT_PER_MIN), 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(nowS + Math.max(1, retryAfter)) } : {};
    return { headers: { 'Content-Type': 'application/json', 'Retry-After': String(retryAfter), ...rate }, body: JSON.stringify(err.response().json) };
  });
  private listeningUrl = '';

  constructor(options: CpgEmulatorOptions = {}) {
    this.clock = new EmulatorClock(options.now);
    const now = (): number => this.clock.now();
    const timeScale = nonNegative(options.timeScale, 1, 'timeScale');
    this.ipRateLimitPerMin = Math.floor(nonNegative(options.ipRateLimitPerMin, 0, 'ipRateLimitPerMin'));
    this.keyStore = new KeyStore(options.keys ?? [{ keyId: DEFAULT_KEY_ID, secret: DEFAULT_KEY_SECRET }]);
    this.auth = new Authenticator({ keys: this.keyStore, now, authUnavailable: () => this.authDown });
    this.balanceBook = new Balances(options.initialBalances ?? DEFAULT_INITIAL_BALANCES, now);
    // One hot wallet per network with an enabled currency, kept across reset().
    for (const n of NETWORKS) if (hasHotWallet(n.code)) this.hotWallets.set(n.code, newAddress(n.family));
    const hotWallet = (network: string): string => this.hotWallets.get(network) ?? '';
    this.dispatcher = new WebhookDispatcher({
      timers: this.timers,
      now,
      timeScale,
      timeoutMs: options.webhookTimeoutMs ?? Math.max(1000, 10_000 * timeScale),
    });
    for (const spec of options.webhooks ?? []) this.dispatcher.register(spec);
    const emit = (event: WebhookEvent, data: Record<string, unknown>): void => {
      this.dispatcher.emit(event, data);
    };
    const displayTtlSeconds = nonNegative(options.displayTtlSeconds, DEFAULT_DISPLAY_TTL_SECONDS, 'displayTtlSeconds');
    const replayChecksBody = options.replayChecksBody ?? true;
    this.deposits = new DepositService({ now, log: this.log, balances: this.balanceBook, hotWallet, emit, displayTtlSeconds, replayChecksBody });
    this.withdrawals = new WithdrawalService({ now, log: this.log, balances: this.balanceBook, hotWallet, emit, replayShape: options.withdrawalReplayShape, replayChecksBody });
    this.routes = apiRoutes({ now, deposits: this.deposits, withdrawals: this.withdrawals, log: this.log, balances: this.balanceBook, hotWallet });
    this.server = new EmulatorHttpServer((req) => this.handle(req), {
      fallback: toErrorResponse,
      baseHeaders: { 'Cache-Control': 'no-store', Vary: 'Accept, Authorization' },
      jsonContentType: 'application/json',
      faults: this.faultGate,
    });
    if (options.faultPlan) this.faultGate.set(options.faultPlan);
  }

  /** Base URL, e.g. http://127.0.0.1:4020 ('' before start()); the API is under /v1. */
  get url(): string {
    return this.listeningUrl;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<{ url: string; port: number }> {
    const actual = await this.server.listen(port, host);
    this.listeningUrl = baseUrl(host, actual);
    return { url: this.listeningUrl, port: actual };
  }

  /** Closes the server and its sockets, aborts webhooks in flight, cancels every timer; state stays readable. */
  async stop(): Promise<void> {
    this.dispatcher.stop();
    this.timers.clearAll();
    this.faultGate.clearTimers();
    await this.server.close();
    this.timers.clearAll();
  }

  /** Current emulator time (ms). */
  now(): number {
    return this.clock.now();
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

  /** Moves the emulator clock forward (timestamp window, epoch-minute buckets, display expiry). */
  advanceClock(seconds: number): void {
    this.clock.advance(seconds);
  }

  /**
   * Forgets deposit requests, withdrawals, transactions, deliveries, idempotency keys, the replay
   * cache, rate-limit buckets and the clock offset; restores the opening balances. Keys, webhooks
   * and hot wallets stay (they are the account's configuration).
   */
  reset(): void {
    this.faultGate.set(null);
    this.dispatcher.reset();
    this.timers.clearAll();
    this.deposits.clear();
    this.withdrawals.clear();
    this.log.clear();
    this.balanceBook.reset();
    this.auth.reset();
    this.perIp.reset();
    this.authDown = false;
    this.clock.reset();
  }

  // ---- the dashboard ----

  /** Adds or replaces an API key; returns it with its secret. Throws RangeError for bad values. */
  addKey(spec: ApiKeySpec): ApiKey {
    return this.keyStore.add(spec);
  }

  revokeKey(keyId: string): void {
    if (!this.keyStore.revoke(keyId)) throw cpgErrors.notFound('API key not found');
  }

  keys(): PublicKey[] {
    return this.keyStore.list();
  }

  /** Registers a webhook URL with its own signing secret (generated when absent) and events (default all six). */
  registerWebhook(spec: WebhookSpec): WebhookEndpoint {
    return this.dispatcher.register(spec);
  }

  unregisterWebhook(id: number): void {
    if (!this.dispatcher.unregister(id)) throw cpgErrors.notFound('Webhook not found');
  }

  webhooks(): Array<Omit<WebhookEndpoint, 'secret'>> {
    return this.dispatcher.endpoints();
  }

  /** The delivery log: one row per event and webhook, with every attempt. */
  deliveries(): WebhookDelivery[] {
    return this.dispatcher.list();
  }

  /** Resolves when `test` holds for the delivery log (default: `count` delivered); rejects after timeoutMs. */
  waitForDeliveries(count: number, timeoutMs = 10_000, test?: (list: WebhookDelivery[]) => boolean): Promise<WebhookDelivery[]> {
    const check = test ?? ((list: WebhookDelivery[]) => list.filter((d) => d.state === 'delivered').length >= count);
    return this.dispatcher.waitFor(check, timeoutMs, test ? 'the delivery condition' : `${count} delivered webhooks`);
  }

  /** Sends a logged delivery again now (same id and body, fresh timestamp and signature); resolves after the attempt. */
  redeliver(id: number): Promise<WebhookDelivery> {
    return this.dispatcher.redeliver(id) ?? Promise.reject(cpgErrors.notFound('Delivery not found'));
  }

  /** While down, authenticated requests get 503 "Authentication service temporarily unavailable". */
  setAuthServiceDown(down: boolean): void {
    this.authDown = down;
  }

  // ---- the chain ----

  /** A transfer to a deposit address is seen (below the confirmations needed): deposit.detected. */
  simulateDeposit(input: SimulatedDeposit): Record<string, unknown> {
    return this.deposits.simulate(input);
  }

  /** The transfer reaches its confirmations; the balance is credited: deposit.confirmed. */
  confirmDeposit(txHash: string): Record<string, unknown> {
    return this.deposits.confirm(txHash);
  }

  /** The confirmed deposit is moved to the receiving wallet: deposit.swept. */
  sweepDeposit(txHash: string): Record<string, unknown> {
    return this.deposits.sweep(txHash);
  }

  /** The withdrawal reaches its confirmations; amount + fee leave the balance: withdrawal.confirmed. */
  confirmWithdrawal(id: number): Record<string, unknown> {
    return this.withdrawals.confirm(id);
  }

  /** The withdrawal is rejected by the network; the hold is released: withdrawal.failed. */
  failWithdrawal(id: number, errorMessage?: string): Record<string, unknown> {
    return this.withdrawals.fail(id, errorMessage);
  }

  /** Balance rows as GET /v1/balances shows them. */
  balances(): Array<Record<string, unknown>> {
    return this.balanceBook.json();
  }

  /** Adds funds to a balance (as a deposit would, without a transaction row). */
  credit(currency: string, network: string, amount: string): Array<Record<string, unknown>> {
    const info = findCurrency(currency, network);
    if (!info || !isListed(info)) throw new RangeError(`currency/network: ${currency} on ${network} is not enabled`);
    const value = Decimal.parse(amount);
    if (!value || !value.isPositive()) throw new RangeError('amount: must be a decimal > 0');
    this.balanceBook.credit(currency, network, value);
    return this.balances();
  }

  /** Appends confirmed ledger-only transaction rows (see seed.ts). */
  seedTransactions(spec: SeedSpec): { count: number; first_id: number; last_id: number } {
    return seedTransactions(this.log, spec, this.now(), (n) => this.hotWallets.get(n) ?? '');
  }

  /** Correctly signed API requests seen (for one key, or all). */
  requestCount(keyId?: string): number {
    return this.auth.requestCount(keyId);
  }

  /** What is still open: for tests asserting that stop() leaves nothing behind. */
  handles(): CpgEmulatorHandles {
    return {
      listening: this.server.listening,
      openSockets: this.server.openSockets,
      timers: this.timers.size,
      inFlightWebhooks: this.dispatcher.inFlightCount,
    };
  }

  private async handle(req: EmulatorRequest): Promise<EmulatorResponse> {
    try {
      if (req.path === '/_emulator' || req.path.startsWith('/_emulator/')) return await handleControl(this, req);
      if (req.tooLarge) throw cpgErrors.payloadTooLarge();
      if (req.path !== '/v1' && !req.path.startsWith('/v1/')) throw cpgErrors.notFound();
      this.backstop(req);
      // The HMAC middleware runs before routing; the permission is the endpoint's own check (8).
      const key = this.auth.check(req);
      const { route, params } = findRoute(this.routes, req);
      if (route.permission !== null && !key.permissions.includes(route.permission)) throw cpgErrors.forbidden();
      return route.handle(req, params, key);
    } catch (err) {
      return toErrorResponse(err);
    }
  }

  /** The global per-IP limit in front of authentication, which (unlike the per-key one) sends rate headers. */
  private backstop(req: EmulatorRequest): void {
    if (this.ipRateLimitPerMin <= 0) return;
    const nowMs = this.now();
    const d = this.perIp.hit(normalizeIp(req.remoteAddress), this.ipRateLimitPerMin, nowMs);
    if (d.allowed) return;
    throw new CpgError(429, 'Too many requests', {
      'Retry-After': String(Math.max(1, d.reset - Math.floor(nowMs / 1000))),
      'X-RateLimit-Limit': String(this.ipRateLimitPerMin),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(d.reset),
    });
  }
}
