/**
 * Cryptopay statuses, contexts and callback events in the shared vocabulary
 * (reference §6 and §7). Rules are tried in order; the README table is printed from here.
 */
import type { StatusTable } from '../../status';

const transactionSeen = {
  description: 'a payment transaction is already seen',
  test: (object: unknown): boolean => {
    const txs = (object as { transactions?: unknown } | undefined)?.transactions;
    return Array.isArray(txs) && txs.length > 0;
  },
};

export const invoiceStatusTable: StatusTable = {
  provider: 'cryptopay',
  resource: 'Invoice',
  rules: [
    { status: 'new', event: 'transaction_created', state: 'confirming' },
    { status: 'new', event: 'transaction_confirmed', state: 'confirming' },
    { status: 'new', condition: transactionSeen, state: 'confirming' },
    { status: 'new', state: 'pending' },
    { status: 'completed', state: 'completed' },
    { status: 'unresolved', context: 'underpaid', state: 'action_required', reason: 'underpaid' },
    { status: 'unresolved', context: 'overpaid', state: 'action_required', reason: 'overpaid' },
    { status: 'unresolved', context: 'paid_late', state: 'action_required', reason: 'paid_late' },
    { status: 'unresolved', context: 'illicit_resource', state: 'action_required', reason: 'high_risk' },
    // A context Cryptopay may add later still needs a person to look.
    { status: 'unresolved', state: 'action_required' },
    { status: 'refunded', state: 'refunded' },
    { status: 'cancelled', state: 'cancelled' },
  ],
};

/** Refunds carry no status: they are pending until the refund transaction is broadcast. */
export const invoiceRefundStatusTable: StatusTable = {
  provider: 'cryptopay',
  resource: 'InvoiceRefund',
  rules: [
    {
      status: null,
      condition: {
        description: 'the refund transaction is broadcast (`txid` set)',
        test: (o) => typeof (o as { txid?: unknown } | undefined)?.txid === 'string',
      },
      state: 'completed',
    },
    { status: null, state: 'pending' },
  ],
};

export const channelPaymentStatusTable: StatusTable = {
  provider: 'cryptopay',
  resource: 'ChannelPayment',
  rules: [
    { status: 'pending', state: 'confirming' },
    { status: 'completed', state: 'completed' },
    { status: 'on_hold', context: 'illicit_resource', state: 'action_required', reason: 'high_risk' },
    { status: 'on_hold', context: 'channel_disabled', state: 'action_required', reason: 'channel_disabled' },
    { status: 'on_hold', state: 'action_required', reason: 'on_hold' },
    { status: 'refunded', state: 'refunded' },
    { status: 'cancelled', state: 'cancelled' },
  ],
};

export const coinWithdrawalStatusTable: StatusTable = {
  provider: 'cryptopay',
  resource: 'CoinWithdrawal',
  rules: [
    { status: 'new', state: 'pending', reason: 'awaiting_commit' },
    { status: 'pending', state: 'pending' },
    { status: 'processing', state: 'confirming' },
    { status: 'sent', state: 'confirming' },
    { status: 'completed', state: 'completed' },
    { status: 'on_hold', state: 'action_required', reason: 'on_hold' },
    // Cryptopay: "failed" is not final; it becomes completed or cancelled after support acts.
    { status: 'failed', state: 'action_required', reason: 'failed' },
    { status: 'cancelled', state: 'cancelled' },
  ],
};

export const subscriptionStatusTable: StatusTable = {
  provider: 'cryptopay',
  resource: 'Subscription',
  rules: [
    // For a subscription, "completed" means the current period is paid.
    { status: 'active', event: 'paid', state: 'completed' },
    {
      status: 'active',
      condition: {
        description: 'the current period is paid',
        test: (o) => (o as { current_period_paid?: unknown } | undefined)?.current_period_paid === true,
      },
      state: 'completed',
    },
    { status: 'active', state: 'pending' },
    { status: 'cancelled', state: 'cancelled' },
  ],
};


/** Coin deposits appear only in the ledger (reference §6.6). */
export const coinDepositStatusTable: StatusTable = {
  provider: 'cryptopay',
  resource: 'Transaction (CoinDeposit)',
  rules: [
    { status: 'pending', state: 'confirming' },
    { status: 'completed', state: 'completed' },
    { status: 'on_hold', context: 'illicit_resource', state: 'action_required', reason: 'high_risk' },
    { status: 'on_hold', state: 'action_required', reason: 'on_hold' },
    { status: 'refunded', state: 'refunded' },
  ],
};

/**
 * Bank transfers: the transactions guide lists `on_hold` for BankDeposit and BankWithdrawal,
 * `pending` is observed; the rest is our assumption.
 */
export const bankTransferStatusTable: StatusTable = {
  provider: 'cryptopay',
  resource: 'Transaction (BankDeposit, BankWithdrawal)',
  rules: [
    { status: 'pending', state: 'pending' },
    { status: 'on_hold', state: 'action_required', reason: 'on_hold' },
    { status: 'processing', state: 'confirming' },
    { status: 'completed', state: 'completed' },
    { status: 'failed', state: 'failed' },
    { status: 'cancelled', state: 'cancelled' },
  ],
};

/** A ledger row without a status is a balance movement that has happened. */
export const balanceMovementStatusTable: StatusTable = {
  provider: 'cryptopay',
  resource: 'Transaction (no status: InvoiceRefund, ExchangeTransfer, Manual, ManualBalanceTransaction, …)',
  rules: [{ status: null, state: 'completed' }],
};

/** Which table maps a ledger row's status, by its reference_type. */
export const transactionStatusTables: Readonly<Record<string, StatusTable>> = {
  Invoice: invoiceStatusTable,
  ChannelPayment: channelPaymentStatusTable,
  CoinWithdrawal: coinWithdrawalStatusTable,
  CoinDeposit: coinDepositStatusTable,
  BankDeposit: bankTransferStatusTable,
  BankWithdrawal: bankTransferStatusTable,
};

export const cryptopayLedgerTables: readonly StatusTable[] = [coinDepositStatusTable, bankTransferStatusTable, balanceMovementStatusTable];

export const cryptopayStatusTables: readonly StatusTable[] = [
  invoiceStatusTable,
  invoiceRefundStatusTable,
  channelPaymentStatusTable,
  coinWithdrawalStatusTable,
  subscriptionStatusTable,
  ...cryptopayLedgerTables,
];
