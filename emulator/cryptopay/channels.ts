// Channels (static deposit addresses) and their payments (reference §4.5, §6.2), with the payment
// simulation used by payChannel() / POST /_emulator/channels/{id}/payments.
import { PAY_CURRENCIES, PRICE_CURRENCIES, coinInfo, currencyPrecision } from './currencies';
import { Decimal } from '../shared/decimal';
import { errors } from './errors';
import type { CallbackEvent } from './events';
import { depositAddress, destinationTag, txid, uuid } from './ids';
import type { Ledger, LedgerRef } from './ledger';
import { newRef } from './ledger';
import type { ListBody } from './pagination';
import { Collection, cursorParam, listBody, requireUuidParam } from './pagination';
import { channelUri, displayAddress } from './payment-uri';
import { invoiceRate } from './rates';
import { HIGH_RISK, LOW_RISK } from './risk';
import type { Risk } from './store';
import { apiTimestamp, floorToSecond } from './time';
import { Validator, oneOf, precisionDetail } from './validate';

export const CHANNEL_STATUSES = ['enabled', 'disabled'] as const;
export type ChannelStatus = (typeof CHANNEL_STATUSES)[number];
export const CHANNEL_PAYMENT_SCENARIOS = ['normal', 'high_risk'] as const;
export type ChannelPaymentScenario = (typeof CHANNEL_PAYMENT_SCENARIOS)[number];

const FEE_RATE = Decimal.from('0.01');

export interface ChannelPaymentRecord {
  id: string;
  channelId: string;
  paidAmount: Decimal;
  paidCurrency: string;
  receivedAmount: Decimal;
  receivedCurrency: string;
  fee: Decimal;
  feeCurrency: string;
  txid: string;
  /** Set once the payment was converted (completed, currencies differ); `exchange` is absent before. */
  exchangeRate: Decimal | null;
  status: 'pending' | 'completed' | 'on_hold';
  statusContext: 'illicit_resource' | 'channel_disabled' | null;
  customId: string | null;
  customerId: string | null;
  address: string;
  network: string;
  risk: Risk | null;
  createdAtMs: number;
  ref: LedgerRef;
}

export interface ChannelRecord {
  id: string;
  status: ChannelStatus;
  name: string;
  description: string | null;
  receiverCurrency: string;
  payCurrency: string;
  address: string;
  destinationTag: number | null;
  network: string;
  customId: string | null;
  customerId: string | null;
  payments: Collection<ChannelPaymentRecord>;
}

export function channelPaymentJson(p: ChannelPaymentRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: p.id,
    paid_amount: p.paidAmount.toString(),
    paid_currency: p.paidCurrency,
    received_amount: p.receivedAmount.toString(),
    received_currency: p.receivedCurrency,
    fee: p.fee.toString(),
    fee_currency: p.feeCurrency,
    txid: p.txid,
  };
  if (p.exchangeRate) out.exchange = { pair: `${p.paidCurrency}${p.receivedCurrency}`, rate: p.exchangeRate.toString(), fee: '0.0', fee_currency: p.receivedCurrency };
  Object.assign(out, {
    status: p.status,
    status_context: p.statusContext,
    refund_address: null,
    coin_withdrawal_id: null,
    custom_id: p.customId,
    customer_id: p.customerId,
    channel_id: p.channelId,
    address: p.address,
    network: p.network,
    risk: p.risk ? { ...p.risk } : null,
    created_at: apiTimestamp(p.createdAtMs),
  });
  return out;
}

export interface ChannelDeps {
  now(): number;
  hostedBase(): string;
  projectId: string;
  ledger: Ledger;
  emit(type: string, resourceId: string, events: readonly CallbackEvent[]): void;
}

export class ChannelService {
  private readonly items = new Collection<ChannelRecord>();

  constructor(private readonly deps: ChannelDeps) {}

  clear(): void {
    this.items.clear();
  }

  json(c: ChannelRecord): Record<string, unknown> {
    const coin = coinInfo(c.payCurrency);
    return {
      id: c.id,
      status: c.status,
      name: c.name,
      description: c.description,
      receiver_currency: c.receiverCurrency,
      pay_currency: c.payCurrency,
      address: displayAddress(c.network, c.address, c.destinationTag),
      network: c.network,
      project_id: this.deps.projectId,
      custom_id: c.customId,
      customer_id: c.customerId,
      uri: coin ? channelUri(coin, c.network, c.address, c.destinationTag) : '',
      hosted_page_url: `${this.deps.hostedBase()}/channels/${c.id}`,
    };
  }

  create(body: unknown): ChannelRecord {
    const v = new Validator(body);
    const name = v.string('name');
    const payCurrency = v.oneOf('pay_currency', PAY_CURRENCIES);
    const receiverCurrency = v.oneOf('receiver_currency', PRICE_CURRENCIES);
    const coin = payCurrency ? coinInfo(payCurrency) : undefined;
    const network = coin ? v.optionalOneOf('network', coin.networks, coin.networks[0] ?? null) : null;
    const description = v.optionalString('description');
    const customId = v.optionalString('custom_id');
    const customerId = v.optionalString('customer_id');
    if (payCurrency && receiverCurrency && payCurrency !== receiverCurrency && !invoiceRate(payCurrency, receiverCurrency)) {
      v.add({ code: 'unsupported_pair', target: 'receiver_currency', message: `no rate for ${payCurrency}${receiverCurrency}` });
    }
    v.check();
    if (name === null || !payCurrency || !receiverCurrency || !network) throw errors.internal();
    if (customId !== null && this.items.hasCustomId(customId)) throw errors.duplicateCustomId();
    const rec: ChannelRecord = {
      id: uuid(),
      status: 'enabled',
      name,
      description,
      receiverCurrency,
      payCurrency,
      address: depositAddress(network),
      destinationTag: network === 'ripple' ? destinationTag() : null,
      network,
      customId,
      customerId,
      payments: new Collection<ChannelPaymentRecord>(),
    };
    this.items.add(rec, customId);
    return rec;
  }

  get(id: string): ChannelRecord {
    return this.items.require(id);
  }

  getByCustomId(customId: string): ChannelRecord {
    return this.items.requireByCustomId(customId);
  }

  /** PATCH: name, description, status (enabled/disabled), customer_id; other fields are ignored. */
  update(id: string, body: unknown): ChannelRecord {
    const rec = this.get(id);
    const v = new Validator(body);
    const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(v.body, k);
    const name = has('name') ? v.string('name') : null;
    const description = has('description') ? v.optionalString('description') : null;
    const status = has('status') ? v.oneOf('status', CHANNEL_STATUSES) : null;
    const customerId = has('customer_id') ? v.optionalString('customer_id') : null;
    v.check();
    if (name !== null) rec.name = name;
    if (has('description')) rec.description = description;
    if (status !== null) rec.status = status as ChannelStatus;
    if (has('customer_id')) rec.customerId = customerId;
    return rec;
  }

  list(query: URLSearchParams): ListBody {
    const cursor = cursorParam(query);
    const customerId = query.get('customer_id');
    const match = customerId === null ? null : (c: ChannelRecord): boolean => c.customerId === customerId;
    return listBody(this.items.page(cursor, match), (c) => this.json(c));
  }

  /** GET /api/channels/{id}/payments (non-UUID channel id → 422 must_be_uuid on channel_id). */
  listPayments(channelId: string, query: URLSearchParams): ListBody {
    requireUuidParam(channelId, 'channel_id');
    const channel = this.get(channelId);
    return listBody(channel.payments.page(cursorParam(query)), channelPaymentJson);
  }

  getPayment(channelId: string, paymentId: string): ChannelPaymentRecord {
    requireUuidParam(channelId, 'channel_id');
    const payment = this.get(channelId).payments.get(paymentId);
    if (!payment) throw errors.notFound();
    return payment;
  }

  /**
   * Test hook: coins arrive at the channel address. The payment is final on return: `completed`
   * (converted at the invoice rate, 1 % fee, credited), or `on_hold` with illicit_resource
   * (high_risk) or channel_disabled (disabled channel). Callbacks `created` then `completed` /
   * `on_hold` follow, spaced like invoice events.
   */
  pay(channelId: string, amount: unknown, scenario: unknown = 'normal'): ChannelPaymentRecord {
    const s = scenario ?? 'normal';
    if (typeof s !== 'string' || !(CHANNEL_PAYMENT_SCENARIOS as readonly string[]).includes(s)) {
      throw errors.invalid([{ code: 'must_be_included_in', target: 'scenario', message: oneOf(CHANNEL_PAYMENT_SCENARIOS), args: { list: [...CHANNEL_PAYMENT_SCENARIOS] } }]);
    }
    const v = new Validator({ amount });
    const paid = v.positiveDecimal('amount');
    v.check();
    const channel = this.get(channelId);
    if (!paid) throw errors.internal();
    const precision = currencyPrecision(channel.payCurrency);
    if (paid.precision > precision) throw errors.invalid([precisionDetail('amount', precision)]);

    const payment: ChannelPaymentRecord = {
      id: uuid(),
      channelId: channel.id,
      paidAmount: paid,
      paidCurrency: channel.payCurrency,
      receivedAmount: Decimal.ZERO,
      receivedCurrency: channel.receiverCurrency,
      fee: Decimal.ZERO,
      feeCurrency: channel.receiverCurrency,
      txid: txid(channel.network),
      exchangeRate: null,
      status: 'pending',
      statusContext: null,
      customId: channel.customId,
      customerId: channel.customerId,
      address: displayAddress(channel.network, channel.address, channel.destinationTag),
      network: channel.network,
      risk: null,
      createdAtMs: floorToSecond(this.deps.now()),
      ref: newRef('pending'),
    };
    channel.payments.add(payment);
    const created = channelPaymentJson(payment);

    let event: 'completed' | 'on_hold';
    if (s === 'high_risk' || channel.status === 'disabled') {
      event = 'on_hold';
      payment.status = 'on_hold';
      payment.statusContext = s === 'high_risk' ? 'illicit_resource' : 'channel_disabled';
      payment.risk = s === 'high_risk' ? { ...HIGH_RISK } : null;
    } else {
      event = 'completed';
      this.convert(payment);
      payment.status = 'completed';
      payment.risk = { ...LOW_RISK };
    }
    payment.ref.status = payment.status;
    payment.ref.statusContext = payment.statusContext;
    payment.ref.risk = payment.risk ? { ...payment.risk } : null;
    // completed: received amount credited; on hold: a 0.0 row, as the recorded ledger shows
    this.deps.ledger.post({
      currency: payment.receivedCurrency,
      amount: payment.receivedAmount,
      fee: payment.fee,
      feeCurrency: payment.feeCurrency,
      referenceId: payment.id,
      referenceType: 'ChannelPayment',
      ref: payment.ref,
      customId: payment.customId,
      customerId: payment.customerId,
    });
    this.deps.emit('ChannelPayment', payment.id, [
      { event: 'created', data: created },
      { event, data: channelPaymentJson(payment) },
    ]);
    return payment;
  }

  /** paid × rate rounded down to the receiver currency; fee 1 % of that, rounded up; received = gross − fee. */
  private convert(p: ChannelPaymentRecord): void {
    const precision = currencyPrecision(p.receivedCurrency);
    let gross = p.paidAmount.round(precision, 'down');
    if (p.paidCurrency !== p.receivedCurrency) {
      const rate = invoiceRate(p.paidCurrency, p.receivedCurrency);
      if (!rate) throw errors.internal();
      p.exchangeRate = rate;
      gross = p.paidAmount.mul(rate).round(precision, 'down');
    }
    p.fee = gross.mul(FEE_RATE).round(precision, 'up');
    p.receivedAmount = gross.sub(p.fee);
  }
}
