// In-memory records and their JSON shapes (key order as in the recorded sandbox responses).
import { coinInfo } from './currencies';
import type { Decimal } from '../shared/decimal';
import { displayAddress, paymentUri } from './payment-uri';
import { apiTimestamp, zuluTimestamp } from './time';

export type InvoiceStatus = 'new' | 'completed' | 'unresolved' | 'refunded' | 'cancelled';
export type InvoiceStatusContext = 'underpaid' | 'overpaid' | 'paid_late' | 'illicit_resource' | null;

export interface Risk {
  score: number;
  level: 'low' | 'medium' | 'high';
  resource_name: string;
  resource_category: string;
}

export interface InvoiceTransaction {
  txid: string;
  risk: Risk | null;
}

export interface InvoiceRecord {
  seq: number;
  id: string;
  customId: string | null;
  customerId: string | null;
  subscriptionId: string | null;
  status: InvoiceStatus;
  statusContext: InvoiceStatusContext;
  address: string;
  destinationTag: number | null;
  network: string;
  priceAmount: Decimal;
  priceCurrency: string;
  payAmount: Decimal;
  payCurrency: string;
  fee: Decimal;
  feeCurrency: string;
  paidAmount: Decimal;
  /** null when price and pay currency are equal (then `exchange` is absent). */
  exchangeRate: Decimal | null;
  transactions: InvoiceTransaction[];
  name: string | null;
  description: string | null;
  metadata: Record<string, string> | null;
  successRedirectUrl: string | null;
  unsuccessRedirectUrl: string | null;
  createdAtMs: number;
  expiresAtMs: number;
}

export interface RecalculationRecord {
  id: string;
  invoiceId: string;
  payAmount: Decimal;
  payCurrency: string;
  priceAmount: Decimal;
  priceCurrency: string;
  fee: Decimal;
  feeCurrency: string;
  previousPayAmount: Decimal;
  previousPriceAmount: Decimal;
  previousExchangeRate: Decimal | null;
  exchangeRate: Decimal | null;
  createdAtMs: number;
  /** Emulator-clock deadline for the commit (precise creation time + 30 s). */
  commitDeadlineMs: number;
  committed: boolean;
}

export interface RefundRecord {
  id: string;
  customId: string | null;
  invoiceId: string;
  amount: Decimal;
  amountCurrency: string;
  fee: Decimal;
  feeCurrency: string;
  address: string | null;
  txid: string | null;
  risk: Risk | null;
  createdAtMs: number;
  network: string;
}

function exchangeJson(payCurrency: string, priceCurrency: string, rate: Decimal): Record<string, string> {
  return { pair: `${payCurrency}${priceCurrency}`, rate: rate.toString(), fee: '0.0', fee_currency: priceCurrency };
}

export function invoiceJson(inv: InvoiceRecord, hostedBase: string): Record<string, unknown> {
  const coin = coinInfo(inv.payCurrency);
  const out: Record<string, unknown> = {
    id: inv.id,
    custom_id: inv.customId,
    customer_id: inv.customerId,
    subscription_id: inv.subscriptionId,
    status: inv.status,
    status_context: inv.statusContext,
    address: displayAddress(inv.network, inv.address, inv.destinationTag),
    network: inv.network,
    uri: coin ? paymentUri(coin, inv.network, inv.address, inv.destinationTag, inv.payAmount) : '',
    price_amount: inv.priceAmount.toString(),
    price_currency: inv.priceCurrency,
    pay_amount: inv.payAmount.toString(),
    pay_currency: inv.payCurrency,
    fee: inv.fee.toString(),
    fee_currency: inv.feeCurrency,
    paid_amount: inv.paidAmount.toString(),
  };
  if (inv.exchangeRate) out.exchange = exchangeJson(inv.payCurrency, inv.priceCurrency, inv.exchangeRate);
  Object.assign(out, {
    transactions: inv.transactions.map((t) => ({ txid: t.txid, risk: t.risk ? { ...t.risk } : null })),
    name: inv.name,
    description: inv.description,
    metadata: inv.metadata ? { ...inv.metadata } : null,
    success_redirect_url: inv.successRedirectUrl,
    unsuccess_redirect_url: inv.unsuccessRedirectUrl,
    hosted_page_url: `${hostedBase}/invoices/${inv.id}`,
    created_at: apiTimestamp(inv.createdAtMs),
    expires_at: apiTimestamp(inv.expiresAtMs),
  });
  return out;
}

/** Uncommitted recalculations carry a "Z" created_at, as recorded (reference §2 quirk). */
export function recalculationJson(r: RecalculationRecord): Record<string, unknown> {
  return {
    id: r.id,
    invoice_id: r.invoiceId,
    pay_amount: r.payAmount.toString(),
    pay_currency: r.payCurrency,
    price_amount: r.priceAmount.toString(),
    price_currency: r.priceCurrency,
    fee: r.fee.toString(),
    fee_currency: r.feeCurrency,
    previous_pay_amount: r.previousPayAmount.toString(),
    previous_price_amount: r.previousPriceAmount.toString(),
    previous_exchange_rate: r.previousExchangeRate ? r.previousExchangeRate.toString() : null,
    exchange: r.exchangeRate ? exchangeJson(r.payCurrency, r.priceCurrency, r.exchangeRate) : null,
    created_at: r.committed ? apiTimestamp(r.createdAtMs) : zuluTimestamp(r.createdAtMs),
  };
}

export function refundJson(r: RefundRecord): Record<string, unknown> {
  return {
    id: r.id,
    custom_id: r.customId,
    invoice_id: r.invoiceId,
    amount: r.amount.toString(),
    amount_currency: r.amountCurrency,
    fee: r.fee.toString(),
    fee_currency: r.feeCurrency,
    address: r.address,
    txid: r.txid,
    risk: r.risk ? { ...r.risk } : null,
    created_at: apiTimestamp(r.createdAtMs),
    network: r.network,
  };
}

export class Store {
  readonly invoices = new Map<string, InvoiceRecord>();
  /** Creation order (oldest first). */
  readonly invoiceOrder: InvoiceRecord[] = [];
  /** invoiceOrder before this index is older than the 14-day cancellation and already swept. */
  sweptUpTo = 0;
  readonly invoicesByCustomId = new Map<string, InvoiceRecord>();
  readonly recalculations = new Map<string, RecalculationRecord>();
  readonly refundsByInvoice = new Map<string, RefundRecord[]>();
  private seq = 0;

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  addInvoice(inv: InvoiceRecord): void {
    this.invoices.set(inv.id, inv);
    this.invoiceOrder.push(inv);
    if (inv.customId !== null) this.invoicesByCustomId.set(inv.customId, inv);
  }

  clear(): void {
    this.invoices.clear();
    this.invoiceOrder.length = 0;
    this.sweptUpTo = 0;
    this.invoicesByCustomId.clear();
    this.recalculations.clear();
    this.refundsByInvoice.clear();
    this.seq = 0;
  }
}
