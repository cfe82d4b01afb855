/**
 * Response validation. Objects are loose (unknown keys survive) because the node passes
 * the gateway's object on unchanged; we check only what we rely on. Amounts are decimal
 * strings and stay strings.
 */
import { z } from 'zod';

import { DECIMAL_PATTERN } from '../../decimal';

export { DECIMAL_PATTERN };
export const decimal = z.string().regex(DECIMAL_PATTERN, 'must be a decimal string');

/**
 * Money fields of requests (invoices, payouts, subscriptions, exchange transfers). Cryptopay
 * documents no maximum; each currency has its own precision (GET /api/coins: 0 for SHIB up to
 * 9 for SOL, fiat 2) and a finer amount is refused with 422 "bad precision" (reference §4.9,
 * §8). Our assumption: 9 decimal places, the finest precision any recorded currency has; the
 * per-currency limit is left to Cryptopay. Every amount must be greater than 0.
 */
export const CRYPTOPAY_AMOUNT = { maxFractionDigits: 9, positive: true } as const;

export const INVOICE_STATUSES = ['new', 'completed', 'unresolved', 'refunded', 'cancelled'] as const;
export const INVOICE_STATUS_CONTEXTS = ['underpaid', 'overpaid', 'paid_late', 'illicit_resource'] as const;
export const INVOICE_EVENTS = [
  'transaction_created',
  'transaction_confirmed',
  'status_changed',
  'created',
  'refunded',
  'recalculated',
] as const;

export const CHANNEL_PAYMENT_STATUSES = ['pending', 'completed', 'on_hold', 'refunded', 'cancelled'] as const;
export const CHANNEL_PAYMENT_CONTEXTS = ['illicit_resource', 'channel_disabled'] as const;
export const CHANNEL_PAYMENT_EVENTS = ['created', 'on_hold', 'completed', 'refunded', 'cancelled'] as const;

export const COIN_WITHDRAWAL_STATUSES = [
  'new',
  'pending',
  'processing',
  'sent',
  'completed',
  'on_hold',
  'failed',
  'cancelled',
] as const;
export const COIN_WITHDRAWAL_EVENTS = ['created', 'status_changed'] as const;

export const SUBSCRIPTION_STATUSES = ['active', 'cancelled'] as const;
export const SUBSCRIPTION_EVENTS = ['paid', 'cancelled'] as const;

const risk = z.looseObject({
  score: z.number(),
  level: z.enum(['low', 'medium', 'high']),
});

const exchange = z.looseObject({
  pair: z.string(),
  rate: decimal,
  fee: decimal.optional(),
});

/**
 * Statuses are any text here: the status tables decide (lib/status). A status they do not
 * know fails a single create or get loudly (`unknown_status`), gives `state: null` on a list
 * row, and sends a callback to Catch; the lists above are the documented values.
 */
const paymentStatus = z.string().min(1);

export const invoiceSchema = z.looseObject({
  id: z.string().min(1),
  custom_id: z.string().nullish(),
  status: paymentStatus,
  status_context: z.string().nullish(),
  address: z.string(),
  price_amount: decimal,
  price_currency: z.string(),
  pay_amount: decimal,
  pay_currency: z.string(),
  paid_amount: decimal,
  fee: decimal.optional(),
  exchange: exchange.optional(),
  transactions: z.array(z.looseObject({ txid: z.string(), risk: risk.nullish() })),
  created_at: z.string(),
  expires_at: z.string(),
});
export type Invoice = z.infer<typeof invoiceSchema>;

export const invoiceRefundSchema = z.looseObject({
  id: z.string().min(1),
  invoice_id: z.string(),
  amount: decimal,
  amount_currency: z.string(),
  fee: decimal,
  address: z.string().nullish(),
  txid: z.string().nullish(),
  created_at: z.string(),
});
export type InvoiceRefund = z.infer<typeof invoiceRefundSchema>;

export const invoiceRecalculationSchema = z.looseObject({
  id: z.string().min(1),
  invoice_id: z.string(),
  pay_amount: decimal,
  price_amount: decimal,
  previous_pay_amount: decimal,
  previous_price_amount: decimal,
  created_at: z.string(),
});
export type InvoiceRecalculation = z.infer<typeof invoiceRecalculationSchema>;

export const channelPaymentSchema = z.looseObject({
  id: z.string().min(1),
  channel_id: z.string(),
  status: paymentStatus,
  status_context: z.string().nullish(),
  paid_amount: decimal,
  received_amount: decimal,
});

export const coinWithdrawalSchema = z.looseObject({
  id: z.string().min(1),
  status: paymentStatus,
  charged_amount: decimal,
  received_amount: decimal,
});

export const subscriptionSchema = z.looseObject({
  id: z.string().min(1),
  status: paymentStatus,
  amount: decimal,
});

export const listMetaSchema = z.looseObject({
  total: z.number().int().nonnegative(),
  has_more: z.boolean(),
});

export const errorEnvelopeSchema = z.object({
  error: z.looseObject({
    code: z.string(),
    message: z.string().optional(),
    details: z
      .array(
        z.looseObject({
          code: z.string().optional(),
          target: z.string().nullish(),
          message: z.string().optional(),
          args: z.record(z.string(), z.unknown()).nullish(),
        }),
      )
      .nullish(),
  }),
  meta: z.looseObject({ request_id: z.string().optional() }).nullish(),
});

/** Callback envelope; `data` is validated per type by the callback verifier. */
export const callbackEnvelopeSchema = z.looseObject({
  type: z.string().min(1),
  event: z.string().min(1),
  data: z.looseObject({ id: z.string().min(1) }),
});

// ---- the rest of the API (reference §5) ----

/** Every reference_type documented for ledger rows and the `reference_type` filter (reference §4.3, §6.6). */

export const TRANSACTION_REFERENCE_TYPES = [
  'Invoice',
  'InvoiceRefund',
  'ChannelPayment',
  'CoinDeposit',
  'CoinWithdrawal',
  'ExchangeTransfer',
  'BankDeposit',
  'BankWithdrawal',
  // The transactions guide lists `Manual`; the SDKs' enum has `ManualBalanceTransaction`: both are accepted.
  'Manual',
  'ManualBalanceTransaction',
] as const;
export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export const NETWORK_FEE_LEVELS = ['fast', 'average', 'slow'] as const;
export const SUBSCRIPTION_PERIODS = ['day', 'week', 'month', 'year'] as const;

export const transactionSchema = z.looseObject({
  id: z.string().min(1),
  amount: decimal,
  currency: z.string(),
  balance: decimal,
  reference_id: z.string().nullish(),
  // Loose on purpose: the ledger lists reference types and statuses Cryptopay may extend.
  reference_type: z.string(),
  status: z.string().nullish(),
  status_context: z.string().nullish(),
  created_at: z.string(),
});
export type Transaction = z.infer<typeof transactionSchema>;

export const accountSchema = z.looseObject({
  id: z.string().min(1),
  currency: z.string(),
  balance: decimal,
});

export const channelSchema = z.looseObject({
  id: z.string().min(1),
  status: z.enum(['enabled', 'disabled']),
  name: z.string(),
  pay_currency: z.string(),
  receiver_currency: z.string(),
  address: z.string(),
});

export const networkFeeSchema = z.looseObject({
  level: z.string(),
  fee: decimal,
  currency: z.string(),
});

export const exchangeTransferSchema = z.looseObject({
  id: z.string().min(1),
  charged_amount: decimal,
  charged_currency: z.string(),
  received_amount: decimal,
  received_currency: z.string(),
});

export const customerSchema = z.looseObject({
  id: z.string().min(1),
  currency: z.string(),
});

export const coinSchema = z.looseObject({
  currency: z.string(),
  name: z.string(),
  networks: z.array(z.looseObject({ network: z.string() })),
});

export const rateSchema = z.looseObject({ buy_rate: decimal, sell_rate: decimal });

/** The score is a JSON number on the wire (reference §2), unlike amounts. */
export const riskSchema = z.looseObject({
  score: z.number(),
  level: z.enum(RISK_LEVELS),
  resource_name: z.string().nullish(),
  resource_category: z.string().nullish(),
});
export const RISK_SCORE_TYPES = ['source_of_funds', 'destination_of_funds'] as const;
export const ratesSchema = z.record(z.string(), rateSchema);

export type Channel = z.infer<typeof channelSchema>;
export type ChannelPayment = z.infer<typeof channelPaymentSchema>;
export type CoinWithdrawal = z.infer<typeof coinWithdrawalSchema>;
export type Subscription = z.infer<typeof subscriptionSchema>;
export type ExchangeTransfer = z.infer<typeof exchangeTransferSchema>;
