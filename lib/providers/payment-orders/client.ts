/**
 * The CryptoPay payment-orders client: bearer authentication (an API key, or a login with
 * username and password whose token is cached in memory and renewed once on a 401), the
 * `{success, data, message, timestamp}` envelope, DRF field errors as typed GatewayErrors,
 * and page-number pagination. Every request, the login included, leaves through send().
 */
import type { z } from 'zod';
import { GatewayError, InputError, ResponseFormatError, TransportError } from '../../errors';
import type { ErrorDetail } from '../../errors';
import { HttpClient } from '../../http/client';
import { parseJsonOrUndefined } from '../../json';
import type { HttpMethod } from '../../http/client';
import { ReliableClient } from '../../http/reliable';
import { createOrReplay } from '../../replay';
import type { ReplayFields } from '../../replay';
import type { CallContext, ReliabilitySettings, ReliableResponse } from '../../http/reliable';
import { segment, withQuery } from '../../http/query';
import type { QueryValue } from '../../http/query';
import { AutoPager } from '../../pagination';
import {
  errorSchema,
  loginSchema,
  pageSchema,
  paymentOrderSchema,
  successSchema,
  transactionSchema,
  walletSchema,
  webhookEndpointSchema,
} from './schemas';
import type { MerchantWallet, PaymentOrder, PoTransaction, WebhookEndpoint } from './schemas';
import { paymentOrdersHttpPolicy } from './policy';
import { BearerSession } from './session';
import { checkOnly } from '../../check-only';

export const SERVICE = 'CryptoPay payment orders';
const USER_AGENT = 'paywire-node-red (+https://github.com/paywire/node-red-crypto-payments)';

export const PAYMENT_ORDERS_ENVIRONMENTS = { sandbox: 'https://sandbox-api.cryptopay.com' } as const;

export interface PaymentOrdersClientOptions {
  baseUrl: string;
  /** A dashboard API key, sent as the bearer token as it is. */
  apiKey?: string | undefined;
  /** Or log in with these (POST /api/auth/login); the token is renewed once on a 401. */
  username?: string | undefined;
  password?: string | undefined;
  /** The secret new webhook endpoints sign with when the caller gives none (the gateway's). */
  webhookSecret?: string | undefined;
  timeoutMs?: number;
  /** Retry deadline and rate-limit settings from the gateway node. */
  reliability?: ReliabilitySettings | undefined;
}

export type CallOptions = CallContext;

interface RequestOptions extends CallOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Safe to send twice (see ReliableRequest.replaySafe); default: GET and PUT. */
  replaySafe?: boolean;
  /** A list: the answer may also be the bare page `{count, next, previous, results}`, without the envelope. */
  page?: boolean;
}

export interface CreateOrderParams {
  amount: string;
  currency: string;
  blockchain: string;
  /** Sent as JSON text; an object is encoded here. */
  order_info: string | Record<string, unknown> | unknown[];
  nonce: number;
  webhook_url?: string | undefined;
  redirect_url?: string | undefined;
  expires_at?: string | undefined;
}

export interface OrderFilters {
  status?: string | undefined;
  blockchain?: string | undefined;
  currency?: string | undefined;
  nonce?: number | undefined;
  /** Rows per request, 1–100. */
  page_size?: number | undefined;
}

export interface TransactionFilters {
  status?: string | undefined;
  blockchain?: string | undefined;
  order_id?: string | undefined;
  page_size?: number | undefined;
}

export interface WalletFilters {
  blockchain?: string | undefined;
  is_active?: boolean | undefined;
  page_size?: number | undefined;
}

export interface WalletParams {
  blockchain: string;
  address: string;
  label?: string | undefined;
  is_active?: boolean | undefined;
}

export interface WebhookEndpointParams {
  url: string;
  events: string[];
  secret?: string | undefined;
  is_active?: boolean | undefined;
}

export class PaymentOrdersClient {
  private readonly transport: ReliableClient;
  readonly #session: BearerSession;
  readonly #webhookSecret: string | undefined;

  constructor(options: PaymentOrdersClientOptions) {
    const login = Boolean(options.username) && Boolean(options.password);
    if (!options.apiKey && !login) {
      throw new InputError(`${SERVICE} needs an API key (token), or a username and a password`);
    }
    this.transport = new ReliableClient({
      http: new HttpClient({ baseUrl: options.baseUrl, timeoutMs: options.timeoutMs ?? 30_000, serviceName: SERVICE }),
      policy: paymentOrdersHttpPolicy,
      // The quota belongs to the account: the username, or the API key (only a hash is kept).
      identity: options.username || options.apiKey || '',
      settings: options.reliability,
    });
    this.#session = new BearerSession(options, (username, password) => this.login(username, password));
    this.#webhookSecret = options.webhookSecret || undefined;
  }

  // ---- payment orders ----

  /**
   * Sent once: the documentation never says the gateway refuses a reused nonce, so a create
   * whose answer was lost is not sent again automatically; it goes again only when it provably
   * never left this machine (refused connection, unknown host) or was refused with 429. Such
   * a loss is reported with the nonce and how to look the order up.
   */
  async createOrder(params: CreateOrderParams, options: CallOptions = {}): Promise<PaymentOrder> {
    const body = { ...params, order_info: typeof params.order_info === 'string' ? params.order_info : JSON.stringify(params.order_info) };
    try {
      return await this.data('POST', '/api/payment-orders/', paymentOrderSchema, { ...options, body, replaySafe: false });
    } catch (err) {
      throw outcomeUnknown(err, params.nonce);
    }
  }

  /**
   * Creates the order, or, when the gateway refuses the nonce as used (a message sent again
   * after a lost answer), returns the order that nonce made, provided it is the same order
   * (lib/replay.ts; otherwise `idempotency_conflict`).
   */
  async createOrderOnce(params: CreateOrderParams, options: CallOptions = {}): Promise<{ order: PaymentOrder; replayed: boolean }> {
    const { value, replayed } = await createOrReplay({
      provider: SERVICE,
      keyField: 'nonce',
      key: String(params.nonce),
      request: params,
      fields: ORDER_REPLAY,
      describe: (order) => `order ${order.order_id} (${order.amount} ${order.currency} on ${order.blockchain})`,
      create: () => this.createOrder(params, options),
      keyTaken: isNonceTaken,
      findExisting: () => this.findOrderByNonce(params.nonce, options),
    });
    return { order: value, replayed };
  }

  /** The order a nonce made, among the newest 100 (the `nonce` filter narrows it where supported). */
  async findOrderByNonce(nonce: number, options: CallOptions = {}): Promise<PaymentOrder | undefined> {
    const page = await this.orders({ nonce, page_size: 100 }, options).pages().next();
    return page.done ? undefined : page.value.items.find((o) => o.nonce === nonce);
  }

  /** By numeric `id` or by `order_id` (`ORD-…`). */
  order(id: string | number, options: CallOptions = {}): Promise<PaymentOrder> {
    return this.data('GET', `/api/payment-orders/${segment(String(id))}/`, paymentOrderSchema, options);
  }

  orders(filters: OrderFilters = {}, options: CallOptions = {}): AutoPager<PaymentOrder> {
    return this.paged('/api/payment-orders/', paymentOrderSchema, { ...filters }, options);
  }

  // ---- transactions ----

  transactions(filters: TransactionFilters = {}, options: CallOptions = {}): AutoPager<PoTransaction> {
    return this.paged('/api/transactions/', transactionSchema, { ...filters }, options);
  }

  transaction(hash: string, options: CallOptions = {}): Promise<PoTransaction> {
    return this.data('GET', `/api/transactions/${segment(hash)}/`, transactionSchema, options);
  }

  // ---- merchant wallets ----

  wallets(filters: WalletFilters = {}, options: CallOptions = {}): AutoPager<MerchantWallet> {
    return this.paged('/api/merchant-wallets/', walletSchema, { ...filters }, options);
  }

  wallet(id: number, options: CallOptions = {}): Promise<MerchantWallet> {
    return this.data('GET', `/api/merchant-wallets/${id}/`, walletSchema, options);
  }

  addWallet(params: WalletParams, options: CallOptions = {}): Promise<MerchantWallet> {
    return this.data('POST', '/api/merchant-wallets/', walletSchema, { ...options, body: params });
  }

  /** PUT: `blockchain` and `address` always; optional fields left out keep their value. */
  replaceWallet(id: number, params: WalletParams, options: CallOptions = {}): Promise<MerchantWallet> {
    return this.data('PUT', `/api/merchant-wallets/${id}/`, walletSchema, { ...options, body: params });
  }

  // ---- webhook endpoints (their secret is removed from every answer) ----

  webhookEndpoints(filters: { page_size?: number | undefined } = {}, options: CallOptions = {}): AutoPager<WebhookEndpoint> {
    return this.paged('/api/webhook-endpoints/', webhookEndpointSchema, { ...filters }, options, withoutSecret);
  }

  webhookEndpoint(id: number, options: CallOptions = {}): Promise<WebhookEndpoint> {
    return this.data('GET', `/api/webhook-endpoints/${id}/`, webhookEndpointSchema, options).then(withoutSecret);
  }

  /** Without a secret, the endpoint signs with the gateway's webhook secret, so its deliveries verify. */
  createWebhookEndpoint(params: WebhookEndpointParams, options: CallOptions = {}): Promise<WebhookEndpoint> {
    const secret = params.secret ?? this.#webhookSecret;
    if (!secret) {
      throw new InputError(
        `${SERVICE}: set the gateway's webhook secret, or give the endpoint a secret; a secret the gateway made up would never reach you, because secrets are not put on messages`,
      );
    }
    return this.data('POST', '/api/webhook-endpoints/', webhookEndpointSchema, { ...options, body: { ...params, secret } }).then(withoutSecret);
  }

  /** PUT: `url` and `events` always; optional fields left out (the secret too) keep their value. */
  replaceWebhookEndpoint(id: number, params: WebhookEndpointParams, options: CallOptions = {}): Promise<WebhookEndpoint> {
    return this.data('PUT', `/api/webhook-endpoints/${id}/`, webhookEndpointSchema, { ...options, body: params }).then(withoutSecret);
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  // ---- plumbing ----

  private async data<S extends z.ZodType>(method: HttpMethod, path: string, schema: S, options: RequestOptions): Promise<z.infer<S>> {
    const data = await this.call(method, path, options);
    const parsed = checkOnly(schema).safeParse(data);
    if (!parsed.success) throw formatError(method, path, parsed.error.issues[0]);
    // The gateway's object unchanged, not zod's copy.
    return data as z.infer<S>;
  }

  /** Page after page by `page` number while the answer has a `next` link. */
  private paged<S extends z.ZodType>(
    path: string,
    itemSchema: S,
    filters: Record<string, QueryValue>,
    options: CallOptions,
    map: (item: z.infer<S>) => z.infer<S> = (item) => item,
  ): AutoPager<z.infer<S>> {
    return new AutoPager<z.infer<S>>(async (previous) => {
      const page = typeof previous?.nextCursor === 'number' ? previous.nextCursor : 1;
      const target = withQuery(path, { ...filters, page: page === 1 ? undefined : page });
      const data = await this.call('GET', target, { ...options, page: true });
      const parsed = pageSchema.safeParse(data);
      if (!parsed.success) throw formatError('GET', path, parsed.error.issues[0]);
      const items = parsed.data.results.map((item, i) => {
        const row = checkOnly(itemSchema).safeParse(item);
        if (!row.success) throw formatError('GET', path, { path: ['results', i, ...row.error.issues[0]!.path], message: row.error.issues[0]!.message });
        return map(item as z.infer<S>);
      });
      const hasMore = parsed.data.next !== null;
      return { items, hasMore, total: parsed.data.count, nextCursor: hasMore ? page + 1 : null };
    });
  }

  /** An authenticated call: the envelope's `data`. A 401 renews a login token once and retries. */
  private async call(method: HttpMethod, target: string, options: RequestOptions): Promise<unknown> {
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body), 'utf8');
    const replaySafe = options.replaySafe ?? (method === 'GET' || method === 'PUT');
    let token = await this.#session.current();
    let res = await this.send(method, target, body, token, replaySafe, options);
    if (res.status === 401) {
      // Nothing was done for a 401, so sending the same request again is safe (creates too).
      const renewed = await this.#session.renew(token);
      if (renewed !== undefined) {
        token = renewed;
        res = await this.send(method, target, body, token, replaySafe, options);
      }
    }
    if (res.status === 401) {
      throw toPaymentOrdersError(res.status, res.body.toString('utf8'), this.#session.isApiKey(token) ? 'check the API key (token) on the gateway' : 'check the username and password on the gateway');
    }
    return envelopeData(method, target, res, options.page === true);
  }

  private async login(username: string, password: string): Promise<string> {
    const path = '/api/auth/login';
    const body = Buffer.from(JSON.stringify({ username, password }), 'utf8');
    // Logging in twice only issues another token.
    const res = await this.send('POST', path, body, undefined, true, {});
    if (res.status === 401) throw toPaymentOrdersError(res.status, res.body.toString('utf8'), 'check the username and password on the gateway');
    const parsed = loginSchema.safeParse(envelopeData('POST', path, res, false));
    const token = parsed.success ? (parsed.data.token ?? parsed.data.access_token ?? parsed.data.key) : undefined;
    if (!token) throw new ResponseFormatError(`${SERVICE} answered POST ${path} without a token`, res.status);
    return token;
  }

  /**
   * The one way out to the gateway, for the login and every call: through the shared rate
   * limiter (driven by the X-RateLimit-* headers of each answer) and the retry loop.
   */
  private send(method: HttpMethod, target: string, body: Buffer | undefined, token: string | undefined, replaySafe: boolean, ctx: CallContext): Promise<ReliableResponse> {
    return this.transport.send({ method, target, replaySafe, prepare: () => ({ headers: headersFor(method, body, token), body }), signal: ctx.signal, onWait: ctx.onWait, expectJson: true });
  }
}

function headersFor(method: HttpMethod, body: Buffer | undefined, token: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': USER_AGENT };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body) headers['content-type'] = 'application/json';
  else if (method !== 'GET') headers['content-length'] = '0';
  return headers;
}

/**
 * The envelope's `data`. For a list, the bare page `{count, next, previous, results}` is taken
 * as it is too: the documentation shows the page but not whether it sits inside the envelope.
 */
function envelopeData(method: string, target: string, res: ReliableResponse, page: boolean): unknown {
  const text = res.body.toString('utf8');
  if (res.status < 200 || res.status >= 300) throw toPaymentOrdersError(res.status, text);
  let json: unknown = res.json;
  try {
    json ??= JSON.parse(text);
  } catch {
    throw new ResponseFormatError(`${SERVICE} answered ${method} ${pathOf(target)} with invalid JSON`, res.status);
  }
  const envelope = successSchema.safeParse(json);
  if (envelope.success) return envelope.data.data;
  if (page && pageSchema.safeParse(json).success) return json;
  throw formatError(method, target, envelope.error.issues[0]);
}

const pathOf = (target: string): string => target.split('?')[0] ?? target;

function formatError(method: string, target: string, issue: { path: readonly PropertyKey[]; message: string } | undefined): ResponseFormatError {
  const where = issue?.path.length ? `${issue.path.map(String).join('.')}: ` : '';
  return new ResponseFormatError(`${SERVICE} answered ${method} ${pathOf(target)} with an unexpected shape (${where}${issue?.message ?? 'invalid'})`, 200);
}

function withoutSecret(endpoint: WebhookEndpoint): WebhookEndpoint {
  const copy: Record<string, unknown> = { ...endpoint };
  delete copy.secret;
  return copy as WebhookEndpoint;
}

function isNonceTaken(err: unknown): err is GatewayError {
  return err instanceof GatewayError && err.httpStatus === 400 && err.details.some((d) => d.field === 'nonce' && /already exists/i.test(d.message));
}

/** What a replayed order must match: the amount, the currency and the chain. */
const ORDER_REPLAY: ReplayFields<CreateOrderParams, PaymentOrder> = [
  { name: 'amount', as: 'decimal', requested: (p) => p.amount, existing: (o) => o.amount },
  { name: 'currency', as: 'code', requested: (p) => p.currency, existing: (o) => o.currency },
  { name: 'blockchain', as: 'code', requested: (p) => p.blockchain, existing: (o) => o.blockchain },
];

/**
 * A create that may have reached the gateway without its answer reaching us (the connection
 * broke after sending, a timeout, a 5xx): the order may exist. The error keeps its code and says
 * which nonce to look for, and where.
 */
function outcomeUnknown(err: unknown, nonce: number): unknown {
  const lookUp =
    `The order may have been created: look it up before sending this message again, with "List payment orders" (paywire-invoice) and nonce ${nonce} ` +
    '(msg.payload.nonce of this message). Sending the same message again reports that order if the gateway refuses the used nonce.';
  if (err instanceof TransportError && err.sent) {
    return new TransportError(err.code, `${err.message}. ${lookUp}`, { cause: err, sent: true });
  }
  if (err instanceof GatewayError && err.httpStatus >= 500) {
    return new GatewayError({ provider: SERVICE, httpStatus: err.httpStatus, code: err.code, message: err.gatewayMessage, details: err.details, attempts: err.attempts, note: lookUp });
  }
  // A 2xx we cannot read: the order exists, but which one we cannot say.
  if (err instanceof ResponseFormatError && err.httpStatus >= 200 && err.httpStatus < 300) return new ResponseFormatError(`${err.message}. ${lookUp}`, err.httpStatus);
  return err;
}

/**
 * Codes for answers without the error envelope, in the gateway's own spelling (only
 * VALIDATION_ERROR is documented; the others are the names the gateway's DRF origin suggests).
 */
const STATUS_CODES: ReadonlyMap<number, string> = new Map([
  [400, 'VALIDATION_ERROR'],
  [401, 'AUTHENTICATION_ERROR'],
  [403, 'PERMISSION_DENIED'],
  [404, 'NOT_FOUND'],
  [405, 'METHOD_NOT_ALLOWED'],
  [429, 'RATE_LIMIT_EXCEEDED'],
]);

/** DRF field errors (`{"field": ["message", …]}`) as one detail per message. */
export function fieldDetails(details: unknown): ErrorDetail[] {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return [];
  return Object.entries(details as Record<string, unknown>).flatMap(([field, messages]) => {
    const list = Array.isArray(messages) ? messages : [messages];
    return list
      .filter((m): m is string => typeof m === 'string')
      .map((message) => ({
        code: /^This field is required\.?$/.test(message) ? 'required' : 'invalid',
        ...(field === 'non_field_errors' ? {} : { field }),
        message,
      }));
  });
}

/** The error envelope as a GatewayError with the gateway's code verbatim (`VALIDATION_ERROR`), so flows branch on what the gateway documents. */
export function toPaymentOrdersError(status: number, text: string, hint?: string): GatewayError {
  const json = parseJsonOrUndefined(text);
  const parsed = errorSchema.safeParse(json);
  const suffix = hint ? ` (${hint})` : '';
  if (!parsed.success) {
    return new GatewayError({ provider: SERVICE, httpStatus: status, code: STATUS_CODES.get(status) ?? `http_${status}`, message: `the answer had no error envelope${suffix}` });
  }
  const { code, message, details } = parsed.data.error;
  return new GatewayError({
    provider: SERVICE,
    httpStatus: status,
    code,
    message: `${message ?? code}${suffix}`,
    details: fieldDetails(details),
  });
}
