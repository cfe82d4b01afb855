// Fixed exchange-rate table built from the recorded sandbox responses.
import { Decimal } from './decimal';
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
