/**
 * The Cryptopay API client: signs each request over the exact bytes it sends, validates
 * answers with zod, and turns error envelopes into GatewayError. Credentials stay in
 * private fields and never appear in errors.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { GatewayError, ResponseFormatError } from '../../errors';
import type { ErrorDetail } from '../../errors';
import { HttpClient } from '../../http/client';
import { parseJsonOrUndefined } from '../../json';
import { ownValue } from '../../lookup';
import type { HttpMethod } from '../../http/client';
import { withQuery } from '../../http/query';
import type { QueryValue } from '../../http/query';
import { ReliableClient } from '../../http/reliable';
import type { CallContext, PreparedAttempt, ReliabilitySettings } from '../../http/reliable';
import type { Clock } from '../../http/clock';
import { cryptopayHttpPolicy } from './policy';
import { errorEnvelopeSchema, listMetaSchema } from './schemas';
import { CONTENT_TYPE, authorizationHeader } from './signing';
import { InvoicesResource } from './invoices';
import {
  AccountsResource,
  ChannelsResource,
  CoinsResource,
  CoinWithdrawalsResource,
  CustomersResource,
  ExchangeTransfersResource,
  RatesResource,
  RisksResource,
  SubscriptionsResource,
  TransactionsResource,
} from './resources';
import { AutoPager } from '../../pagination';
import { checkOnly } from '../../check-only';

export const CRYPTOPAY_ENVIRONMENTS = {
  sandbox: 'https://business-sandbox.cryptopay.me',
  production: 'https://business.cryptopay.me',
} as const;

export const USER_AGENT = 'Paywire (+https://github.com/paywire/node-red-crypto-payments)';

export interface CryptopayClientOptions {
  apiKey: string;
  apiSecret: string;
  baseUrl: string;
  timeoutMs?: number;
  /** Clock for the Date header; tests use it to exercise the server's Date window. */
  now?: () => Date;
  /** Retries, deadline and rate limit (defaults: 90 s deadline, 200 requests a minute per key). */
  reliability?: ReliabilitySettings | undefined;
  /** Clock and randomness of the retry and rate-limit waits, for tests. */
  clock?: Clock | undefined;
  random?: (() => number) | undefined;
}

export interface RequestOptions extends CallContext {
  query?: Record<string, QueryValue>;
  /** JSON body; omitted for body-less POSTs (commit, cancel), which sign an empty MD5. */
  body?: unknown;
  /** Safe to send twice (see ReliableRequest.replaySafe); default: only GETs. */
  replaySafe?: boolean | undefined;
}

export interface ListResult<T> {
  data: T[];
  meta?: { total: number; has_more: boolean } | undefined;
}

export type CallOptions = CallContext;

export class CryptopayClient {
  readonly invoices: InvoicesResource;
  readonly coinWithdrawals: CoinWithdrawalsResource;
  readonly transactions: TransactionsResource;
  readonly accounts: AccountsResource;
  readonly channels: ChannelsResource;
  readonly customers: CustomersResource;
  readonly subscriptions: SubscriptionsResource;
  readonly exchangeTransfers: ExchangeTransfersResource;
  readonly rates: RatesResource;
  readonly coins: CoinsResource;
  readonly risks: RisksResource;
  private readonly transport: ReliableClient;
  readonly #apiKey: string;
  readonly #apiSecret: string;
  private readonly now: () => Date;

  constructor(options: CryptopayClientOptions) {
    if (!options.apiKey || !options.apiSecret) {
      throw new TypeError('Cryptopay needs an API key and an API secret');
    }
    this.#apiKey = options.apiKey;
    this.#apiSecret = options.apiSecret;
    this.now = options.now ?? (() => new Date());
    this.transport = new ReliableClient({
      http: new HttpClient({ baseUrl: options.baseUrl, timeoutMs: options.timeoutMs ?? 30_000, serviceName: 'Cryptopay' }),
      policy: cryptopayHttpPolicy,
      identity: options.apiKey,
      settings: options.reliability,
      clock: options.clock,
      random: options.random,
    });
    this.invoices = new InvoicesResource(this);
    this.coinWithdrawals = new CoinWithdrawalsResource(this);
    this.transactions = new TransactionsResource(this);
    this.accounts = new AccountsResource(this);
    this.channels = new ChannelsResource(this);
    this.customers = new CustomersResource(this);
    this.subscriptions = new SubscriptionsResource(this);
    this.exchangeTransfers = new ExchangeTransfersResource(this);
    this.rates = new RatesResource(this);
    this.coins = new CoinsResource(this);
    this.risks = new RisksResource(this);
  }

  /** Sends a signed request and returns the parsed `data` of the envelope. */
  async request<S extends z.ZodType>(method: HttpMethod, path: string, schema: S, options: RequestOptions = {}): Promise<z.infer<S>> {
    const json = await this.send(method, path, options);
    return parseData(json, schema, method, path);
  }

  /** Like request(), for list endpoints: `data` is an array, `meta` may be absent. */
  async requestList<S extends z.ZodType>(
    method: HttpMethod,
    path: string,
    itemSchema: S,
    options: RequestOptions = {},
  ): Promise<ListResult<z.infer<S>>> {
    const json = await this.send(method, path, options);
    const envelope = json as { data?: unknown; meta?: unknown };
    if (!Array.isArray(envelope.data)) throw formatError(method, path, 'data is not a list');
    const data = envelope.data.map((item, i) => {
      const parsed = checkOnly(itemSchema).safeParse(item);
      if (!parsed.success) throw formatError(method, path, `item ${i}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      // Hand back the gateway's object unchanged, not zod's copy.
      return item as z.infer<S>;
    });
    let meta: ListResult<unknown>['meta'];
    if (envelope.meta !== undefined && envelope.meta !== null) {
      const parsedMeta = listMetaSchema.safeParse(envelope.meta);
      if (!parsedMeta.success) throw formatError(method, path, 'meta is not {total, has_more}');
      meta = { total: parsedMeta.data.total, has_more: parsedMeta.data.has_more };
    }
    return { data, meta };
  }

  /**
   * Every item of a cursor-paginated list (50 per page, newest first), fetched page by page
   * with `starting_after` = the last id seen.
   */
  paginate<S extends z.ZodType<{ id: string }>>(path: string, itemSchema: S, filters: Record<string, QueryValue>, options: CallOptions = {}): AutoPager<z.infer<S>> {
    return new AutoPager<z.infer<S>>(async (previous) => {
      const last = previous?.items[previous.items.length - 1];
      const page = await this.requestList('GET', path, itemSchema, {
        ...options,
        query: { ...filters, ...(last ? { starting_after: last.id } : {}) },
      });
      return { items: page.data, hasMore: page.meta?.has_more ?? false, total: page.meta?.total };
    });
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  private async send(method: HttpMethod, path: string, options: RequestOptions): Promise<unknown> {
    const target = withQuery(path, options.query ?? {});
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body), 'utf8');
    const res = await this.transport.send({
      method,
      target,
      replaySafe: options.replaySafe ?? method === 'GET',
      prepare: () => this.sign(method, target, body),
      signal: options.signal,
      onWait: options.onWait,
      expectJson: true,
    });
    if (res.json !== undefined) return res.json;
    const text = res.body.toString('utf8');
    if (res.status >= 200 && res.status < 300) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new ResponseFormatError(`Cryptopay answered ${method} ${path} with invalid JSON`, res.status);
      }
    }
    throw toGatewayError(res.status, text, res.attempts);
  }

  /** One attempt's headers, dated now: each retry is signed afresh. */
  private sign(method: HttpMethod, target: string, body: Buffer | undefined): PreparedAttempt {
    const date = this.now().toUTCString();
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPE,
      accept: 'application/json',
      date,
      'user-agent': USER_AGENT,
      authorization: authorizationHeader(this.#apiKey, this.#apiSecret, {
        method,
        target: this.transport.pathPrefix + target,
        body,
        contentType: CONTENT_TYPE,
        date,
      }),
    };
    if (!body) headers['content-length'] = '0';
    return { headers, body };
  }
}

function parseData<S extends z.ZodType>(json: unknown, schema: S, method: string, path: string): z.infer<S> {
  const data = (json as { data?: unknown } | null)?.data;
  const parsed = checkOnly(schema).safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw formatError(method, path, `${where}${issue?.message ?? 'invalid'}`);
  }
  return data as z.infer<S>;
}

function formatError(method: string, path: string, problem: string): ResponseFormatError {
  return new ResponseFormatError(`Cryptopay answered ${method} ${path} with an unexpected shape (${problem})`, 200);
}

/** What Cryptopay's detail codes mean for a payout, said plainly (reference §8.3). */
const DETAIL_HINTS: Record<string, string> = {
  must_be_less_than_or_equal: 'insufficient balance, or above the per-transaction maximum',
  must_be_greater_than_or_equal: 'below the minimum payout',
  invalid_coin_address: 'not a valid address for this currency and network',
};

export function toGatewayError(status: number, text: string, attempts?: number): GatewayError {
  const json = parseJsonOrUndefined(text);
  const parsed = errorEnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    return new GatewayError({
      provider: 'Cryptopay',
      httpStatus: status,
      code: `http_${status}`,
      message: status === 429 ? 'rate limit exceeded' : 'the answer had no error envelope',
      attempts,
    });
  }
  const { error, meta } = parsed.data;
  const details: ErrorDetail[] = (error.details ?? []).map((d) => {
    const code = d.code ?? 'invalid';
    const message = d.message ?? code;
    const hint = ownValue(DETAIL_HINTS, code);
    return {
      code,
      ...(d.target ? { field: d.target } : {}),
      message: hint ? `${message} (${hint})` : message,
      ...(d.args ? { args: d.args } : {}),
    };
  });
  return new GatewayError({
    provider: 'Cryptopay',
    httpStatus: status,
    code: error.code,
    message: error.message ?? error.code,
    details,
    requestId: meta?.request_id,
    attempts,
  });
}

/** Generates a merchant reference for requests that need one to be idempotent. */
export function generateCustomId(): string {
  return `pw-${randomUUID()}`;
}
