// Fixed exchange-rate table built from the recorded sandbox responses.
import { Decimal } from '../shared/decimal';
import { RECORDED_RATES } from './rates-data';

export interface RatePair {
  readonly buy_rate: string;
  readonly sell_rate: string;
}

/**
 * Rates used for invoices (`exchange.rate`). Recorded invoices used a rate close to the pair's
 * sell_rate; these two come verbatim from recorded invoices (2023-07), every other pair uses
 * the recorded sell_rate.
 */
const INVOICE_RATE_OVERRIDES: Readonly<Record<string, string>> = {
  BTCEUR: '28657.5853',
  ETHEUR: '1753.9057',
};

const TABLE = new Map<string, RatePair>();
for (const [base, quote, buy, sell] of RECORDED_RATES) {
  TABLE.set(`${base}/${quote}`, { buy_rate: buy, sell_rate: sell });
}

/** GET /api/rates body data: every pair twice, as "BTCEUR" and "BTC/EUR" (as recorded). */
export function allRates(): Record<string, RatePair> {
  const out: Record<string, RatePair> = {};
  for (const [base, quote, buy, sell] of RECORDED_RATES) {
    const rate = { buy_rate: buy, sell_rate: sell };
    out[`${base}${quote}`] = rate;
    out[`${base}/${quote}`] = rate;
  }
  return out;
}

export function rate(base: string, quote: string): RatePair | undefined {
  return TABLE.get(`${base}/${quote}`);
}

/**
 * Rate at which an invoice paid in `pay` for a price in `price` is converted (quote per 1 pay unit).
 * Direct recorded pair first; pairs that were not recorded (mostly crypto/crypto) are crossed
 * through EUR with 8 significant digits. Undefined when neither works.
 */
export function invoiceRate(pay: string, price: string): Decimal | undefined {
  const override = INVOICE_RATE_OVERRIDES[`${pay}${price}`];
  if (override) return Decimal.from(override);
  const direct = TABLE.get(`${pay}/${price}`);
  if (direct) return Decimal.from(direct.sell_rate);
  const payEur = pay === 'EUR' ? Decimal.from('1') : eurRate(pay);
  const priceEur = price === 'EUR' ? Decimal.from('1') : eurRate(price);
  if (!payEur || !priceEur || priceEur.isZero()) return undefined;
  return payEur.divSignificant(priceEur, 8, 'half_up');
}

function eurRate(currency: string): Decimal | undefined {
  const override = INVOICE_RATE_OVERRIDES[`${currency}EUR`];
  if (override) return Decimal.from(override);
  const r = TABLE.get(`${currency}/EUR`);
  return r ? Decimal.from(r.sell_rate) : undefined;
}

/**
 * Conversion used when the merchant's balance is exchanged (coin withdrawals, exchange transfers):
 * the merchant buys `received` with `charged`. `pair`/`rate` are what `exchange` shows.
 * - `divide`: rate is `received` priced in `charged` (pair BTCEUR for EUR → BTC): received = charged / rate.
 * - otherwise rate is `charged` priced in `received` (pair BTCEUR for BTC → EUR): received = charged × rate.
 */
export interface Conversion {
  readonly pair: string;
  readonly rate: Decimal;
  readonly divide: boolean;
}

/**
 * Rates from recorded withdrawals/exchange transfers (2023-07-11): close to the recorded buy_rate.
 * Every other pair uses the recorded buy_rate (direct pair) or sell_rate (reverse pair).
 */
const PAYOUT_RATE_OVERRIDES: Readonly<Record<string, string>> = {
  BTCEUR: '29696.0269',
  ETHEUR: '1831.4174',
};

/** Value of one unit of `currency` in EUR; `side` picks buy_rate or sell_rate of the recorded pair. */
export function eurValue(currency: string, side: 'buy' | 'sell'): Decimal | undefined {
  if (currency === 'EUR') return Decimal.from('1');
  const direct = TABLE.get(`${currency}/EUR`);
  if (direct) return Decimal.from(side === 'buy' ? direct.buy_rate : direct.sell_rate);
  const reverse = TABLE.get(`EUR/${currency}`);
  if (reverse) return Decimal.from('1').divSignificant(Decimal.from(side === 'buy' ? reverse.sell_rate : reverse.buy_rate), 12, 'half_up');
  return undefined;
}

/** null when the currencies are equal (no exchange); undefined when no rate can be found. */
export function payoutConversion(charged: string, received: string): Conversion | null | undefined {
  if (charged === received) return null;
  const override = PAYOUT_RATE_OVERRIDES[`${received}${charged}`];
  if (override) return { pair: `${received}${charged}`, rate: Decimal.from(override), divide: true };
  const direct = TABLE.get(`${received}/${charged}`);
  if (direct) return { pair: `${received}${charged}`, rate: Decimal.from(direct.buy_rate), divide: true };
  const reverse = TABLE.get(`${charged}/${received}`);
  if (reverse) return { pair: `${charged}${received}`, rate: Decimal.from(reverse.sell_rate), divide: false };
  const receivedEur = eurValue(received, 'buy');
  const chargedEur = eurValue(charged, 'sell');
  if (!receivedEur || !chargedEur || chargedEur.isZero()) return undefined;
  return { pair: `${received}${charged}`, rate: receivedEur.divSignificant(chargedEur, 8, 'half_up'), divide: true };
}

/** Amount in `charged` currency → received currency, rounded down to `precision`. */
export function toReceived(conv: Conversion | null, charged: Decimal, precision: number): Decimal {
  if (!conv) return charged.round(precision, 'down');
  return conv.divide ? charged.div(conv.rate, precision, 'down') : charged.mul(conv.rate).round(precision, 'down');
}

/** Amount in received currency → charged currency, rounded up to `precision`. */
export function toCharged(conv: Conversion | null, received: Decimal, precision: number): Decimal {
  if (!conv) return received.round(precision, 'up');
  return conv.divide ? received.mul(conv.rate).round(precision, 'up') : received.div(conv.rate, precision, 'up');
}

/** `amount` in EUR at the recorded sell rate (8 places, down); undefined without a rate. */
export function valueInEur(amount: Decimal, currency: string): Decimal | undefined {
  const r = eurValue(currency, 'sell');
  return r ? amount.mul(r).round(8, 'down') : undefined;
}
