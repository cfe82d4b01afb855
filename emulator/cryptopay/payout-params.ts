// Coin withdrawal parameters (reference §4.6): amount modes, the fee/exchange calculation and the
// travel-rule beneficiary. Rules are documented in README "Assumptions".
import { currencyPrecision } from './currencies';
import type { Decimal } from '../shared/decimal';
import type { Conversion } from './rates';
import { toCharged, toReceived } from './rates';
import type { Validator } from './validate';
import { isGiven, isPlainObject, precisionDetail } from './validate';

export const LEGACY_AMOUNT_FIELDS = ['charged_amount', 'charged_amount_to_send', 'received_amount'] as const;
export type AmountField = (typeof LEGACY_AMOUNT_FIELDS)[number] | 'amount';

/**
 * One amount mode, normalised to the newer form:
 * - charged_amount         = amount in charged currency, both fees included (taken out of it)
 * - charged_amount_to_send = amount in charged currency, both fees added on top
 * - received_amount        = amount in received currency, both fees added on top
 * - amount + amount_currency + amount_includes_processing_fee / amount_includes_network_fee
 */
export interface AmountMode {
  field: AmountField;
  amount: Decimal;
  currency: string;
  inCharged: boolean;
  includesProcessingFee: boolean;
  includesNetworkFee: boolean;
}

const MODE_HINT = 'give exactly one of charged_amount, charged_amount_to_send, received_amount or amount';

/** Reads exactly one amount mode; none → required, several → must_be_empty on the extra ones. */
export function parseAmountMode(v: Validator, charged: string | null, received: string | null): AmountMode | null {
  const fields: AmountField[] = [...LEGACY_AMOUNT_FIELDS, 'amount'];
  const given = fields.filter((f) => v.has(f));
  const first = given[0];
  if (first === undefined) {
    v.add({ code: 'required', target: 'charged_amount', message: `is missing: ${MODE_HINT}` });
    return null;
  }
  if (given.length > 1) {
    for (const extra of given.slice(1)) {
      v.add({ code: 'must_be_empty', target: extra, message: `must be empty when ${first} is given: ${MODE_HINT}` });
    }
    return null;
  }
  const amount = v.positiveDecimal(first);
  let mode: AmountMode | null = null;
  if (first === 'amount') {
    const includesProcessingFee = v.boolean('amount_includes_processing_fee', false);
    const includesNetworkFee = v.boolean('amount_includes_network_fee', false);
    const raw = v.body.amount_currency;
    if (!isGiven(raw)) v.required('amount_currency');
    else if (charged && received) {
      const currency = v.checkIncluded('amount_currency', raw, charged === received ? [charged] : [charged, received]);
      if (currency && amount) mode = { field: first, amount, currency, inCharged: currency === charged, includesProcessingFee, includesNetworkFee };
    }
  } else if (amount && charged && received) {
    const inCharged = first !== 'received_amount';
    const fees = first === 'charged_amount';
    mode = { field: first, amount, currency: inCharged ? charged : received, inCharged, includesProcessingFee: fees, includesNetworkFee: fees };
  }
  if (mode && mode.amount.precision > currencyPrecision(mode.currency)) {
    v.add(precisionDetail(mode.field, currencyPrecision(mode.currency)));
    return null;
  }
  return mode;
}

export const PROCESSING_FEE_RATE = '0.01';

export interface PayoutQuote {
  /** Debited from the charged-currency account. */
  charged: Decimal;
  /** Sent to the address (received currency), after the network fee. */
  received: Decimal;
  /** 1 % processing fee, in charged currency. */
  processingFee: Decimal;
}

/**
 * Fees: processing fee = 1 % (rounded up) of the amount expressed in charged currency; network fee
 * (received currency) from the network fee table. A fee that is "included" is taken out of the
 * amount, otherwise it is added on top. Conversions round in the merchant's disfavour: to the
 * received currency down, to the charged currency up.
 */
export function quotePayout(mode: AmountMode, conv: Conversion | null, chargedCurrency: string, receivedCurrency: string, networkFee: Decimal, feeRate: Decimal): PayoutQuote {
  const pc = currencyPrecision(chargedCurrency);
  const pr = currencyPrecision(receivedCurrency);
  const fee = (x: Decimal): Decimal => x.mul(feeRate).round(pc, 'up');
  if (mode.inCharged) {
    const a = mode.amount;
    const processingFee = fee(a);
    const send = mode.includesProcessingFee ? a.sub(processingFee) : a;
    if (mode.includesNetworkFee) return { charged: send.add(processingFee), received: toReceived(conv, send, pr).sub(networkFee), processingFee };
    return { charged: send.add(processingFee).add(toCharged(conv, networkFee, pc)), received: toReceived(conv, send, pr), processingFee };
  }
  const gross = mode.includesNetworkFee ? mode.amount : mode.amount.add(networkFee); // bought, incl. network fee
  const value = toCharged(conv, gross, pc);
  const processingFee = fee(value);
  if (mode.includesProcessingFee) return { charged: value, received: toReceived(conv, value.sub(processingFee), pr).sub(networkFee), processingFee };
  return { charged: value.add(processingFee), received: gross.sub(networkFee), processingFee };
}

const BENEFICIARY_TYPES = ['natural_person', 'legal_person'];
const NAME_RE = /^[a-zA-Z0-9\s-]+$/;
const COUNTRY_RE = /^[A-Za-z]{2}$/;

/**
 * Travel-rule beneficiary (reference §4.6, Ruby SDK model limits). Required when
 * travel_rule_compliant is true; validated whenever given. Targets are field paths.
 */
export function validateBeneficiary(v: Validator, required: boolean): void {
  const b = v.body.beneficiary;
  if (b === undefined || b === null) {
    if (required) v.required('beneficiary');
    return;
  }
  if (!isPlainObject(b)) {
    v.add({ code: 'must_be_hash', target: 'beneficiary', message: 'must be an object' });
    return;
  }
  const str = (obj: Record<string, unknown>, key: string, path: string, need: boolean, max: number): string | null => {
    const value = obj[key];
    if (!isGiven(value)) {
      if (need) v.required(path);
      return null;
    }
    if (typeof value !== 'string') {
      v.add({ code: 'must_be_string', target: path, message: 'must be a string' });
      return null;
    }
    if (value.length > max) {
      v.add({ code: 'too_long', target: path, message: `must be at most ${max} characters`, args: { count: max } });
      return null;
    }
    return value;
  };
  const type = b.type;
  if (!isGiven(type)) v.required('beneficiary.type');
  else v.checkIncluded('beneficiary.type', type, BENEFICIARY_TYPES);
  const name = str(b, 'name', 'beneficiary.name', true, 100);
  if (name !== null && !NAME_RE.test(name)) {
    v.add({ code: 'invalid_format', target: 'beneficiary.name', message: `must match ${NAME_RE.source}`, args: { pattern: NAME_RE.source } });
  }
  const address = b.address;
  if (address === undefined || address === null) {
    v.required('beneficiary.address');
    return;
  }
  if (!isPlainObject(address)) {
    v.add({ code: 'must_be_hash', target: 'beneficiary.address', message: 'must be an object' });
    return;
  }
  const country = str(address, 'country', 'beneficiary.address.country', true, 2);
  if (country !== null && !COUNTRY_RE.test(country)) {
    v.add({ code: 'invalid_format', target: 'beneficiary.address.country', message: 'must be an ISO 3166-1 alpha-2 country code', args: { pattern: COUNTRY_RE.source } });
  }
  str(address, 'city', 'beneficiary.address.city', false, 35);
  str(address, 'line_1', 'beneficiary.address.line_1', false, 70);
  str(address, 'line_2', 'beneficiary.address.line_2', false, 70);
  str(address, 'post_code', 'beneficiary.address.post_code', false, 16);
}
