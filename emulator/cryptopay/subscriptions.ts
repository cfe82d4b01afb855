// Subscriptions ("email billing", reference §4.10, §6.4): create, retrieve, list, cancel, and the
// payment hook paySubscription() / POST /_emulator/subscriptions/{id}/pay.
import { PRICE_CURRENCIES } from './currencies';
import type { Decimal } from '../shared/decimal';
import { errors } from './errors';
import type { CallbackEvent } from './events';
import { uuid } from './ids';
import type { ListBody } from './pagination';
import { Collection, cursorParam, listBody } from './pagination';
import { apiTimestamp, floorToSecond, parseTimestamp } from './time';
import { Validator, isGiven } from './validate';

export const SUBSCRIPTION_PERIODS = ['day', 'week', 'month', 'year'] as const;
/** starts_at must be at least this far after the request (reference §4.10). */
export const MIN_START_DELAY_MS = 3 * 24 * 3600_000;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface SubscriptionRecord {
  id: string;
  status: 'active' | 'cancelled';
  customId: string | null;
  name: string;
  amount: Decimal;
  currency: string;
  period: string;
  periodQuantity: number;
  currentPeriodStartsAtMs: number;
  currentPeriodEndsAtMs: number;
  currentPeriodPaid: boolean;
  payerEmail: string;
  strings: Record<(typeof OPTIONAL)[number], string | null>;
  createdAtMs: number;
  cancelledAtMs: number | null;
}

const OPTIONAL = ['payer_name', 'product_name', 'product_description', 'success_redirect_url', 'unsuccess_redirect_url'] as const;

/** Recorded shape and key order. */
export function subscriptionJson(s: SubscriptionRecord): Record<string, unknown> {
  return {
    id: s.id,
    status: s.status,
    custom_id: s.customId,
    name: s.name,
    amount: s.amount.toString(),
    currency: s.currency,
    period: s.period,
    period_quantity: s.periodQuantity,
    current_period_starts_at: apiTimestamp(s.currentPeriodStartsAtMs),
    current_period_ends_at: apiTimestamp(s.currentPeriodEndsAtMs),
    current_period_paid: s.currentPeriodPaid,
    payer_email: s.payerEmail,
    payer_name: s.strings.payer_name,
    product_name: s.strings.product_name,
    product_description: s.strings.product_description,
    success_redirect_url: s.strings.success_redirect_url,
    unsuccess_redirect_url: s.strings.unsuccess_redirect_url,
    created_at: apiTimestamp(s.createdAtMs),
    cancelled_at: s.cancelledAtMs === null ? null : apiTimestamp(s.cancelledAtMs),
  };
}

export interface SubscriptionDeps {
  now(): number;
  emit(type: string, resourceId: string, events: readonly CallbackEvent[]): void;
}

export class SubscriptionService {
  private readonly items = new Collection<SubscriptionRecord>();

  constructor(private readonly deps: SubscriptionDeps) {}

  clear(): void {
    this.items.clear();
  }

  /**
   * The current period runs from creation to `starts_at` (as recorded: current_period_ends_at =
   * starts_at). starts_at earlier than now + 3 days → 422 must_be_greater_than_or_equal.
   */
  create(body: unknown): SubscriptionRecord {
    const v = new Validator(body);
    const name = v.string('name');
    const amount = v.positiveDecimal('amount');
    const currency = v.oneOf('currency', PRICE_CURRENCIES);
    const period = v.oneOf('period', SUBSCRIPTION_PERIODS);
    const rawQuantity = v.body.period_quantity;
    let periodQuantity: number | null = null;
    if (!isGiven(rawQuantity)) v.required('period_quantity');
    else if (typeof rawQuantity !== 'number' || !Number.isInteger(rawQuantity) || rawQuantity < 1) {
      v.add({ code: 'must_be_integer', target: 'period_quantity', message: 'must be an integer >= 1' });
    } else periodQuantity = rawQuantity;
    const now = this.deps.now();
    const earliest = now + MIN_START_DELAY_MS;
    const rawStart = v.body.starts_at;
    let startsAtMs: number | null = null;
    if (!isGiven(rawStart)) v.required('starts_at');
    else {
      const ms = typeof rawStart === 'string' ? parseTimestamp(rawStart) : null;
      if (ms === null) v.add({ code: 'must_be_date_time', target: 'starts_at', message: 'must be an ISO 8601 date-time with a zone' });
      else if (ms < floorToSecond(earliest)) {
        const value = apiTimestamp(floorToSecond(earliest));
        v.add({ code: 'must_be_greater_than_or_equal', target: 'starts_at', message: `must be at least 3 days from now (${value})`, args: { value } });
      } else startsAtMs = ms;
    }
    const payerEmail = v.string('payer_email');
    if (payerEmail !== null && !EMAIL_RE.test(payerEmail)) v.add({ code: 'must_be_email', target: 'payer_email', message: 'must be an email address' });
    const customId = v.optionalString('custom_id');
    const strings = Object.fromEntries(OPTIONAL.map((k) => [k, v.optionalString(k)])) as SubscriptionRecord['strings'];
    v.check();
    if (name === null || !amount || !currency || !period || periodQuantity === null || startsAtMs === null || payerEmail === null) throw errors.internal();
    if (customId !== null && this.items.hasCustomId(customId)) throw errors.duplicateCustomId();
    const createdAtMs = floorToSecond(now);
    const rec: SubscriptionRecord = {
      id: uuid(),
      status: 'active',
      customId,
      name,
      amount,
      currency,
      period,
      periodQuantity,
      currentPeriodStartsAtMs: createdAtMs,
      currentPeriodEndsAtMs: floorToSecond(startsAtMs),
      currentPeriodPaid: false,
      payerEmail,
      strings,
      createdAtMs,
      cancelledAtMs: null,
    };
    this.items.add(rec, customId);
    return rec;
  }

  get(id: string): SubscriptionRecord {
    return this.items.require(id);
  }

  getByCustomId(customId: string): SubscriptionRecord {
    return this.items.requireByCustomId(customId);
  }

  list(query: URLSearchParams): ListBody {
    return listBody(this.items.page(cursorParam(query)), subscriptionJson);
  }

  /** POST /api/subscriptions/{id}/cancel; an already cancelled one → 422 invalid_status. */
  cancel(id: string): SubscriptionRecord {
    const rec = this.get(id);
    if (rec.status !== 'active') throw errors.invalidTransition('subscription', rec.status, 'cancelled');
    this.close(rec, floorToSecond(this.deps.now()));
    return rec;
  }

  /** Test hook: the payer paid the current period (callback Subscription `paid`). */
  pay(id: string): SubscriptionRecord {
    const rec = this.get(id);
    if (rec.status !== 'active') throw errors.invalidTransition('subscription', rec.status, 'paid');
    if (rec.currentPeriodPaid) throw errors.invalidTransition('subscription', 'paid for the current period', 'paid');
    rec.currentPeriodPaid = true;
    this.deps.emit('Subscription', rec.id, [{ event: 'paid', data: subscriptionJson(rec) }]);
    return rec;
  }

  /** An active subscription whose first payment was not made before starts_at is cancelled then (evaluated lazily). */
  sweep(): void {
    const now = this.deps.now();
    for (const rec of this.items.all()) {
      if (rec.status === 'active' && !rec.currentPeriodPaid && now >= rec.currentPeriodEndsAtMs) this.close(rec, rec.currentPeriodEndsAtMs);
    }
  }

  private close(rec: SubscriptionRecord, atMs: number): void {
    rec.status = 'cancelled';
    rec.cancelledAtMs = atMs;
    this.deps.emit('Subscription', rec.id, [{ event: 'cancelled', data: subscriptionJson(rec) }]);
  }
}
