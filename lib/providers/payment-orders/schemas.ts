/**
 * CryptoPay payment-orders shapes (reference §3, §5, §7, §8). Objects are loose: fields the
 * gateway adds later pass through untouched. Amounts are decimal strings; ids are integers.
 */
import { z } from 'zod';
import { DECIMAL_PATTERN } from '../../decimal';

const decimal = z.string().regex(DECIMAL_PATTERN, 'must be a decimal string');

/**
 * Order amounts ("100.00", reference §5.1). The precision is not documented; our assumption is
 * 18 decimal places, the most any token on the documented chains (all EVM) has, and greater
 * than 0 (an order for nothing cannot be paid).
 */
export const PAYMENT_ORDER_AMOUNT = { maxFractionDigits: 18, positive: true } as const;
const intId = z.number().int().nonnegative();

export const successSchema = z.looseObject({ success: z.literal(true), data: z.unknown(), message: z.string().optional() });

export const errorSchema = z.looseObject({
  success: z.literal(false),
  error: z.looseObject({
    code: z.string().min(1),
    message: z.string().optional(),
    // DRF field errors: {"field": ["message", …]}; anything else is ignored.
    details: z.unknown().optional(),
  }),
});

/** DRF PageNumberPagination inside `data` (our assumption: the reference does not show where it sits). */
export const pageSchema = z.looseObject({
  count: z.number().int().nonnegative(),
  next: z.string().nullable(),
  previous: z.string().nullable().optional(),
  results: z.array(z.unknown()),
});

/**
 * The login answer's shape is not documented: the token is read from `token`, else
 * `access_token`, else DRF authtoken's `key`.
 */
export const loginSchema = z.looseObject({ token: z.string().min(1).optional(), access_token: z.string().min(1).optional(), key: z.string().min(1).optional() });

export const transactionSchema = z.looseObject({
  transaction_hash: z.string().min(1),
  amount: decimal,
  currency: z.string(),
  blockchain: z.string(),
  status: z.string(),
  confirmations: z.number().int().nonnegative().optional(),
  order_id: z.string().nullish(),
});
export type PoTransaction = z.infer<typeof transactionSchema>;

export const paymentOrderSchema = z.looseObject({
  id: intId,
  order_id: z.string().min(1),
  amount: decimal,
  currency: z.string(),
  blockchain: z.string(),
  status: z.string(),
  receiving_address: z.string(),
  order_info: z.string(),
  nonce: z.number().int(),
  transaction: transactionSchema.nullish(),
});
export type PaymentOrder = z.infer<typeof paymentOrderSchema>;

export const walletSchema = z.looseObject({ id: intId, blockchain: z.string(), address: z.string(), is_active: z.boolean() });
export type MerchantWallet = z.infer<typeof walletSchema>;

export const WEBHOOK_EVENTS = ['payment.pending', 'payment.confirmed', 'payment.failed', 'order.expired'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const webhookEndpointSchema = z.looseObject({ id: intId, url: z.string(), events: z.array(z.string()), is_active: z.boolean() });
export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;

export const webhookEnvelopeSchema = z.looseObject({
  event: z.enum(WEBHOOK_EVENTS),
  data: z.looseObject({ order_id: z.string().min(1), transaction_hash: z.string().nullish(), status: z.string().nullish() }),
  timestamp: z.string(),
  webhook_id: z.string().optional(),
});

/** Chain slugs: `ethereum`, `base`, `polygon` are documented; `bsc` and `arbitrum` are our guess. */
export const BLOCKCHAINS = ['ethereum', 'base', 'polygon', 'bsc', 'arbitrum'] as const;
