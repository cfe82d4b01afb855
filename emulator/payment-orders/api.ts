// /api/* routes (reference §4): login, payment orders, transactions, merchant wallets, webhook
// endpoints. Handlers return the success envelope; errors are thrown as PoApiError.
import type { TokenAuthority } from './auth';
import { poErrors, successEnvelope } from './errors';
import type { EmulatorRequest, EmulatorResponse, Route } from '../shared/http';
import { paginate } from './pagination';
import type { PageBody } from './pagination';
import type { EmittedEvent, PoStore } from './store';
import { endpointJson, transactionJson, walletJson } from './store';
import { isoSeconds } from './util';
import { Form, requireDict } from './validation';

export interface ApiContext {
  req: EmulatorRequest;
  now(): number;
  store: PoStore;
  auth: TokenAuthority;
  tokenTtlSeconds: number;
  /** Sends the webhooks of a state change. */
  emit(event: EmittedEvent): void;
  /** How list pages are answered (option `listShape`). */
  listShape: ListShape;
}

/**
 * The documentation shows a list answer as the page `{count, next, previous, results}` without
 * saying whether it sits in the envelope's `data` ('enveloped', our default) or is the whole
 * body ('bare').
 */
export type ListShape = 'enveloped' | 'bare';

function listed(ctx: ApiContext, page: PageBody, message: string): EmulatorResponse {
  return ctx.listShape === 'bare' ? { status: 200, json: page } : ok(ctx, 200, page, message);
}

function ok(ctx: ApiContext, status: number, data: unknown, message: string): EmulatorResponse {
  return { status, json: successEnvelope(data, message, ctx.now()) };
}

/** DRF JSONParser: the body must be JSON (415 otherwise, 400 PARSE_ERROR when malformed); empty = {}. */
export function readBody(req: EmulatorRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  const type = String(req.headers['content-type'] ?? '');
  const mediaType = type.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(mediaType)) throw poErrors.unsupportedMediaType(type);
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString('utf8'));
  } catch (err) {
    throw poErrors.parse(err instanceof Error ? err.message : String(err));
  }
  return requireDict(parsed);
}

function login(ctx: ApiContext): EmulatorResponse {
  const f = new Form(readBody(ctx.req));
  const username = f.char('username', { required: true, maxLength: 150 });
  const password = f.char('password', { required: true, trim: false });
  f.check();
  const result = ctx.auth.login(username ?? '', password ?? '', ctx.now());
  if (!result) throw poErrors.badCredentials();
  return ok(
    ctx,
    200,
    { token: result.token, token_type: 'Bearer', expires_in: ctx.tokenTtlSeconds, expires_at: isoSeconds(result.expiresAtMs), username: result.username },
    'Login successful',
  );
}

type Handler = (ctx: ApiContext, p: Record<string, string>) => EmulatorResponse;

function route(method: string, path: string, handler: Handler, opts: { auth?: boolean; slashOptional?: boolean } = {}): Route<ApiContext> {
  return { method, pattern: path.split('/').filter((s) => s !== ''), handler, auth: opts.auth ?? true, slashOptional: opts.slashOptional ?? false };
}

export function apiRoutes(): Route<ApiContext>[] {
  return [
    route('POST', 'api/auth/login', login, { auth: false, slashOptional: true }),

    route('GET', 'api/payment-orders', (ctx) => {
      const page = paginate(ctx.store.listOrders(ctx.req.query), ctx.req.query, ctx.req.path, (o) => ctx.store.orderJson(o));
      return listed(ctx, page, 'Payment orders retrieved successfully');
    }),
    route('POST', 'api/payment-orders', (ctx) => {
      const order = ctx.store.createOrder(readBody(ctx.req));
      return ok(ctx, 201, ctx.store.orderJson(order), 'Payment order created successfully');
    }),
    route('GET', 'api/payment-orders/:id', (ctx, p) => ok(ctx, 200, ctx.store.orderJson(ctx.store.getOrder(p.id ?? '')), 'Payment order retrieved successfully')),

    route('GET', 'api/transactions', (ctx) => {
      const page = paginate(ctx.store.listTransactions(ctx.req.query), ctx.req.query, ctx.req.path, transactionJson);
      return listed(ctx, page, 'Transactions retrieved successfully');
    }),
    route('GET', 'api/transactions/:hash', (ctx, p) => ok(ctx, 200, transactionJson(ctx.store.getTransaction(p.hash ?? '')), 'Transaction retrieved successfully')),

    route('GET', 'api/merchant-wallets', (ctx) => {
      const page = paginate(ctx.store.listWallets(ctx.req.query), ctx.req.query, ctx.req.path, walletJson);
      return listed(ctx, page, 'Merchant wallets retrieved successfully');
    }),
    route('POST', 'api/merchant-wallets', (ctx) => ok(ctx, 201, walletJson(ctx.store.saveWallet(readBody(ctx.req))), 'Merchant wallet created successfully')),
    route('GET', 'api/merchant-wallets/:id', (ctx, p) => ok(ctx, 200, walletJson(ctx.store.getWallet(p.id ?? '')), 'Merchant wallet retrieved successfully')),
    route('PUT', 'api/merchant-wallets/:id', (ctx, p) => {
      const w = ctx.store.getWallet(p.id ?? '');
      return ok(ctx, 200, walletJson(ctx.store.saveWallet(readBody(ctx.req), w)), 'Merchant wallet updated successfully');
    }),
    route('PATCH', 'api/merchant-wallets/:id', (ctx, p) => {
      const w = ctx.store.getWallet(p.id ?? '');
      return ok(ctx, 200, walletJson(ctx.store.saveWallet(readBody(ctx.req), w, true)), 'Merchant wallet updated successfully');
    }),

    route('GET', 'api/webhook-endpoints', (ctx) => {
      const page = paginate(ctx.store.listEndpoints(), ctx.req.query, ctx.req.path, (e) => endpointJson(e));
      return listed(ctx, page, 'Webhook endpoints retrieved successfully');
    }),
    route('POST', 'api/webhook-endpoints', (ctx) => ok(ctx, 201, endpointJson(ctx.store.saveEndpoint(readBody(ctx.req)), true), 'Webhook endpoint created successfully')),
    route('GET', 'api/webhook-endpoints/:id', (ctx, p) => ok(ctx, 200, endpointJson(ctx.store.getEndpoint(p.id ?? '')), 'Webhook endpoint retrieved successfully')),
    route('PUT', 'api/webhook-endpoints/:id', (ctx, p) => {
      const e = ctx.store.getEndpoint(p.id ?? '');
      return ok(ctx, 200, endpointJson(ctx.store.saveEndpoint(readBody(ctx.req), e)), 'Webhook endpoint updated successfully');
    }),
    route('PATCH', 'api/webhook-endpoints/:id', (ctx, p) => {
      const e = ctx.store.getEndpoint(p.id ?? '');
      return ok(ctx, 200, endpointJson(ctx.store.saveEndpoint(readBody(ctx.req), e, true)), 'Webhook endpoint updated successfully');
    }),
  ];
}
