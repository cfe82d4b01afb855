// Invoice behaviour: create/list/retrieve, payment simulation, recalculations, refunds, expiry.
import { PAY_CURRENCIES, PRICE_CURRENCIES, coinInfo, currencyPrecision, isFiat } from './currencies';
import { Decimal } from '../shared/decimal';
import type { ErrorDetail } from './errors';
import { errors } from './errors';
import { depositAddress, destinationTag, isUuid, txid, uuid } from './ids';
import type { Ledger, LedgerRef } from './ledger';
import { newRef } from './ledger';
import { invoiceRate } from './rates';
import { HIGH_RISK, LOW_RISK } from './risk';
import type { InvoiceRecord, InvoiceStatusContext, RecalculationRecord, RefundRecord, Store } from './store';
import { invoiceJson, recalculationJson, refundJson } from './store';
import { assertCommittable, commitDeadline } from './two-step';

export type InvoiceEvent = 'transaction_created' | 'transaction_confirmed' | 'status_changed';
export const PAYMENT_SCENARIOS = ['exact', 'under', 'over', 'late', 'high_risk'] as const;
export type PaymentScenario = (typeof PAYMENT_SCENARIOS)[number];

export function isPaymentScenario(value: unknown): value is PaymentScenario {
  return typeof value === 'string' && (PAYMENT_SCENARIOS as readonly string[]).includes(value);
}

export interface InvoiceServiceDeps {
  now(): number;
  hostedBase(): string;
  /** Sends the events of one invoice in order, spaced by the event spacing. */
  emit(invoiceId: string, events: ReadonlyArray<{ event: InvoiceEvent; data: Record<string, unknown> }>): void;
  /** Runs fn after a real-world delay (scaled by timeScale). */
  schedule(fn: () => void, realWorldMs: number): void;
  /** Merchant balances: a completed invoice credits price − fee, a refund is booked as InvoiceRefund. */
  ledger: Ledger;
}

export const PAGE_SIZE = 50;
const FIAT_VALIDITY_MS = 10 * 60_000;
const CRYPTO_VALIDITY_MS = 2 * 60 * 60_000;
export const CANCEL_AFTER_MS = 14 * 24 * 60 * 60_000;
const FEE_RATE = Decimal.from('0.01');
const RESOLVABLE: readonly InvoiceStatusContext[] = ['underpaid', 'overpaid', 'paid_late'];


function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function oneOf(list: readonly string[]): string {
  return `must be one of: ${list.join(', ')}`;
}

/** 1 % of the amount, rounded up to the currency's precision ("1.0" on 100 EUR, "0.1" on 9.17 EUR). */
function feeFor(amount: Decimal, currency: string): Decimal {
  return amount.mul(FEE_RATE).round(currencyPrecision(currency), 'up');
}

interface ParsedCreate {
  priceAmount: Decimal;
  priceCurrency: string;
  payCurrency: string;
  network: string;
  strings: Record<string, string | null>;
  metadata: Record<string, string> | null;
}

const OPTIONAL_STRINGS = ['custom_id', 'customer_id', 'name', 'description', 'success_redirect_url', 'unsuccess_redirect_url', 'payer_email'] as const;

function parseCreate(body: Record<string, unknown>): ParsedCreate {
  const details: ErrorDetail[] = [];
  const required = (target: string): void => {
    details.push({ code: 'required', target, message: 'is missing' });
  };

  let priceAmount: Decimal | null = null;
  const rawPrice = body.price_amount;
  if (rawPrice === undefined || rawPrice === null || rawPrice === '') required('price_amount');
  else {
    priceAmount = Decimal.parse(rawPrice);
    if (!priceAmount) details.push({ code: 'must_be_decimal', target: 'price_amount', message: 'must be a decimal' });
    else if (!priceAmount.isPositive()) {
      details.push({ code: 'must_be_greater_than', target: 'price_amount', message: 'must be greater than 0.0', args: { value: '0.0' } });
      priceAmount = null;
    }
  }

  const currency = (target: 'price_currency' | 'pay_currency', list: readonly string[]): string | null => {
    const v = body[target];
    if (v === undefined || v === null || v === '') {
      required(target);
      return null;
    }
    if (typeof v !== 'string' || !list.includes(v)) {
      details.push({ code: 'must_be_included_in', target, message: oneOf(list), args: { list: [...list] } });
      return null;
    }
    return v;
  };
  const priceCurrency = currency('price_currency', PRICE_CURRENCIES);
  const payCurrency = currency('pay_currency', PAY_CURRENCIES);

  let network = '';
  const coin = payCurrency ? coinInfo(payCurrency) : undefined;
  if (coin) {
    network = coin.networks[0] ?? '';
    const rawNetwork = body.network;
    if (rawNetwork !== undefined && rawNetwork !== null) {
      if (typeof rawNetwork !== 'string' || !coin.networks.includes(rawNetwork)) {
        details.push({ code: 'must_be_included_in', target: 'network', message: oneOf(coin.networks), args: { list: [...coin.networks] } });
      } else network = rawNetwork;
    }
  }

  const strings: Record<string, string | null> = {};
  for (const key of OPTIONAL_STRINGS) {
    const v = body[key];
    if (v === undefined || v === null) strings[key] = null;
    else if (typeof v === 'string') strings[key] = v;
    else details.push({ code: 'must_be_string', target: key, message: 'must be a string' });
  }

  let metadata: Record<string, string> | null = null;
  const rawMeta = body.metadata;
  if (rawMeta !== undefined && rawMeta !== null) {
    if (!isPlainObject(rawMeta) || !Object.values(rawMeta).every((v) => typeof v === 'string')) {
      details.push({ code: 'must_be_hash_of_strings', target: 'metadata', message: 'must be an object with string values' });
    } else metadata = { ...(rawMeta as Record<string, string>) };
  }

  if (priceCurrency && payCurrency && priceCurrency !== payCurrency && !invoiceRate(payCurrency, priceCurrency)) {
    details.push({ code: 'unsupported_pair', target: 'pay_currency', message: `no rate for ${payCurrency}${priceCurrency}` });
  }

  if (details.length > 0 || !priceAmount || !priceCurrency || !payCurrency) throw errors.invalid(details);
  return { priceAmount, priceCurrency, payCurrency, network, strings, metadata };
}

export class InvoiceService {
  /** Ledger status holder per invoice that has ledger rows (the rows show the invoice's status). */
  private readonly refs = new Map<string, LedgerRef>();

  constructor(
    private readonly store: Store,
    private readonly deps: InvoiceServiceDeps,
  ) {}

  /** Forgets the ledger links (the ledger itself is reset by the emulator). */
  clear(): void {
    this.refs.clear();
  }

  /**
   * Called after every status change: the first time an invoice is completed its price minus fee
   * is credited to the price-currency account (reference_type Invoice); existing rows follow the
   * invoice's status.
   */
  private book(inv: InvoiceRecord): void {
    const risk = inv.transactions[inv.transactions.length - 1]?.risk ?? null;
    let ref = this.refs.get(inv.id);
    if (!ref && inv.status === 'completed') {
      ref = newRef(inv.status, inv.statusContext, risk);
      this.refs.set(inv.id, ref);
      this.deps.ledger.post({
        currency: inv.priceCurrency,
        amount: inv.priceAmount.sub(inv.fee),
        fee: inv.fee,
        feeCurrency: inv.feeCurrency,
        referenceId: inv.id,
        referenceType: 'Invoice',
        ref,
        customId: inv.customId,
        customerId: inv.customerId,
      });
    }
    if (ref) {
      ref.status = inv.status;
      ref.statusContext = inv.statusContext;
      ref.risk = risk ? { ...risk } : null;
    }
  }

  json(inv: InvoiceRecord): Record<string, unknown> {
    return invoiceJson(inv, this.deps.hostedBase());
  }

  create(body: unknown): InvoiceRecord {
    const p = parseCreate(isPlainObject(body) ? body : {});
    const customId = p.strings.custom_id ?? null;
    if (customId !== null && this.store.invoicesByCustomId.has(customId)) throw errors.duplicateCustomId();

    const coin = coinInfo(p.payCurrency);
    if (!coin) throw errors.internal();
    let payAmount: Decimal;
    let exchangeRate: Decimal | null = null;
    if (p.priceCurrency === p.payCurrency) {
      payAmount = p.priceAmount.round(coin.invoicePrecision, 'up');
    } else {
      exchangeRate = invoiceRate(p.payCurrency, p.priceCurrency) ?? null;
      if (!exchangeRate) throw errors.internal();
      payAmount = p.priceAmount.div(exchangeRate, coin.invoicePrecision, 'up');
    }
    const createdAtMs = Math.floor(this.deps.now() / 1000) * 1000;
    const inv: InvoiceRecord = {
      seq: this.store.nextSeq(),
      id: uuid(),
      customId,
      customerId: p.strings.customer_id ?? null,
      subscriptionId: null,
      status: 'new',
      statusContext: null,
      address: depositAddress(p.network),
      destinationTag: p.network === 'ripple' ? destinationTag() : null,
      network: p.network,
      priceAmount: p.priceAmount,
      priceCurrency: p.priceCurrency,
      payAmount,
      payCurrency: p.payCurrency,
      fee: feeFor(p.priceAmount, p.priceCurrency),
      feeCurrency: p.priceCurrency,
      paidAmount: Decimal.ZERO,
      exchangeRate,
      transactions: [],
      name: p.strings.name ?? null,
      description: p.strings.description ?? null,
      metadata: p.metadata,
      successRedirectUrl: p.strings.success_redirect_url ?? null,
      unsuccessRedirectUrl: p.strings.unsuccess_redirect_url ?? null,
      createdAtMs,
      expiresAtMs: createdAtMs + (isFiat(p.priceCurrency) ? FIAT_VALIDITY_MS : CRYPTO_VALIDITY_MS),
    };
    this.store.addInvoice(inv);
    return inv;
  }

  get(id: string): InvoiceRecord {
    const inv = this.store.invoices.get(id);
    if (!inv) throw errors.notFound();
    return inv;
  }

  getByCustomId(customId: string): InvoiceRecord {
    const inv = this.store.invoicesByCustomId.get(customId);
    if (!inv) throw errors.notFound();
    return inv;
  }

  /**
   * Newest first, 50 per page. `starting_after` must be a UUID (422 must_be_uuid); a well-formed
   * UUID that matches no invoice of the filtered list yields an empty page (documented assumption).
   */
  list(query: URLSearchParams): { data: Record<string, unknown>[]; meta: { total: number; has_more: boolean } } {
    const startingAfter = query.get('starting_after');
    if (startingAfter !== null && !isUuid(startingAfter)) {
      throw errors.invalid([{ code: 'must_be_uuid', target: 'starting_after', message: 'must match uuid format' }]);
    }
    const customerId = query.get('customer_id');
    const subscriptionId = query.get('subscription_id');
    const matching: InvoiceRecord[] = [];
    for (let i = this.store.invoiceOrder.length - 1; i >= 0; i -= 1) {
      const inv = this.store.invoiceOrder[i];
      if (!inv) continue;
      if (customerId !== null && inv.customerId !== customerId) continue;
      if (subscriptionId !== null && inv.subscriptionId !== subscriptionId) continue;
      matching.push(inv);
    }
    let rest = matching;
    if (startingAfter !== null) {
      const idx = matching.findIndex((inv) => inv.id.toLowerCase() === startingAfter.toLowerCase());
      rest = idx < 0 ? [] : matching.slice(idx + 1);
    }
    const page = rest.slice(0, PAGE_SIZE);
    return { data: page.map((inv) => this.json(inv)), meta: { total: matching.length, has_more: rest.length > PAGE_SIZE } };
  }

  /** Lazily cancels unpaid invoices older than 14 days (emulator clock); sends status_changed for each. */
  sweep(): void {
    const now = this.deps.now();
    // Invoices are in creation order and created_at never decreases, so only those past the
    // sweep cursor can still be due; every request sweeps, and a full scan made each request
    // cost O(invoices).
    const order = this.store.invoiceOrder;
    while (this.store.sweptUpTo < order.length) {
      const inv = order[this.store.sweptUpTo];
      if (!inv || now < inv.createdAtMs + CANCEL_AFTER_MS) break;
      this.store.sweptUpTo += 1;
      if (inv.status === 'new') {
        inv.status = 'cancelled';
        inv.statusContext = null;
        this.book(inv);
        this.deps.emit(inv.id, [{ event: 'status_changed', data: this.json(inv) }]);
      }
    }
  }

  /**
   * Test hook: a payment arrives. State is final on return, callbacks go out spaced in order;
   * with `confirmAfterMs` (real-world, scaled like every delay) the transaction is seen first
   * (status still `new`, as while the network confirms it) and the invoice settles that much later.
   */
  pay(id: string, scenario: unknown, confirmAfterMs = 0): InvoiceRecord {
    if (!isPaymentScenario(scenario)) {
      throw errors.invalid([
        { code: 'must_be_included_in', target: 'scenario', message: oneOf(PAYMENT_SCENARIOS), args: { list: [...PAYMENT_SCENARIOS] } },
      ]);
    }
    this.sweep();
    const inv = this.get(id);
    if (inv.status !== 'new') throw errors.invalidStatus(inv.status, inv.statusContext, 'only new invoices can be paid');
    const coin = coinInfo(inv.payCurrency);
    if (!coin) throw errors.internal();
    const unit = Decimal.of(1n, coin.precision);
    let paid = inv.payAmount;
    if (scenario === 'under') {
      paid = inv.payAmount.div(Decimal.from('2'), coin.precision, 'down');
      if (!paid.isPositive()) paid = unit;
    } else if (scenario === 'over') {
      paid = inv.payAmount.mul(Decimal.from('1.5')).round(coin.precision, 'down');
      if (paid.cmp(inv.payAmount) <= 0) paid = inv.payAmount.add(unit);
    }
    const expired = this.deps.now() > inv.expiresAtMs;
    let context: InvoiceStatusContext;
    if (scenario === 'high_risk') context = 'illicit_resource';
    else if (scenario === 'late' || expired) context = 'paid_late';
    else if (scenario === 'under') context = 'underpaid';
    else if (scenario === 'over') context = 'overpaid';
    else context = null;

    inv.transactions.push({ txid: txid(inv.network), risk: scenario === 'high_risk' ? { ...HIGH_RISK } : { ...LOW_RISK } });
    inv.paidAmount = inv.paidAmount.add(paid);
    const seen = this.json(inv); // still "new": transaction_created and transaction_confirmed carry this
    const settle = (): void => {
      if (context === null) {
        inv.status = 'completed';
        inv.statusContext = null;
      } else {
        inv.status = 'unresolved';
        inv.statusContext = context;
      }
      this.book(inv);
    };
    if (confirmAfterMs > 0) {
      this.deps.emit(inv.id, [{ event: 'transaction_created', data: seen }]);
      this.deps.schedule(() => {
        if (inv.status !== 'new') return;
        settle();
        this.deps.emit(inv.id, [
          { event: 'transaction_confirmed', data: seen },
          { event: 'status_changed', data: this.json(inv) },
        ]);
      }, confirmAfterMs);
      return inv;
    }
    settle();
    this.deps.emit(inv.id, [
      { event: 'transaction_created', data: seen },
      { event: 'transaction_confirmed', data: seen },
      { event: 'status_changed', data: this.json(inv) },
    ]);
    return inv;
  }

  private requireResolvable(inv: InvoiceRecord, what: string): void {
    if (inv.status !== 'unresolved' || !RESOLVABLE.includes(inv.statusContext)) {
      throw errors.invalidStatus(inv.status, inv.statusContext, `${what} needs unresolved with status_context underpaid, overpaid or paid_late`);
    }
  }

  createRecalculation(invoiceId: string, body: unknown): Record<string, unknown> {
    const raw = isPlainObject(body) ? body.force_commit : undefined;
    if (raw !== undefined && raw !== null && typeof raw !== 'boolean') {
      throw errors.invalid([{ code: 'must_be_boolean', target: 'force_commit', message: 'must be boolean' }]);
    }
    this.sweep();
    const inv = this.get(invoiceId);
    this.requireResolvable(inv, 'a recalculation');
    let rate: Decimal | null = null;
    let price: Decimal;
    if (inv.payCurrency === inv.priceCurrency) price = inv.paidAmount;
    else {
      rate = invoiceRate(inv.payCurrency, inv.priceCurrency) ?? null;
      if (!rate) throw errors.internal();
      price = inv.paidAmount.mul(rate).round(currencyPrecision(inv.priceCurrency), 'down');
    }
    const rec: RecalculationRecord = {
      id: uuid(),
      invoiceId: inv.id,
      payAmount: inv.paidAmount,
      payCurrency: inv.payCurrency,
      priceAmount: price,
      priceCurrency: inv.priceCurrency,
      fee: feeFor(price, inv.priceCurrency),
      feeCurrency: inv.priceCurrency,
      previousPayAmount: inv.payAmount,
      previousPriceAmount: inv.priceAmount,
      previousExchangeRate: inv.exchangeRate,
      exchangeRate: rate,
      createdAtMs: Math.floor(this.deps.now() / 1000) * 1000,
      commitDeadlineMs: commitDeadline(this.deps.now()),
      committed: false,
    };
    this.store.recalculations.set(rec.id, rec);
    if (raw === true) this.applyRecalculation(inv, rec);
    return recalculationJson(rec);
  }

  commitRecalculation(invoiceId: string, recalculationId: string): Record<string, unknown> {
    this.sweep();
    const inv = this.get(invoiceId);
    const rec = this.store.recalculations.get(recalculationId);
    if (!rec || rec.invoiceId !== inv.id) throw errors.notFound();
    assertCommittable(rec, this.deps.now());
    this.requireResolvable(inv, 'a recalculation commit');
    this.applyRecalculation(inv, rec);
    return recalculationJson(rec);
  }

  private applyRecalculation(inv: InvoiceRecord, rec: RecalculationRecord): void {
    rec.committed = true;
    inv.priceAmount = rec.priceAmount;
    inv.payAmount = rec.payAmount;
    inv.fee = rec.fee;
    inv.exchangeRate = rec.exchangeRate;
    inv.status = 'completed';
    inv.statusContext = null;
    this.book(inv);
    this.deps.emit(inv.id, [{ event: 'status_changed', data: this.json(inv) }]);
  }

  /**
   * underpaid / paid_late: the whole paid amount is refunded, invoice → refunded.
   * overpaid: only the excess is refunded, the invoice amount is credited, invoice → completed.
   */
  createRefund(invoiceId: string, body: unknown): Record<string, unknown> {
    const rawAddress = isPlainObject(body) ? body.address : undefined;
    if (rawAddress !== undefined && rawAddress !== null && (typeof rawAddress !== 'string' || rawAddress.trim() === '')) {
      throw errors.invalid([{ code: 'must_be_string', target: 'address', message: 'must be a non-empty string' }]);
    }
    this.sweep();
    const inv = this.get(invoiceId);
    this.requireResolvable(inv, 'a refund');
    const precision = currencyPrecision(inv.payCurrency);
    const overpaid = inv.statusContext === 'overpaid';
    const amount = overpaid ? inv.paidAmount.sub(inv.payAmount) : inv.paidAmount;
    const refund: RefundRecord = {
      id: uuid(),
      customId: inv.customId,
      invoiceId: inv.id,
      amount,
      amountCurrency: inv.payCurrency,
      fee: amount.mul(FEE_RATE).round(precision, 'up'),
      feeCurrency: inv.payCurrency,
      address: typeof rawAddress === 'string' ? rawAddress : null,
      txid: null,
      risk: null,
      createdAtMs: Math.floor(this.deps.now() / 1000) * 1000,
      network: inv.network,
    };
    const list = this.store.refundsByInvoice.get(inv.id) ?? [];
    list.push(refund);
    this.store.refundsByInvoice.set(inv.id, list);
    inv.status = overpaid ? 'completed' : 'refunded';
    inv.statusContext = null;
    this.book(inv);
    this.bookRefund(inv, refund);
    this.deps.emit(inv.id, [{ event: 'status_changed', data: this.json(inv) }]);
    // A refund to an external address is broadcast a moment later: txid is filled in then.
    if (refund.address !== null) {
      this.deps.schedule(() => {
        refund.txid = txid(refund.network);
      }, 2000);
    }
    return refundJson(refund);
  }

  /**
   * InvoiceRefund row (status null): a refund to the merchant's own account (no address) credits
   * the pay-currency account with amount − fee; a refund to an external address leaves the
   * merchant's balances unchanged (amount "0.0", the fee is taken from the refunded coins).
   */
  private bookRefund(inv: InvoiceRecord, refund: RefundRecord): void {
    this.deps.ledger.post({
      currency: refund.amountCurrency,
      amount: refund.address === null ? refund.amount.sub(refund.fee) : Decimal.ZERO,
      fee: refund.fee,
      feeCurrency: refund.feeCurrency,
      referenceId: refund.id,
      referenceType: 'InvoiceRefund',
      customId: refund.customId,
      customerId: inv.customerId,
    });
  }

  listRefunds(invoiceId: string): Record<string, unknown>[] {
    const inv = this.get(invoiceId);
    return (this.store.refundsByInvoice.get(inv.id) ?? []).map(refundJson);
  }
}
