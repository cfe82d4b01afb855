// The merchant's data (one merchant per emulator): payment orders, transactions, merchant wallets
// and webhook endpoints, their validation (DRF serializers) and JSON shapes, and the simulated
// chain events that move an order along pending → confirmed | failed | expired.
import { createHash } from 'node:crypto';
import { BLOCKCHAIN_SLUGS, CURRENCIES, chain } from './chains';
import { PoApiError, poErrors } from './errors';
import { Form } from './validation';
import { EVM_ADDRESS_RE, TX_HASH_RE, isoSeconds, randomAlnum, randomHex } from './util';
import type { WebhookEvent } from './webhooks';
import { WEBHOOK_EVENTS } from './webhooks';

export type OrderStatus = 'pending' | 'confirmed' | 'failed' | 'expired';
export type TxStatus = 'pending' | 'confirmed' | 'failed';

export const AMOUNT_MAX_DIGITS = 36;
export const AMOUNT_DECIMAL_PLACES = 18;
/** Default lifetime of an order without expires_at (the reference example shows 2 h). */
export const DEFAULT_ORDER_TTL_SECONDS = 7200;
export const PAYMENT_PAGE_BASE = 'https://pay.cryptopay.com';

export interface Order {
  id: number;
  orderId: string;
  amount: string;
  currency: string;
  blockchain: string;
  status: OrderStatus;
  receivingAddress: string;
  orderInfo: string;
  nonce: number;
  webhookUrl: string | null;
  redirectUrl: string | null;
  createdAtMs: number;
  expiresAtMs: number;
  /** Hash of the linked transaction. */
  txHash: string | null;
}

export interface Transaction {
  id: number;
  hash: string;
  orderPk: number;
  orderId: string;
  amount: string;
  currency: string;
  blockchain: string;
  status: TxStatus;
  confirmations: number;
  requiredConfirmations: number;
  blockNumber: number;
  fromAddress: string;
  toAddress: string;
  createdAtMs: number;
  confirmedAtMs: number | null;
  failureReason: string | null;
}

export interface Wallet {
  id: number;
  blockchain: string;
  address: string;
  label: string;
  isActive: boolean;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface Endpoint {
  id: number;
  url: string;
  events: WebhookEvent[];
  secret: string;
  isActive: boolean;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface WalletSeed {
  blockchain: string;
  address: string;
  label?: string;
}

function deterministicAddress(seed: string): string {
  return `0x${createHash('sha256').update(seed).digest('hex').slice(0, 40)}`;
}

/** One active wallet per supported chain, so that orders can be created right away. */
export const DEFAULT_PO_WALLETS: readonly WalletSeed[] = BLOCKCHAIN_SLUGS.map((slug) => ({
  blockchain: slug,
  address: deterministicAddress(`paywire-po-emulator-wallet-${slug}`),
  label: `Default ${slug} wallet`,
}));

// ---------------------------------------------------------------------------------------------
// JSON shapes

export function transactionJson(tx: Transaction): Record<string, unknown> {
  return {
    id: tx.id,
    transaction_hash: tx.hash,
    order_id: tx.orderId,
    amount: tx.amount,
    currency: tx.currency,
    blockchain: tx.blockchain,
    status: tx.status,
    confirmations: tx.confirmations,
    required_confirmations: tx.requiredConfirmations,
    block_number: tx.blockNumber,
    from_address: tx.fromAddress,
    to_address: tx.toAddress,
    failure_reason: tx.failureReason,
    created_at: isoSeconds(tx.createdAtMs),
    confirmed_at: tx.confirmedAtMs === null ? null : isoSeconds(tx.confirmedAtMs),
  };
}

export function walletJson(w: Wallet): Record<string, unknown> {
  return {
    id: w.id,
    blockchain: w.blockchain,
    address: w.address,
    label: w.label,
    is_active: w.isActive,
    created_at: isoSeconds(w.createdAtMs),
    updated_at: isoSeconds(w.updatedAtMs),
  };
}

/** The secret is shown only in the create response (README assumption 19). */
export function endpointJson(e: Endpoint, withSecret = false): Record<string, unknown> {
  return {
    id: e.id,
    url: e.url,
    events: [...e.events],
    ...(withSecret ? { secret: e.secret } : {}),
    is_active: e.isActive,
    created_at: isoSeconds(e.createdAtMs),
    updated_at: isoSeconds(e.updatedAtMs),
  };
}

export interface ChainEventOptions {
  txHash?: string;
  amount?: string;
  fromAddress?: string;
}

export interface EmittedEvent {
  event: WebhookEvent;
  order: Order;
  data: Record<string, unknown>;
}

export class PoStore {
  private readonly orders: Order[] = [];
  private readonly ordersByOrderId = new Map<string, Order>();
  private readonly nonces = new Set<number>();
  private readonly transactions: Transaction[] = [];
  private readonly txByHash = new Map<string, Transaction>();
  private readonly wallets: Wallet[] = [];
  private readonly endpoints: Endpoint[] = [];
  private readonly blockHeights = new Map<string, number>();
  private nextId = { order: 1, tx: 1, wallet: 1, endpoint: 1 };

  constructor(
    private readonly now: () => number,
    private readonly seedWallets: readonly WalletSeed[],
  ) {
    this.clear();
  }

  clear(): void {
    this.orders.length = 0;
    this.ordersByOrderId.clear();
    this.nonces.clear();
    this.transactions.length = 0;
    this.txByHash.clear();
    this.wallets.length = 0;
    this.endpoints.length = 0;
    this.blockHeights.clear();
    this.nextId = { order: 1, tx: 1, wallet: 1, endpoint: 1 };
    const t = this.now();
    for (const seed of this.seedWallets) {
      if (!chain(seed.blockchain) || !EVM_ADDRESS_RE.test(seed.address)) throw new RangeError(`invalid seed wallet ${JSON.stringify(seed)}`);
      this.wallets.push({ id: this.nextId.wallet++, blockchain: seed.blockchain, address: seed.address, label: seed.label ?? '', isActive: true, createdAtMs: t, updatedAtMs: t });
    }
  }

  // ---- payment orders ------------------------------------------------------------------------

  orderJson(o: Order): Record<string, unknown> {
    const tx = o.txHash === null ? undefined : this.txByHash.get(o.txHash);
    return {
      id: o.id,
      order_id: o.orderId,
      amount: o.amount,
      currency: o.currency,
      blockchain: o.blockchain,
      status: o.status,
      receiving_address: o.receivingAddress,
      payment_url: `${PAYMENT_PAGE_BASE}/order/${o.orderId}`,
      qr_code_url: `/qr/${o.orderId}`,
      order_info: o.orderInfo,
      nonce: o.nonce,
      webhook_url: o.webhookUrl,
      redirect_url: o.redirectUrl,
      created_at: isoSeconds(o.createdAtMs),
      expires_at: isoSeconds(o.expiresAtMs),
      transaction: tx ? transactionJson(tx) : null,
    };
  }

  createOrder(body: Record<string, unknown>): Order {
    const nowMs = this.now();
    const f = new Form(body);
    const amount = f.decimalString('amount', { required: true, maxDigits: AMOUNT_MAX_DIGITS, decimalPlaces: AMOUNT_DECIMAL_PLACES });
    const currency = f.choice('currency', CURRENCIES, { required: true });
    const blockchain = f.choice('blockchain', BLOCKCHAIN_SLUGS, { required: true });
    const orderInfo = f.jsonString('order_info', { required: true });
    const nonce = f.integer('nonce', { required: true, min: 0, max: Number.MAX_SAFE_INTEGER });
    if (nonce !== undefined && this.nonces.has(nonce)) f.error('nonce', 'payment order with this nonce already exists.');
    const webhookUrl = f.url('webhook_url', { allowNull: true });
    const redirectUrl = f.url('redirect_url', { allowNull: true });
    const expiresAt = f.dateTime('expires_at', { allowNull: true });
    if (typeof expiresAt === 'number' && expiresAt <= nowMs) f.error('expires_at', 'Expiry must be in the future.');
    f.check();
    // object-level validation (DRF validate()): runs only when every field is valid
    const info = blockchain === undefined ? undefined : chain(blockchain);
    if (!info || currency === undefined) throw poErrors.internal('validated fields missing');
    if (!info.tokens.includes(currency)) f.error('currency', `"${currency}" is not supported on ${blockchain}. Supported: ${info.tokens.join(', ')}.`);
    const wallet = this.wallets.find((w) => w.blockchain === info.slug && w.isActive);
    if (!wallet) f.error('blockchain', `No active merchant wallet for ${info.slug}. Add one with POST /api/merchant-wallets/.`);
    f.check();
    if (!wallet || amount === undefined || orderInfo === undefined || nonce === undefined) throw poErrors.internal('validated fields missing');
    let orderId: string;
    do orderId = `ORD-${randomAlnum(12)}`;
    while (this.ordersByOrderId.has(orderId));
    const order: Order = {
      id: this.nextId.order++,
      orderId,
      amount,
      currency,
      blockchain: info.slug,
      status: 'pending',
      receivingAddress: wallet.address,
      orderInfo,
      nonce,
      webhookUrl: webhookUrl ?? null,
      redirectUrl: redirectUrl ?? null,
      createdAtMs: nowMs,
      expiresAtMs: typeof expiresAt === 'number' ? expiresAt : nowMs + DEFAULT_ORDER_TTL_SECONDS * 1000,
      txHash: null,
    };
    this.orders.push(order);
    this.ordersByOrderId.set(orderId, order);
    this.nonces.add(nonce);
    return order;
  }

  /** Newest first, optionally filtered by status / blockchain / currency / nonce (README assumption 9). */
  listOrders(query: URLSearchParams): Order[] {
    const status = query.get('status');
    const blockchain = query.get('blockchain');
    const currency = query.get('currency');
    const nonce = query.get('nonce');
    return this.orders
      .filter(
        (o) =>
          (status === null || o.status === status) &&
          (blockchain === null || o.blockchain === blockchain) &&
          (currency === null || o.currency === currency) &&
          (nonce === null || String(o.nonce) === nonce.trim()),
      )
      .reverse();
  }

  /** By numeric id or by order_id ("ORD-…"); 404 otherwise. */
  getOrder(key: string): Order {
    const o = /^\d+$/.test(key) ? this.orders.find((x) => x.id === Number(key)) : this.ordersByOrderId.get(key);
    if (!o) throw notFound('PaymentOrder');
    return o;
  }

  /**
   * Expires every pending order whose expires_at has passed and that has no payment in progress
   * (README assumption 16). Returns the order.expired events to send.
   */
  sweepExpired(): EmittedEvent[] {
    const nowMs = this.now();
    const out: EmittedEvent[] = [];
    for (const o of this.orders) {
      if (o.status === 'pending' && o.txHash === null && nowMs >= o.expiresAtMs) out.push(this.expire(o));
    }
    return out;
  }

  // ---- simulated chain events ----------------------------------------------------------------

  detect(key: string, opts: ChainEventOptions = {}): EmittedEvent {
    const order = this.getOrder(key);
    if (order.status !== 'pending') throw poErrors.invalidState(`Order ${order.orderId} is ${order.status}; a payment can only be detected for a pending order.`);
    if (order.txHash !== null) throw poErrors.invalidState(`Order ${order.orderId} already has a payment in progress (${order.txHash}).`);
    const errs: Record<string, string[]> = {};
    let hash = `0x${randomHex(32)}`;
    if (opts.txHash !== undefined) {
      if (typeof opts.txHash !== 'string' || !TX_HASH_RE.test(opts.txHash)) errs.tx_hash = ['Enter a transaction hash: 0x followed by 64 hex digits.'];
      else hash = opts.txHash.toLowerCase();
    }
    let amount = order.amount;
    if (opts.amount !== undefined) {
      const f = new Form({ amount: opts.amount });
      const a = f.decimalString('amount', { maxDigits: AMOUNT_MAX_DIGITS, decimalPlaces: AMOUNT_DECIMAL_PLACES });
      if (a === undefined) errs.amount = f.errors.amount ?? ['A valid number is required.'];
      else amount = a;
    }
    let from = `0x${randomHex(20)}`;
    if (opts.fromAddress !== undefined) {
      if (typeof opts.fromAddress !== 'string' || !EVM_ADDRESS_RE.test(opts.fromAddress)) errs.from_address = ['Enter a valid EVM address (0x followed by 40 hex digits).'];
      else from = opts.fromAddress;
    }
    if (Object.keys(errs).length > 0) throw poErrors.validation(errs);
    if (this.txByHash.has(hash)) throw poErrors.invalidState(`Transaction ${hash} exists already.`);
    const info = chain(order.blockchain);
    const height = (this.blockHeights.get(order.blockchain) ?? info?.startBlock ?? 1) + 1;
    this.blockHeights.set(order.blockchain, height);
    const tx: Transaction = {
      id: this.nextId.tx++,
      hash,
      orderPk: order.id,
      orderId: order.orderId,
      amount,
      currency: order.currency,
      blockchain: order.blockchain,
      status: 'pending',
      confirmations: 1,
      requiredConfirmations: info?.requiredConfirmations ?? 12,
      blockNumber: height,
      fromAddress: from,
      toAddress: order.receivingAddress,
      createdAtMs: this.now(),
      confirmedAtMs: null,
      failureReason: null,
    };
    this.transactions.push(tx);
    this.txByHash.set(hash, tx);
    order.txHash = hash;
    return { event: 'payment.pending', order, data: this.paymentData(order, tx) };
  }

  confirm(key: string): EmittedEvent {
    const order = this.getOrder(key);
    const tx = this.pendingTx(order, 'confirmed');
    tx.status = 'confirmed';
    tx.confirmations = tx.requiredConfirmations;
    tx.confirmedAtMs = this.now();
    order.status = 'confirmed';
    return { event: 'payment.confirmed', order, data: this.paymentData(order, tx) };
  }

  fail(key: string, reason?: string): EmittedEvent {
    const order = this.getOrder(key);
    const tx = this.pendingTx(order, 'failed');
    tx.status = 'failed';
    tx.failureReason = reason !== undefined && reason.trim() !== '' ? reason : 'Transaction failed on-chain.';
    order.status = 'failed';
    return { event: 'payment.failed', order, data: { ...this.paymentData(order, tx), failure_reason: tx.failureReason } };
  }

  expireNow(key: string): EmittedEvent {
    const order = this.getOrder(key);
    if (order.status !== 'pending') throw poErrors.invalidState(`Order ${order.orderId} is ${order.status}; only a pending order can expire.`);
    if (order.txHash !== null) throw poErrors.invalidState(`Order ${order.orderId} has a payment in progress (${order.txHash}); confirm or fail it instead.`);
    return this.expire(order);
  }

  private expire(order: Order): EmittedEvent {
    order.status = 'expired';
    return {
      event: 'order.expired',
      order,
      data: {
        order_id: order.orderId,
        transaction_hash: null,
        amount: order.amount,
        currency: order.currency,
        blockchain: order.blockchain,
        status: 'expired',
        confirmations: 0,
        block_number: null,
        from_address: null,
        to_address: order.receivingAddress,
        order_info: order.orderInfo,
        created_at: isoSeconds(order.createdAtMs),
        confirmed_at: null,
      },
    };
  }

  private pendingTx(order: Order, to: string): Transaction {
    if (order.status !== 'pending') throw poErrors.invalidState(`Order ${order.orderId} is ${order.status}; cannot change to ${to}.`);
    const tx = order.txHash === null ? undefined : this.txByHash.get(order.txHash);
    if (!tx) throw poErrors.invalidState(`No payment detected for order ${order.orderId}; detect one first.`);
    return tx;
  }

  /** Webhook `data` of the payment events: the documented fields (reference §8.2). */
  private paymentData(order: Order, tx: Transaction): Record<string, unknown> {
    return {
      order_id: order.orderId,
      transaction_hash: tx.hash,
      amount: tx.amount,
      currency: tx.currency,
      blockchain: tx.blockchain,
      status: tx.status,
      confirmations: tx.confirmations,
      block_number: tx.blockNumber,
      from_address: tx.fromAddress,
      to_address: tx.toAddress,
      order_info: order.orderInfo,
      created_at: isoSeconds(tx.createdAtMs),
      confirmed_at: tx.confirmedAtMs === null ? null : isoSeconds(tx.confirmedAtMs),
    };
  }

  // ---- transactions --------------------------------------------------------------------------

  listTransactions(query: URLSearchParams): Transaction[] {
    const status = query.get('status');
    const blockchain = query.get('blockchain');
    const orderId = query.get('order_id');
    return this.transactions
      .filter((t) => (status === null || t.status === status) && (blockchain === null || t.blockchain === blockchain) && (orderId === null || t.orderId === orderId))
      .reverse();
  }

  getTransaction(hash: string): Transaction {
    const tx = this.txByHash.get(hash.toLowerCase());
    if (!tx) throw notFound('Transaction');
    return tx;
  }

  // ---- merchant wallets ----------------------------------------------------------------------

  listWallets(query: URLSearchParams): Wallet[] {
    const blockchain = query.get('blockchain');
    const active = query.get('is_active');
    const wantActive = active === null ? null : ['true', 'True', '1'].includes(active) ? true : ['false', 'False', '0'].includes(active) ? false : null;
    return this.wallets.filter((w) => (blockchain === null || w.blockchain === blockchain) && (wantActive === null || w.isActive === wantActive));
  }

  getWallet(key: string): Wallet {
    const w = /^\d+$/.test(key) ? this.wallets.find((x) => x.id === Number(key)) : undefined;
    if (!w) throw notFound('MerchantWallet');
    return w;
  }

  /** POST (existing undefined), PUT (partial false) or PATCH (partial true). */
  saveWallet(body: Record<string, unknown>, existing?: Wallet, partial = false): Wallet {
    const f = new Form(body, partial);
    const blockchain = f.choice('blockchain', BLOCKCHAIN_SLUGS, { required: true });
    const address = f.char('address', { required: true, maxLength: 42 });
    if (typeof address === 'string' && !EVM_ADDRESS_RE.test(address)) f.error('address', 'Enter a valid EVM address (0x followed by 40 hex digits).');
    const label = f.char('label', { allowBlank: true, allowNull: true, maxLength: 100 });
    const isActive = f.boolean('is_active');
    f.check();
    const next = {
      blockchain: blockchain ?? existing?.blockchain ?? '',
      address: typeof address === 'string' ? address : (existing?.address ?? ''),
      label: label === undefined ? (existing?.label ?? '') : (label ?? ''),
      isActive: isActive ?? existing?.isActive ?? true,
    };
    if (next.isActive && this.wallets.some((w) => w !== existing && w.isActive && w.blockchain === next.blockchain)) {
      f.error('blockchain', `An active wallet for ${next.blockchain} already exists. Deactivate it first (is_active: false).`);
      f.check();
    }
    const nowMs = this.now();
    if (existing) {
      Object.assign(existing, next, { updatedAtMs: nowMs });
      return existing;
    }
    const w: Wallet = { id: this.nextId.wallet++, ...next, createdAtMs: nowMs, updatedAtMs: nowMs };
    this.wallets.push(w);
    return w;
  }

  // ---- webhook endpoints ---------------------------------------------------------------------

  listEndpoints(): Endpoint[] {
    return [...this.endpoints];
  }

  getEndpoint(key: string): Endpoint {
    const e = /^\d+$/.test(key) ? this.endpoints.find((x) => x.id === Number(key)) : undefined;
    if (!e) throw notFound('WebhookEndpoint');
    return e;
  }

  saveEndpoint(body: Record<string, unknown>, existing?: Endpoint, partial = false): Endpoint {
    const f = new Form(body, partial);
    const url = f.url('url', { required: true });
    const events = f.multipleChoice('events', WEBHOOK_EVENTS, { required: true }) as WebhookEvent[] | undefined;
    const secret = f.char('secret', { maxLength: 255 });
    const isActive = f.boolean('is_active');
    f.check();
    const nowMs = this.now();
    const next = {
      url: typeof url === 'string' ? url : (existing?.url ?? ''),
      events: events ?? existing?.events ?? [],
      secret: typeof secret === 'string' ? secret : (existing?.secret ?? `whsec_${randomHex(16)}`),
      isActive: isActive ?? existing?.isActive ?? true,
    };
    if (existing) {
      Object.assign(existing, next, { updatedAtMs: nowMs });
      return existing;
    }
    const e: Endpoint = { id: this.nextId.endpoint++, ...next, createdAtMs: nowMs, updatedAtMs: nowMs };
    this.endpoints.push(e);
    return e;
  }

  /** Active endpoints subscribed to `event`, by id. */
  subscribers(event: WebhookEvent): Endpoint[] {
    return this.endpoints.filter((e) => e.isActive && e.events.includes(event));
  }
}

function notFound(model: string): PoApiError {
  return new PoApiError(404, 'NOT_FOUND', `No ${model} matches the given query.`);
}
