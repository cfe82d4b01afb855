/**
 * CryptoPay payment-order statuses and webhook events in the shared vocabulary. Only
 * `pending` (orders) and `confirmed` (transactions) are documented; the rest follows the
 * webhook events and is our assumption (lib/providers/payment-orders/README.md).
 */
import type { StatusTable } from '../../status';

export const PROVIDER_ID = 'payment-orders';

const paymentLinked = {
  description: 'a payment transaction is linked (`transaction` set)',
  test: (object: unknown): boolean => {
    const tx = (object as { transaction?: unknown } | undefined)?.transaction;
    return typeof tx === 'object' && tx !== null;
  },
};

export const paymentOrderStatusTable: StatusTable = {
  provider: PROVIDER_ID,
  resource: 'Payment order',
  rules: [
    // Detected on-chain, waiting for the required confirmations: the order itself stays pending.
    { status: 'pending', condition: paymentLinked, state: 'confirming' },
    { status: 'pending', state: 'pending' },
    { status: 'confirmed', state: 'completed' },
    { status: 'failed', state: 'failed' },
    { status: 'expired', state: 'expired' },
  ],
};

export const transactionStatusTable: StatusTable = {
  provider: PROVIDER_ID,
  resource: 'Transaction',
  rules: [
    { status: 'pending', state: 'confirming' },
    { status: 'confirmed', state: 'completed' },
    { status: 'failed', state: 'failed' },
  ],
};

/** Webhooks carry the event, which says more than the transaction status in `data`. */
export const webhookEventTable: StatusTable = {
  provider: PROVIDER_ID,
  resource: 'Webhook event',
  rules: [
    { status: null, event: 'payment.pending', state: 'confirming' },
    { status: null, event: 'payment.confirmed', state: 'completed' },
    { status: null, event: 'payment.failed', state: 'failed' },
    { status: null, event: 'order.expired', state: 'expired' },
  ],
};

export const paymentOrdersStatusTables: readonly StatusTable[] = [paymentOrderStatusTable, transactionStatusTable, webhookEventTable];
