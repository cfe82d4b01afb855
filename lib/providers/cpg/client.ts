/**
 * The CPG ("Crypto Payment Gateway") REST client: HMAC-SHA256 `X-CPG-*` headers with a fresh
 * timestamp and signature on every attempt (the server refuses a signature it has seen),
 * the `{success, message, data}` envelope, and errors `{success:false, message}` as typed
 * GatewayErrors whose code a flow can branch on.
 */
import type { z } from 'zod';
import { GatewayError, ResponseFormatError } from '../../errors';
import type { ErrorDetail } from '../../errors';
import { HttpClient } from '../../http/client';
import { parseJsonOrUndefined } from '../../json';
import type { HttpMethod } from '../../http/client';
import { buildQuery, segment } from '../../http/query';
import type { QueryValue } from '../../http/query';
import { ReliableClient, carriesKey } from '../../http/reliable';
import type { CallContext, PreparedAttempt, ReliabilitySettings } from '../../http/reliable';
import type { Clock } from '../../http/clock';
import { cpgHttpPolicy } from './policy';
import { AutoPager } from '../../pagination';
import {
  balanceSchema,
  currencySchema,
  depositAddressSchema,
  depositRequestSchema,
  envelopeSchema,
  errorSchema,
  hotWalletSchema,
  pingSchema,
  transactionSchema,
  withdrawalAnswerSchema,
  withdrawalSchema,
} from './schemas';
import type { CpgTransaction, Withdrawal, WithdrawalCreated } from './schemas';
import { bodyHash, requestSignature } from './signing';
import { checkOnly } from '../../check-only';

const SERVICE = 'CPG';
const USER_AGENT = 'paywire-node-red (+https://github.com/paywire/node-red-crypto-payments)';

export interface CpgClientOptions {
  baseUrl: string;
  keyId: string;
  secret: string;
  timeoutMs?: number;
  /** Clock in ms for the signed timestamp, for tests. */
  now?: () => number;
  /** Retries, deadline and rate limit (defaults: 90 s deadline, 60 requests a minute per key). */
  reliability?: ReliabilitySettings | undefined;
  /** Clock and randomness of the retry and rate-limit waits, for tests. */
  clock?: Clock | undefined;
  random?: (() => number) | undefined;
}

export type CallOptions = CallContext;

interface RequestOptions extends CallOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Safe to send twice (see ReliableRequest.replaySafe); default: only GETs. */
  replaySafe?: boolean;
}

interface Envelope {
  data: unknown;
  data_count?: number | undefined;
  next_cursor?: number | null | undefined;
  has_more?: boolean | undefined;
}

export interface TransactionFilters {
  direction?: string | undefined;
  currency?: string | undefined;
  network?: string | undefined;
  status?: string | undefined;
  /** Rows per page, 1–200 (default 50). */
  limit?: number | undefined;
}

export class CpgClient {
  private readonly transport: ReliableClient;
  readonly #keyId: string;
  readonly #secret: string;
  private readonly now: () => number;
  /** Last timestamp signed for each request content (method, path, query, body hash). */
  private readonly lastSigned = new Map<string, number>();

  constructor(options: CpgClientOptions) {
    if (!options.keyId || !options.secret) throw new TypeError('CPG needs an API key id and a secret');
    this.#keyId = options.keyId;
    this.#secret = options.secret;
    this.now = options.now ?? Date.now;
    this.transport = new ReliableClient({
      http: new HttpClient({ baseUrl: options.baseUrl, timeoutMs: options.timeoutMs ?? 30_000, serviceName: SERVICE }),
      policy: cpgHttpPolicy,
      identity: options.keyId,
      settings: options.reliability,
      clock: options.clock,
      random: options.random,
    });
  }

  ping(options: CallOptions = {}): Promise<unknown> {
    return this.data('GET', '/v1/_ping', pingSchema, options);
  }

  /** A deposit address; the same `user_identifier` always gets the same address. */
  createDepositAddress(params: { currency: string; network: string; user_identifier?: string; idempotency_key?: string }, options: CallOptions = {}): Promise<z.infer<typeof depositAddressSchema>> {
    return this.data('POST', '/v1/deposit-addresses', depositAddressSchema, { ...options, body: params, replaySafe: carriesKey(params.idempotency_key) });
  }

  depositRequest(requestId: number | string, options: CallOptions = {}): Promise<z.infer<typeof depositRequestSchema>> {
    return this.data('GET', `/v1/deposit-requests/${segment(String(requestId))}`, depositRequestSchema, options);
  }

  /**
   * `client_reference` is the idempotency key: send it on every attempt of the same payout. A
   * replay may come back as the first answer (POST shape) or as the stored withdrawal (GET
   * shape, other field names); the operation checks either against the request.
   */
  createWithdrawal(params: { currency: string; network: string; to_address: string; amount: string; client_reference?: string }, options: CallOptions = {}): Promise<WithdrawalCreated | Withdrawal> {
    return this.data('POST', '/v1/withdrawals', withdrawalAnswerSchema, { ...options, body: params, replaySafe: carriesKey(params.client_reference) });
  }

  withdrawal(withdrawalId: number | string, options: CallOptions = {}): Promise<z.infer<typeof withdrawalSchema>> {
    return this.data('GET', `/v1/withdrawals/${segment(String(withdrawalId))}`, withdrawalSchema, options);
  }

  /** Every on-chain transaction, newest first, page after page by `next_cursor`. */
  transactions(filters: TransactionFilters = {}, options: CallOptions = {}): AutoPager<CpgTransaction> {
    return new AutoPager<CpgTransaction>(async (previous) => {
      const cursor = previous?.nextCursor;
      const envelope = await this.send('GET', '/v1/transactions', { ...options, query: { ...filters, ...(cursor !== undefined && cursor !== null ? { cursor } : {}) } });
      const items = listOf(envelope, transactionSchema, '/v1/transactions');
      const next = envelope.next_cursor ?? null;
      // A page that claims more but gives no cursor cannot be followed.
      return { items, hasMore: envelope.has_more === true && next !== null, nextCursor: next };
    });
  }

  async balances(options: CallOptions = {}): Promise<Array<z.infer<typeof balanceSchema>>> {
    return listOf(await this.send('GET', '/v1/balances', options), balanceSchema, '/v1/balances');
  }

  async currencies(options: CallOptions = {}): Promise<Array<z.infer<typeof currencySchema>>> {
    return listOf(await this.send('GET', '/v1/currencies', options), currencySchema, '/v1/currencies');
  }

  hotWalletAddress(network: string, options: CallOptions = {}): Promise<z.infer<typeof hotWalletSchema>> {
    return this.data('GET', '/v1/hot-wallet-address', hotWalletSchema, { ...options, query: { network } });
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  private async data<S extends z.ZodType>(method: HttpMethod, path: string, schema: S, options: RequestOptions): Promise<z.infer<S>> {
    const envelope = await this.send(method, path, options);
    const parsed = checkOnly(schema).safeParse(envelope.data);
    if (!parsed.success) throw formatError(method, path, parsed.error.issues[0]);
    // The gateway's object unchanged, not zod's copy.
    return envelope.data as z.infer<S>;
  }

  private async send(method: HttpMethod, path: string, options: RequestOptions): Promise<Envelope> {
    // Built once, then signed and sent as the same bytes.
    const query = buildQuery(options.query ?? {});
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body), 'utf8');
    const res = await this.transport.send({
      method,
      target: query ? `${path}?${query}` : path,
      replaySafe: options.replaySafe ?? method === 'GET',
      prepare: () => this.sign(method, path, query, body),
      signal: options.signal,
      onWait: options.onWait,
      expectJson: true,
    });
    const text = res.body.toString('utf8');
    if (res.status < 200 || res.status >= 300) throw toCpgError(res.status, text, res.attempts);
    let json: unknown = res.json;
    try {
      json ??= JSON.parse(text);
    } catch {
      throw new ResponseFormatError(`CPG answered ${method} ${path} with invalid JSON`, res.status);
    }
    const envelope = envelopeSchema.safeParse(json);
    if (!envelope.success) throw formatError(method, path, envelope.error.issues[0]);
    return envelope.data;
  }

  /** One attempt's headers with a fresh timestamp and signature (the server refuses a signature it has seen). */
  private sign(method: HttpMethod, path: string, query: string, body: Buffer | undefined): PreparedAttempt {
    const signedPath = this.transport.pathPrefix + path;
    const timestamp = this.timestampFor(`${method}\n${signedPath}\n${query}\n${bodyHash(body)}`);
    const signature = requestSignature(this.#secret, { timestamp, method, path: signedPath, query, body });
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': USER_AGENT,
      'x-cpg-key': this.#keyId,
      'x-cpg-timestamp': timestamp,
      'x-cpg-signature': signature,
    };
    if (body) headers['content-type'] = 'application/json';
    else headers['content-length'] = '0';
    return { headers, body };
  }

  /**
   * CPG refuses a signature it has already accepted, and the signed lines differ only by the
   * timestamp (whole seconds): the same request twice within a second, or a quick retry, would
   * sign the same bytes. Such a request is signed one second later than the previous one, which
   * stays well inside the 300 s window.
   */
  private timestampFor(content: string): string {
    const nowSeconds = Math.floor(this.now() / 1000);
    const last = this.lastSigned.get(content);
    const timestamp = last !== undefined && last >= nowSeconds ? last + 1 : nowSeconds;
    if (this.lastSigned.size >= 1000) {
      for (const [key, ts] of this.lastSigned) if (ts < nowSeconds) this.lastSigned.delete(key);
    }
    this.lastSigned.set(content, timestamp);
    return String(timestamp);
  }
}

function listOf<S extends z.ZodType>(envelope: Envelope, schema: S, path: string): Array<z.infer<S>> {
  if (!Array.isArray(envelope.data)) throw formatError('GET', path, { path: ['data'], message: 'is not a list' });
  return envelope.data.map((item: unknown, i) => {
    const parsed = checkOnly(schema).safeParse(item);
    if (!parsed.success) throw formatError('GET', path, { path: [i, ...parsed.error.issues[0]!.path], message: parsed.error.issues[0]!.message });
    return item as z.infer<S>;
  });
}

function formatError(method: string, path: string, issue: { path: readonly PropertyKey[]; message: string } | undefined): ResponseFormatError {
  const where = issue?.path.length ? `${issue.path.map(String).join('.')}: ` : '';
  return new ResponseFormatError(`CPG answered ${method} ${path} with an unexpected shape (${where}${issue?.message ?? 'invalid'})`, 200);
}

/**
 * CPG's messages come from a stable catalogue (reference §4), so they are safe to turn into
 * codes. Messages not listed keep a code from the HTTP status.
 */
const MESSAGE_CODES: ReadonlyArray<[RegExp, string, string?]> = [
  [/^Missing authentication headers$/, 'unauthenticated'],
  [/^Request timestamp is outside the allowed window$/, 'clock_skew', 'check the clock of the machine running Node-RED'],
  [/^Request signature has already been used$/, 'replayed_signature'],
  [/^Invalid signature$/, 'bad_signature', 'check the API secret'],
  [/^Invalid API key$/, 'unauthenticated', 'check the API key id, or whether the key was revoked'],
  [/^Source IP is not whitelisted/, 'ip_not_allowed', "add this machine's address to the key's allowed IPs"],
  [/^API key does not have permission/, 'forbidden', "give the key this endpoint's permission on the dashboard"],
  [/^Rate limit exceeded$/, 'rate_limit_exceeded'],
  [/^Insufficient balance/, 'insufficient_balance'],
  [/minimum withdrawal amount/, 'below_minimum'],
  [/^Invalid destination address/, 'invalid_address'],
  [/not enabled for/, 'currency_not_enabled'],
  [/already used with different parameters/, 'idempotency_conflict', 'a retry must send the same fields as the first attempt'],
];

const STATUS_CODES: Readonly<Record<number, string>> = { 400: 'rejected', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 422: 'invalid', 429: 'rate_limit_exceeded' };

/** `amount: Input should be greater than 0; to_address: …` → one detail per field. */
export function splitValidationMessage(message: string): ErrorDetail[] {
  return message
    .split(/;\s*/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const colon = part.indexOf(': ');
      return colon > 0 ? { code: 'invalid', field: part.slice(0, colon), message: part.slice(colon + 2) } : { code: 'invalid', message: part };
    });
}

export function toCpgError(status: number, text: string, attempts?: number): GatewayError {
  const json = parseJsonOrUndefined(text);
  const parsed = errorSchema.safeParse(json);
  if (!parsed.success) {
    return new GatewayError({ provider: SERVICE, httpStatus: status, code: STATUS_CODES[status] ?? `http_${status}`, message: 'the answer had no error envelope', attempts });
  }
  const message = parsed.data.message;
  if (status === 422) {
    const details = splitValidationMessage(message);
    if (details.some((d) => d.field)) return new GatewayError({ provider: SERVICE, httpStatus: status, code: 'invalid', message: 'validation failed', details, attempts });
  }
  const known = MESSAGE_CODES.find(([pattern]) => pattern.test(message));
  const code = known?.[1] ?? STATUS_CODES[status] ?? `http_${status}`;
  return new GatewayError({ provider: SERVICE, httpStatus: status, code, message: known?.[2] ? `${message} (${known[2]})` : message, attempts });
}
