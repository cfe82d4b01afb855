// Exchange transfers (balance conversion, reference §4.7): create (one- or two-step), commit,
// retrieve. No list endpoint, no status field, no callbacks.
import { PRICE_CURRENCIES, currencyPrecision } from './currencies';
import { Decimal } from '../shared/decimal';
import { errors } from './errors';
import { uuid } from './ids';
import type { Ledger } from './ledger';
import { PROCESSING_FEE_RATE } from './payout-params';
import type { Conversion } from './rates';
import { payoutConversion, toCharged, toReceived } from './rates';
import type { Committable } from './two-step';
import { assertCommittable, commitDeadline } from './two-step';
import { Validator, precisionDetail } from './validate';

export interface ExchangeTransferRecord extends Committable {
  id: string;
  customId: string | null;
  chargedAmount: Decimal;
  chargedCurrency: string;
  receivedAmount: Decimal;
  receivedCurrency: string;
  conversion: Conversion;
  fee: Decimal;
  balanceTarget: 'charged_amount' | 'received_amount';
}

/** Recorded shape (the create response of an uncommitted transfer looks the same). */
export function exchangeTransferJson(t: ExchangeTransferRecord): Record<string, unknown> {
  return {
    id: t.id,
    charged_amount: t.chargedAmount.toString(),
    charged_currency: t.chargedCurrency,
    received_amount: t.receivedAmount.toString(),
    received_currency: t.receivedCurrency,
    custom_id: t.customId,
    exchange: { pair: t.conversion.pair, rate: t.conversion.rate.toString(), fee: t.fee.toString(), fee_currency: t.chargedCurrency },
  };
}

export interface ExchangeDeps {
  now(): number;
  ledger: Ledger;
}

export class ExchangeTransferService {
  private readonly items = new Map<string, ExchangeTransferRecord>();
  private readonly customIds = new Set<string>();

  constructor(private readonly deps: ExchangeDeps) {}

  clear(): void {
    this.items.clear();
    this.customIds.clear();
  }

  /**
   * Exactly one of charged_amount / received_amount (the other absent or null). Fee: 1 % of the
   * charged-currency value, rounded up — taken out of charged_amount, or added on top of the value
   * of received_amount. Order: fields → 409 duplicate custom_id → balance.
   */
  create(body: unknown): ExchangeTransferRecord {
    const v = new Validator(body);
    const chargedCurrency = v.oneOf('charged_currency', PRICE_CURRENCIES);
    const receivedCurrency = v.oneOf('received_currency', PRICE_CURRENCIES);
    const customId = v.optionalString('custom_id');
    const forceCommit = v.boolean('force_commit', false);
    const given = (['charged_amount', 'received_amount'] as const).filter((f) => v.has(f));
    let field: 'charged_amount' | 'received_amount' | null = null;
    let amount: Decimal | null = null;
    if (given.length === 0) v.add({ code: 'required', target: 'charged_amount', message: 'is missing: give exactly one of charged_amount or received_amount' });
    else if (given.length > 1) v.add({ code: 'must_be_empty', target: 'received_amount', message: 'must be empty when charged_amount is given: give exactly one of charged_amount or received_amount' });
    else {
      field = given[0] ?? null;
      amount = field ? v.positiveDecimal(field) : null;
      const currency = field === 'charged_amount' ? chargedCurrency : receivedCurrency;
      if (field && amount && currency && amount.precision > currencyPrecision(currency)) {
        v.add(precisionDetail(field, currencyPrecision(currency)));
        amount = null;
      }
    }
    let conv: Conversion | null | undefined = null;
    if (chargedCurrency && receivedCurrency) {
      conv = payoutConversion(chargedCurrency, receivedCurrency);
      if (!conv) v.add({ code: 'unsupported_pair', target: 'received_currency', message: chargedCurrency === receivedCurrency ? 'must differ from charged_currency' : `no rate for ${receivedCurrency}${chargedCurrency}` });
    }
    v.check();
    if (!chargedCurrency || !receivedCurrency || !field || !amount || !conv) throw errors.internal();
    if (customId !== null && this.customIds.has(customId)) throw errors.duplicateCustomId();

    const pc = currencyPrecision(chargedCurrency);
    const pr = currencyPrecision(receivedCurrency);
    const feeRate = Decimal.from(PROCESSING_FEE_RATE);
    let charged: Decimal;
    let received: Decimal;
    let fee: Decimal;
    if (field === 'charged_amount') {
      charged = amount;
      fee = amount.mul(feeRate).round(pc, 'up');
      received = toReceived(conv, amount.sub(fee), pr);
    } else {
      received = amount;
      const value = toCharged(conv, amount, pc);
      fee = value.mul(feeRate).round(pc, 'up');
      charged = value.add(fee);
    }
    if (!received.isPositive()) {
      throw errors.invalid([{ code: 'must_be_greater_than', target: field, message: 'is too small to exchange', args: { value: '0.0' } }]);
    }
    this.checkBalance(chargedCurrency, charged, field);
    const rec: ExchangeTransferRecord = {
      id: uuid(),
      customId,
      chargedAmount: charged,
      chargedCurrency,
      receivedAmount: received,
      receivedCurrency,
      conversion: conv,
      fee,
      balanceTarget: field,
      committed: false,
      commitDeadlineMs: commitDeadline(this.deps.now()),
    };
    this.items.set(rec.id.toLowerCase(), rec);
    if (customId !== null) this.customIds.add(customId);
    if (forceCommit) this.apply(rec);
    return rec;
  }

  commit(id: string): ExchangeTransferRecord {
    const rec = this.get(id);
    assertCommittable(rec, this.deps.now());
    this.apply(rec);
    return rec;
  }

  get(id: string): ExchangeTransferRecord {
    const rec = this.items.get(id.toLowerCase());
    if (!rec) throw errors.notFound();
    return rec;
  }

  private checkBalance(currency: string, amount: Decimal, target: string): void {
    const balance = this.deps.ledger.balance(currency);
    if (amount.cmp(balance) > 0) throw errors.insufficientBalance(target, balance.toString());
  }

  /** Two ledger rows (status null): the charged debit (with the fee) and the received credit. */
  private apply(rec: ExchangeTransferRecord): void {
    this.checkBalance(rec.chargedCurrency, rec.chargedAmount, rec.balanceTarget);
    rec.committed = true;
    const common = { referenceId: rec.id, referenceType: 'ExchangeTransfer' as const, customId: rec.customId };
    this.deps.ledger.post({ ...common, currency: rec.chargedCurrency, amount: rec.chargedAmount.neg(), fee: rec.fee, feeCurrency: rec.chargedCurrency });
    this.deps.ledger.post({ ...common, currency: rec.receivedCurrency, amount: rec.receivedAmount, feeCurrency: rec.receivedCurrency });
  }
}
