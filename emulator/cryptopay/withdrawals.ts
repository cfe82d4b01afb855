// Coin withdrawals (payouts, reference §4.6, §6.3): create (one- or two-step), commit, retrieve,
// list, lifecycle control, ledger debits and CoinWithdrawal callbacks.
import { isHighRisk, isValidAddress, HIGH_RISK_MESSAGE } from './addresses';
import { NETWORK_FEE_LEVELS, networkFeeFor } from './coins';
import type { NetworkFeeLevel } from './coins';
import { PAY_CURRENCIES, PRICE_CURRENCIES, coinInfo } from './currencies';
import { Decimal } from '../shared/decimal';
import { errors } from './errors';
import type { CallbackEvent } from './events';
import { txid, uuid } from './ids';
import type { Ledger, LedgerRef } from './ledger';
import { newRef } from './ledger';
import type { ListBody } from './pagination';
import { Collection, cursorParam, listBody } from './pagination';
import type { AmountField } from './payout-params';
import { PROCESSING_FEE_RATE, parseAmountMode, quotePayout, validateBeneficiary } from './payout-params';
import { payoutConversion, valueInEur } from './rates';
import { LOW_RISK } from './risk';
import type { Risk } from './store';
import { apiTimestamp, floorToSecond, zuluTimestamp } from './time';
import type { Committable } from './two-step';
import { assertCommittable, commitDeadline } from './two-step';
import { Validator, oneOf } from './validate';

export const WITHDRAWAL_STATUSES = ['new', 'pending', 'processing', 'sent', 'completed', 'on_hold', 'failed', 'cancelled'] as const;
export type WithdrawalStatus = (typeof WITHDRAWAL_STATUSES)[number];

/** Statuses the control endpoint / setWithdrawalStatus() may set. */
export const CONTROL_STATUSES = ['processing', 'sent', 'completed', 'failed', 'on_hold', 'cancelled'] as const;
export type ControlWithdrawalStatus = (typeof CONTROL_STATUSES)[number];

/** pending → processing → sent → completed; on_hold and failed are side states; cancelled returns the money. */
const TRANSITIONS: Readonly<Record<WithdrawalStatus, readonly WithdrawalStatus[]>> = {
  new: [],
  pending: ['processing', 'on_hold', 'failed', 'cancelled'],
  processing: ['sent', 'on_hold', 'failed', 'cancelled'],
  sent: ['completed', 'failed'],
  on_hold: ['processing', 'failed', 'cancelled'],
  failed: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

/** Minimum payout: 5 EUR equivalent of the amount field (reference §4.6). */
export const MINIMUM_PAYOUT_EUR = '5.0';

interface ExchangeInfo {
  pair: string;
  rate: Decimal;
  fee: Decimal;
  feeCurrency: string;
}

export interface WithdrawalRecord extends Committable {
  id: string;
  customId: string | null;
  customerId: string | null;
  address: string;
  network: string;
  txid: string | null;
  status: WithdrawalStatus;
  chargedAmount: Decimal;
  chargedCurrency: string;
  receivedAmount: Decimal;
  receivedCurrency: string;
  networkFee: Decimal;
  networkFeeLevel: NetworkFeeLevel;
  /** `fee`: the processing fee when no exchange happens, else "0.0" (the fee is in `exchange`). */
  fee: Decimal;
  feeCurrency: string;
  processingFee: Decimal;
  exchange: ExchangeInfo | null;
  risk: Risk | null;
  createdAtMs: number;
  /** Target of the insufficient-balance error for this amount mode. */
  balanceTarget: 'charged_amount' | 'received_amount';
  ref: LedgerRef;
}

/**
 * Recorded shape (php-sdk-2023). Uncommitted (`new`) withdrawals reproduce the recorded quirk:
 * `created_at` with "Z" and no `network` key.
 */
export function withdrawalJson(w: WithdrawalRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { id: w.id, custom_id: w.customId, customer_id: w.customerId, address: w.address };
  if (w.committed) out.network = w.network;
  Object.assign(out, {
    txid: w.txid,
    status: w.status,
    charged_amount: w.chargedAmount.toString(),
    charged_currency: w.chargedCurrency,
    received_amount: w.receivedAmount.toString(),
    received_currency: w.receivedCurrency,
    network_fee: w.networkFee.toString(),
    network_fee_level: w.networkFeeLevel,
    fee: w.fee.toString(),
    fee_currency: w.feeCurrency,
    description: null,
    exchange: w.exchange ? { pair: w.exchange.pair, rate: w.exchange.rate.toString(), fee: w.exchange.fee.toString(), fee_currency: w.exchange.feeCurrency } : null,
    risk: w.risk ? { ...w.risk } : null,
    created_at: w.committed ? apiTimestamp(w.createdAtMs) : zuluTimestamp(w.createdAtMs),
  });
  return out;
}

export interface PayoutDeps {
  now(): number;
  ledger: Ledger;
  /** Ordered callbacks for one object. */
  emit(type: string, resourceId: string, events: readonly CallbackEvent[]): void;
  /** Lower-cased addresses the screening refuses (option highRiskAddresses). */
  highRiskAddresses: ReadonlySet<string>;
}

export class WithdrawalService {
  private readonly items = new Collection<WithdrawalRecord>();

  constructor(private readonly deps: PayoutDeps) {}

  json(w: WithdrawalRecord): Record<string, unknown> {
    return withdrawalJson(w);
  }

  clear(): void {
    this.items.clear();
  }

  /** The same screening payouts get, for the risk score endpoint. */
  isHighRiskAddress(address: string): boolean {
    return isHighRisk(address, this.deps.highRiskAddresses);
  }

  /**
   * Validation order: fields (all problems at once, incl. invalid_coin_address) → 409 duplicate
   * custom_id → 422 high_risk_address → minimum payout → balance.
   */
  create(body: unknown): WithdrawalRecord {
    const v = new Validator(body);
    const address = v.string('address');
    const chargedCurrency = v.oneOf('charged_currency', PRICE_CURRENCIES);
    const receivedCurrency = v.oneOf('received_currency', PAY_CURRENCIES);
    const coin = receivedCurrency ? coinInfo(receivedCurrency) : undefined;
    const network = coin ? v.optionalOneOf('network', coin.networks, coin.networks[0] ?? null) : null;
    const level = v.optionalOneOf('network_fee_level', NETWORK_FEE_LEVELS, 'average') as NetworkFeeLevel | null;
    const customId = v.optionalString('custom_id');
    const customerId = v.optionalString('customer_id');
    const forceCommit = v.boolean('force_commit', false);
    validateBeneficiary(v, v.boolean('travel_rule_compliant', false));
    const mode = parseAmountMode(v, chargedCurrency, receivedCurrency);
    if (address !== null && network !== null && receivedCurrency !== null && !isValidAddress(network, address)) {
      v.add({ code: 'invalid_coin_address', target: 'address', message: `must be a valid ${receivedCurrency} address`, args: { currency: receivedCurrency } });
    }
    const conv = chargedCurrency && receivedCurrency ? payoutConversion(chargedCurrency, receivedCurrency) : null;
    if (conv === undefined) v.add({ code: 'unsupported_pair', target: 'received_currency', message: `no rate for ${receivedCurrency ?? ''}${chargedCurrency ?? ''}` });
    v.check();
    if (!address || !chargedCurrency || !receivedCurrency || !network || !level || !mode || conv === undefined) throw errors.internal();

    if (customId !== null && this.items.hasCustomId(customId)) throw errors.duplicateCustomId();
    if (isHighRisk(address, this.deps.highRiskAddresses)) throw errors.highRiskAddress(HIGH_RISK_MESSAGE);

    const networkFee = networkFeeFor(receivedCurrency, network, level);
    const quote = quotePayout(mode, conv, chargedCurrency, receivedCurrency, networkFee, Decimal.from(PROCESSING_FEE_RATE));
    const eur = valueInEur(mode.amount, mode.currency);
    if ((eur !== undefined && eur.cmp(Decimal.from(MINIMUM_PAYOUT_EUR)) < 0) || !quote.received.isPositive()) {
      throw errors.belowMinimum(mode.field, MINIMUM_PAYOUT_EUR);
    }
    const balanceTarget = balanceTargetFor(mode.field);
    this.checkBalance(chargedCurrency, quote.charged, balanceTarget);

    const now = this.deps.now();
    const rec: WithdrawalRecord = {
      id: uuid(),
      customId,
      customerId,
      address,
      network,
      txid: null,
      status: 'new',
      chargedAmount: quote.charged,
      chargedCurrency,
      receivedAmount: quote.received,
      receivedCurrency,
      networkFee,
      networkFeeLevel: level,
      fee: conv ? Decimal.ZERO : quote.processingFee,
      feeCurrency: conv ? receivedCurrency : chargedCurrency,
      processingFee: quote.processingFee,
      exchange: conv ? { pair: conv.pair, rate: conv.rate, fee: quote.processingFee, feeCurrency: chargedCurrency } : null,
      risk: null,
      createdAtMs: floorToSecond(now),
      committed: false,
      commitDeadlineMs: commitDeadline(now),
      balanceTarget,
      ref: newRef('new'),
    };
    this.items.add(rec, customId);
    if (forceCommit) this.activate(rec);
    return rec;
  }

  /** POST /api/coin_withdrawals/{id}/commit: 409 already_committed / expired; 422 if the balance no longer covers it. */
  commit(id: string): WithdrawalRecord {
    const rec = this.get(id);
    assertCommittable(rec, this.deps.now());
    this.activate(rec);
    return rec;
  }

  get(id: string): WithdrawalRecord {
    return this.items.require(id);
  }

  getByCustomId(customId: string): WithdrawalRecord {
    return this.items.requireByCustomId(customId);
  }

  list(query: URLSearchParams): ListBody {
    const cursor = cursorParam(query);
    const customerId = query.get('customer_id');
    const match = customerId === null ? null : (w: WithdrawalRecord): boolean => w.customerId === customerId;
    return listBody(this.items.page(cursor, match), withdrawalJson);
  }

  /** Test control: moves a committed withdrawal along its lifecycle (422 for a transition not allowed). */
  setStatus(id: string, status: unknown): WithdrawalRecord {
    if (typeof status !== 'string' || !(CONTROL_STATUSES as readonly string[]).includes(status)) {
      throw errors.invalid([{ code: 'must_be_included_in', target: 'status', message: oneOf(CONTROL_STATUSES), args: { list: [...CONTROL_STATUSES] } }]);
    }
    const rec = this.get(id);
    const next = status as ControlWithdrawalStatus;
    if (!TRANSITIONS[rec.status].includes(next)) throw errors.invalidTransition('coin withdrawal', rec.status, next);
    rec.status = next;
    if ((next === 'sent' || next === 'completed') && rec.txid === null) {
      rec.txid = txid(rec.network);
      rec.risk = { ...LOW_RISK }; // destination screened when broadcast
    }
    rec.ref.status = next;
    rec.ref.risk = rec.risk ? { ...rec.risk } : null;
    if (next === 'cancelled') {
      // the debited amount goes back to the balance
      this.deps.ledger.post({
        currency: rec.chargedCurrency,
        amount: rec.chargedAmount,
        feeCurrency: rec.chargedCurrency,
        referenceId: rec.id,
        referenceType: 'CoinWithdrawal',
        ref: rec.ref,
        customId: rec.customId,
        customerId: rec.customerId,
      });
    }
    this.deps.emit('CoinWithdrawal', rec.id, [{ event: 'status_changed', data: withdrawalJson(rec) }]);
    return rec;
  }

  private checkBalance(currency: string, amount: Decimal, target: string): void {
    const balance = this.deps.ledger.balance(currency);
    if (amount.cmp(balance) > 0) throw errors.insufficientBalance(target, balance.toString());
  }

  /** new → pending: debits the charged amount and sends the `created` callback. */
  private activate(rec: WithdrawalRecord): void {
    this.checkBalance(rec.chargedCurrency, rec.chargedAmount, rec.balanceTarget);
    rec.committed = true;
    rec.status = 'pending';
    rec.ref.status = 'pending';
    this.deps.ledger.post({
      currency: rec.chargedCurrency,
      amount: rec.chargedAmount.neg(),
      fee: rec.processingFee,
      feeCurrency: rec.chargedCurrency,
      referenceId: rec.id,
      referenceType: 'CoinWithdrawal',
      ref: rec.ref,
      customId: rec.customId,
      customerId: rec.customerId,
    });
    this.deps.emit('CoinWithdrawal', rec.id, [{ event: 'created', data: withdrawalJson(rec) }]);
  }
}

function balanceTargetFor(field: AmountField): 'charged_amount' | 'received_amount' {
  return field === 'received_amount' ? 'received_amount' : 'charged_amount';
}
