/**
 * CPG response shapes (reference §4–5). Objects are loose: fields the gateway adds later
 * pass through untouched. Amounts are decimal strings; ids are integers.
 */
import { z } from 'zod';
import { DECIMAL_PATTERN } from '../../decimal';

const decimal = z.string().regex(DECIMAL_PATTERN, 'must be a decimal string');

/**
 * Withdrawal amounts: "> 0 and ≥ the currency's min_withdrawal_amount" (reference §5.5). The
 * finest currency has 18 decimals (`decimals` in GET /v1/currencies, amounts shown with 18
 * places, §5.1), so 18 is the most Paywire sends; the per-currency limit is CPG's to check.
 */
export const CPG_AMOUNT = { maxFractionDigits: 18, positive: true } as const;
const intId = z.number().int().nonnegative();

export const envelopeSchema = z.looseObject({
  success: z.literal(true),
  message: z.string().optional(),
  data: z.unknown(),
  data_count: z.number().int().nonnegative().optional(),
  next_cursor: z.number().int().nullish(),
  has_more: z.boolean().optional(),
});

export const errorSchema = z.looseObject({ success: z.literal(false), message: z.string() });

export const depositAddressSchema = z.looseObject({
  request_id: intId,
  address: z.string(),
  currency: z.string(),
  network: z.string(),
  user_identifier: z.string().nullish(),
  display_expires_at: z.string(),
  created_at: z.string(),
});
export type DepositAddress = z.infer<typeof depositAddressSchema>;

export const depositTransactionSchema = z.looseObject({
  tx_hash: z.string(),
  amount_decimal: decimal,
  confirmations: z.number().int().nonnegative(),
  status: z.string(),
});

export const depositRequestSchema = z.looseObject({
  request_id: intId,
  address: z.string(),
  currency: z.string(),
  network: z.string(),
  status: z.string(),
  transactions: z.array(depositTransactionSchema),
});
export type DepositRequest = z.infer<typeof depositRequestSchema>;

/** POST /v1/withdrawals answers with other field names than the GET (reference §5.5 vs §5.6). */
export const withdrawalCreatedSchema = z.looseObject({
  withdrawal_id: intId,
  status: z.string(),
  tx_hash: z.string().nullish(),
  amount_decimal: decimal,
  fee_decimal: decimal,
});
export type WithdrawalCreated = z.infer<typeof withdrawalCreatedSchema>;

export const withdrawalSchema = z.looseObject({
  id: intId,
  status: z.string(),
  amount: decimal,
  fee: decimal,
  tx_hash: z.string().nullish(),
  error_message: z.string().nullish(),
});
export type Withdrawal = z.infer<typeof withdrawalSchema>;

/** What POST /v1/withdrawals may answer: the created withdrawal, or a replay in the GET shape. */
export const withdrawalAnswerSchema = z.union([withdrawalCreatedSchema, withdrawalSchema]);

export function isWithdrawalGetShape(w: WithdrawalCreated | Withdrawal): w is Withdrawal {
  return !('withdrawal_id' in w) && 'id' in w;
}

/** The withdrawal's id in either shape. */
export function withdrawalIdOf(w: WithdrawalCreated | Withdrawal): number {
  return isWithdrawalGetShape(w) ? w.id : w.withdrawal_id;
}

export const transactionSchema = z.looseObject({
  id: intId,
  tx_hash: z.string().nullish(),
  direction: z.string(),
  status: z.string(),
  currency: z.string(),
  network: z.string(),
  amount_decimal: decimal,
});
export type CpgTransaction = z.infer<typeof transactionSchema>;

/** Row fields of GET /v1/balances are not documented; only the currency and network are assumed. */
export const balanceSchema = z.looseObject({ currency: z.string(), network: z.string() });

export const currencySchema = z.looseObject({
  currency: z.string(),
  network: z.string(),
  decimals: z.number().int(),
  deposit_enabled: z.boolean(),
  withdrawal_enabled: z.boolean(),
  min_withdrawal_amount: decimal,
});

export const hotWalletSchema = z.looseObject({ network: z.string(), address: z.string() });

export const pingSchema = z.unknown();

export const WEBHOOK_EVENTS = [
  'deposit.detected',
  'deposit.confirmed',
  'deposit.swept',
  'withdrawal.broadcasted',
  'withdrawal.confirmed',
  'withdrawal.failed',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const webhookEnvelopeSchema = z.looseObject({
  id: intId,
  event: z.enum(WEBHOOK_EVENTS),
  created_at: z.string(),
  api_version: z.string(),
  data: z.looseObject({}),
});

export const TRANSACTION_DIRECTIONS = ['deposit', 'withdrawal', 'sweep', 'gas_topup'] as const;
