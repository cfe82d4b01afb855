/**
 * CPG statuses and webhook events in the shared vocabulary. Only `active`, `pending`,
 * `broadcasted` and `confirmed` are documented (reference §5, §11); the other values are
 * our assumption, written down in lib/providers/cpg/README.md.
 */
import type { StatusTable } from '../../status';

export const depositRequestStatusTable: StatusTable = {
  provider: 'cpg',
  resource: 'Deposit request',
  rules: [
    { status: 'active', state: 'pending' },
    { status: 'detected', state: 'confirming' },
    { status: 'confirmed', state: 'completed' },
    // Past display_expires_at the address is no longer shown, but CPG keeps watching it: a late
    // deposit is still credited and completes the request (deposit.detected, deposit.confirmed).
    // So `expired` here is not final, unlike the shared state's default.
    { status: 'expired', state: 'expired', final: false },
  ],
};

export const withdrawalStatusTable: StatusTable = {
  provider: 'cpg',
  resource: 'Withdrawal',
  rules: [
    { status: 'pending', state: 'pending' },
    { status: 'broadcasted', state: 'confirming' },
    { status: 'confirmed', state: 'completed' },
    { status: 'failed', state: 'failed' },
  ],
};

/** On-chain rows of GET /v1/transactions (deposits, withdrawals, sweeps, gas top-ups). */
export const transactionStatusTable: StatusTable = {
  provider: 'cpg',
  resource: 'Transaction',
  rules: [
    { status: 'pending', state: 'confirming' },
    { status: 'broadcasted', state: 'confirming' },
    { status: 'confirmed', state: 'completed' },
    { status: 'failed', state: 'failed' },
  ],
};

/** Webhooks carry the event, which says more than the object's own status. */
export const webhookEventTable: StatusTable = {
  provider: 'cpg',
  resource: 'Webhook event',
  rules: [
    { status: null, event: 'deposit.detected', state: 'confirming' },
    { status: null, event: 'deposit.confirmed', state: 'completed' },
    { status: null, event: 'deposit.swept', state: 'completed' },
    { status: null, event: 'withdrawal.broadcasted', state: 'confirming' },
    { status: null, event: 'withdrawal.confirmed', state: 'completed' },
    { status: null, event: 'withdrawal.failed', state: 'failed' },
  ],
};

export const cpgStatusTables: readonly StatusTable[] = [depositRequestStatusTable, withdrawalStatusTable, transactionStatusTable, webhookEventTable];
